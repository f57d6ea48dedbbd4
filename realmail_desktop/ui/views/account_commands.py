"""Account commands of the main window: Account → Settings…, Manage folders…, a folder's "Unsubscribe", and
the folder tree's context menu that offers them beside the folder commands."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from realmail_desktop.core.events import Changes
from realmail_desktop.store import AccountKind, FolderRole, StoreReader
from realmail_desktop.ui.dialogs.account_settings_dialog import AccountSettingsDialog, account_settings_dialog
from realmail_desktop.ui.dialogs.folder_subscriptions_dialog import (
    FolderSubscriptionsDialog,
    folder_subscriptions_dialog,
)
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.roles import FolderNodeKind
from realmail_desktop.ui.sync_control import SyncControl
from realmail_desktop.ui.views.window_actions import WindowActions


class AccountCommands(QObject):
    """Opens the account dialogs (window-modal) for the account the folder tree has selected and unsubscribes
    from the selected folder. Without a sync engine every command is off.

    `current_account` and `current_folder` tell what the tree has selected; `update(...)` enables the
    window's account actions for it; `context_menu(...)` is the tree's right-click menu.
    """

    def __init__(
        self,
        window: QWidget,
        reader: StoreReader,
        sync: SyncControl | None,
        ops: Ops,
        *,
        current_account: Callable[[], int | None],
        current_folder: Callable[[], int | None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._reader = reader
        self._sync = sync
        self._ops = ops
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

    def on_store_changed(self, changes: Changes) -> None:
        if self._subscriptions is not None:
            self._subscriptions.on_store_changed(changes)
