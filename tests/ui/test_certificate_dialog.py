"""View certificate: a CertificateError's `details` (as sync/connection.py writes them) read into who the
certificate names, who issued it, its dates, fingerprint and why it failed — also when the engine could not
fetch the certificate, or the PEM is damaged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import shiboken6
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.ui.dialogs.certificate_dialog import (
    FINGERPRINT,
    CertificateDialog,
    read_certificate_details,
    show_certificate,
)

from .certificate_samples import certificate_details, fingerprint_of_server_certificate, server_certificate_pem

# Qt's TLS backend (which reads certificates) hooks into the application object as it loads: have one.
pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("qapp")]


@pytest.fixture
async def window() -> AsyncIterator[QMainWindow]:
    made = QMainWindow()
    made.show()
    yield made
    made.close()
    shiboken6.delete(made)  # now, on this thread (see tests/conftest.py)


def test_details_are_read_into_the_certificate_s_parts() -> None:
    report = read_certificate_details(certificate_details("Hostname mismatch, certificate is not valid for 'x'."))
    assert report.reason == "Hostname mismatch, certificate is not valid for 'x'."
    assert report.subject == "localhost"
    assert report.issuer == "RealMail Test CA, RealMail tests"
    assert report.names == ("localhost", "127.0.0.1")
    assert report.fingerprint == fingerprint_of_server_certificate()
    assert not report.self_signed
    now = datetime.now(UTC)
    assert report.valid_from is not None and report.valid_until is not None
    assert report.valid_from - timedelta(days=1) < now < report.valid_until  # tests/servers/tls.py: 30 days
    assert report.pem.strip() == server_certificate_pem().strip()


def test_only_a_reason_when_the_certificate_could_not_be_fetched() -> None:
    report = read_certificate_details("certificate has expired")
    assert report.reason == "certificate has expired"
    assert (report.subject, report.fingerprint, report.pem, report.valid_until) == ("", "", "", None)


def test_a_damaged_pem_leaves_the_reason_and_the_stated_fingerprint() -> None:
    details = "self-signed certificate\nSHA-256 fingerprint: AB:CD\n-----BEGIN CERTIFICATE-----\nnot base64!\n"
    report = read_certificate_details(details)
    assert report.reason == "self-signed certificate"
    assert report.fingerprint == "AB:CD" and report.subject == ""


async def test_the_dialog_says_it_in_rows_and_shows_the_pem_on_request(window: QMainWindow) -> None:
    dialog = CertificateDialog(
        "The security certificate of 127.0.0.1 could not be verified.",
        "Someone may be intercepting the connection.",
        certificate_details(),
        window,
    )
    dialog.open()
    fields = dialog.fields()
    assert list(fields) == [
        "Why it failed:",
        "Issued to:",
        "Issued by:",
        "Valid from:",
        "Valid until:",
        "Valid for:",
        FINGERPRINT,
    ]
    assert fields["Why it failed:"] == "unable to get local issuer certificate"
    assert fields["Valid for:"] == "localhost, 127.0.0.1"
    assert "(expired)" not in fields["Valid until:"]
    assert dialog.pem_view.isHidden()
    dialog.pem_button.click()
    assert not dialog.pem_view.isHidden()
    assert dialog.pem_view.toPlainText().startswith("-----BEGIN CERTIFICATE-----")
    dialog.close()


async def test_without_a_certificate_the_dialog_says_so(window: QMainWindow) -> None:
    dialog = show_certificate("Not verified.", "", "certificate has expired", window)
    assert dialog.isVisible() and dialog.isModal()
    assert dialog.fields() == {
        "Why it failed:": "certificate has expired",
        "Certificate:": "RealMail could not read the certificate from the server.",
    }
    assert not dialog.pem_button.isEnabled()
    dialog.close()
