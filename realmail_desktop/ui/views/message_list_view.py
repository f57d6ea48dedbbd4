"""MessageListView: the message table — fixed-height rows, Date-descending by default, j/k like Down/Up."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from realmail_desktop.ui.models.message_list import MessageListModel
from realmail_desktop.ui.roles import MessageColumn
from realmail_desktop.ui.views.icon_delegate import IconDelegate

# Columns the store has a sort index for; the others (star, paper clip) are not sortable.
SORTABLE_COLUMNS = frozenset({MessageColumn.DATE, MessageColumn.SENDER, MessageColumn.SUBJECT})
_VIM_KEYS = {Qt.Key.Key_J: Qt.Key.Key_Down, Qt.Key.Key_K: Qt.Key.Key_Up}


class MessageListView(QTableView):
    """A QTableView, not a QTreeView: it paints a million rows at once (FIELD-NOTES, PySide6 and qasync).

    Rows are selected whole, several at a time; `selected_ids()` / `select_ids()` speak in message ids so a
    selection survives the model's resets.
    """

    def __init__(self, model: MessageListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageList")
        self._model = model
        self._sort_column = MessageColumn.DATE
        self._sort_order = Qt.SortOrder.DescendingOrder
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

        rows = self.verticalHeader()
        rows.hide()
        # One fixed height for every row: the view never asks the model to measure rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)

        columns = self.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setSectionsMovable(True)
        columns.setStretchLastSection(False)
        narrow = self.fontMetrics().height() + 14
        # Only the icon columns get the Python delegate: the text columns keep Qt's, for painting speed.
        self._icon_delegate = IconDelegate(self, icon_only=True)
        for column in (MessageColumn.STAR, MessageColumn.ATTACHMENT):
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            columns.resizeSection(column, narrow)
            self.setItemDelegateForColumn(column, self._icon_delegate)
        columns.setSectionResizeMode(MessageColumn.SENDER, QHeaderView.ResizeMode.Interactive)
        columns.resizeSection(MessageColumn.SENDER, self.fontMetrics().horizontalAdvance("M") * 16)
        columns.setSectionResizeMode(MessageColumn.SUBJECT, QHeaderView.ResizeMode.Stretch)
        columns.setSectionResizeMode(MessageColumn.DATE, QHeaderView.ResizeMode.Interactive)
        columns.resizeSection(MessageColumn.DATE, self.fontMetrics().horizontalAdvance("0000-00-00 00:00") + 24)

        self.setSortingEnabled(True)
        columns.sortIndicatorChanged.connect(self._on_sort_indicator_changed)
        self.sortByColumn(MessageColumn.DATE, Qt.SortOrder.DescendingOrder)

    @property
    def message_model(self) -> MessageListModel:
        return self._model

    @property
    def sort_column(self) -> MessageColumn:
        return self._sort_column

    def sort_by(self, column: MessageColumn) -> None:
        """Sort by a column in its natural order: newest first for dates, A to Z for names and subjects."""
        order = Qt.SortOrder.DescendingOrder if column is MessageColumn.DATE else Qt.SortOrder.AscendingOrder
        self.sortByColumn(column, order)

    # --- selection by id ----------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        model = self.selectionModel()
        return sorted(index.row() for index in model.selectedRows()) if model is not None else []

    def selected_count(self) -> int:
        """How many rows are selected, counted from the selection's ranges (cheap for Ctrl+A on a big list)."""
        model = self.selectionModel()
        if model is None:
            return 0
        selection = model.selection()
        return sum(selection.at(i).height() for i in range(selection.size()))

    def selected_ids(self) -> list[int]:
        ids = (self._model.message_id_at(row) for row in self.selected_rows())
        return [message_id for message_id in ids if message_id is not None]

    def current_id(self) -> int | None:
        current = self.currentIndex()
        return self._model.message_id_at(current.row()) if current.isValid() else None

    def select_ids(self, ids: list[int], current: int | None = None) -> bool:
        """Select these messages (those still listed) and make `current` the current row; False if none is."""
        rows = sorted(row for row in (self._model.row_of(message_id) for message_id in ids) if row is not None)
        current_row = self._model.row_of(current) if current is not None else None
        if current_row is None and rows:
            current_row = rows[0]
        if current_row is None:
            return False
        selection = QItemSelection()
        last_column = self._model.columnCount() - 1
        for row in rows:
            selection.select(self._model.index(row, 0), self._model.index(row, last_column))
        flags = QItemSelectionModel.SelectionFlag
        model = self.selectionModel()
        model.setCurrentIndex(self._model.index(current_row, MessageColumn.SUBJECT), flags.NoUpdate)
        model.select(selection, flags.ClearAndSelect | flags.Rows)
        self.scrollTo(self._model.index(current_row, MessageColumn.SUBJECT))
        return True

    def select_row(self, row: int) -> None:
        index = self._model.index(row, MessageColumn.SUBJECT)
        if not index.isValid():
            self.clearSelection()
            return
        flags = QItemSelectionModel.SelectionFlag
        self.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.scrollTo(index)

    # --- keyboard -----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        arrow = _VIM_KEYS.get(Qt.Key(event.key()))
        no_text_modifiers = not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if arrow is not None and no_text_modifiers:
            # j/k move exactly as Down/Up do (Shift extends the selection the same way).
            event = QKeyEvent(event.type(), arrow, event.modifiers())
        super().keyPressEvent(event)

    def _on_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORTABLE_COLUMNS:
            # Put the indicator back; QHeaderView then sorts by the previous column again.
            self.horizontalHeader().setSortIndicator(self._sort_column, self._sort_order)
            return
        self._sort_column, self._sort_order = MessageColumn(column), order
