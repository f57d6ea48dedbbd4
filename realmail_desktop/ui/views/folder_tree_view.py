"""FolderTreeView: the main window's folder tree (All Inboxes, each account and its folders), which keeps the
node in view across the model's reloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from realmail_desktop.ui.models.folder_tree import FolderTreeModel
from realmail_desktop.ui.roles import FolderItemRole, FolderNodeKind
from realmail_desktop.ui.views.icon_delegate import IconDelegate

_FolderKey = tuple[FolderNodeKind | None, int | None, int | None]


class FolderTreeView(QTreeView):
    """One node current at a time. After a reload the same folder stays current, else the same account, else
    All Inboxes, else the first Inbox (`inbox_ids()`); a folder asked for before the tree shows it
    (`select_folder`) becomes current once it does."""

    def __init__(self, model: FolderTreeModel, inbox_ids: Callable[[], Sequence[int]], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("folderTree")
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setItemDelegate(IconDelegate(self))
        self.expandAll()
        self._model = model
        self._inbox_ids = inbox_ids
        self._folder_key: _FolderKey = (None, None, None)
        self._wanted_folder: int | None = None
        self.selectionModel().currentChanged.connect(self._remember_current)
        model.reloaded.connect(self._on_model_reloaded)

    def current_folder_id(self) -> int | None:
        return self._model.folder_id(self.currentIndex())

    def current_account_id(self) -> int | None:
        account = self.currentIndex().data(FolderItemRole.AccountId)
        return int(account) if account is not None else None

    def select_folder(self, folder_id: int) -> None:
        """Make a folder current; if the tree does not show it yet, do so once it does."""
        index = self._model.index_for_folder(folder_id)
        if index.isValid():
            self._wanted_folder = None
            self.setCurrentIndex(index)
        else:
            self._wanted_folder = folder_id

    def select_start_folder(self) -> None:
        index = self._model.all_inboxes_index()
        if not index.isValid():
            inboxes = self._inbox_ids()
            index = self._model.index_for_folder(inboxes[0]) if inboxes else QModelIndex()
        if index.isValid():
            self.setCurrentIndex(index)

    def _remember_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        kind = current.data(FolderItemRole.NodeKind) if current.isValid() else None
        self._folder_key = (kind, self._model.folder_id(current), current.data(FolderItemRole.AccountId))

    def _on_model_reloaded(self) -> None:
        self.expandAll()
        kind, folder_id, account_id = self._folder_key
        wanted, self._wanted_folder = self._wanted_folder, None
        index = QModelIndex()
        if wanted is not None:
            index = self._model.index_for_folder(wanted)
        if not index.isValid() and folder_id is not None:
            index = self._model.index_for_folder(folder_id)
        if not index.isValid() and kind is FolderNodeKind.ACCOUNT and account_id is not None:
            index = self._model.index_for_account(account_id)
        if not index.isValid() and kind is FolderNodeKind.ALL_INBOXES:
            index = self._model.all_inboxes_index()
        if index.isValid():
            self.setCurrentIndex(index)
        else:
            self.select_start_folder()
