"""AccountBanner: above the message list, one slim row per account in trouble — the engine's plain message and
the one thing to do about it (re-enter the password, retry, view the certificate)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.errors import CertificateError, KeyringUnavailableError
from realmail_desktop.core.events import AccountAction, AccountState, AccountStatus, Changes
from realmail_desktop.store import StoreReader
from realmail_desktop.ui.dialogs.certificate_dialog import CertificateDialog, show_certificate
from realmail_desktop.ui.dialogs.password_dialog import PasswordDialog, ask_keep_for_session, store_password
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.sync_control import SyncControl

_SHOWN_STATES = frozenset({AccountState.ERROR, AccountState.OFFLINE})
_BUTTON_TEXT = {  # marked for pyside6-lupdate; translated where shown
    AccountAction.REENTER_PASSWORD: str(QT_TRANSLATE_NOOP("AccountBanner", "Re-enter password…")),
    AccountAction.RETRY: str(QT_TRANSLATE_NOOP("AccountBanner", "Retry")),
    AccountAction.VIEW_CERTIFICATE: str(QT_TRANSLATE_NOOP("AccountBanner", "View certificate…")),
    AccountAction.SIGN_IN_AGAIN: str(QT_TRANSLATE_NOOP("AccountBanner", "Sign in again…")),
}


class _AccountRow(QFrame):
    """One account's message and action button; `status` is the event it shows."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("accountBannerRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.status: AccountStatus | None = None
        self.icon = QLabel(self)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 3, 6, 3)
        row.addWidget(self.icon)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)


class AccountBanner(QWidget):
    """Shows every account whose last AccountStatus was ERROR or OFFLINE; hidden while there is none.

    The buttons act through `sync` (and `secrets` for a new password); without a sync engine only the messages
    show. Re-enter password asks for it, stores it in the keyring — or, when there is none and the person
    agrees, for this session only — then retries the account. Sign in again (a Google sign-in that ended) is
    the window's: the banner asks for it.

    Signals: signInRequested(int) — the account whose "Sign in again…" was clicked.
    """

    signInRequested = Signal(int)

    def __init__(
        self,
        bridge: EventBridge,
        reader: StoreReader,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        sync: SyncControl | None,
        secrets: SecretStore,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountBanner")
        self._reader = reader
        self._ops = ops
        self._sync = sync
        self._secrets = secrets
        self._rows: dict[int, _AccountRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 2)
        self._layout.setSpacing(2)
        bridge.accountStatus.connect(self.on_account_status)
        bridge.storeChanged.connect(self.on_store_changed)
        self.hide()

    # --- public face ------------------------------------------------------------------------------
    def accounts_shown(self) -> list[int]:
        return list(self._rows)

    def text_for(self, account_id: int) -> str | None:
        row = self._rows.get(account_id)
        return row.label.text() if row is not None else None

    def button_for(self, account_id: int) -> QPushButton | None:
        """The row's action button while it offers one."""
        row = self._rows.get(account_id)
        return row.button if row is not None and not row.button.isHidden() else None

    # --- events -----------------------------------------------------------------------------------
    def on_account_status(self, status: AccountStatus) -> None:
        if status.state not in _SHOWN_STATES:
            self._remove(status.account_id)
            return
        row = self._rows.get(status.account_id)
        if row is None:
            row = _AccountRow(self)
            row.button.clicked.connect(lambda _checked=False, r=row: self._act(r))
            self._rows[status.account_id] = row
            self._layout.addWidget(row)
        row.status = status
        icon = QStyle.StandardPixmap.SP_MessageBoxWarning
        if status.state is AccountState.OFFLINE:
            icon = QStyle.StandardPixmap.SP_MessageBoxInformation
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        row.icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        row.label.setText(f"{self._account_label(status.account_id)}: {status.message} {status.hint}".strip())
        text = _BUTTON_TEXT.get(status.action)
        needs_engine = status.action is not AccountAction.VIEW_CERTIFICATE
        row.button.setVisible(text is not None and (self._sync is not None or not needs_engine))
        row.button.setText(self.tr(text) if text else "")
        self.show()

    def on_store_changed(self, changes: Changes) -> None:
        if changes.accounts and self._rows:
            existing = {account.id for account in self._reader.accounts()}
            for account_id in [a for a in self._rows if a not in existing]:
                self._remove(account_id)

    def _remove(self, account_id: int) -> None:
        row = self._rows.pop(account_id, None)
        if row is not None:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.setVisible(bool(self._rows))

    def _account_label(self, account_id: int) -> str:
        account = next((a for a in self._reader.accounts() if a.id == account_id), None)
        return account.name if account is not None else self.tr("Account {id}").format(id=account_id)

    # --- actions ----------------------------------------------------------------------------------
    def _act(self, row: _AccountRow) -> None:
        status = row.status
        if status is None:
            return
        if status.action is AccountAction.REENTER_PASSWORD:
            self.reenter_password(status.account_id)
        elif status.action is AccountAction.RETRY:
            self.retry(status.account_id)
        elif status.action is AccountAction.VIEW_CERTIFICATE:
            self.view_certificate(status)
        elif status.action is AccountAction.SIGN_IN_AGAIN:
            self.signInRequested.emit(status.account_id)

    def retry(self, account_id: int) -> None:
        if self._sync is not None:
            self._ops.run(self._sync.retry(account_id), label="Retry")

    def reenter_password(self, account_id: int) -> PasswordDialog:
        account = next((a for a in self._reader.accounts() if a.id == account_id), None)
        label = f"{account.name} ({account.address})" if account is not None and account.address else None
        dialog = PasswordDialog(label or self._account_label(account_id), self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_password(account_id, dialog.password()))
        dialog.open()
        return dialog

    def _save_password(self, account_id: int, password: str) -> None:
        def stored(error: KeyringUnavailableError | None) -> None:
            if error is None:
                self.retry(account_id)
                return

            def answered(keep: bool) -> None:
                if keep:
                    self._secrets.remember_for_session(account_id, password)
                    self.retry(account_id)

            ask_keep_for_session(self.window(), error, answered)

        self._ops.run(store_password(self._secrets, account_id, password), label="Save password", on_done=stored)

    def view_certificate(self, status: AccountStatus) -> CertificateDialog:
        """What the engine knows of the certificate that did not verify (its last error's `details`)."""
        error = self._sync.last_error(status.account_id) if self._sync is not None else None
        details = error.details if isinstance(error, CertificateError) else ""
        return show_certificate(status.message, status.hint, details, self.window())
