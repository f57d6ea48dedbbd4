"""Manage folders: every folder the server lists, subscribed or not, with a box each; the filter narrows a big
list; ticking and unticking go to the engine, a refusal shows the stored state again, the Inbox stays on; and
the folder tree lists subscribed folders only.

The engine is tests/ui/sync_stand_in.py's recording stand-in over a real store (it (un)subscribes locally as
the engine does); tests/integration/test_account_settings_ui.py unsubscribes through this dialog on Dovecot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.store import Account, Store
from realmail_desktop.ui.dialogs.folder_subscriptions_dialog import (
    FolderSubscriptionsDialog,
    folder_subscriptions_dialog,
)
from realmail_desktop.ui.models.folder_tree import FolderTreeModel
from realmail_desktop.ui.ops import Ops

from .qt_async import idle, next_emit, wait_for
from .sync_stand_in import RecordingEngine, folder_id, imap_account

pytestmark = pytest.mark.gui

ALL_PATHS = ["Inbox", "Lists", "Lists/python-dev", "Old", "Sent", "Trash", "Work", "Work/Projects"]


@dataclass
class Managing:
    dialog: FolderSubscriptionsDialog
    engine: RecordingEngine
    account: Account
    ops: Ops
    store: Store
    tree: FolderTreeModel


@pytest.fixture
async def window() -> AsyncIterator[QMainWindow]:
    made = QMainWindow()
    made.show()
    yield made
    made.close()
    shiboken6.delete(made)  # now, on this thread (see tests/conftest.py)


@pytest.fixture
async def ops() -> AsyncIterator[Ops]:
    made = Ops()
    yield made
    await made.drain()


@pytest.fixture
async def managing(store: Store, bus: EventBus, window: QMainWindow, ops: Ops) -> Managing:
    account = await imap_account(store)
    engine = RecordingEngine(store)
    dialog = FolderSubscriptionsDialog(store.reader, account, engine, ops, window)
    dialog.open()
    tree = FolderTreeModel(store.reader, window)
    for listener in (dialog.on_store_changed, tree.on_store_changed):
        bus.subscribe(Changes, listener)
    return Managing(dialog, engine, account, ops, store, tree)


def tree_paths(tree: FolderTreeModel, account: Account) -> list[str]:
    """The tree's rows under the account, as paths, depth first."""
    paths: list[str] = []

    def walk(parent: object, prefix: str) -> None:
        for row in range(tree.rowCount(parent)):  # type: ignore[arg-type]
            index = tree.index(row, 0, parent)  # type: ignore[arg-type]
            name = str(index.data()).split(" (")[0]
            path = f"{prefix}{name}"
            paths.append(path)
            walk(index, f"{path}/")

    walk(tree.index_for_account(account.id), "")
    return paths


async def test_lists_every_folder_with_its_subscription(managing: Managing, qtmodeltester: Any) -> None:
    dialog = managing.dialog
    qtmodeltester.check(dialog.proxy)
    assert dialog.visible_paths() == ALL_PATHS
    subscribed = [path for path in ALL_PATHS if dialog.is_checked(path)]
    assert subscribed == ["Inbox", "Old", "Sent", "Trash", "Work"]
    locked = [path for path in ALL_PATHS if dialog.is_locked(path)]
    assert locked == ["Inbox", "Sent", "Trash"]  # the Inbox and special-use folders are always shown


async def test_the_filter_narrows_the_list_in_any_case(managing: Managing) -> None:
    dialog = managing.dialog
    dialog.filter_edit.setText("PYTHON")
    assert dialog.visible_paths() == ["Lists/python-dev"]
    dialog.filter_edit.setText("work/")
    assert dialog.visible_paths() == ["Work/Projects"]
    dialog.filter_edit.clear()
    assert dialog.visible_paths() == ALL_PATHS


async def test_the_tree_lists_subscribed_folders_only(managing: Managing) -> None:
    # Sent is not subscribed on the server, but special-use folders are always synced and shown.
    assert tree_paths(managing.tree, managing.account) == ["Inbox", "Sent", "Trash", "Old", "Work"]
    listed = managing.store.reader.folders(managing.account.id)
    assert [f.path for f in listed if not f.subscribed] == ["Sent"]


async def test_unticking_unsubscribes_and_the_folder_leaves_the_tree(managing: Managing) -> None:
    dialog, account, store = managing.dialog, managing.account, managing.store
    work = folder_id(store, account, "Work")
    done = next_emit(dialog.subscriptionChanged)
    dialog.set_checked("Work", False)
    assert await wait_for(done) == (work, False)
    await idle(managing.ops)
    assert managing.engine.subscriptions == [(work, False)]
    assert tree_paths(managing.tree, account) == ["Inbox", "Sent", "Trash", "Old"]
    assert not dialog.is_checked("Work") and dialog.visible_paths() == ALL_PATHS  # still listed here

    projects = folder_id(store, account, "Work/Projects")
    done = next_emit(dialog.subscriptionChanged)
    dialog.set_checked("Work/Projects", True)
    assert await wait_for(done) == (projects, True)
    # A subscribed folder under an unsubscribed one: its parent shows as a plain node, without mail of its own.
    assert tree_paths(managing.tree, account) == ["Inbox", "Sent", "Trash", "Old", "Work", "Work/Projects"]
    assert managing.tree.index_for_folder(work).isValid() is False


async def test_a_refusal_shows_the_stored_state_again(managing: Managing) -> None:
    managing.engine.refuse = KnownError("The server is not reachable.")
    refused = next_emit(managing.ops.knownError)
    managing.dialog.set_checked("Old", False)
    assert await wait_for(refused) == ("The server is not reachable.", "")
    await idle(managing.ops)
    assert managing.dialog.is_checked("Old")
    assert "Old" in tree_paths(managing.tree, managing.account)


async def test_the_inbox_and_special_folders_cannot_be_unticked(managing: Managing) -> None:
    managing.dialog.set_checked("Inbox", False)
    managing.dialog.set_checked("Trash", False)
    await idle(managing.ops)
    assert managing.dialog.is_checked("Inbox") and managing.dialog.is_checked("Trash")
    assert managing.engine.subscriptions == []


async def test_only_an_imap_account_has_folders_to_manage(store: Store, window: QMainWindow, ops: Ops) -> None:
    local, _ = await store.accounts.create_local()
    imap = await imap_account(store)
    engine = RecordingEngine(store)
    assert folder_subscriptions_dialog(store.reader, local.id, engine, ops, window) is None
    dialog = folder_subscriptions_dialog(store.reader, imap.id, engine, ops, window)
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    dialog.reject()
