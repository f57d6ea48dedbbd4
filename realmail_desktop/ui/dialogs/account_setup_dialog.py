"""Add account: name, address and password; the servers found for the address (RealMail's provider table,
autoconfig, DNS SRV — and where from); "Sign in with Google" for Gmail; manual settings one click away; IMAP
(and SMTP, when a checker is given) tested before anything is saved, with a result line per protocol, the
certificate one click away when it was refused, and the field to fix focused."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.auth import SecretKind, SecretStore
from realmail_desktop.auth.oauth import LoopbackSignIn
from realmail_desktop.auth.oauth_client import TokenGrant
from realmail_desktop.auth.providers import MailSettings, SignIn, domain_of
from realmail_desktop.core.errors import (
    AuthenticationFailedError,
    CertificateError,
    KeyringUnavailableError,
    KnownError,
)
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import Account, ImapAuth, ImapSecurity, SmtpAuth, SmtpSettings
from realmail_desktop.ui.dialogs.certificate_dialog import CertificateDialog, show_certificate
from realmail_desktop.ui.dialogs.google_sign_in import GoogleSetup
from realmail_desktop.ui.dialogs.password_dialog import ask_keep_for_session
from realmail_desktop.ui.dialogs.server_settings_form import Server, ServerSettingsForm, result_label
from realmail_desktop.ui.dialogs.sync_window import DEFAULT_SYNC_WINDOW, SYNC_WINDOWS, is_address, sync_window_label
from realmail_desktop.ui.ops import Ops

# Texts marked for pyside6-lupdate; translated where shown by _translated().
FINDING = str(QT_TRANSLATE_NOOP("AccountSetupDialog", "Looking for the settings of {domain}…"))
WAITING_FOR_GOOGLE = str(
    QT_TRANSLATE_NOOP(
        "AccountSetupDialog", "Waiting for you to sign in with Google in your browser… (Cancel stops waiting)"
    )
)
CHECKING = str(QT_TRANSLATE_NOOP("AccountSetupDialog", "Checking the connection…"))
SMTP_NOT_TESTED = str(
    QT_TRANSLATE_NOOP("AccountSetupDialog", "SMTP: not tested here; RealMail checks it when you first send.")
)
_log = get_logger("ui")


def _translated(text: str) -> str:
    return QCoreApplication.translate("AccountSetupDialog", text)


class SettingsFinder(Protocol):
    """Finds an address's servers (`auth.autoconfig.Discovery` fits; tests give one that looks nowhere)."""

    async def find(self, address: str) -> MailSettings | None: ...


class AccountSetupAdder(Protocol):
    """What the dialog asks of the sync engine (`SyncService` fits)."""

    async def add_imap_account(
        self,
        *,
        name: str,
        address: str,
        host: str,
        port: int,
        security: ImapSecurity,
        username: str,
        password: str,
        sync_window_days: int = 30,
        auth: ImapAuth = ImapAuth.PASSWORD,
        before_start: Callable[[int], None] | None = None,
    ) -> Account: ...

    async def check_imap_login(
        self,
        *,
        host: str,
        port: int,
        security: ImapSecurity,
        username: str,
        password: str,
        auth: ImapAuth = ImapAuth.PASSWORD,
    ) -> None: ...

    async def remove_account(self, account_id: int) -> object: ...


SaveSmtp = Callable[[int, SmtpSettings], Awaitable[object]]  # store.sending.set_smtp_settings
CheckSmtp = Callable[[SmtpSettings, str, str], Awaitable[None]]  # (settings, login, password or token): raises


@dataclass(frozen=True, slots=True)
class AccountSetup:
    """Everything the window needs to open the dialog (the app builds it; without one there is no Add account).
    `discovery` is always given: the app's `Discovery()` asks the internet, tests give one that stays local."""

    adder: AccountSetupAdder
    google: GoogleSetup | None = None
    discovery: SettingsFinder = field(kw_only=True)
    check_smtp: CheckSmtp | None = None


class AccountSetupDialog(QDialog):
    """The new-account flow. Leaving the address field looks its settings up (`discovery`) and says what was
    found and from where; nothing found opens the manual settings. For Gmail the password row gives way to
    "Sign in with Google" (the browser opens; Cancel stops waiting, a second Cancel closes). "Add account"
    logs in to IMAP through `sync.add_imap_account` (which saves only after a good login), stores the secret in
    the keyring (or, when there is none and the person agrees, for this session) and the SMTP settings.
    A refusal is shown in its result line and focuses the field to fix (the password when the login was
    refused, else the server's host, with the manual settings opened); a refused certificate shows
    "View certificate…".

    Signals: settingsFound(object) with the MailSettings or None after each lookup; accountAdded(Account)
    just before the dialog closes with the account saved.
    """

    settingsFound = Signal(object)
    accountAdded = Signal(object)

    def __init__(
        self,
        sync: AccountSetupAdder,
        secrets: SecretStore,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        discovery: SettingsFinder,
        google: GoogleSetup | None = None,
        save_smtp: SaveSmtp | None = None,
        check_smtp: CheckSmtp | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add account"))
        self.setObjectName("accountSetupDialog")
        self._sync, self._secrets, self._ops = sync, secrets, ops
        self._discovery = discovery
        self._google, self._save_smtp, self._check_smtp = google, save_smtp, check_smtp
        self._found: MailSettings | None = None
        self._looked_up = ""
        self._task: asyncio.Task[object] | None = None
        self._signing_in: asyncio.Task[object] | None = None
        self._closed = False
        self._certificate: CertificateError | None = None  # the last refused certificate, for "View certificate…"
        self._to_fix: QLineEdit | None = None  # focused once the form is enabled again after a refusal

        self._form = self._build_form()
        self.found_label = result_label(self, "foundSettings")
        self.note_label = result_label(self, "providerNote")
        self.google_button = QPushButton(self.tr("Sign in with Google…"), self)
        self.google_button.setObjectName("googleSignIn")
        self.google_button.clicked.connect(self.sign_in_with_google)
        self.manual_button = QPushButton(self.tr("Edit settings manually"), self)
        self.manual_button.setObjectName("manualSettings")
        self.manual_button.setCheckable(True)
        self.servers = ServerSettingsForm(self)
        self.manual_button.toggled.connect(self.servers.setVisible)
        self.status_label = result_label(self, "setupStatus")
        self.imap_result = result_label(self, "imapResult")
        self.smtp_result = result_label(self, "smtpResult")
        self.certificate_button = QPushButton(self.tr("View certificate…"), self)
        self.certificate_button.setObjectName("viewCertificate")
        self.certificate_button.clicked.connect(self.show_certificate)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button.setText(self.tr("Add account"))
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (self._form, self.found_label, self.note_label, self.google_button, self.manual_button):
            layout.addWidget(widget)
        for widget in (self.servers, self.status_label, self.imap_result, self.smtp_result):
            layout.addWidget(widget)
        layout.addWidget(self.certificate_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._buttons)
        self.google_button.hide()
        self.certificate_button.hide()
        self.servers.hide()
        self.address_edit.editingFinished.connect(self.find_settings)
        for edit in (self.address_edit, self.password_edit, *self.servers.edits()):
            edit.textChanged.connect(lambda _text: self._update_buttons())
        self._update_buttons()
        self.resize(520, self.sizeHint().height())

    def _build_form(self) -> QWidget:
        form = QWidget(self)
        self.name_edit = QLineEdit(form)
        self.name_edit.setPlaceholderText(self.tr("e.g. Work (the address when left empty)"))
        self.address_edit = QLineEdit(form)
        self.address_edit.setPlaceholderText("you@example.com")
        self.password_edit = QLineEdit(form)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.window_combo = QComboBox(form)
        for label, days in SYNC_WINDOWS:
            self.window_combo.addItem(sync_window_label(label), days)
        self.window_combo.setCurrentIndex(self.window_combo.findData(DEFAULT_SYNC_WINDOW))
        rows = QFormLayout(form)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addRow(self.tr("Your name for it:"), self.name_edit)
        rows.addRow(self.tr("E-mail address:"), self.address_edit)
        self._password_label = QLabel(self.tr("Password:"), form)
        rows.addRow(self._password_label, self.password_edit)
        rows.addRow(self.tr("Keep offline:"), self.window_combo)
        return form

    # --- public face --------------------------------------------------------------------------------------------
    @property
    def ok_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    def address(self) -> str:
        return self.address_edit.text().strip()

    def found(self) -> MailSettings | None:
        return self._found

    def uses_google(self) -> bool:
        return self._found is not None and self._found.sign_in is SignIn.OAUTH_GOOGLE and not self._manual()

    def is_busy(self) -> bool:
        return any(t is not None and not t.done() for t in (self._task, self._signing_in))

    # --- finding the settings -----------------------------------------------------------------------------------
    def find_settings(self) -> None:
        """Look the address's servers up (once per address); the result shows and `settingsFound` tells."""
        address = self.address()
        if not is_address(address) or address == self._looked_up or self.is_busy():
            return
        self._looked_up = address
        self._show(self.status_label, _translated(FINDING).format(domain=domain_of(address)))
        self._task = self._ops.run(self._discovery.find(address), label="Find settings", on_done=self._on_found)
        self._task.add_done_callback(lambda _t: self._end())
        self._update_buttons()

    def _on_found(self, found: object) -> None:
        settings = found if isinstance(found, MailSettings) else None
        self._found = settings
        self.status_label.hide()
        if settings is None:
            self._show(
                self.found_label,
                self.tr("No settings were found for {domain}: enter them below.").format(
                    domain=domain_of(self.address())
                ),
            )
            self.note_label.hide()
            self.manual_button.setChecked(True)
        else:
            self.servers.fill(settings, self.address())
            imap, smtp = settings.imap, settings.smtp
            self._show(
                self.found_label,
                self.tr(
                    "Found {name} (from {source}): IMAP {imap_host}:{imap_port} {imap_security}, "
                    "SMTP {smtp_host}:{smtp_port} {smtp_security}."
                ).format(
                    name=settings.name,
                    source=settings.source,
                    imap_host=imap.host,
                    imap_port=imap.port,
                    imap_security=imap.security.value.upper(),
                    smtp_host=smtp.host,
                    smtp_port=smtp.port,
                    smtp_security=smtp.security.value.upper(),
                ),
            )
            self.note_label.setText(settings.note)
            self.note_label.setVisible(bool(settings.note))
        google = settings is not None and settings.sign_in is SignIn.OAUTH_GOOGLE
        self.google_button.setVisible(google)
        self.password_edit.setVisible(not google)
        self._password_label.setVisible(not google)
        self._update_buttons()
        self.settingsFound.emit(settings)

    def _manual(self) -> bool:
        return self.manual_button.isChecked()

    # --- adding -------------------------------------------------------------------------------------------------
    def accept(self) -> None:
        """Add account: test IMAP with the password and save (the dialog closes only once that worked)."""
        imap = self.servers.imap(self.address())
        if imap is None or not is_address(self.address()) or not self.password_edit.text() or self.is_busy():
            return
        self._begin(_translated(CHECKING))
        self._task = self._ops.run(self._add(imap, self.password_edit.text(), None), label="Add account")
        self._task.add_done_callback(lambda _t: self._end())
        self._update_buttons()  # busy now: Add account waits

    def sign_in_with_google(self) -> None:
        """Open the consent page in the browser and wait (Cancel stops waiting); then add the account."""
        if self._google is None or self.is_busy():
            return
        google = self._google
        try:
            client = google.client()
        except KnownError as exc:
            self._result(self.imap_result, "Google", exc)
            return
        sign_in = LoopbackSignIn(client, google.opener, login_hint=self.address(), ca_file=google.ca_file)
        self._begin(_translated(WAITING_FOR_GOOGLE))
        self._signing_in = self._ops.run(self._signed_in(sign_in), label="Sign in with Google")
        self._signing_in.add_done_callback(lambda _t: self._end())
        self._update_buttons()

    async def _signed_in(self, sign_in: LoopbackSignIn) -> None:
        try:
            grant = await sign_in.run()
        except KnownError as exc:
            self._result(self.imap_result, "Google", exc)
            return
        self.status_label.setText(_translated(CHECKING))
        address = grant.email or self.address()
        imap = self.servers.imap(address)
        if imap is not None:
            await self._add(Server(imap.host, imap.port, imap.security, address), grant.access_token, grant)

    def reject(self) -> None:
        if self._signing_in is not None and not self._signing_in.done():
            self._signing_in.cancel()  # stop waiting for the browser; the dialog stays open
            self._show(self.status_label, self.tr("Google sign-in cancelled."))
            return
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().reject()

    async def _add(self, imap: Server, secret: str, grant: TokenGrant | None) -> None:
        """Both logins checked at once, each with its own result line; the account is saved only when both
        worked (`add_imap_account` logs in once more and saves)."""
        address = grant.email if grant is not None and grant.email else self.address()
        auth = ImapAuth.XOAUTH2 if grant is not None else ImapAuth.PASSWORD
        smtp_server = self.servers.smtp(address)
        smtp = None
        if smtp_server is not None:
            smtp = SmtpSettings(
                host=smtp_server.host,
                port=smtp_server.port,
                security=smtp_server.security,
                username="" if smtp_server.username == imap.username else smtp_server.username,
                auth=SmtpAuth.XOAUTH2 if grant is not None else SmtpAuth.PASSWORD,
            )
        login = smtp_server.username if smtp_server is not None else address
        checks = await asyncio.gather(self._imap_works(imap, secret, auth), self._smtp_works(smtp, login, secret))
        if not all(checks):
            return

        def hand_over(account_id: int) -> None:  # before the engine's first login: the secret must be there
            if grant is not None and self._google is not None:
                self._google.tokens.adopt(account_id, grant, session_only=True)
            else:
                self._secrets.remember_for_session(account_id, secret)

        try:
            account = await self._sync.add_imap_account(
                name=self.name_edit.text().strip() or address,
                address=address,
                host=imap.host,
                port=imap.port,
                security=imap.security,
                username=imap.username,
                password=secret,
                sync_window_days=int(self.window_combo.currentData()),
                auth=auth,
                before_start=hand_over,
            )
        except KnownError as exc:
            self._refused(self.imap_result, "IMAP", exc, self.servers.imap_rows.host)
            return
        if smtp is not None and self._save_smtp is not None:
            await self._save_smtp(account.id, smtp)
        kind = SecretKind.REFRESH_TOKEN if grant is not None else SecretKind.PASSWORD
        kept = grant.refresh_token if grant is not None and grant.refresh_token else secret
        try:
            await asyncio.to_thread(self._secrets.set_secret, account.id, kind, kept)
        except KeyringUnavailableError as exc:
            self._ask_about_keyring(account, exc)
            return
        self._finish(account)

    async def _imap_works(self, imap: Server, secret: str, auth: ImapAuth) -> bool:
        try:
            await self._sync.check_imap_login(
                host=imap.host,
                port=imap.port,
                security=imap.security,
                username=imap.username,
                password=secret,
                auth=auth,
            )
        except KnownError as exc:
            self._refused(self.imap_result, "IMAP", exc, self.servers.imap_rows.host)
            return False
        self._show(self.imap_result, self.tr("IMAP: ✓ logged in to {host}.").format(host=imap.host))
        return True

    async def _smtp_works(self, smtp: SmtpSettings | None, login: str, secret: str) -> bool:
        if smtp is None or self._check_smtp is None:
            self._show(self.smtp_result, _translated(SMTP_NOT_TESTED))
            return True
        try:
            await self._check_smtp(smtp, login, secret)
        except KnownError as exc:
            self._refused(self.smtp_result, "SMTP", exc, self.servers.smtp_rows.host)
            return False
        self._show(self.smtp_result, self.tr("SMTP: ✓ logged in to {host}.").format(host=smtp.host))
        return True

    def _ask_about_keyring(self, account: Account, error: KeyringUnavailableError) -> None:
        def answered(keep: bool) -> None:
            if keep:
                _log.info("no keyring: the secrets of account %s are kept for this session only", account.id)
                self._finish(account)
                return
            self._secrets.forget_session(account.id)
            self._ops.run(self._sync.remove_account(account.id), label="Remove account")

        ask_keep_for_session(self, error, answered, no_text=self.tr("Don't add the account"))

    def _finish(self, account: Account) -> None:
        self._closed = True  # the window deletes the dialog on close: no later callback may touch its widgets
        self.accountAdded.emit(account)
        super().accept()

    # --- showing state ------------------------------------------------------------------------------------------
    def _begin(self, status: str) -> None:
        self._form.setEnabled(False)
        self.servers.setEnabled(False)
        self.imap_result.hide()
        self.smtp_result.hide()
        self.certificate_button.hide()
        self._certificate = self._to_fix = None
        self._show(self.status_label, status)
        self._update_buttons()

    def _end(self) -> None:
        if self._closed:
            return
        self._form.setEnabled(True)
        self.servers.setEnabled(True)
        if self.status_label.text() in (_translated(CHECKING), _translated(WAITING_FOR_GOOGLE)):
            self.status_label.hide()
        self._update_buttons()
        if self._to_fix is not None:  # only now: a disabled field takes no focus
            self._to_fix.setFocus()
            self._to_fix.selectAll()
            self._to_fix = None

    def _refused(self, label: QLabel, what: str, error: KnownError, host: QLineEdit) -> None:
        """A server refused: its result line, "View certificate…" for a certificate, and the field to fix."""
        self._result(label, what, error)
        if isinstance(error, CertificateError) and error.details:
            self._certificate = error
            self.certificate_button.show()
        if isinstance(error, AuthenticationFailedError) and self.password_edit.isVisibleTo(self):
            self._to_fix = self.password_edit
        elif self._to_fix is None:  # the first refusal's field wins (IMAP and SMTP are checked at once)
            self.manual_button.setChecked(True)  # the host to fix is in the manual settings
            self._to_fix = host

    def show_certificate(self) -> CertificateDialog | None:
        """The "View certificate…" button: what the server presented and why it was not trusted (None: none)."""
        error = self._certificate
        if error is None:
            return None
        return show_certificate(error.message, error.hint, error.details, self)

    def _result(self, label: QLabel, what: str, error: KnownError) -> None:
        self._show(label, f"{what}: ✗ {error.message} {error.hint}".strip())

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def _update_buttons(self) -> None:
        busy = self.is_busy()
        address = self.address()
        ready = is_address(address) and self.servers.imap(address) is not None and bool(self.password_edit.text())
        self.ok_button.setEnabled(ready and not busy and not self.uses_google())
        self.google_button.setEnabled(not busy and self._google is not None and self._found is not None)
