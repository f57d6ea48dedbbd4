"""Account commands of the main window: File → Add account…, Account → Settings… (with Server settings…),
Manage folders…, Arrange accounts…, a folder's "Unsubscribe", signing in to Google again, and the folder tree's
context menu that offers them beside the folder commands."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.events import Changes
from realmail_desktop.store import Account, AccountKind, FolderRole, Store
from realmail_desktop.ui.dialogs.account_settings_dialog import AccountSettingsDialog, account_settings_dialog
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup, AccountSetupDialog
from realmail_desktop.ui.dialogs.accounts_dialog import AccountsDialog
from realmail_desktop.ui.dialogs.drive_consent import ask_drive_access
from realmail_desktop.ui.dialogs.folder_subscriptions_dialog import (
    FolderSubscriptionsDialog,
    folder_subscriptions_dialog,
)
from realmail_desktop.ui.dialogs.google_sign_in import sign_in_again
from realmail_desktop.ui.dialogs.server_settings_dialog import ServerSettingsDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import FolderNodeKind
from realmail_desktop.ui.sync_control import ServerSettingsChanger, SyncControl
from realmail_desktop.ui.views.window_actions import WindowActions


class AccountCommands(QObject):
    """Opens the account dialogs (window-modal) for the account the folder tree has selected and unsubscribes
    from the selected folder. Without a sync engine every command is off.

    `current_account` and `current_folder` tell what the tree has selected; `update(...)` enables the
    window's account actions for it; `context_menu(...)` is the tree's right-click menu. `secrets` keeps the
    passwords; `setup` (None: no File → Add account…) is what that dialog and Google sign-in need;
    `edit_identities(account_id)` is the settings dialog's "Identities…".
    """

    def __init__(
        self,
        window: QWidget,
        store: Store,
        sync: SyncControl | None,
        ops: Ops,
        *,
        current_account: Callable[[], int | None],
        current_folder: Callable[[], int | None],
        bridge: EventBridge,
        secrets: SecretStore,
        setup: AccountSetup | None = None,
        edit_identities: Callable[[int], object] | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._reader = store.reader
        self._sync = sync
        self._ops = ops
        self._bridge = bridge
        self._secrets = secrets
        self._setup = setup
        self._edit_identities = edit_identities
        self._current_account = current_account
        self._current_folder = current_folder
        self._subscriptions: FolderSubscriptionsDialog | None = None

    # --- what applies to the selection ------------------------------------------------------------
    def is_imap_account(self, account_id: int | None) -> bool:
        if self._sync is None or account_id is None:
            return False
        return any(a.id == account_id and a.kind is AccountKind.IMAP for a in self._reader.accounts())

    def can_unsubscribe(self, folder_id: int | None) -> bool:
        """An IMAP folder without a role (the Inbox and special-use folders are always shown and synced)."""
        folder = self._reader.folder(folder_id) if folder_id is not None else None
        return folder is not None and folder.role is None and self.is_imap_account(folder.account_id)

    def update(self, settings: QAction, manage: QAction, unsubscribe: QAction) -> None:
        imap = self.is_imap_account(self._current_account())
        settings.setEnabled(imap)
        manage.setEnabled(imap)
        unsubscribe.setEnabled(self.can_unsubscribe(self._current_folder()))

    def context_menu(
        self, kind: FolderNodeKind | str | None, folder_id: int | None, actions: WindowActions
    ) -> QMenu | None:
        """The folder tree's right-click menu for a node (its enabled actions), or None for All Inboxes."""
        a = actions
        entries: list[QAction | None]
        if kind == FolderNodeKind.ACCOUNT:
            entries = [a.account_settings, a.manage_folders, None, a.new_folder]
        elif kind == FolderNodeKind.FOLDER:
            folder = self._reader.folder(folder_id) if folder_id is not None else None
            is_trash = folder is not None and folder.role is FolderRole.TRASH
            entries = [a.new_folder, a.rename_folder, a.delete_folder, None, a.unsubscribe_folder, a.manage_folders]
            entries += [None, a.empty_trash] if is_trash else []
        else:
            return None
        menu = QMenu(self._window)
        menu.setObjectName("folderContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in entries:
            if action is None:
                if menu.actions() and not menu.actions()[-1].isSeparator():
                    menu.addSeparator()
            elif action.isEnabled():
                menu.addAction(action)
        if menu.actions() and menu.actions()[-1].isSeparator():
            menu.removeAction(menu.actions()[-1])
        if not menu.actions():
            menu.deleteLater()
            return None
        return menu

    # --- commands ---------------------------------------------------------------------------------
    def open_settings(self, account_id: int | None = None) -> AccountSettingsDialog | None:
        """Account → Settings… for `account_id` (default: the selected account)."""
        chosen = account_id if account_id is not None else self._current_account()
        if self._sync is None or chosen is None:
            return None
        return account_settings_dialog(self._reader, chosen, self._sync, self._ops, self._window)

    def open_settings_with_extras(self) -> AccountSettingsDialog | None:
        """Account → Settings…; its "Identities…" opens the composer's identities editor, its "Server settings…"
        the server settings dialog (with a sync engine that can change them)."""
        dialog = self.open_settings()
        if dialog is not None:
            if self._edit_identities is not None:
                dialog.identitiesRequested.connect(self._edit_identities)
            if isinstance(self._sync, ServerSettingsChanger):
                dialog.add_server_settings_button()
                dialog.serverSettingsRequested.connect(self.edit_server_settings)
        return dialog

    def edit_server_settings(self, account_id: int) -> ServerSettingsDialog | None:
        """Account ▸ Settings… ▸ Server settings…: where and how an account logs in, checked before saving."""
        sync, reader = self._sync, self._reader
        account = next((a for a in reader.accounts() if a.id == account_id), None)
        imap = reader.sync.imap_settings(account_id)
        if not isinstance(sync, ServerSettingsChanger) or account is None or imap is None:
            return None
        setup = self._setup
        dialog = ServerSettingsDialog(
            account,
            imap,
            reader.outbox.smtp_settings(account_id),
            sync=sync,
            secrets=self._secrets,
            ops=self._ops,
            check_smtp=setup.check_smtp if setup is not None else None,
            save_smtp=self._store.sending.set_smtp_settings,
            parent=self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def manage_folders(self, account_id: int | None = None) -> FolderSubscriptionsDialog | None:
        """Account → Manage folders… for `account_id` (default: the selected account)."""
        chosen = account_id if account_id is not None else self._current_account()
        if self._sync is None or chosen is None:
            return None
        dialog = folder_subscriptions_dialog(self._reader, chosen, self._sync, self._ops, self._window)
        if dialog is not None:
            self._subscriptions = dialog
            dialog.destroyed.connect(lambda _obj=None: self._forget_subscriptions())
        return dialog

    def _forget_subscriptions(self) -> None:
        self._subscriptions = None

    def unsubscribe(self, folder_id: int | None = None) -> None:
        """Unsubscribe from `folder_id` (default: the selected folder): it leaves the tree at once."""
        chosen = folder_id if folder_id is not None else self._current_folder()
        if self._sync is not None and chosen is not None and self.can_unsubscribe(chosen):
            self._ops.run(self._sync.set_subscribed(chosen, False), label="Unsubscribe")

    def can_add_account(self) -> bool:
        """File → Add account… needs the sync engine and what the setup dialog needs (`setup`)."""
        return self._sync is not None and self._setup is not None

    def set_up_account(self) -> AccountSetupDialog | None:
        """File → Add account…: the setup dialog (settings found for the address, Google sign-in, manual settings;
        window-modal, it adds the account itself); None when the window was built without `setup`."""
        setup = self._setup
        if setup is None or self._sync is None:
            return None
        dialog = AccountSetupDialog(
            setup.adder,
            self._secrets,
            self._ops,
            self._window,
            discovery=setup.discovery,
            google=setup.google,
            save_smtp=self._store.sending.set_smtp_settings,
            check_smtp=setup.check_smtp,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def arrange_accounts(self) -> AccountsDialog:
        """Account → Arrange accounts…: rename, reorder and colour the accounts."""
        dialog = AccountsDialog(self._store, self._ops, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._bridge.storeChanged.connect(dialog.on_store_changed)
        dialog.open()
        return dialog

    def sign_in_again(self, account_id: int) -> None:
        """The banner's "Sign in again…" for an account whose Google sign-in ended."""
        setup = self._setup
        account = next((a for a in self._reader.accounts() if a.id == account_id), None)
        if setup is None or setup.google is None or account is None or self._sync is None:
            return
        sign_in_again(setup.google, self._ops, account, self._sync.retry)

    async def drive_access(self, account: Account) -> bool:
        """Drive's `drive.file` for a Google account, asked for now if it was not granted (incremental consent)."""
        setup = self._setup
        if setup is None or setup.google is None or self._sync is None:
            return False
        return await ask_drive_access(setup.google, self._ops, account, self._sync.retry)

    def on_store_changed(self, changes: Changes) -> None:
        if self._subscriptions is not None:
            self._subscriptions.on_store_changed(changes)
