"""FolderTreeModel over a real store: structure, order, counts, All Inboxes and store changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon

from realmail_desktop.store import Folder, FolderRole, MessageQuery, Store
from realmail_desktop.ui.models.folder_tree import FolderTreeModel
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import FolderItemRole, FolderNodeKind

pytestmark = pytest.mark.gui
Fill = Callable[..., Awaitable[list[int]]]
FolderOf = Callable[[FolderRole], Folder]


def tree(model: FolderTreeModel, parent: QModelIndex | None = None) -> list[Any]:
    """The tree as nested lists of display texts: [text, [children...]] for nodes with children."""
    parent = parent if parent is not None else QModelIndex()
    out: list[Any] = []
    for row in range(model.rowCount(parent)):
        child = model.index(row, 0, parent)
        out.append([child.data(), tree(model, child)] if model.rowCount(child) else child.data())
    return out


def connect(model: FolderTreeModel, bus: Any) -> EventBridge:
    bridge = EventBridge(bus, parent=model)  # lives as long as the model
    bridge.storeChanged.connect(model.on_store_changed)
    return bridge


async def test_model_tester_passes_on_nested_folders_and_after_changes(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtmodeltester: Any
) -> None:
    account_id = folder_of(FolderRole.INBOX).account_id
    await store.accounts.create_folder(account_id, "Work/Projects/2025")
    await store.accounts.create_folder(account_id, "Personal")
    ids = await fill(folder_of(FolderRole.INBOX).id, 20)
    model = FolderTreeModel(store.reader)
    connect(model, bus)
    qtmodeltester.check(model)

    await store.messages.set_seen(ids, True)
    await store.messages.move(ids[:5], folder_of(FolderRole.ARCHIVE).id)
    await store.accounts.create_folder(account_id, "Work/Clients")
    await store.accounts.create_local("Second")
    folder = store.reader.folder_by_path(account_id, "Work/Projects")
    assert folder is not None
    await store.accounts.rename_folder(folder.id, "Elsewhere/Projects")
    assert model.rowCount() == 3


async def test_folders_nest_by_path_with_special_folders_first(store: Store, folder_of: FolderOf) -> None:
    account_id = folder_of(FolderRole.INBOX).account_id
    for path in ("zeta", "Work/Projects", "Alpha", "beta", "Work/Clients", "Work/Projects/2025"):
        await store.accounts.create_folder(account_id, path)
    model = FolderTreeModel(store.reader)

    assert tree(model) == [
        "All Inboxes",
        [
            "Local Folders",
            [
                "Inbox",
                "Drafts",
                "Sent",
                "Archive",
                "Junk",
                "Trash",
                "Alpha",
                "beta",
                ["Work", ["Clients", ["Projects", ["2025"]]]],
                "zeta",
            ],
        ],
    ]


async def test_a_missing_parent_gets_a_synthetic_node(store: Store, folder_of: FolderOf) -> None:
    account_id = folder_of(FolderRole.INBOX).account_id
    projects, _ = await store.accounts.create_folder(account_id, "Work/Projects")
    await store.accounts.rename_folder(projects.id, "Old/Projects")  # "Old" itself is not a folder
    model = FolderTreeModel(store.reader)

    projects_index = model.index_for_folder(projects.id)
    synthetic = projects_index.parent()
    assert (projects_index.data(), synthetic.data()) == ("Projects", "Old")
    assert synthetic.data(FolderItemRole.NodeKind) == FolderNodeKind.FOLDER
    assert (model.folder_id(synthetic), model.query(synthetic)) == (None, None)
    assert synthetic.data(FolderItemRole.AccountId) == account_id
    assert synthetic.parent() == model.index_for_account(account_id)
    assert model.query(projects_index) == MessageQuery((projects.id,))


async def test_lookups_and_roles(store: Store, folder_of: FolderOf, fill: Fill) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 9)  # messages 0, 3 and 6 are unread
    account_id = folder_of(FolderRole.INBOX).account_id
    model = FolderTreeModel(store.reader)

    index = model.index_for_folder(inbox)
    assert (index.data(), model.folder_id(index), model.query(index)) == ("Inbox (3)", inbox, MessageQuery((inbox,)))
    assert index.data(FolderItemRole.FolderId) == inbox
    assert index.data(FolderItemRole.Unread) == 3
    assert index.data(FolderItemRole.Query) == MessageQuery((inbox,))
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "9 messages, 3 unread"
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    drafts = model.index_for_folder(folder_of(FolderRole.DRAFTS).id)
    assert (drafts.data(), drafts.data(Qt.ItemDataRole.FontRole)) == ("Drafts", None)
    assert drafts.data(Qt.ItemDataRole.ToolTipRole) == "0 messages, 0 unread"

    account = model.index_for_account(account_id)
    assert (account.data(), account.data(FolderItemRole.NodeKind)) == ("Local Folders", FolderNodeKind.ACCOUNT)
    assert (model.query(account), model.folder_id(account)) == (None, None)
    assert model.all_inboxes_index().data(FolderItemRole.NodeKind) == FolderNodeKind.ALL_INBOXES
    assert model.all_inboxes_index().data(FolderItemRole.AccountId) is None
    assert not model.index_for_folder(99_999).isValid()
    assert model.folder_id(QModelIndex()) is None
    assert model.flags(index) & Qt.ItemFlag.ItemIsSelectable
    assert model.parent() is None  # QObject.parent() still answers


async def test_every_node_has_an_icon_and_each_role_its_own(store: Store, folder_of: FolderOf) -> None:
    account_id = folder_of(FolderRole.INBOX).account_id
    await store.accounts.create_folder(account_id, "Work/Projects")
    model = FolderTreeModel(store.reader)

    def icon(index: QModelIndex) -> QIcon:
        value = index.data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(value, QIcon) and not value.isNull(), index.data()
        return value

    roles = [role for role in FolderRole if store.reader.folder_by_role(account_id, role) is not None]
    keys = {role: icon(model.index_for_folder(folder_of(role).id)).cacheKey() for role in roles}
    assert len(set(keys.values())) == len(roles) >= 6
    others = [model.all_inboxes_index(), model.index_for_account(account_id)]
    projects = store.reader.folder_by_path(account_id, "Work/Projects")
    assert projects is not None
    work = model.index_for_folder(projects.id).parent()  # "Work" is a synthetic parent
    others += [work, model.index_for_folder(projects.id)]
    assert icon(work).cacheKey() == icon(others[-1]).cacheKey()  # plain folders look alike
    assert len({icon(index).cacheKey() for index in others[:3]} | set(keys.values())) == len(roles) + 3


async def test_all_inboxes_counts_across_two_accounts(store: Store, folder_of: FolderOf, fill: Fill) -> None:
    second, _ = await store.accounts.create_local("Second")
    second_inbox = store.reader.folder_by_role(second.id, FolderRole.INBOX)
    assert second_inbox is not None
    await fill(folder_of(FolderRole.INBOX).id, 9)  # 3 unread
    await fill(second_inbox.id, 6, first=9)  # messages 9 and 12 unread
    model = FolderTreeModel(store.reader)

    all_inboxes = model.all_inboxes_index()
    assert all_inboxes.data() == "All Inboxes (5)"
    assert all_inboxes.data(FolderItemRole.Unread) == 5
    assert all_inboxes.data(Qt.ItemDataRole.ToolTipRole) == "15 messages, 5 unread"
    assert model.query(all_inboxes) == MessageQuery((folder_of(FolderRole.INBOX).id, second_inbox.id))
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "All Inboxes (5)",
        "Local Folders",
        "Second",
    ]


async def test_unread_counts_follow_set_seen_and_moves(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    inbox, archive = folder_of(FolderRole.INBOX).id, folder_of(FolderRole.ARCHIVE).id
    ids = await fill(inbox, 4)  # messages 0 and 3 unread
    model = FolderTreeModel(store.reader)
    connect(model, bus)
    changed: list[int | None] = []
    model.dataChanged.connect(lambda top, bottom, roles: changed.append(model.folder_id(top)))

    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged, timeout=0):
        await store.messages.set_seen([ids[0]], True)
    assert changed == [inbox, None]  # the Inbox, then All Inboxes
    assert model.index_for_folder(inbox).data() == "Inbox (1)"
    assert model.all_inboxes_index().data() == "All Inboxes (1)"

    changed.clear()
    await store.messages.move([ids[3]], archive)
    assert sorted(changed, key=str) == sorted([inbox, archive, None], key=str)
    assert model.index_for_folder(inbox).data() == "Inbox"
    assert model.index_for_folder(inbox).data(Qt.ItemDataRole.FontRole) is None
    assert model.index_for_folder(archive).data() == "Archive (1)"
    assert model.all_inboxes_index().data() == "All Inboxes"


async def test_new_folders_and_accounts_rebuild_the_tree(
    store: Store, bus: Any, folder_of: FolderOf, qtbot: Any
) -> None:
    account_id = folder_of(FolderRole.INBOX).account_id
    model = FolderTreeModel(store.reader)
    connect(model, bus)

    with qtbot.waitSignal(model.modelReset, timeout=0), qtbot.waitSignal(model.reloaded, timeout=0):
        folder, _ = await store.accounts.create_folder(account_id, "Receipts")
    assert model.index_for_folder(folder.id).data() == "Receipts"

    with qtbot.waitSignal(model.reloaded, timeout=0):
        second, _ = await store.accounts.create_local("Second")
    assert model.index_for_account(second.id).data() == "Second"
    assert len(model.query(model.all_inboxes_index()).folder_ids) == 2  # type: ignore[union-attr]

    with qtbot.waitSignal(model.reloaded, timeout=0):
        await store.accounts.delete_account(second.id)
    assert not model.index_for_account(second.id).isValid()
    assert model.rowCount() == 2


async def test_an_account_shows_its_colour(store: Store, bus: Any, folder_of: FolderOf, qtbot: Any) -> None:
    account_id = folder_of(FolderRole.INBOX).account_id
    model = FolderTreeModel(store.reader)
    connect(model, bus)

    def corner_colour() -> str:
        icon = model.index_for_account(account_id).data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon)
        return icon.pixmap(14, 14).toImage().pixelColor(7, 7).name()

    plain = corner_colour()
    with qtbot.waitSignal(model.reloaded, timeout=0):
        await store.accounts.set_account_color(account_id, "#2a9d8f")
    assert corner_colour() == "#2a9d8f" != plain
    with qtbot.waitSignal(model.reloaded, timeout=0):
        await store.accounts.set_account_color(account_id, "")
    assert corner_colour() == plain
