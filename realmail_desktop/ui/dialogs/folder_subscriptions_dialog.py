"""Manage folders: every folder the server lists for an IMAP account, subscribed or not, with a checkbox each
and a filter box; ticking or unticking subscribes or unsubscribes at once (the folder tree lists subscribed
folders only)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from realmail_desktop.core.events import Changes
from realmail_desktop.store import Account, Folder, StoreReader
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.sync_control import SyncControl

_FOLDER_ID = int(Qt.ItemDataRole.UserRole) + 1
# Texts marked for pyside6-lupdate; translated where shown.
EXPLAINED = str(
    QT_TRANSLATE_NOOP(
        "FolderSubscriptionsDialog",
        "Ticked folders are shown and kept in sync. Unticked folders stay on the server untouched, but RealMail "
        "does not download them.",
    )
)
ALWAYS_SHOWN = str(
    QT_TRANSLATE_NOOP(
        "FolderSubscriptionsDialog",
        "The Inbox and special folders (Sent, Drafts, Trash, Junk, Archive) are always shown and synced.",
    )
)


def _checked(on: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked


class FolderSubscriptionsDialog(QDialog):
    """One checkable row per folder of the account (the Inbox and special-use folders are always on, as the
    engine syncs them regardless); the filter box narrows the list
    (case-insensitive, any part of the path). A change calls `sync.set_subscribed(folder_id, subscribed)`
    through Ops; when the engine refuses, the row shows the stored state again. The list follows the store
    (`on_store_changed`) while the dialog is open.

    Signals: subscriptionChanged(int folder_id, bool subscribed) once the engine accepted a change.
    """

    subscriptionChanged = Signal(int, bool)

    def __init__(
        self,
        reader: StoreReader,
        account: Account,
        sync: SyncControl,
        ops: Ops,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("folderSubscriptionsDialog")
        self.setWindowTitle(self.tr("Manage folders — {name}").format(name=account.name))
        self.account = account
        self._reader = reader
        self._sync = sync
        self._ops = ops
        self._items: dict[int, QStandardItem] = {}

        explained = QLabel(QCoreApplication.translate("FolderSubscriptionsDialog", EXPLAINED), self)
        explained.setWordWrap(True)
        explained.setTextFormat(Qt.TextFormat.PlainText)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("folderFilter")
        self.filter_edit.setPlaceholderText(self.tr("Filter folders"))
        self.filter_edit.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list_view = QListView(self)
        self.list_view.setObjectName("folderList")
        self.list_view.setModel(self.proxy)
        self.list_view.setUniformItemSizes(True)
        self._count = QLabel(self)
        self._count.setObjectName("subscribedCount")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.model.itemChanged.connect(self._on_item_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(explained)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self._count)
        layout.addWidget(buttons)
        self.reload()
        self.resize(420, 480)

    # --- the list ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the account's folders (keeps the filter)."""
        self.model.blockSignals(True)
        self.model.clear()
        self._items = {}
        for folder in self._reader.folders(self.account.id, include_unsubscribed=True):
            self.model.appendRow(self._item(folder))
        self.model.blockSignals(False)
        self.proxy.sort(0)
        self.proxy.invalidate()
        self._update_count()

    def _item(self, folder: Folder) -> QStandardItem:
        item = QStandardItem(folder.path)
        item.setEditable(False)
        item.setData(folder.id, _FOLDER_ID)
        special = folder.role is not None
        item.setCheckable(not special)
        item.setCheckState(_checked(folder.subscribed or special))
        if special:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            item.setToolTip(QCoreApplication.translate("FolderSubscriptionsDialog", ALWAYS_SHOWN))
        self._items[folder.id] = item
        return item

    def _update_count(self) -> None:
        checked = sum(1 for item in self._items.values() if item.checkState() is Qt.CheckState.Checked)
        self._count.setText(
            self.tr("{checked} of {total} folders shown").format(checked=checked, total=len(self._items))
        )

    def on_store_changed(self, changes: Changes) -> None:
        if changes.accounts or changes.folder_tree:
            if self.account.id not in {a.id for a in self._reader.accounts()}:
                self.reject()  # the account went away under the dialog
                return
            self.reload()
        elif any(folder_id in self._items for folder_id in changes.folders):
            self._show_stored(frozenset(changes.folders))

    def _show_stored(self, folder_ids: frozenset[int]) -> None:
        """Rows show what the store says (after a refusal, or a change from elsewhere)."""
        self.model.blockSignals(True)
        for folder_id in folder_ids:
            item = self._items.get(folder_id)
            folder = self._reader.folder(folder_id)
            if item is not None and folder is not None:
                item.setCheckState(_checked(folder.subscribed or folder.role is not None))
        self.model.blockSignals(False)
        self.list_view.viewport().update()
        self._update_count()

    # --- public face (what a person sees and does) ------------------------------------------------
    def visible_paths(self) -> list[str]:
        """The paths the list shows now (after the filter), in order."""
        return [str(self.proxy.index(row, 0).data()) for row in range(self.proxy.rowCount())]

    def is_checked(self, path: str) -> bool:
        item = self._item_for(path)
        return item.checkState() is Qt.CheckState.Checked

    def is_locked(self, path: str) -> bool:
        return not bool(self._item_for(path).flags() & Qt.ItemFlag.ItemIsUserCheckable)

    def set_checked(self, path: str, on: bool) -> None:
        """Tick or untick a row as a click on its box does (a locked row does not change)."""
        item = self._item_for(path)
        if not self.is_locked(path):
            item.setCheckState(_checked(on))

    def _item_for(self, path: str) -> QStandardItem:
        return next(item for item in self._items.values() if item.text() == path)

    # --- subscribing ------------------------------------------------------------------------------
    def _on_item_changed(self, item: QStandardItem) -> None:
        folder_id = item.data(_FOLDER_ID)
        if folder_id is None:
            return
        subscribed = item.checkState() is Qt.CheckState.Checked
        self._update_count()
        self._ops.run(
            self._set_subscribed(int(folder_id), subscribed),
            label="Subscribe" if subscribed else "Unsubscribe",
            on_done=lambda _result: self.subscriptionChanged.emit(int(folder_id), subscribed),
        )

    async def _set_subscribed(self, folder_id: int, subscribed: bool) -> None:
        try:
            await self._sync.set_subscribed(folder_id, subscribed)
        except Exception:
            if shiboken6.isValid(self):  # refused: show what is so (Ops shows why)
                self._show_stored(frozenset({folder_id}))
            raise


def folder_subscriptions_dialog(
    reader: StoreReader, account_id: int, sync: SyncControl, ops: Ops, parent: QWidget | None
) -> FolderSubscriptionsDialog | None:
    """The dialog for an IMAP account (None for a local account or one that is gone), opened window-modal."""
    account = next((a for a in reader.accounts() if a.id == account_id), None)
    if account is None or reader.sync.imap_settings(account_id) is None:
        return None
    dialog = FolderSubscriptionsDialog(reader, account, sync, ops, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
