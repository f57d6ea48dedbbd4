"""FolderTreeModel: All Inboxes, then each account with its subscribed folders nested by path, with unread counts
(and each account's connection state on its node)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, overload

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from realmail_desktop.core.events import AccountState, AccountStatus, Changes
from realmail_desktop.store import Account, Folder, FolderRole, MessageQuery, StoreReader
from realmail_desktop.ui.icons import app_icon, swatch
from realmail_desktop.ui.roles import FolderItemRole, FolderNodeKind

ALL_INBOXES = str(QT_TRANSLATE_NOOP("FolderTreeModel", "All Inboxes"))  # translated where shown

# Special folders lead each level in this order (Thunderbird's); the rest follow alphabetically.
_ROLE_ORDER = {
    role: rank
    for rank, role in enumerate(
        (
            FolderRole.INBOX,
            FolderRole.DRAFTS,
            FolderRole.SENT,
            FolderRole.ARCHIVE,
            FolderRole.ALL,
            FolderRole.JUNK,
            FolderRole.TRASH,
        )
    )
}
# Icon names of realmail_desktop.ui.icons; a folder without a role (and a synthetic parent) is a plain folder.
_ROLE_ICONS: dict[FolderRole | None, str] = {
    FolderRole.INBOX: "inbox",
    FolderRole.DRAFTS: "drafts",
    FolderRole.SENT: "send",
    FolderRole.ARCHIVE: "archive",
    FolderRole.ALL: "all-mail",
    FolderRole.JUNK: "junk",
    FolderRole.TRASH: "trash",
    None: "folder",
}

_ROOT = QModelIndex()
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)


@dataclass(eq=False, slots=True)
class _Node:
    kind: FolderNodeKind
    name: str
    parent: _Node | None
    uid: int  # the QModelIndex internalId; 0 is the invisible root
    account_id: int | None = None
    folder: Folder | None = None  # None for All Inboxes, accounts and synthetic parents
    account: Account | None = None  # on account nodes only
    children: list[_Node] = field(default_factory=list)
    row: int = 0


def _sibling_order(node: _Node) -> tuple[int, int, int, str, str]:
    folder = node.folder
    if folder is not None and folder.role is not None:
        return (0, _ROLE_ORDER[folder.role], folder.position, "", "")
    return (1, 0, 0, node.name.casefold(), node.name)


def _listed(folder: Folder) -> bool:
    """The tree lists subscribed folders, and the Inbox and special-use folders always (StoreReader.folders')."""
    return folder.subscribed or folder.role is not None


def _shape(folder: Folder) -> tuple[str, FolderRole | None]:
    return folder.path, folder.role


class FolderTreeModel(QAbstractItemModel):
    """One column: "All Inboxes", then each account (which shows nothing when selected) with its folders as
    a tree by path; a path segment with no folder of its own gets a synthetic node without a folder id.
    Only subscribed folders are listed (and the Inbox and special-use folders, always: the engine syncs them
    regardless); unsubscribed ones are managed in
    ui/dialogs/folder_subscriptions_dialog.py.

    Signals: reloaded() — after a rebuild (accounts or the folder tree changed); the view restores its
    current folder with `index_for_folder(folder_id)`.
    """

    reloaded = Signal()

    def __init__(self, reader: StoreReader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._bold = QFont()
        self._bold.setBold(True)
        self._icons = {role: app_icon(name) for role, name in _ROLE_ICONS.items()}
        self._all_inboxes_icon = app_icon("all-inboxes")
        self._account_icon = app_icon("account")
        self._root = _Node(FolderNodeKind.ACCOUNT, "", None, 0)
        self._nodes: list[_Node] = []
        self._by_folder: dict[int, _Node] = {}
        self._by_account: dict[int, _Node] = {}
        self._inbox_ids: tuple[int, ...] = ()
        self._account_status: dict[int, AccountStatus] = {}
        self._build()

    # --- building -----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Re-read accounts and folders (a model reset; `reloaded` follows)."""
        self.beginResetModel()
        self._build()
        self.endResetModel()
        self.reloaded.emit()

    def _build(self) -> None:
        self._root = _Node(FolderNodeKind.ACCOUNT, "", None, 0)
        self._nodes, self._by_folder, self._by_account = [], {}, {}
        self._inbox_ids = self._reader.inbox_ids()
        self._add(self._root, FolderNodeKind.ALL_INBOXES, self.tr(ALL_INBOXES), None)
        folders: defaultdict[int, list[Folder]] = defaultdict(list)
        for folder in self._reader.folders():
            folders[folder.account_id].append(folder)
        for account in self._reader.accounts():
            account_node = self._add(self._root, FolderNodeKind.ACCOUNT, account.name, account.id)
            account_node.account = account
            self._by_account[account.id] = account_node
            by_path: dict[str, _Node] = {}
            for folder in folders[account.id]:
                node = self._path_node(account_node, by_path, folder.path)
                node.folder = folder
                self._by_folder[folder.id] = node
            self._sort(account_node)

    def _add(self, parent: _Node, kind: FolderNodeKind, name: str, account_id: int | None) -> _Node:
        node = _Node(kind, name, parent, len(self._nodes) + 1, account_id)
        self._nodes.append(node)
        parent.children.append(node)
        node.row = len(parent.children) - 1
        return node

    def _path_node(self, account_node: _Node, by_path: dict[str, _Node], path: str) -> _Node:
        """The node for `path`, creating synthetic nodes for segments that have no folder (yet)."""
        node = by_path.get(path)
        if node is not None:
            return node
        parent_path, _, name = path.rpartition("/")
        parent = self._path_node(account_node, by_path, parent_path) if parent_path else account_node
        node = self._add(parent, FolderNodeKind.FOLDER, name, account_node.account_id)
        by_path[path] = node
        return node

    def _sort(self, node: _Node) -> None:
        node.children.sort(key=_sibling_order)
        for row, child in enumerate(node.children):
            child.row = row
            self._sort(child)

    # --- lookups ------------------------------------------------------------------------------------
    def _node(self, index: QModelIndex | QPersistentModelIndex) -> _Node:
        return self._nodes[index.internalId() - 1] if index.isValid() else self._root

    def _index_of(self, node: _Node) -> QModelIndex:
        return self.createIndex(node.row, 0, node.uid) if node is not self._root else QModelIndex()

    def all_inboxes_index(self) -> QModelIndex:
        return self.index(0, 0)

    def index_for_folder(self, folder_id: int) -> QModelIndex:
        node = self._by_folder.get(folder_id)
        return self._index_of(node) if node is not None else QModelIndex()

    def index_for_account(self, account_id: int) -> QModelIndex:
        node = self._by_account.get(account_id)
        return self._index_of(node) if node is not None else QModelIndex()

    def folder_id(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        if not index.isValid():
            return None
        folder = self._node(index).folder
        return folder.id if folder is not None else None

    def query(self, index: QModelIndex | QPersistentModelIndex) -> MessageQuery | None:
        """What the message list shows for this node: None for accounts and synthetic parents."""
        if not index.isValid():
            return None
        return self._query(self._node(index))

    def _query(self, node: _Node) -> MessageQuery | None:
        if node.kind is FolderNodeKind.ALL_INBOXES:
            return MessageQuery(self._inbox_ids)
        return MessageQuery((node.folder.id,)) if node.folder is not None else None

    def _inbox_folders(self) -> list[Folder]:
        nodes = (self._by_folder.get(folder_id) for folder_id in self._inbox_ids)
        return [node.folder for node in nodes if node is not None and node.folder is not None]

    def _counts(self, node: _Node) -> tuple[int, int] | None:
        """(total, unread) for a node that lists messages, else None."""
        if node.kind is FolderNodeKind.ALL_INBOXES:
            inboxes = self._inbox_folders()
            return sum(f.total_count for f in inboxes), sum(f.unread_count for f in inboxes)
        if node.folder is not None:
            return node.folder.total_count, node.folder.unread_count
        return None

    # --- Qt model interface -------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._node(parent).children[row].uid)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: QModelIndex | QPersistentModelIndex) -> QModelIndex: ...
    def parent(self, child: QModelIndex | QPersistentModelIndex | None = None) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()
        if not child.isValid():
            return QModelIndex()
        parent = self._node(child).parent
        return self._index_of(parent) if parent is not None else QModelIndex()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        if parent.column() > 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 1

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        counts = self._counts(node)
        unread = counts[1] if counts is not None else 0
        if role == _DISPLAY:
            return f"{node.name} ({unread})" if unread else node.name
        if role == _FONT:
            return self._bold if unread else None
        if role == _DECORATION:
            return self._icon(node)
        if role == _TOOLTIP:
            return self._tooltip(node, counts)
        return self._semantic(node, role, unread)

    def _icon(self, node: _Node) -> QIcon:
        if node.kind is FolderNodeKind.ALL_INBOXES:
            return self._all_inboxes_icon
        if node.kind is FolderNodeKind.ACCOUNT:
            status = self._account_status.get(node.account_id or 0)
            if status is not None and status.state is AccountState.ERROR:
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if node.account is not None and node.account.color:
                return swatch(node.account.color)
            return self._account_icon
        return self._icons[node.folder.role if node.folder is not None else None]

    def _tooltip(self, node: _Node, counts: tuple[int, int] | None) -> str | None:
        if counts is not None:
            tip = (
                self.tr("{count} message, {unread} unread")
                if counts[0] == 1
                else self.tr("{count} messages, {unread} unread")
            )
            return tip.format(count=counts[0], unread=counts[1])
        if node.kind is FolderNodeKind.ACCOUNT:
            account = node.account
            tip = account.address or account.name if account is not None else ""
            status = self._account_status.get(node.account_id or 0)
            if status is not None and status.state in (AccountState.ERROR, AccountState.OFFLINE):
                tip = f"{tip}\n{status.message}".strip()
            return tip or None
        return None

    def on_account_status(self, status: AccountStatus) -> None:
        """An account's connection state changed: its node's tooltip (and, in error, its icon) tell."""
        self._account_status[status.account_id] = status
        node = self._by_account.get(status.account_id)
        if node is not None:
            index = self._index_of(node)
            self.dataChanged.emit(index, index, [_DECORATION, _TOOLTIP])

    def _semantic(self, node: _Node, role: int, unread: int) -> Any:
        if role == FolderItemRole.NodeKind:
            return node.kind
        if role == FolderItemRole.FolderId:
            return node.folder.id if node.folder is not None else None
        if role == FolderItemRole.AccountId:
            return node.account_id
        if role == FolderItemRole.Unread:
            return unread
        if role == FolderItemRole.Query:
            return self._query(node)
        return None

    # --- store changes ------------------------------------------------------------------------------
    def on_store_changed(self, changes: Changes) -> None:
        """Rebuild when accounts or folders came or went; otherwise refresh the counts of changed folders."""
        if changes.accounts or changes.folder_tree:
            self.rebuild()
            return
        if not changes.folders:
            return
        inboxes_changed = False
        for folder_id in changes.folders:
            node = self._by_folder.get(folder_id)
            folder = self._reader.folder(folder_id)
            if node is None or node.folder is None:
                if folder is not None and _listed(folder):  # subscribed to (again) without a tree change
                    self.rebuild()
                    return
                continue
            if folder is None or _shape(folder) != _shape(node.folder) or not _listed(folder):
                # The tree changed without saying so: rebuilding is the only safe answer.
                self.rebuild()
                return
            if folder != node.folder:
                node.folder = folder
                index = self._index_of(node)
                self.dataChanged.emit(index, index)
                inboxes_changed = inboxes_changed or folder_id in self._inbox_ids
        inbox_ids = self._reader.inbox_ids()
        if inbox_ids != self._inbox_ids:
            self._inbox_ids = inbox_ids
            inboxes_changed = True
        if inboxes_changed:
            index = self.all_inboxes_index()
            self.dataChanged.emit(index, index)
