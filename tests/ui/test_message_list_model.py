"""MessageListModel over a real store: paging, sorting, selection across changes, store changes, display."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, QItemSelectionModel, QLocale, QModelIndex, Qt, QTime
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QAbstractItemView, QTableView

from realmail_desktop.store import Folder, FolderRole, MessageQuery, NewMessage, SortKey, SortOrder, Store, StoreReader
from realmail_desktop.ui.models.message_list import MAX_CACHED_PAGES, REMAP_LIMIT, MessageListModel, format_list_date
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import MessageColumn, MessageRole

pytestmark = pytest.mark.gui

SELECT_ROW = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
SELECT_ONLY_ROW = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
Display = Qt.ItemDataRole.DisplayRole
Fill = Callable[..., Awaitable[list[int]]]
FolderOf = Callable[[FolderRole], Folder]
Sample = Callable[..., NewMessage]


class CountingReader(StoreReader):
    """The store's GUI reader, counting the reads a model makes."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.db.reader)
        self.pages = 0
        self.counts = 0

    def page(self, *args: Any, **kwargs: Any) -> Any:
        self.pages += 1
        return super().page(*args, **kwargs)

    def count(self, *args: Any, **kwargs: Any) -> Any:
        self.counts += 1
        return super().count(*args, **kwargs)


def listed_ids(model: MessageListModel) -> list[int | None]:
    return [model.message_id_at(row) for row in range(model.rowCount())]


def python_order(sample: Sample, ids: list[int], key: SortKey, descending: bool) -> list[int]:
    """The list order computed in Python from the generated messages 0…: (key, date, id)."""
    messages = {mid: sample(n) for n, mid in enumerate(ids)}
    field = {SortKey.DATE: None, SortKey.SENDER: "sender_sort", SortKey.SUBJECT: "subject_sort"}[key]

    def sort_key(mid: int) -> tuple[str, int, int]:
        message = messages[mid]
        return (getattr(message, field) if field else "", message.date, mid)

    ordered = sorted(ids, key=sort_key)
    return ordered[::-1] if descending else ordered


def connect(model: MessageListModel, bus: Any) -> EventBridge:
    bridge = EventBridge(bus, parent=model)  # lives as long as the model
    bridge.storeChanged.connect(model.on_store_changed)
    return bridge


async def inbox_model(
    fill: Fill, folder_of: FolderOf, store: Store, count: int, bus: Any | None = None
) -> tuple[int, MessageListModel, QItemSelectionModel]:
    """A 50-row-page model over an Inbox of `count` messages, with a selection model (and live store
    changes when `bus` is given)."""
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, count)
    model = MessageListModel(store.reader, page_size=50)
    model.set_query(MessageQuery((inbox,)))
    if bus is not None:
        connect(model, bus)
    return inbox, model, QItemSelectionModel(model)


async def test_model_tester_passes_through_sorts_and_store_changes(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtmodeltester: Any
) -> None:
    inbox, archive = folder_of(FolderRole.INBOX).id, folder_of(FolderRole.ARCHIVE).id
    ids = await fill(inbox, 300)
    model = MessageListModel(store.reader, page_size=32)
    model.set_query(MessageQuery((inbox,)))
    bridge = connect(model, bus)
    qtmodeltester.check(model)
    model.sort(MessageColumn.SENDER, Qt.SortOrder.AscendingOrder)
    model.sort(MessageColumn.SUBJECT, Qt.SortOrder.DescendingOrder)
    await store.messages.set_seen(ids[:10], True)
    await store.messages.set_flagged(ids[:10], True)
    await fill(inbox, 20, first=300)
    await store.messages.move(ids[10:20], archive)
    await store.messages.delete(ids[20:25])
    model.set_query(MessageQuery((archive,)))
    model.set_query(None)
    assert model.rowCount() == 0
    bridge.detach()


async def test_rows_across_page_boundaries_match_the_reader_and_the_cache_stays_bounded(
    store: Store, folder_of: FolderOf, fill: Fill
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 5000)
    query = MessageQuery((inbox,))
    model = MessageListModel(store.reader, page_size=50)
    model.set_query(query)

    assert model.rowCount() == 5000
    expected = [s.id for s in store.reader.page(query, SortOrder(), 0, 5000)]
    assert model.message_id_at(4999) == expected[-1]
    assert model.summary_at(4999) == store.reader.message(expected[-1])
    assert listed_ids(model) == expected
    assert model.cached_pages <= MAX_CACHED_PAGES
    assert model.message_id_at(5000) is None
    assert model.message_id_at(-1) is None


async def test_data_reads_one_page_per_miss_and_nothing_else(store: Store, folder_of: FolderOf, fill: Fill) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 1000)
    reader = CountingReader(store)
    model = MessageListModel(reader, page_size=100)
    model.set_query(MessageQuery((inbox,)))
    assert (reader.counts, reader.pages) == (1, 0)

    for row in range(100):
        for column in MessageColumn:
            model.data(model.index(row, column))
            model.data(model.index(row, column), Qt.ItemDataRole.FontRole)
    assert reader.pages == 1
    model.data(model.index(999, MessageColumn.SUBJECT))
    model.data(model.index(0, MessageColumn.SUBJECT))
    assert (reader.counts, reader.pages) == (1, 2)


@pytest.mark.parametrize("column", [MessageColumn.SENDER, MessageColumn.SUBJECT, MessageColumn.DATE])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
async def test_sort_matches_python_order(
    store: Store,
    folder_of: FolderOf,
    sample: Sample,
    fill: Fill,
    column: MessageColumn,
    order: Qt.SortOrder,
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    ids = await fill(inbox, 600)
    model = MessageListModel(store.reader, page_size=64)
    model.set_query(MessageQuery((inbox,)))
    model.sort(MessageColumn.SUBJECT, Qt.SortOrder.AscendingOrder)  # start from some other order

    model.sort(column, order)

    key = {MessageColumn.SENDER: SortKey.SENDER, MessageColumn.SUBJECT: SortKey.SUBJECT}.get(column, SortKey.DATE)
    descending = order == Qt.SortOrder.DescendingOrder
    assert model.order == SortOrder(key, descending)
    assert listed_ids(model) == python_order(sample, ids, key, descending)


async def test_star_and_attachment_columns_do_not_sort(
    store: Store, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 50)
    model = MessageListModel(store.reader)
    model.set_query(MessageQuery((inbox,)))
    before = listed_ids(model)
    with qtbot.assertNotEmitted(model.layoutChanged), qtbot.assertNotEmitted(model.modelReset):
        model.sort(MessageColumn.STAR, Qt.SortOrder.AscendingOrder)
        model.sort(MessageColumn.ATTACHMENT, Qt.SortOrder.DescendingOrder)
        model.sort(-1, Qt.SortOrder.AscendingOrder)
        model.sort(MessageColumn.DATE, Qt.SortOrder.DescendingOrder)  # already the order
    assert listed_ids(model) == before
    assert model.order == SortOrder()


async def test_sorting_keeps_the_selected_message_selected(
    store: Store, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    _inbox, model, selection = await inbox_model(fill, folder_of, store, 1000)
    selection.setCurrentIndex(model.index(123, MessageColumn.SUBJECT), SELECT_ONLY_ROW)
    selected = model.message_id_at(123)
    assert selected is not None

    with qtbot.assertNotEmitted(model.reloaded), qtbot.assertNotEmitted(model.modelReset):
        model.sort(MessageColumn.SENDER, Qt.SortOrder.AscendingOrder)

    assert model.row_of(selected) == selection.currentIndex().row() != 123
    assert selection.currentIndex().column() == MessageColumn.SUBJECT
    assert [model.message_id_at(index.row()) for index in selection.selectedRows()] == [selected]


async def test_sorting_with_a_big_selection_drops_it_and_says_reloaded(
    store: Store, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    _inbox, model, selection = await inbox_model(fill, folder_of, store, 500)
    for row in range(0, 4 * (REMAP_LIMIT + 1), 4):
        selection.select(model.index(row, 0), SELECT_ROW)

    with qtbot.waitSignal(model.reloaded, timeout=0):
        model.sort(MessageColumn.SUBJECT, Qt.SortOrder.AscendingOrder)

    assert not selection.hasSelection()
    assert model.order == SortOrder(SortKey.SUBJECT, descending=False)


async def test_set_seen_repaints_exactly_that_row(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 300)
    model = MessageListModel(store.reader, page_size=100)
    model.set_query(MessageQuery((inbox,)))
    connect(model, bus)
    row = next(r for r in range(50) if model.data(model.index(r, 0), MessageRole.Unread))
    message_id = model.message_id_at(row)
    assert message_id is not None
    assert isinstance(model.data(model.index(row, MessageColumn.SENDER), Qt.ItemDataRole.FontRole), QFont)
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row(), a.column(), b.column())))

    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.assertNotEmitted(model.layoutChanged),
        qtbot.waitSignal(model.dataChanged, timeout=0),
    ):
        await store.messages.set_seen([message_id], True)

    assert changed == [(row, row, 0, len(MessageColumn) - 1)]
    assert model.message_id_at(row) == message_id
    assert model.data(model.index(row, MessageColumn.SENDER), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(row, 0), MessageRole.Unread) is False


async def test_a_flag_change_outside_the_cached_pages_emits_nothing(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 300)
    query = MessageQuery((inbox,))
    model = MessageListModel(store.reader, page_size=50)
    model.set_query(query)
    connect(model, bus)
    model.message_id_at(0)  # only page 0 is cached
    far = store.reader.page(query, model.order, 250, 1)[0]

    with (
        qtbot.assertNotEmitted(model.dataChanged),
        qtbot.assertNotEmitted(model.layoutChanged),
        qtbot.assertNotEmitted(model.modelReset),
    ):
        await store.messages.set_flagged([far.id], not far.is_flagged)

    assert model.data(model.index(250, 0), MessageRole.Starred) is (not far.is_flagged)


async def test_row_count_follows_add_move_and_delete(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtmodeltester: Any
) -> None:
    inbox, archive = folder_of(FolderRole.INBOX).id, folder_of(FolderRole.ARCHIVE).id
    trash = folder_of(FolderRole.TRASH).id
    ids = await fill(inbox, 40)
    model = MessageListModel(store.reader, page_size=16)
    model.set_query(MessageQuery((inbox,)))
    archived = MessageListModel(store.reader)
    archived.set_query(MessageQuery((archive,)))
    connect(model, bus).storeChanged.connect(archived.on_store_changed)
    qtmodeltester.check(model)

    await fill(inbox, 5, first=40)
    assert model.rowCount() == 45
    await store.messages.move(ids[:3], archive)
    assert (model.rowCount(), archived.rowCount()) == (42, 3)
    assert set(listed_ids(archived)) == set(ids[:3])
    await store.messages.delete(ids[3:5])
    assert model.rowCount() == 40
    await store.messages.delete_to_trash([ids[5]])
    assert model.rowCount() == 39
    assert ids[5] in store.reader.folder_message_ids(trash)
    assert set(listed_ids(model)) == set(store.reader.folder_message_ids(inbox))


async def test_new_mail_keeps_the_selection_and_deleting_it_says_reloaded(
    store: Store, bus: Any, folder_of: FolderOf, sample: Sample, fill: Fill, qtbot: Any
) -> None:
    inbox, model, selection = await inbox_model(fill, folder_of, store, 200, bus)
    selection.setCurrentIndex(model.index(10, 0), SELECT_ONLY_ROW)
    selected = model.message_id_at(10)
    assert selected is not None

    newest = sample(1000, date=2_000_000_000)
    with qtbot.assertNotEmitted(model.reloaded), qtbot.assertNotEmitted(model.modelReset):
        await store.messages.add(inbox, [newest, newest.model_copy(update={"message_id": "<other@x>"})])
    assert selection.currentIndex().row() == 12
    assert model.message_id_at(12) == selected
    assert [index.row() for index in selection.selectedRows()] == [12]

    with qtbot.waitSignal(model.reloaded, timeout=0):
        await store.messages.delete([selected])
    assert not selection.currentIndex().isValid()
    assert model.rowCount() == 201
    assert model.row_of(selected) is None


async def test_the_selection_survives_store_changes_when_its_page_is_not_cached(
    store: Store, bus: Any, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    inbox, model, selection = await inbox_model(fill, folder_of, store, 3000, bus)
    selection.setCurrentIndex(model.index(5, 0), SELECT_ONLY_ROW)
    selected = model.message_id_at(5)

    def still_selected() -> None:
        assert model.message_id_at(selection.currentIndex().row()) == selected
        assert len(selection.selectedRows()) == 1

    with qtbot.assertNotEmitted(model.reloaded):
        model.sort(MessageColumn.SENDER, Qt.SortOrder.AscendingOrder)  # the cache starts empty again
        await fill(inbox, 1, first=3000)
        still_selected()

        selection.setCurrentIndex(model.index(2000, 0), SELECT_ONLY_ROW)
        selected = model.message_id_at(2000)
        for row in range(0, 3000, 50):  # evict the selected row's page
            if row // 50 != 2000 // 50:
                model.message_id_at(row)
        assert model.cached_pages == MAX_CACHED_PAGES
        await fill(inbox, 1, first=3001)
        still_selected()
    assert model.rowCount() == 3002


async def test_all_inboxes_lists_both_accounts_in_one_order(
    store: Store, folder_of: FolderOf, sample: Sample, fill: Fill
) -> None:
    other, _ = await store.accounts.create_local("Second")
    other_inbox = store.reader.folder_by_role(other.id, FolderRole.INBOX)
    assert other_inbox is not None
    first = await fill(folder_of(FolderRole.INBOX).id, 30)
    second = await fill(other_inbox.id, 30, first=30)
    model = MessageListModel(store.reader, page_size=7)
    model.set_query(MessageQuery(store.reader.inbox_ids()))

    assert model.rowCount() == 60
    all_ids = first + second
    assert listed_ids(model) == python_order(sample, all_ids, SortKey.DATE, descending=True)


async def test_set_query_resets_only_for_a_new_query(store: Store, folder_of: FolderOf, fill: Fill, qtbot: Any) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 10)
    model = MessageListModel(store.reader)
    assert (model.query, model.rowCount()) == (None, 0)
    with qtbot.waitSignal(model.modelReset, timeout=0), qtbot.waitSignal(model.reloaded, timeout=0):
        model.set_query(MessageQuery((inbox,)))
    assert model.rowCount() == 10
    with qtbot.assertNotEmitted(model.modelReset):
        model.set_query(MessageQuery((inbox,)))
    model.set_query(None)
    assert (model.rowCount(), model.message_id_at(0), model.row_of(1)) == (0, None, None)


async def test_cells_show_sender_subject_date_and_marks(
    store: Store, folder_of: FolderOf, sample: Sample, qtbot: Any
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    named = sample(0, sender_name="Ann Lee", sender_address="ann@x.org", subject="", is_flagged=True)
    bare = sample(1, sender_name="", sender_address="bob@x.org", subject="Hi", date=named.date - 60)
    await store.messages.add(inbox, [named, bare])
    model = MessageListModel(store.reader)
    model.set_query(MessageQuery((inbox,)))

    def cell(row: int, column: MessageColumn, role: int = Display) -> Any:
        return model.data(model.index(row, column), role)

    tip = Qt.ItemDataRole.ToolTipRole
    assert (cell(0, MessageColumn.SENDER), cell(1, MessageColumn.SENDER)) == ("Ann Lee", "bob@x.org")
    assert (cell(0, MessageColumn.SENDER, tip), cell(1, MessageColumn.SENDER, tip)) == (
        "Ann Lee <ann@x.org>",
        "bob@x.org",
    )
    assert (cell(0, MessageColumn.SUBJECT), cell(1, MessageColumn.SUBJECT)) == ("(no subject)", "Hi")
    assert cell(0, MessageColumn.DATE) == format_list_date(named.date)
    assert str(QDateTime.fromSecsSinceEpoch(named.date).date().year()) in cell(0, MessageColumn.DATE, tip)
    icon = Qt.ItemDataRole.DecorationRole
    # The marks are icons (the bundled SVGs offscreen), never text: fonts without the glyphs draw boxes.
    for row in (0, 1):
        assert cell(row, MessageColumn.STAR) is None and cell(row, MessageColumn.ATTACHMENT) is None
        star = cell(row, MessageColumn.STAR, icon)
        assert isinstance(star, QIcon) and not star.isNull()
    assert cell(0, MessageColumn.STAR, icon).cacheKey() != cell(1, MessageColumn.STAR, icon).cacheKey()
    paperclip = cell(0, MessageColumn.ATTACHMENT, icon)
    assert isinstance(paperclip, QIcon) and not paperclip.isNull()
    assert cell(1, MessageColumn.ATTACHMENT, icon) is None  # bare has no attachment
    assert (cell(0, MessageColumn.STAR, tip), cell(1, MessageColumn.STAR, tip)) == ("Starred", None)
    assert cell(0, MessageColumn.SENDER, MessageRole.Sender) == "Ann Lee"
    assert cell(0, MessageColumn.DATE, MessageRole.Subject) == ""
    assert cell(0, MessageColumn.DATE, MessageRole.Date) == named.date
    assert cell(0, MessageColumn.DATE, MessageRole.Starred) is True
    assert cell(0, MessageColumn.DATE, MessageRole.HasAttachments) is True
    assert cell(1, MessageColumn.DATE, MessageRole.HasAttachments) is False
    assert cell(1, MessageColumn.DATE, MessageRole.Summary).sender_address == "bob@x.org"
    assert cell(0, MessageColumn.DATE, MessageRole.Id) == model.message_id_at(0)
    assert model.row_of(model.message_id_at(1) or 0) == 1
    assert cell(0, MessageColumn.SUBJECT, Qt.ItemDataRole.FontRole).bold()

    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in MessageColumn]
    assert headers == ["", "", "From", "Subject", "Date"]
    tips = [model.headerData(c, Qt.Orientation.Horizontal, tip) for c in MessageColumn]
    assert tips[:2] == ["Starred", "Attachment"]
    header_icons = [model.headerData(c, Qt.Orientation.Horizontal, icon) for c in MessageColumn]
    assert all(isinstance(i, QIcon) and not i.isNull() for i in header_icons[:2])
    assert header_icons[2:] == [None, None, None]
    flags = model.flags(model.index(0, 0))
    assert flags & Qt.ItemFlag.ItemIsSelectable and flags & Qt.ItemFlag.ItemIsEnabled
    assert flags & Qt.ItemFlag.ItemIsDragEnabled
    assert not flags & Qt.ItemFlag.ItemIsEditable
    assert model.data(QModelIndex()) is None


def test_dates_read_like_a_mail_client() -> None:
    locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    today = QDate(2025, 11, 20)  # a Thursday

    def at(day: QDate, hour: int = 14, minute: int = 5) -> int:
        return QDateTime(day, QTime(hour, minute)).toSecsSinceEpoch()

    def shown(day: QDate, hour: int = 14, minute: int = 5) -> str:
        return format_list_date(at(day, hour, minute), today=today, locale=locale)

    assert shown(today) == "14:05"
    assert shown(today, 0, 0) == "00:00"
    assert shown(QDate(2025, 11, 18)) == "Tue 14:05"
    assert shown(QDate(2025, 11, 14)) == "Fri 14:05"  # six days back
    assert shown(QDate(2025, 11, 13)) == "13 Nov"
    assert shown(QDate(2025, 1, 2)) == "2 Jan"
    assert shown(QDate(2024, 11, 12)) == "12 Nov 2024"
    assert shown(QDate(2025, 11, 21)) == "21 Nov"  # a date from a fast clock is not "today"
    assert shown(QDate(2026, 1, 3)) == "3 Jan 2026"


async def test_a_table_view_reads_only_the_pages_it_paints(
    store: Store, folder_of: FolderOf, fill: Fill, qtbot: Any
) -> None:
    inbox = folder_of(FolderRole.INBOX).id
    await fill(inbox, 5000)
    reader = CountingReader(store)
    model = MessageListModel(reader, page_size=200)
    model.set_query(MessageQuery((inbox,)))
    view = QTableView()
    qtbot.addWidget(view)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    view.grab()
    assert reader.pages == 1
    view.scrollToBottom()
    view.grab()
    assert reader.pages == 2
    assert model.cached_pages == 2
