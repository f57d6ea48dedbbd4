"""ServerSettingsForm: the manual IMAP and SMTP settings of the Add account dialog (server, port, security, user
name), filled from what discovery found and editable by the person."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from realmail_desktop.auth.providers import MailSettings, ServerSettings
from realmail_desktop.store import ImapSecurity

SECURITY_CHOICES = (("TLS", ImapSecurity.TLS), ("STARTTLS", ImapSecurity.STARTTLS))
IMAP_PORTS = {ImapSecurity.TLS: 993, ImapSecurity.STARTTLS: 143}
SMTP_PORTS = {ImapSecurity.TLS: 465, ImapSecurity.STARTTLS: 587}


@dataclass(frozen=True, slots=True)
class Server:
    """One server as the form says it, checked."""

    host: str
    port: int
    security: ImapSecurity
    username: str


def result_label(parent: QWidget, name: str) -> QLabel:
    """A hidden, wrapping plain-text line for what a check found ("IMAP: ✓ …"); shown when there is news."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


class _ServerRows:
    """Host, port, security and user name of one server; the port follows the security until edited."""

    def __init__(self, parent: QWidget, name: str, ports: dict[ImapSecurity, int], placeholder: str) -> None:
        self.ports = ports
        self.host = QLineEdit(parent)
        self.host.setObjectName(f"{name}Host")
        self.host.setPlaceholderText(placeholder)
        self.port = QLineEdit(str(ports[ImapSecurity.TLS]), parent)
        self.port.setObjectName(f"{name}Port")
        self.port.setValidator(QIntValidator(1, 65535, self.port))
        self.port.setMaximumWidth(parent.fontMetrics().horizontalAdvance("0" * 8) + 16)
        self.security = QComboBox(parent)
        self.security.setObjectName(f"{name}Security")
        for label, security in SECURITY_CHOICES:
            self.security.addItem(label, security.value)
        self.username = QLineEdit(parent)
        self.username.setObjectName(f"{name}Username")
        self.username.setPlaceholderText(QCoreApplication.translate("ServerSettingsForm", "usually the e-mail address"))
        self._last = ImapSecurity.TLS
        self.security.currentIndexChanged.connect(lambda _i: self._on_security())

    def chosen_security(self) -> ImapSecurity:
        return ImapSecurity(self.security.currentData() or ImapSecurity.TLS.value)

    def _on_security(self) -> None:
        chosen = self.chosen_security()
        if self.port.text() in ("", str(self.ports[self._last])):
            self.port.setText(str(self.ports[chosen]))
        self._last = chosen

    def fill(self, server: ServerSettings, address: str) -> None:
        security = ImapSecurity(server.security.value)
        index = self.security.findData(security.value)
        if index < 0:  # 'none' (a bridge on this computer): offered only when the settings say so
            self.security.addItem(
                QCoreApplication.translate("ServerSettingsForm", "None (this computer only)"), security.value
            )
            index = self.security.count() - 1
        self.security.setCurrentIndex(index)
        self._last = security
        self.host.setText(server.host)
        self.port.setText(str(server.port))
        self.username.setText(server.username_for(address))

    def value(self, address: str) -> Server | None:
        host = self.host.text().strip()
        port = self.port.text().strip()
        if not host or any(c.isspace() for c in host) or not port.isdigit() or not 0 < int(port) < 65536:
            return None
        return Server(host, int(port), self.chosen_security(), self.username.text().strip() or address)

    def row(self, parent: QWidget) -> QHBoxLayout:
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.host, 1)
        line.addWidget(QLabel(QCoreApplication.translate("ServerSettingsForm", "Port:"), parent))
        line.addWidget(self.port)
        line.addWidget(self.security)
        return line


class ServerSettingsForm(QWidget):
    """The IMAP and SMTP boxes. `fill(settings, address)` shows what discovery found; `imap()`/`smtp()` give
    the checked values (None while incomplete). Every edit emits nothing of its own: the dialog listens to the
    line edits' textChanged through `edits()`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverSettings")
        self.imap_rows = _ServerRows(self, "imap", IMAP_PORTS, "imap.example.com")
        self.smtp_rows = _ServerRows(self, "smtp", SMTP_PORTS, "smtp.example.com")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        boxes = ((self.tr("Incoming mail (IMAP)"), self.imap_rows), (self.tr("Outgoing mail (SMTP)"), self.smtp_rows))
        for title, rows in boxes:
            box = QGroupBox(title, self)
            form = QFormLayout(box)
            form.addRow(self.tr("Server:"), rows.row(box))
            form.addRow(self.tr("User name:"), rows.username)
            layout.addWidget(box)

    def edits(self) -> list[QLineEdit]:
        rows = (self.imap_rows, self.smtp_rows)
        return [edit for r in rows for edit in (r.host, r.port, r.username)]

    def fill(self, settings: MailSettings, address: str) -> None:
        self.imap_rows.fill(settings.imap, address)
        self.smtp_rows.fill(settings.smtp, address)

    def imap(self, address: str) -> Server | None:
        return self.imap_rows.value(address)

    def smtp(self, address: str) -> Server | None:
        return self.smtp_rows.value(address)
