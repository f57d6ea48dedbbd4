"""ReaderPane: the main window's reading side — the message selected in the list in the reader, or in
conversation mode the selected thread in the conversation view — and marking what it shows as read."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QStackedWidget, QWidget

from realmail_desktop.store import Store, ThreadSummary
from realmail_desktop.ui.models.message_list import MessageListModel
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.conversation_view import ConversationView
from realmail_desktop.ui.views.message_reader import FetchBody, MessageReader

MarkReadLater = Callable[[list[int], Callable[[], bool]], None]


class ReaderPane(QStackedWidget):
    """`reader` (one message) or `conversation` (one thread), whichever the selected list row stands for.

    `mark_read_later(ids, still_shown)` marks what was just shown as read (Settings ▸ Reading says when).
    """

    def __init__(
        self,
        store: Store,
        ops: Ops,
        message_model: MessageListModel,
        window: QWidget,
        *,
        fetch_body: FetchBody | None,
        mark_read_later: MarkReadLater,
    ) -> None:
        super().__init__(window)
        self._model = message_model
        self._mark_read_later = mark_read_later
        self.reader = MessageReader(store, ops, window, fetch_body=fetch_body)
        self.conversation = ConversationView(store, ops, window, fetch_body=fetch_body)
        self.addWidget(self.reader)
        self.addWidget(self.conversation)

    def show_nothing(self) -> None:
        self.reader.clear()
        self.conversation.clear()

    def show_row(self, message_id: int, *, thread: bool) -> None:
        """Show the list row of `message_id`: a thread row (`thread`) in the conversation view, else the reader."""
        if thread:
            self._show_thread(message_id)
            return
        self.setCurrentWidget(self.reader)
        self.conversation.clear()
        if self.reader.message_id == message_id:
            return
        row = self._model.row_of(message_id)
        summary = self._model.summary_at(row) if row is not None else None
        if summary is None:
            return
        self.reader.show_message(summary)
        if not summary.is_seen:  # at once, or after Settings ▸ Reading's delay while it is still shown
            self._mark_read_later([message_id], lambda: self.reader.message_id == message_id)

    def _show_thread(self, message_id: int) -> None:
        row = self._model.row_of(message_id)
        summary = self._model.summary_at(row) if row is not None else None
        if not isinstance(summary, ThreadSummary):
            return
        self.reader.clear()
        self.setCurrentWidget(self.conversation)
        shown = [card.message_id for card in self.conversation.cards]
        if self.conversation.thread_id == summary.thread_id and summary.id in shown:
            return  # the same conversation, nothing new in it
        query = self._model.query
        self.conversation.show_thread(summary.thread_id, query.folder_ids if query is not None else ())
        unread = [card.message_id for card in self.conversation.cards if not card.summary.is_seen]
        if unread:
            thread = summary.thread_id
            self._mark_read_later(
                unread,
                lambda: self.currentWidget() is self.conversation and self.conversation.thread_id == thread,
            )
