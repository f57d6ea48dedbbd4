"""Server settings: change an existing IMAP account's IMAP and SMTP servers — both logins checked before
anything is saved, then the settings, a newly typed password and a restart of the account's sync."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import Account, ImapAuth, ImapSecurity, ImapSettings, SmtpSettings
from realmail_desktop.ui.dialogs.server_settings_form import Server, ServerSettingsForm, _ServerRows, result_label
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.sync_control import ServerSettingsChanger

SaveSmtp = Callable[[int, SmtpSettings], Awaitable[object]]  # store.sending.set_smtp_settings
CheckSmtp = Callable[[SmtpSettings, str, str], Awaitable[None]]  # app/smtp_check.py: (settings, login, password)

# Marked for pyside6-lupdate; translated where shown.
LEAVE_EMPTY_NOTE = str(QT_TRANSLATE_NOOP("ServerSettingsDialog", "Leave empty to keep the saved password"))
GOOGLE_NOTE = str(
    QT_TRANSLATE_NOOP(
        "ServerSettingsDialog",
        "This account signs in with Google: its servers come from Google's settings. "
        "Use “Sign in again…” if the sign-in stopped working.",
    )
)


class ServerSettingsDialog(QDialog):
    """One IMAP account's servers, editable. OK logs in to IMAP (through `sync.check_imap_login`) and SMTP
    (through `check_smtp`) with the new settings, showing a result line for each; only when both worked does it
    save the password (if one was typed), the IMAP settings (`sync.change_server_settings`, which restarts the
    account's sync) and the SMTP settings (`save_smtp`), then close. A refusal keeps the dialog open and saves
    nothing. A Google (XOAUTH2) account's servers are shown read-only.

    Signal: settingsChanged(int account_id) once everything was saved."""

    settingsChanged = Signal(int)

    def __init__(
        self,
        account: Account,
        imap: ImapSettings,
        smtp: SmtpSettings | None,
        *,
        sync: ServerSettingsChanger,
        secrets: SecretStore,
        ops: Ops,
        check_smtp: CheckSmtp | None = None,
        save_smtp: SaveSmtp | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("serverSettingsDialog")
        self.setWindowTitle(self.tr("Server settings — {name}").format(name=account.name))
        self.account = account
        self._imap, self._smtp = imap, smtp
        self._sync, self._secrets, self._ops = sync, secrets, ops
        self._check_smtp, self._save_smtp = check_smtp, save_smtp
        self._task: asyncio.Task[None] | None = None
        self._saving = False  # past the checks: Cancel waits rather than leave half the settings saved
        self.google = imap.auth is ImapAuth.XOAUTH2

        self.servers = ServerSettingsForm(self)
        _fill(self.servers.imap_rows, imap.host, imap.port, imap.security, imap.username)
        if smtp is not None:
            _fill(self.servers.smtp_rows, smtp.host, smtp.port, smtp.security, smtp.username or imap.username)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr(LEAVE_EMPTY_NOTE))
        password_rows = QFormLayout()
        password_rows.addRow(self.tr("Password:"), self.password_edit)
        self.imap_result = result_label(self, "imapResult")
        self.smtp_result = result_label(self, "smtpResult")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.servers)
        layout.addLayout(password_rows)
        if self.google:
            self.servers.setEnabled(False)
            self.password_edit.setEnabled(False)
            self.password_edit.setPlaceholderText("")
            note = result_label(self, "googleNote")
            note.setText(self.tr(GOOGLE_NOTE))
            note.show()
            layout.addWidget(note)
        layout.addWidget(self.imap_result)
        layout.addWidget(self.smtp_result)
        layout.addStretch(1)
        layout.addWidget(self._buttons)
        self.resize(520, self.sizeHint().height())

    # --- public face ------------------------------------------------------------------------------
    @property
    def ok_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    def is_busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The running (or last) check-and-save, for callers and tests to await."""
        return self._task

    # --- checking and saving ----------------------------------------------------------------------
    def accept(self) -> None:
        if self.is_busy():
            return
        if self.google:
            super().accept()
            return
        imap = self.servers.imap(self.account.address)
        if imap is None:
            self._show(self.imap_result, self.tr("IMAP: ✗ Enter the server's name and a port between 1 and 65535."))
            return
        smtp_server = self.servers.smtp(self.account.address) if self._smtp is not None else None
        self._set_busy(True)
        self._task = self._ops.run(self._check_and_save(imap, smtp_server), label=self.tr("Change server settings"))
        self._task.add_done_callback(lambda _task: self._done())

    async def _check_and_save(self, imap: Server, smtp_server: Server | None) -> None:
        self.imap_result.hide()
        self.smtp_result.hide()
        typed = self.password_edit.text()
        saved = await asyncio.to_thread(self._secrets.get_password, self.account.id) if not typed else None
        password = typed or saved or ""
        smtp = None
        if smtp_server is not None and self._smtp is not None:
            smtp = self._smtp.model_copy(
                update={
                    "host": smtp_server.host,
                    "port": smtp_server.port,
                    "security": smtp_server.security,
                    "username": "" if smtp_server.username == imap.username else smtp_server.username,
                }
            )
        checks = await asyncio.gather(
            self._imap_works(imap, password),
            self._smtp_works(smtp, smtp_server.username if smtp_server else imap.username, password),
        )
        if not all(checks):
            return
        self._saving = True
        if typed:
            if self._secrets.is_session_only(self.account.id):
                self._secrets.remember_for_session(self.account.id, typed)
            else:  # KeyringUnavailableError: shown by Ops, nothing else saved
                await asyncio.to_thread(self._secrets.set_password, self.account.id, typed)
        if smtp is not None and self._save_smtp is not None:
            await self._save_smtp(self.account.id, smtp)
        await self._sync.change_server_settings(
            self.account.id, host=imap.host, port=imap.port, security=imap.security, username=imap.username
        )
        self.settingsChanged.emit(self.account.id)
        super().accept()

    def reject(self) -> None:
        """Cancel: stops the logins still being checked (nothing is saved then); once saving began, the
        dialog closes when it is done."""
        if self._saving and self.is_busy():
            return
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()

    async def _imap_works(self, imap: Server, password: str) -> bool:
        try:
            if not password:
                raise KnownError(self.tr("Enter the password of the account."))
            await self._sync.check_imap_login(
                host=imap.host, port=imap.port, security=imap.security, username=imap.username, password=password
            )
        except KnownError as exc:
            self._show(self.imap_result, self._refused("IMAP", exc))
            return False
        self._show(self.imap_result, self.tr("IMAP: ✓ logged in to {host}.").format(host=imap.host))
        return True

    async def _smtp_works(self, smtp: SmtpSettings | None, login: str, password: str) -> bool:
        if smtp is None or self._check_smtp is None:
            return True
        try:
            await self._check_smtp(smtp, login, password)
        except KnownError as exc:
            self._show(self.smtp_result, self._refused("SMTP", exc))
            return False
        self._show(self.smtp_result, self.tr("SMTP: ✓ logged in to {host}.").format(host=smtp.host))
        return True

    def _refused(self, protocol: str, error: KnownError) -> str:
        return (
            self.tr("{protocol}: ✗ {message} {hint}")
            .format(protocol=protocol, message=error.message, hint=error.hint)
            .strip()
        )

    def _done(self) -> None:
        self._saving = False
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.servers.setEnabled(not busy and not self.google)
        self.password_edit.setEnabled(not busy and not self.google)
        self.ok_button.setEnabled(not busy)

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()


def _fill(rows: _ServerRows, host: str, port: int, security: ImapSecurity, username: str) -> None:
    """Show a saved server in the form's rows (the port set last, so the security change keeps it)."""
    index = rows.security.findData(security.value)
    if index < 0:  # 'none' (a server on this computer): offered only when the account uses it
        rows.security.addItem(
            QCoreApplication.translate("ServerSettingsDialog", "None (this computer only)"), security.value
        )
        index = rows.security.count() - 1
    rows.security.setCurrentIndex(index)
    rows.host.setText(host)
    rows.port.setText(str(port))
    rows.username.setText(username)
