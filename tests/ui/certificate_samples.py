"""Certificate `details` as the sync engine writes them (sync/connection.py: the verify message, a SHA-256
fingerprint line, then the PEM), made from the test CA's real server certificate."""

from __future__ import annotations

import hashlib
import ssl

from tests.servers.tls import session_certificates


def server_certificate_pem() -> str:
    return session_certificates().server_cert.read_text()


def certificate_details(reason: str = "unable to get local issuer certificate") -> str:
    pem = server_certificate_pem()
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    fingerprint = ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
    return f"{reason}\nSHA-256 fingerprint: {fingerprint}\n{pem}"


def fingerprint_of_server_certificate() -> str:
    return certificate_details().splitlines()[1].split(": ", 1)[1]
