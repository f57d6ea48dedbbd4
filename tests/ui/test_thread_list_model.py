"""MessageListModel in conversation mode (`MessageQuery.threads`): one row per thread, counts, newest first,
unread and starred propagated from any message of a thread, paging, and store changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QFont

from realmail_desktop.store import Folder, FolderRole, MessageQuery, NewMessage, Store, ThreadSummary
from realmail_desktop.ui.models.message_list import MessageListModel
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import MessageColumn, MessageRole

pytestmark = pytest.mark.gui

FolderOf = Callable[[FolderRole], Folder]
T0 = 1_700_000_000


def reply(thread: int, k: int, *, seen: bool = True) -> NewMessage:
    """Message k of thread `thread` (k replies to k-1); thread t's messages are dated t*1000 + k."""
    subject = f"Project {thread} status" if k == 0 else f"Re: Project {thread} status"
    return NewMessage(
        message_id=f"<t{thread}.{k}@example.test>",
        in_reply_to=f"<t{thread}.{k - 1}@example.test>" if k else "",
        date=T0 + thread * 1000 + k,
        sender_name=f"Person {k}",
        sender_sort=f"person {k}",
        subject=subject,
        subject_sort=subject.casefold(),
        is_seen=seen,
    )


async def threaded_inbox(store: Store, folder_of: FolderOf, threads: int) -> tuple[int, list[list[int]]]:
    """An Inbox with `threads` threads; thread t has 1 + t % 4 messages, all read."""
    inbox = folder_of(FolderRole.INBOX).id
    ids: list[list[int]] = []
    batch = [reply(t, k) for t in range(threads) for k in range(1 + t % 4)]
    added, _ = await store.messages.add(inbox, batch)
    it = iter(added)
    for t in range(threads):
        ids.append([next(it) for _ in range(1 + t % 4)])
    return inbox, ids


def connect(model: MessageListModel, bus: Any) -> EventBridge:
    bridge = EventBridge(bus, parent=model)
    bridge.storeChanged.connect(model.on_store_changed)
    return bridge


async def test_one_row_per_thread_newest_first_with_counts(
    store: Store, folder_of: FolderOf, qtmodeltester: Any
) -> None:
    inbox, ids = await threaded_inbox(store, folder_of, 120)
    model = MessageListModel(store.reader, page_size=16)
    model.set_query(MessageQuery((inbox,), threads=True))
    qtmodeltester.check(model)
    assert model.rowCount() == 120
    # Every row across many pages: the newest message of thread 119, 118, … 0.
    for row in range(120):
        thread = 119 - row
        summary = model.data(model.index(row, 0), MessageRole.Summary)
        assert isinstance(summary, ThreadSummary)
        assert summary.id == ids[thread][-1]
        assert summary.message_count == 1 + thread % 4
        count = 1 + thread % 4
        sender = model.data(model.index(row, MessageColumn.SENDER), Qt.ItemDataRole.DisplayRole)
        assert sender == (f"Person {count - 1} ({count})" if count > 1 else "Person 0")
        subject = model.data(model.index(row, MessageColumn.SUBJECT), Qt.ItemDataRole.DisplayRole)
        assert subject == (f"Re: Project {thread} status" if count > 1 else f"Project {thread} status")
    flat = MessageListModel(store.reader)
    flat.set_query(MessageQuery((inbox,)))
    assert flat.rowCount() == sum(len(t) for t in ids)


async def test_unread_and_starred_of_any_message_mark_the_thread_row(
    store: Store, bus: Any, folder_of: FolderOf, qtbot: Any
) -> None:
    inbox, ids = await threaded_inbox(store, folder_of, 40)
    model = MessageListModel(store.reader, page_size=16)
    model.set_query(MessageQuery((inbox,), threads=True))
    connect(model, bus)
    thread = 39 - 5  # row 5; 3 messages (34 % 4 == 2 → 3)
    oldest = ids[thread][0]
    assert len(ids[thread]) == 3
    assert model.data(model.index(5, 0), MessageRole.Unread) is False
    font = Qt.ItemDataRole.FontRole
    assert model.data(model.index(5, MessageColumn.SENDER), font) is None

    # The oldest message of the thread becomes unread: the thread row (showing the newest) turns bold.
    with qtbot.assertNotEmitted(model.layoutChanged), qtbot.waitSignal(model.dataChanged, timeout=0):
        await store.messages.set_seen([oldest], False)
    assert model.data(model.index(5, 0), MessageRole.Unread) is True
    assert isinstance(model.data(model.index(5, MessageColumn.SENDER), font), QFont)
    assert model.message_id_at(5) == ids[thread][-1]

    with qtbot.waitSignal(model.dataChanged, timeout=0):
        await store.messages.set_flagged([ids[thread][1]], True)
    assert model.data(model.index(5, 0), MessageRole.Starred) is True
    assert model.data(model.index(4, 0), MessageRole.Starred) is False


async def test_a_reply_moves_its_thread_to_the_top_and_keeps_the_selection(
    store: Store, bus: Any, folder_of: FolderOf, qtbot: Any
) -> None:
    inbox, ids = await threaded_inbox(store, folder_of, 30)
    model = MessageListModel(store.reader, page_size=8)
    model.set_query(MessageQuery((inbox,), threads=True))
    connect(model, bus)
    selection = QItemSelectionModel(model)
    selection.setCurrentIndex(model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    selected_thread = 29 - 3
    assert model.message_id_at(3) == ids[selected_thread][-1]  # on screen: its page is read
    # A late reply to thread 10 makes it the newest thread; the count stays 30 rows.
    late = reply(10, 9).model_copy(update={"date": T0 + 99_000, "in_reply_to": f"<t10.{10 % 4}@example.test>"})
    with qtbot.waitSignal(model.layoutChanged, timeout=0):
        await store.messages.add(inbox, [late])
    assert model.rowCount() == 30
    top = model.data(model.index(0, 0), MessageRole.Summary)
    assert isinstance(top, ThreadSummary)
    assert top.message_id == "<t10.9@example.test>"
    assert top.message_count == 1 + 10 % 4 + 1
    current = selection.currentIndex()
    assert current.row() == 4  # one row lower: thread 10 moved above it
    assert model.message_id_at(current.row()) == ids[selected_thread][-1]
