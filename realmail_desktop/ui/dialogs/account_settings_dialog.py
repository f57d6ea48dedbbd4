"""Account settings: an IMAP account's name, address and server (read-only for now), how much mail it keeps
offline (the sync window, which can be changed) and "Remove account…" with its confirmation."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.store import Account, ImapSecurity, ImapSettings, StoreReader
from realmail_desktop.ui.dialogs.sync_window import SYNC_WINDOWS, sync_window_label
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.sync_control import SyncControl

# Texts marked for pyside6-lupdate; translated where shown (context "AccountSettingsDialog").
_SECURITY_TEXT = {
    ImapSecurity.TLS: "TLS",
    ImapSecurity.STARTTLS: "STARTTLS",
    ImapSecurity.NONE: str(QT_TRANSLATE_NOOP("AccountSettingsDialog", "None (this computer only)")),
}
WINDOW_EXPLAINED = str(
    QT_TRANSLATE_NOOP(
        "AccountSettingsDialog",
        "Messages from this period are kept whole on this computer for reading offline; headers of all mail are "
        "always kept, and an older message downloads when you open it.",
    )
)
SHRINKING = str(
    QT_TRANSLATE_NOOP(
        "AccountSettingsDialog",
        "Choosing a shorter period frees the space of the older messages' bodies (starred messages and drafts "
        "stay); they download again when you open them.",
    )
)


def _translated(text: str) -> str:
    return QCoreApplication.translate("AccountSettingsDialog", text)


def window_label(days: int) -> str:
    return next(
        (sync_window_label(label) for label, value in SYNC_WINDOWS if value == days),
        QCoreApplication.translate("AccountSettingsDialog", "Last {days} days").format(days=days),
    )


def remove_account_box(parent: QWidget, account: Account) -> tuple[QMessageBox, QPushButton]:
    """The confirmation before an account goes from this computer (window-modal; deletes itself)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        QCoreApplication.translate("AccountSettingsDialog", "Remove account"),
        QCoreApplication.translate("AccountSettingsDialog", "Remove the account “{name}” from RealMail?").format(
            name=account.name
        ),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("removeAccountBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(
        QCoreApplication.translate(
            "AccountSettingsDialog",
            "Its mail is deleted from this computer (not from the server), and RealMail stops checking it. "
            "You can add it again later.",
        )
    )
    remove = box.addButton(
        QCoreApplication.translate("AccountSettingsDialog", "Remove account"), QMessageBox.ButtonRole.DestructiveRole
    )
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box, remove


class AccountSettingsDialog(QDialog):
    """One IMAP account's settings. OK saves a changed sync window through `sync.set_sync_window` (the dialog
    closes once it is saved; a refusal is shown by Ops and the dialog stays open). "Remove account…" asks,
    then removes the account through `sync.remove_account` and closes the dialog.

    Signals: syncWindowChanged(int days) once the engine saved a new window; accountRemoved(int account_id);
    identitiesRequested(int account_id) — "Identities…" was clicked (the window opens ui/dialogs/identities_dialog);
    serverSettingsRequested(int account_id) — "Server settings…" was clicked (ui/dialogs/server_settings_dialog).
    """

    syncWindowChanged = Signal(int)
    accountRemoved = Signal(int)
    identitiesRequested = Signal(int)
    serverSettingsRequested = Signal(int)

    def __init__(
        self,
        account: Account,
        settings: ImapSettings,
        sync: SyncControl,
        ops: Ops,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountSettingsDialog")
        self.setWindowTitle(self.tr("Account settings — {name}").format(name=account.name))
        self.account = account
        self._settings = settings
        self._sync = sync
        self._ops = ops
        self._saving = False

        rows = QFormLayout()
        self._shown: dict[str, str] = {}
        port_text = self.tr("{host}, port {port}").format(host=settings.host, port=settings.port)
        for label, value in (
            (self.tr("Account name:"), account.name),
            (self.tr("E-mail address:"), account.address or "—"),
            (self.tr("IMAP server:"), port_text),
            (self.tr("User name:"), settings.username),
            (self.tr("Security:"), _translated(_SECURITY_TEXT.get(settings.security, str(settings.security)))),
        ):
            field = QLabel(value, self)
            field.setTextFormat(Qt.TextFormat.PlainText)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            rows.addRow(label, field)
            self._shown[label] = value
        self.window_combo = QComboBox(self)
        self.window_combo.setObjectName("syncWindow")
        for label, days in SYNC_WINDOWS:
            self.window_combo.addItem(sync_window_label(label), days)
        if self.window_combo.findData(settings.sync_window_days) < 0:  # a value set elsewhere: keep it choosable
            self.window_combo.addItem(window_label(settings.sync_window_days), settings.sync_window_days)
        self.window_combo.setCurrentIndex(self.window_combo.findData(settings.sync_window_days))
        rows.addRow(self.tr("Keep offline:"), self.window_combo)

        explained = QLabel(_translated(WINDOW_EXPLAINED), self)
        explained.setWordWrap(True)
        explained.setTextFormat(Qt.TextFormat.PlainText)
        self._shrinking = QLabel(_translated(SHRINKING), self)
        self._shrinking.setObjectName("shrinkingNote")
        self._shrinking.setWordWrap(True)
        self._shrinking.setTextFormat(Qt.TextFormat.PlainText)
        self._shrinking.hide()
        # hidden once a "Server settings…" button is offered
        self._server_note = server_note = QLabel(
            self.tr("Server settings are changed by removing the account and adding it again."), self
        )
        server_note.setWordWrap(True)
        server_note.setEnabled(False)  # drawn as secondary text

        self.remove_button = QPushButton(self.tr("Remove account…"), self)
        self.remove_button.setObjectName("removeAccount")
        self.remove_button.clicked.connect(self.ask_remove)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self.window_combo.currentIndexChanged.connect(lambda _index: self._on_window_chosen())

        layout = QVBoxLayout(self)
        layout.addLayout(rows)
        layout.addWidget(explained)
        layout.addWidget(self._shrinking)
        layout.addWidget(server_note)
        layout.addStretch(1)
        layout.addWidget(self._buttons)
        self.resize(480, self.sizeHint().height())

    # --- public face ------------------------------------------------------------------------------
    @property
    def ok_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    def shown(self) -> dict[str, str]:
        """Label → what the read-only rows say."""
        return dict(self._shown)

    def sync_window(self) -> int:
        """The chosen window in days (0: all mail)."""
        return int(self.window_combo.currentData())

    def set_sync_window(self, days: int) -> None:
        self.window_combo.setCurrentIndex(self.window_combo.findData(days))

    def shrinking_note_shown(self) -> bool:
        return not self._shrinking.isHidden()

    # --- saving -----------------------------------------------------------------------------------
    def _on_window_chosen(self) -> None:
        self._shrinking.setVisible(_is_shorter(self.sync_window(), self._settings.sync_window_days))

    def accept(self) -> None:
        days = self.sync_window()
        if self._saving:
            return
        if days == self._settings.sync_window_days:
            super().accept()
            return
        self._set_saving(True)
        self._ops.run(self._save(days), label="Change sync window", on_done=lambda _result: self._finish_saved(days))

    async def _save(self, days: int) -> None:
        try:
            await self._sync.set_sync_window(self.account.id, days)
        finally:  # refused or not, the form is usable again (a refusal is shown by Ops)
            self._set_saving(False)

    def _finish_saved(self, days: int) -> None:
        self._settings = self._settings.model_copy(update={"sync_window_days": days})
        self._shrinking.hide()
        self.syncWindowChanged.emit(days)
        super().accept()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.ok_button.setEnabled(not saving)
        self.window_combo.setEnabled(not saving)

    # --- removing ---------------------------------------------------------------------------------
    def add_server_settings_button(self) -> QPushButton:
        """The "Server settings…" button: emits serverSettingsRequested (the window opens
        ui/dialogs/server_settings_dialog)."""
        button = QPushButton(self.tr("Server settings…"), self)
        button.setObjectName("serverSettingsButton")
        button.clicked.connect(lambda _checked=False: self.serverSettingsRequested.emit(self.account.id))
        self._buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self._server_note.hide()
        return button

    def add_identities_button(self) -> QPushButton:
        """The "Identities…" button: emits identitiesRequested (the window opens the editor)."""
        button = QPushButton(self.tr("Identities…"), self)
        button.setObjectName("identitiesButton")
        button.clicked.connect(lambda _checked=False: self.identitiesRequested.emit(self.account.id))
        self._buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def ask_remove(self) -> QMessageBox:
        box, remove = remove_account_box(self, self.account)
        box.buttonClicked.connect(lambda button: self._remove() if button is remove else None)
        box.open()
        return box

    def _remove(self) -> None:
        account_id = self.account.id

        def removed(_result: object) -> None:
            self.accountRemoved.emit(account_id)
            super(AccountSettingsDialog, self).reject()

        self._ops.run(self._sync.remove_account(account_id), label="Remove account", on_done=removed)


def _is_shorter(days: int, than: int) -> bool:
    """Whether `days` keeps less than `than` (0 means all mail, the longest)."""
    if days == than:
        return False
    return than == 0 or (days != 0 and days < than)


def account_settings_dialog(
    reader: StoreReader, account_id: int, sync: SyncControl, ops: Ops, parent: QWidget | None
) -> AccountSettingsDialog | None:
    """The dialog for an IMAP account (None for a local account or one that is gone), opened window-modal."""
    account = next((a for a in reader.accounts() if a.id == account_id), None)
    settings = reader.sync.imap_settings(account_id) if account is not None else None
    if account is None or settings is None:
        return None
    dialog = AccountSettingsDialog(account, settings, sync, ops, parent)
    dialog.add_identities_button()
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
