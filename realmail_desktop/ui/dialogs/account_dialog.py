"""Add IMAP account…: the form and its checks, the connection test while the form waits, the engine's answer
shown in place, and the password put in the keyring once the account is saved."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.errors import (
    AuthenticationFailedError,
    CertificateError,
    KeyringUnavailableError,
    KnownError,
)
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import Account, ImapSecurity, SmtpSettings
from realmail_desktop.ui.dialogs.certificate_dialog import CertificateDialog, show_certificate
from realmail_desktop.ui.dialogs.password_dialog import ask_keep_for_session, store_password
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.sync_control import AccountAdder

CHECKING = str(QT_TRANSLATE_NOOP("AddAccountDialog", "Checking the connection…"))  # translated where shown
DEFAULT_PORTS = {ImapSecurity.TLS: 993, ImapSecurity.STARTTLS: 143}
SECURITY_CHOICES = (("TLS", ImapSecurity.TLS), ("STARTTLS", ImapSecurity.STARTTLS))
SMTP_PORTS = {ImapSecurity.TLS: 465, ImapSecurity.STARTTLS: 587}
SaveSmtp = Callable[[int, SmtpSettings], Awaitable[object]]  # e.g. store.sending.set_smtp_settings
SYNC_WINDOWS: tuple[tuple[str, int], ...] = (  # labels marked for pyside6-lupdate; see sync_window_label()
    (str(QT_TRANSLATE_NOOP("AddAccountDialog", "Last 7 days")), 7),
    (str(QT_TRANSLATE_NOOP("AddAccountDialog", "Last 30 days")), 30),
    (str(QT_TRANSLATE_NOOP("AddAccountDialog", "Last 90 days")), 90),
    (str(QT_TRANSLATE_NOOP("AddAccountDialog", "Last year")), 365),
    (str(QT_TRANSLATE_NOOP("AddAccountDialog", "All mail")), 0),
)
DEFAULT_SYNC_WINDOW = 30

_log = get_logger("ui")


def sync_window_label(label: str) -> str:
    """A SYNC_WINDOWS label as shown (translated)."""
    return QCoreApplication.translate("AddAccountDialog", label)


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """What the form says, checked: everything `add_imap_account` takes."""

    name: str
    address: str
    host: str
    port: int
    security: ImapSecurity
    username: str
    password: str
    sync_window_days: int  # 0: all mail


@dataclass(frozen=True, slots=True)
class _Outcome:
    account: Account | None = None
    error: KnownError | None = None  # the engine refused the settings: shown in the dialog
    keyring_error: KeyringUnavailableError | None = None  # saved, but no keyring took the password


def is_address(text: str) -> bool:
    local, at, domain = text.strip().rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in text.strip())


class AddAccountDialog(QDialog):
    """The "Add IMAP account" form. OK ("Add account") is enabled once the address has an @, the host is not
    empty and the port is 1–65535; the port follows the security choice until the person edits it, the user
    name follows the address likewise. OK checks the connection through `sync.add_imap_account` with the form
    disabled; a refusal is shown inside the dialog, which stays open. Success stores the password with
    `secrets` and closes the dialog.

    Without a keyring the person is asked whether to keep the password for this session only; "no" removes the
    account again (`sync.remove_account`) and leaves the dialog open.

    Signals: accountAdded(Account) just before the dialog closes with the account saved.
    """

    accountAdded = Signal(object)

    def __init__(
        self,
        sync: AccountAdder,
        secrets: SecretStore,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        save_smtp: SaveSmtp | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add IMAP account"))
        self._save_smtp = save_smtp
        self.setObjectName("addAccountDialog")
        self._sync = sync
        self._secrets = secrets
        self._ops = ops
        self._task: asyncio.Task[_Outcome] | None = None
        self._certificate_details = ""
        self._error_message = self._error_hint = ""

        self._form = QWidget(self)
        self._build_fields()
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button.setText(self.tr("Add account"))
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._status = QLabel(QCoreApplication.translate("AddAccountDialog", CHECKING), self)
        self._status.setObjectName("accountStatus")
        self._status.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self._form)
        layout.addWidget(self._build_error_box())
        layout.addWidget(self._status)
        layout.addWidget(self._buttons)
        self._update_ok()
        self.resize(460, self.sizeHint().height())

    # --- the form ---------------------------------------------------------------------------------
    def _build_fields(self) -> None:
        form = self._form
        self.name_edit = QLineEdit(form)
        self.name_edit.setPlaceholderText(self.tr("e.g. Work (the address when left empty)"))
        self.address_edit = QLineEdit(form)
        self.address_edit.setPlaceholderText("you@example.com")
        self.host_edit = QLineEdit(form)
        self.host_edit.setPlaceholderText("imap.example.com")
        self.security_combo = QComboBox(form)
        for label, security in SECURITY_CHOICES:
            self.security_combo.addItem(label, security.value)
        self.port_edit = QLineEdit(str(DEFAULT_PORTS[ImapSecurity.TLS]), form)
        self.port_edit.setValidator(QIntValidator(1, 65535, self.port_edit))
        self.port_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 8) + 16)
        self.username_edit = QLineEdit(form)
        self.username_edit.setPlaceholderText(self.tr("usually the e-mail address"))
        self.password_edit = QLineEdit(form)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.window_combo = QComboBox(form)
        for label, days in SYNC_WINDOWS:
            self.window_combo.addItem(sync_window_label(label), days)
        self.window_combo.setCurrentIndex(self.window_combo.findData(DEFAULT_SYNC_WINDOW))
        self.window_combo.setToolTip(
            self.tr(
                "Messages from this period are downloaded whole for reading offline; older ones when you open them."
            )
        )

        server = QHBoxLayout()
        server.setContentsMargins(0, 0, 0, 0)
        server.addWidget(self.host_edit, 1)
        server.addWidget(QLabel(self.tr("Port:"), form))
        server.addWidget(self.port_edit)
        rows = QFormLayout(form)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addRow(self.tr("Account name:"), self.name_edit)
        rows.addRow(self.tr("E-mail address:"), self.address_edit)
        rows.addRow(self.tr("IMAP server:"), server)
        rows.addRow(self.tr("Security:"), self.security_combo)
        rows.addRow(self.tr("User name:"), self.username_edit)
        rows.addRow(self.tr("Password:"), self.password_edit)
        rows.addRow(self.tr("Keep offline:"), self.window_combo)
        if self._save_smtp is not None:  # only where the settings can be saved (AccountSetupDialog has its own)
            self._build_smtp_fields(rows)

        self._last_address = ""
        self._last_security = ImapSecurity.TLS
        self.address_edit.textChanged.connect(self._on_address_changed)
        self.security_combo.currentIndexChanged.connect(lambda _index: self._on_security_changed())
        for edit in (self.address_edit, self.host_edit, self.port_edit, self.username_edit, self.password_edit):
            edit.textChanged.connect(lambda _text: self._update_ok())

    def _build_smtp_fields(self, rows: QFormLayout) -> None:
        """Outgoing mail: host, port and security; the user name and password are the IMAP ones."""
        self.smtp_host_edit = QLineEdit(self._form)
        self.smtp_host_edit.setPlaceholderText("smtp.example.com")
        self.smtp_security_combo = QComboBox(self._form)
        for label, security in SECURITY_CHOICES:
            self.smtp_security_combo.addItem(label, security.value)
        self.smtp_security_combo.setCurrentIndex(1)  # STARTTLS on 587: what most providers document
        self.smtp_port_edit = QLineEdit(str(SMTP_PORTS[ImapSecurity.STARTTLS]), self._form)
        self.smtp_port_edit.setValidator(QIntValidator(1, 65535, self.smtp_port_edit))
        self.smtp_port_edit.setMaximumWidth(self.port_edit.maximumWidth())
        server = QHBoxLayout()
        server.setContentsMargins(0, 0, 0, 0)
        server.addWidget(self.smtp_host_edit, 1)
        server.addWidget(QLabel(self.tr("Port:"), self._form))
        server.addWidget(self.smtp_port_edit)
        rows.addRow(self.tr("SMTP server:"), server)
        rows.addRow(self.tr("SMTP security:"), self.smtp_security_combo)

        def security_changed(_index: int) -> None:
            if self.smtp_port_edit.text() in ("", *(str(p) for p in SMTP_PORTS.values())):
                self.smtp_port_edit.setText(str(SMTP_PORTS[self.smtp_security()]))

        self.smtp_security_combo.currentIndexChanged.connect(security_changed)

    def smtp_security(self) -> ImapSecurity:
        return SECURITY_CHOICES[max(self.smtp_security_combo.currentIndex(), 0)][1]

    def smtp_settings(self) -> SmtpSettings | None:
        """The outgoing server as typed (None when left empty: sending is set up later)."""
        if self._save_smtp is None:
            return None
        host = self.smtp_host_edit.text().strip()
        port = self.smtp_port_edit.text().strip()
        if not host or any(c.isspace() for c in host) or not port.isdigit() or not 1 <= int(port) <= 65535:
            return None
        return SmtpSettings(host=host, port=int(port), security=self.smtp_security())

    def _build_error_box(self) -> QFrame:
        self._error_box = QFrame(self)
        self._error_box.setObjectName("accountError")
        self._error_box.setFrameShape(QFrame.Shape.StyledPanel)
        icon = QLabel(self._error_box)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._error = QLabel(self._error_box)
        self._error.setTextFormat(Qt.TextFormat.PlainText)
        self._error.setWordWrap(True)
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._certificate_button = QPushButton(self.tr("View certificate…"), self._error_box)
        self._certificate_button.clicked.connect(self.show_certificate)
        row = QHBoxLayout(self._error_box)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(icon)
        row.addWidget(self._error, 1)
        row.addWidget(self._certificate_button, 0, Qt.AlignmentFlag.AlignTop)
        self._error_box.hide()
        return self._error_box

    def _on_address_changed(self, address: str) -> None:
        if self.username_edit.text() in ("", self._last_address):
            self.username_edit.setText(address.strip())
        self._last_address = address.strip()

    def _on_security_changed(self) -> None:
        security = self.security()
        if self.port_edit.text() in ("", str(DEFAULT_PORTS[self._last_security])):
            self.port_edit.setText(str(DEFAULT_PORTS[security]))
        self._last_security = security

    # --- public face ------------------------------------------------------------------------------
    @property
    def ok_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    def security(self) -> ImapSecurity:
        return SECURITY_CHOICES[max(self.security_combo.currentIndex(), 0)][1]

    def set_security(self, security: ImapSecurity) -> None:
        self.security_combo.setCurrentIndex(self.security_combo.findData(security.value))

    def port(self) -> int | None:
        text = self.port_edit.text().strip()
        return int(text) if text.isdigit() and 1 <= int(text) <= 65535 else None

    def settings(self) -> AccountSettings | None:
        """The checked settings, or None while the form is not complete."""
        address = self.address_edit.text().strip()
        host = self.host_edit.text().strip()
        port = self.port()
        password = self.password_edit.text()
        if not is_address(address) or not host or any(c.isspace() for c in host) or port is None or not password:
            return None
        return AccountSettings(
            name=self.name_edit.text().strip() or address,
            address=address,
            host=host,
            port=port,
            security=self.security(),
            username=self.username_edit.text().strip() or address,
            password=password,
            sync_window_days=int(self.window_combo.currentData()),
        )

    def is_checking(self) -> bool:
        return self._task is not None and not self._task.done()

    def error_text(self) -> str | None:
        """What the error box says, or None when it is hidden."""
        return None if self._error_box.isHidden() else self._error.text()

    def status_text(self) -> str | None:
        return None if self._status.isHidden() else self._status.text()

    # --- adding -----------------------------------------------------------------------------------
    def accept(self) -> None:
        """OK: check the connection and save the account (the dialog closes only once that worked)."""
        settings = self.settings()
        if settings is None or self.is_checking():
            return
        self._set_checking(True)
        self._error_box.hide()
        self._task = self._ops.run(self._add(settings), label="Add account", on_done=self._on_outcome)
        self._task.add_done_callback(self._on_task_ended)

    def reject(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # an unanswered connection check: the person gave up waiting
        super().reject()

    async def _add(self, settings: AccountSettings) -> _Outcome:
        try:
            account = await self._sync.add_imap_account(
                name=settings.name,
                address=settings.address,
                host=settings.host,
                port=settings.port,
                security=settings.security,
                username=settings.username,
                password=settings.password,
                sync_window_days=settings.sync_window_days,
            )
        except KnownError as exc:
            return _Outcome(error=exc)
        smtp = self.smtp_settings()
        if smtp is not None and self._save_smtp is not None:
            await self._save_smtp(account.id, smtp)
        # The engine starts syncing the new account at once: it must find the password before the keyring (which
        # may be slow, or prompt to unlock) has it. The session copy goes when the keyring takes the password.
        self._secrets.remember_for_session(account.id, settings.password)
        return _Outcome(account, keyring_error=await store_password(self._secrets, account.id, settings.password))

    def _on_outcome(self, outcome: _Outcome) -> None:
        if outcome.error is not None:
            self._show_error(outcome.error)
        elif outcome.account is not None and outcome.keyring_error is not None:
            self._ask_about_keyring(outcome.account, outcome.keyring_error)
        elif outcome.account is not None:
            self._finish(outcome.account)

    def _on_task_ended(self, task: asyncio.Task[_Outcome]) -> None:
        # A bug (reported by Ops) or a cancel must not leave the form disabled.
        if task.cancelled() or task.exception() is not None:
            self._set_checking(False)

    def _show_error(self, error: KnownError) -> None:
        self._set_checking(False)
        self._error.setText(f"{error.message}\n{error.hint}".strip())
        self._error_message, self._error_hint = error.message, error.hint
        self._certificate_details = error.details if isinstance(error, CertificateError) else ""
        self._certificate_button.setVisible(bool(self._certificate_details))
        self._error_box.show()
        field = self.password_edit if isinstance(error, AuthenticationFailedError) else self.host_edit
        field.setFocus()
        field.selectAll()

    def show_certificate(self) -> CertificateDialog:
        return show_certificate(self._error_message, self._error_hint, self._certificate_details, self)

    def _ask_about_keyring(self, account: Account, error: KeyringUnavailableError) -> None:
        self._status.hide()

        def answered(keep: bool) -> None:
            if keep:
                _log.info("no keyring: the password of account %s is kept for this session only", account.id)
                self._finish(account)
                return
            self._secrets.forget_session(account.id)
            self._ops.run(self._sync.remove_account(account.id), label="Remove account")
            self._set_checking(False)

        ask_keep_for_session(self, error, answered, no_text=self.tr("Don't add the account"))

    def _finish(self, account: Account) -> None:
        self._set_checking(False)
        self.accountAdded.emit(account)
        super().accept()

    def _set_checking(self, checking: bool) -> None:
        self._form.setEnabled(not checking)
        self._status.setVisible(checking)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.settings() is not None and not self.is_checking() and self._form.isEnabled())
