"""View certificate: the server certificate that did not verify, in words a person can check — who it names,
who issued it, when it is valid, its SHA-256 fingerprint and why it failed — read from a CertificateError's
`details` (the verify message, a fingerprint line and the PEM the server presented)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QCryptographicHash, QDateTime, QLocale, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtNetwork import QSsl, QSslCertificate
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

_FINGERPRINT_LINE = "SHA-256 fingerprint:"
FINGERPRINT = str(QT_TRANSLATE_NOOP("CertificateDialog", "SHA-256 fingerprint:"))  # row label; shown translated
_PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
_NAME_PARTS = (
    QSslCertificate.SubjectInfo.CommonName,
    QSslCertificate.SubjectInfo.Organization,
    QSslCertificate.SubjectInfo.OrganizationalUnitName,
    QSslCertificate.SubjectInfo.CountryName,
)


@dataclass(frozen=True, slots=True)
class CertificateReport:
    """What `details` says, read: `reason` is the verify message; the rest is empty/None when the engine could
    not fetch the certificate (then only the reason is known)."""

    reason: str
    subject: str = ""
    issuer: str = ""
    valid_from: datetime | None = None  # UTC
    valid_until: datetime | None = None  # UTC
    fingerprint: str = ""  # SHA-256, colon-separated upper-case hex pairs
    names: tuple[str, ...] = ()  # DNS names and IP addresses it is valid for
    self_signed: bool = False
    pem: str = ""


def _utc(value: QDateTime) -> datetime | None:
    if not value.isValid():
        return None
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def _name(values: list[str]) -> str:
    return ", ".join(value for value in values if value)


def read_certificate_details(details: str) -> CertificateReport:
    """Split a CertificateError's `details` into its parts; never raises (a damaged PEM leaves the reason)."""
    text = details.strip()
    head, _begin, pem_rest = text.partition(_PEM_BEGIN)
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    reason = " ".join(line for line in lines if not line.startswith(_FINGERPRINT_LINE))
    stated = next((line[len(_FINGERPRINT_LINE) :].strip() for line in lines if line.startswith(_FINGERPRINT_LINE)), "")
    if not _begin:
        return CertificateReport(reason=reason, fingerprint=stated)
    pem = _PEM_BEGIN + pem_rest
    certificates = QSslCertificate.fromData(pem.encode("ascii", "replace"), QSsl.EncodingFormat.Pem)
    if not certificates or certificates[0].isNull():
        return CertificateReport(reason=reason, fingerprint=stated, pem=pem)
    cert = certificates[0]
    digest = bytes(cert.digest(QCryptographicHash.Algorithm.Sha256).toHex().data()).decode("ascii").upper()
    names = [name for entries in cert.subjectAlternativeNames().values() for name in entries]
    return CertificateReport(
        reason=reason,
        subject=_name([", ".join(cert.subjectInfo(part)) for part in _NAME_PARTS]),
        issuer=_name([", ".join(cert.issuerInfo(part)) for part in _NAME_PARTS]),
        valid_from=_utc(cert.effectiveDate()),
        valid_until=_utc(cert.expiryDate()),
        fingerprint=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        names=tuple(names),
        self_signed=cert.isSelfSigned(),
        pem=pem,
    )


def _translated(text: str) -> str:
    return QCoreApplication.translate("CertificateDialog", text)


def _when(moment: datetime | None, now: datetime, *, until: bool) -> str:
    if moment is None:
        return QCoreApplication.translate("CertificateDialog", "unknown")
    shown = QLocale().toString(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())), QLocale.FormatType.LongFormat)
    if until and moment < now:
        return QCoreApplication.translate("CertificateDialog", "{when} (expired)").format(when=shown)
    if not until and moment > now:
        return QCoreApplication.translate("CertificateDialog", "{when} (not valid yet)").format(when=shown)
    return shown


class CertificateDialog(QDialog):
    """The certificate that failed, read-only. `title_text` is the engine's plain message, `hint` what to do;
    `fields()` gives what each row says (for tests and screen readers alike). "Show PEM" reveals the raw
    certificate for copying."""

    def __init__(self, title_text: str, hint: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateDialog")
        self.setWindowTitle(self.tr("Server certificate"))
        self.report = read_certificate_details(details)
        self._fields = _fields(self.report, datetime.now(UTC))
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        form = QFormLayout()
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        heading = self._label(title_text or self.tr("The server's certificate could not be verified."))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        form.addRow(icon, heading)
        for label, value in self._fields.items():
            shown = self._label(value)
            if label == _translated(FINGERPRINT):
                shown.setFont(mono)
                shown.setText(_two_lines(value))
            form.addRow(label, shown)

        advice = hint
        if self.report.fingerprint:
            advice = self.tr("{hint}\nCompare the fingerprint with the one your mail provider publishes.")
            advice = advice.format(hint=hint).strip()
        hint_label = self._label(advice)
        hint_label.setVisible(bool(advice))

        self.pem_view = QPlainTextEdit(self.report.pem, self)
        self.pem_view.setObjectName("certificatePem")
        self.pem_view.setReadOnly(True)
        self.pem_view.setFont(mono)
        self.pem_view.hide()
        self.pem_button = QPushButton(self.tr("Show PEM"), self)
        self.pem_button.setCheckable(True)
        self.pem_button.setEnabled(bool(self.report.pem))
        self.pem_button.toggled.connect(self.pem_view.setVisible)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.pem_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint_label)
        layout.addWidget(self.pem_view, 1)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def fields(self) -> dict[str, str]:
        """Row label → what it says (the fingerprint on one line)."""
        return dict(self._fields)


def _fields(report: CertificateReport, now: datetime) -> dict[str, str]:
    """Row label → text of the dialog's rows."""
    reason = report.reason or QCoreApplication.translate("CertificateDialog", "The certificate could not be checked.")
    if report.self_signed:
        reason = QCoreApplication.translate(
            "CertificateDialog", "{reason} The certificate is self-signed (it vouches for itself)."
        ).format(reason=reason)
    if not (report.subject or report.fingerprint):
        return {
            QCoreApplication.translate("CertificateDialog", "Why it failed:"): reason,
            QCoreApplication.translate("CertificateDialog", "Certificate:"): QCoreApplication.translate(
                "CertificateDialog", "RealMail could not read the certificate from the server."
            ),
        }
    unknown = QCoreApplication.translate("CertificateDialog", "unknown")
    return {
        QCoreApplication.translate("CertificateDialog", "Why it failed:"): reason,
        QCoreApplication.translate("CertificateDialog", "Issued to:"): report.subject or unknown,
        QCoreApplication.translate("CertificateDialog", "Issued by:"): report.issuer or unknown,
        QCoreApplication.translate("CertificateDialog", "Valid from:"): _when(report.valid_from, now, until=False),
        QCoreApplication.translate("CertificateDialog", "Valid until:"): _when(report.valid_until, now, until=True),
        QCoreApplication.translate("CertificateDialog", "Valid for:"): ", ".join(report.names)
        or QCoreApplication.translate("CertificateDialog", "(no names listed)"),
        _translated(FINGERPRINT): report.fingerprint or unknown,
    }


def _two_lines(fingerprint: str) -> str:
    pairs = fingerprint.split(":")
    if len(pairs) < 32:
        return fingerprint
    half = len(pairs) // 2
    return ":".join(pairs[:half]) + ":\n" + ":".join(pairs[half:])


def show_certificate(title_text: str, hint: str, details: str, parent: QWidget | None) -> CertificateDialog:
    """Open the certificate window-modal (never a nested event loop); it deletes itself when closed."""
    dialog = CertificateDialog(title_text, hint, details, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
