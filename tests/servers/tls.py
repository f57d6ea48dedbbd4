"""A throw-away certificate authority and a server certificate for loopback test servers.

Made with the ``openssl`` command (Debian package ``openssl``), EC P-256 keys so generation is instant. The
server certificate names ``DNS:localhost`` and ``IP:127.0.0.1`` and carries the key identifiers and usages that
Python's strict X.509 checks ask for, so ``ssl.create_default_context(cafile=...)`` trusts it as it is.

``session_certificates()`` makes one set per test process in a temporary directory (removed at exit).
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DAYS = "30"


@dataclass(frozen=True, slots=True)
class CertificateFiles:
    """PEM files: the CA certificate clients trust, and the server's certificate and private key."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    if shutil.which("openssl") is None:
        raise RuntimeError("The openssl command is missing: run ./dev test, which installs the test servers' packages")
    completed = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{completed.stderr}")


def make_certificates(directory: Path) -> CertificateFiles:
    """Write a fresh CA and a server certificate for localhost/127.0.0.1 into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", _DAYS,
        "-subj", "/O=RealMail tests/CN=RealMail Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip
    _openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=directory)
    (directory / "server.ext").write_text(
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid:always\n"
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", _DAYS, "-extfile", "server.ext",
        cwd=directory,
    )  # fmt: skip
    return CertificateFiles(
        ca_cert=directory / "ca.pem",
        ca_key=directory / "ca.key",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
    )


@cache
def session_certificates() -> CertificateFiles:
    """One CA + server certificate for the whole test process, made on first use."""
    directory = Path(tempfile.mkdtemp(prefix="realmail-tls-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_certificates(directory)
