"""MessageListModel: a folder's (or All Inboxes') messages as a table, read from the store a page at a time."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractItemModel,
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QFont, QIcon

from realmail_desktop.core.events import Changes
from realmail_desktop.store import MessageQuery, MessageSummary, SortKey, SortOrder, StoreReader, ThreadSummary
from realmail_desktop.ui.icons import app_icon, faded_icon
from realmail_desktop.ui.roles import MessageColumn, MessageRole

SORT_KEYS: dict[MessageColumn, SortKey] = {
    MessageColumn.SENDER: SortKey.SENDER,
    MessageColumn.SUBJECT: SortKey.SUBJECT,
    MessageColumn.DATE: SortKey.DATE,
}
SORT_COLUMNS: dict[SortKey, MessageColumn] = {key: column for column, key in SORT_KEYS.items()}

MAX_CACHED_PAGES = 40
# Carrying a persistent index over costs one `row_of` count query (~5 ms at 100k rows, ~35 ms at 1M); the
# selection and current index are a handful of rows. Past this many rows (a big multi-selection) the model
# drops them all and says `reloaded`.
REMAP_LIMIT = 16

# Marked for pyside6-lupdate; translated where shown.
_HEADERS = (
    "",
    "",
    str(QT_TRANSLATE_NOOP("MessageListModel", "From")),
    str(QT_TRANSLATE_NOOP("MessageListModel", "Subject")),
    str(QT_TRANSLATE_NOOP("MessageListModel", "Date")),
)
_HEADER_TIPS = (
    str(QT_TRANSLATE_NOOP("MessageListModel", "Starred")),
    str(QT_TRANSLATE_NOOP("MessageListModel", "Attachment")),
    None,
    None,
    None,
)
_NO_SUBJECT = str(QT_TRANSLATE_NOOP("MessageListModel", "(no subject)"))
_CENTERED = int(Qt.AlignmentFlag.AlignCenter)
_COLUMNS = len(MessageColumn)
_ROOT = QModelIndex()
_VERTICAL_SORT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_LAYOUT_ARGS = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)


def format_list_date(timestamp: int, *, today: QDate | None = None, locale: QLocale | None = None) -> str:
    """The date column's text, in local time: "14:05" today, "Tue 14:05" in the last 6 days,
    "12 Nov" earlier this year, "12 Nov 2024" before that (and for dates in the future)."""
    moment = QDateTime.fromSecsSinceEpoch(timestamp)
    day = moment.date()
    today = today if today is not None else QDate.currentDate()
    locale = locale if locale is not None else QLocale()
    age = day.daysTo(today)
    if age == 0:
        return moment.toString("HH:mm")
    if 0 < age <= 6:
        return locale.toString(moment, "ddd HH:mm")
    if day.year() == today.year():
        return locale.toString(day, "d MMM")
    return locale.toString(day, "d MMM yyyy")


_SEMANTIC: dict[int, Callable[[MessageSummary], Any]] = {
    MessageRole.Id: lambda s: s.id,
    MessageRole.Summary: lambda s: s,
    MessageRole.Unread: lambda s: not s.is_seen,
    MessageRole.Starred: lambda s: bool(s.is_flagged),
    MessageRole.HasAttachments: lambda s: bool(s.has_attachments),
    MessageRole.Date: lambda s: s.date,
    MessageRole.Sender: lambda s: s.sender_display,
    MessageRole.Subject: lambda s: s.subject,
}


def _hinted(signal: SignalInstance) -> SignalInstance:
    """The layout signal's overload that carries a hint (PySide6 picks the one without arguments);
    indexing a SignalInstance works at run time but is missing from PySide6's stubs."""
    return cast(Any, signal)[_LAYOUT_ARGS]  # type: ignore[no-any-return]


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted rows as (first, last) runs of consecutive rows, one dataChanged each."""
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


class MessageListModel(QAbstractTableModel):
    """The messages of one `MessageQuery` in one `SortOrder`, with no whole-list id array: the row count is
    the folders' stored counters and rows come from an LRU cache of pages read on demand in `data()`.

    Re-sorting and store changes that add, remove or move messages are layout changes: every persistent
    index (the selection, the current index) is carried to its message's new row through `reader.row_of`,
    so the view keeps its selection and scroll position without help. A layout change was chosen over a
    model reset because sync adds mail while the person reads, and a reset would drop their selection each
    time. When carrying them over would cost too much (more than REMAP_LIMIT rows) or a message cannot be
    found again, those indexes are dropped and `reloaded` is emitted: the view then restores its current
    message with `row_of(message_id)`. Flag changes (read, starred) re-read only the cached pages that hold
    them and emit dataChanged for those rows: no layout change at all.

    Signals: reloaded() — after set_query/reload (a model reset) and after any layout change that dropped
    persistent indexes.
    """

    reloaded = Signal()

    def __init__(self, reader: StoreReader, *, page_size: int = 200, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._page_size = max(1, page_size)
        self._query: MessageQuery | None = None
        self._order = SortOrder()
        self._count = 0
        self._pages: OrderedDict[int, list[MessageSummary]] = OrderedDict()
        # Which message stands at each persistent row whose page is not cached (after a re-sort, or once
        # its page was evicted): a store change must know them without reading the changed store.
        self._persistent_ids: dict[int, int] = {}
        self._locale = QLocale()
        self._bold = QFont()
        self._bold.setBold(True)
        # The marks are icons, never text glyphs (fonts without them draw boxes). Unstarred rows show a faint
        # outline: the column still reads as the star column, and starred rows stand out.
        self._star_icons = (faded_icon("star-outline"), app_icon("star"))
        self._header_icons = (app_icon("star-outline"), app_icon("paperclip"))
        self._attachment_icon = app_icon("paperclip")
        self._cells: dict[int, Callable[[MessageSummary, int], Any]] = {
            _DISPLAY: self._display,
            _DECORATION: self._decoration,
            _TOOLTIP: self._tooltip,
            _ALIGNMENT: self._alignment,
        }

    # --- what is shown ----------------------------------------------------------------------------
    @property
    def query(self) -> MessageQuery | None:
        return self._query

    @property
    def order(self) -> SortOrder:
        return self._order

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def cached_pages(self) -> int:
        return len(self._pages)

    def set_query(self, query: MessageQuery | None) -> None:
        """Show `query`'s messages (None: an empty list). The same query again changes nothing."""
        if query == self._query:
            return
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Re-read everything (a model reset; the selection is dropped and `reloaded` emitted)."""
        self.beginResetModel()
        self._pages.clear()
        self._persistent_ids.clear()
        self._count = self._reader.count(self._query) if self._query is not None else 0
        self.endResetModel()
        self.reloaded.emit()

    # --- rows by number and by message ------------------------------------------------------------
    def summary_at(self, row: int) -> MessageSummary | None:
        if self._query is None or not 0 <= row < self._count:
            return None
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
        else:
            self._pages.move_to_end(number)
        # A short page means the store changed after our count; the Changes on their way will fix it.
        return page[offset] if offset < len(page) else None

    def message_id_at(self, row: int) -> int | None:
        summary = self.summary_at(row)
        return summary.id if summary is not None else None

    def row_of(self, message_id: int) -> int | None:
        """The row of a message in the current order, or None when it is not in this list."""
        if self._query is None:
            return None
        for number, page in self._pages.items():
            for offset, summary in enumerate(page):
                if summary.id == message_id:
                    return number * self._page_size + offset
        row = self._reader.row_of(self._query, self._order, message_id)
        return row if row is not None and row < self._count else None

    def _read_page(self, number: int) -> list[MessageSummary]:
        assert self._query is not None
        size = self._page_size
        page = self._reader.page(self._query, self._order, number * size, size, self._count)
        self._pages[number] = page
        if len(self._pages) > MAX_CACHED_PAGES:
            self._forget_page(*self._pages.popitem(last=False))
        return page

    def _forget_page(self, number: int, page: list[MessageSummary]) -> None:
        first = number * self._page_size
        for index in self.persistentIndexList():
            if 0 <= index.row() - first < len(page):
                self._persistent_ids[index.row()] = page[index.row() - first].id

    def _id_at(self, row: int, *, may_read: bool) -> int | None:
        """The message at `row` as far as the model knows; without `may_read`, from memory only (after
        a store change a read would answer for the new list, not the one the row belongs to)."""
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is not None and 0 <= offset < len(page):
            return page[offset].id
        if row in self._persistent_ids:
            return self._persistent_ids[row]
        summary = self.summary_at(row) if may_read else None
        return summary.id if summary is not None else None

    # --- Qt model interface -----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else _COLUMNS

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < _COLUMNS:
            return None
        if role == _DISPLAY:
            header = _HEADERS[section]
            return self.tr(header) if header else header
        if role == _TOOLTIP:
            tip = _HEADER_TIPS[section]
            return self.tr(tip) if tip else None
        if role == _DECORATION:
            return self._header_icons[section] if section <= MessageColumn.ATTACHMENT else None
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        summary = self.summary_at(index.row())
        if summary is None:
            return None
        if role == _FONT:
            return None if summary.is_seen else self._bold
        cell = self._cells.get(role)
        if cell is not None:
            return cell(summary, index.column())
        semantic = _SEMANTIC.get(role)
        return semantic(summary) if semantic is not None else None

    def _display(self, summary: MessageSummary, column: int) -> str | None:
        if column == MessageColumn.SENDER:
            if isinstance(summary, ThreadSummary) and summary.message_count > 1:
                # A conversation's size, by the (short) sender rather than the (elided) subject.
                return f"{summary.sender_display} ({summary.message_count})"
            return summary.sender_display
        if column == MessageColumn.SUBJECT:
            return summary.subject or self.tr(_NO_SUBJECT)
        if column == MessageColumn.DATE:
            return format_list_date(summary.date, locale=self._locale)
        return None

    def _decoration(self, summary: MessageSummary, column: int) -> QIcon | None:
        if column == MessageColumn.STAR:
            return self._star_icons[bool(summary.is_flagged)]
        if column == MessageColumn.ATTACHMENT and summary.has_attachments:
            return self._attachment_icon
        return None

    def _tooltip(self, summary: MessageSummary, column: int) -> str | None:
        if column == MessageColumn.SENDER:
            name, address = summary.sender_name, summary.sender_address
            return f"{name} <{address}>" if name and address else summary.sender_display
        if column == MessageColumn.SUBJECT:
            return summary.subject or self.tr(_NO_SUBJECT)
        if column == MessageColumn.DATE:
            moment = QDateTime.fromSecsSinceEpoch(summary.date)
            return self._locale.toString(moment, QLocale.FormatType.LongFormat)
        if column == MessageColumn.STAR:
            return self.tr("Starred") if summary.is_flagged else None
        if column == MessageColumn.ATTACHMENT:
            return self.tr("Has attachments") if summary.has_attachments else None
        return None

    @staticmethod
    def _alignment(summary: MessageSummary, column: int) -> int | None:
        return _CENTERED if column <= MessageColumn.ATTACHMENT else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by SENDER, SUBJECT or DATE (STAR and ATTACHMENT are not sort keys: nothing happens)."""
        key = SORT_KEYS.get(MessageColumn(column)) if 0 <= column < _COLUMNS else None
        if key is None:
            return
        new_order = SortOrder(key, descending=order == Qt.SortOrder.DescendingOrder)
        if new_order == self._order:
            return
        if self._query is None:
            self._order = new_order
            return
        self._relayout(new_order, store_changed=False)

    # --- store changes ----------------------------------------------------------------------------
    def on_store_changed(self, changes: Changes) -> None:
        """Follow a committed store write: a layout change when the list's members may have changed,
        otherwise a repaint of the cached rows whose flags changed."""
        query = self._query
        if query is None:
            return
        ours = changes.folders.intersection(query.folder_ids)
        touched = self._pages_holding(changes.messages_updated)
        if not ours and not touched:
            return
        # Updates reported together with folders outside this list may be moves across its edge.
        maybe_moved = bool(changes.messages_updated) and not changes.folders.issubset(query.folder_ids)
        membership = bool(ours) and bool(changes.messages_added or changes.messages_removed or maybe_moved)
        if membership or self._reader.count(query) != self._count or not self._refresh_pages(touched):
            self._relayout(self._order, store_changed=True)

    def _pages_holding(self, message_ids: frozenset[int]) -> list[int]:
        if not message_ids:
            return []
        if self._query is not None and self._query.threaded:
            # A thread row stands for all its messages: a flag change to any of them repaints it.
            threads = self._reader.threads.threads_of(message_ids)
            return [
                number
                for number, page in self._pages.items()
                if any(isinstance(s, ThreadSummary) and s.thread_id in threads for s in page)
            ]
        return [number for number, page in self._pages.items() if any(summary.id in message_ids for summary in page)]

    def _refresh_pages(self, numbers: Sequence[int]) -> bool:
        """Re-read these cached pages and repaint their changed rows; False when a page holds other
        messages than before (the list changed under us: the caller falls back to a layout change)."""
        assert self._query is not None
        size = self._page_size
        fresh: dict[int, list[MessageSummary]] = {}
        changed_rows: list[int] = []
        for number in numbers:
            old = self._pages[number]
            new = self._reader.page(self._query, self._order, number * size, size, self._count)
            if [s.id for s in new] != [s.id for s in old]:
                return False
            fresh[number] = new
            changed_rows.extend(number * size + i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)
        for number, page in fresh.items():
            self._pages[number] = page
        for first, last in _runs(changed_rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, _COLUMNS - 1))
        return True

    def _relayout(self, order: SortOrder, *, store_changed: bool) -> None:
        """Switch to `order` (or re-read after a store change) as one layout change, carrying persistent
        indexes over by message id."""
        assert self._query is not None
        _hinted(self.layoutAboutToBeChanged).emit([], _VERTICAL_SORT)
        persistent = self.persistentIndexList()
        old_rows = {index.row() for index in persistent}
        ids: dict[int, int] = {}
        if len(old_rows) <= REMAP_LIMIT:
            for old_row in old_rows:
                message_id = self._id_at(old_row, may_read=not store_changed)
                if message_id is not None:
                    ids[old_row] = message_id
        self._order = order
        self._pages.clear()
        self._count = self._reader.count(self._query)
        new_rows: dict[int, int | None] = {
            message_id: self._reader.row_of(self._query, order, message_id) for message_id in set(ids.values())
        }
        targets: list[QModelIndex] = []
        for index in persistent:
            message_id = ids.get(index.row())
            row = new_rows.get(message_id) if message_id is not None else None
            if row is not None and row < self._count:
                targets.append(self.index(row, index.column()))
            else:
                targets.append(QModelIndex())
        self.changePersistentIndexList(persistent, targets)
        self._persistent_ids = {
            target.row(): ids[index.row()]
            for index, target in zip(persistent, targets, strict=True)
            if target.isValid()
        }
        _hinted(self.layoutChanged).emit([], _VERTICAL_SORT)
        if not all(target.isValid() for target in targets):
            self.reloaded.emit()
