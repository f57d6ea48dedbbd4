"""Conversations in the window: View → Group by conversation, a thread's cards in order, quoted text folded
and unfolded, j/k between threads, actions on whole threads, and bodies downloaded on demand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from realmail_desktop.core.events import EventBus
from realmail_desktop.ingest import new_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import FolderRole, NewMessage, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.conversation_view import DOWNLOADING, HIDE_QUOTED, SHOW_QUOTED, ConversationView
from realmail_desktop.ui.views.main_window import MainWindow

from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui

T0 = 1_700_000_000
QUOTED_REPLY = """Friday works for me.

On Tue, 14 Nov 2023, Alice Smith <alice@example.com> wrote:
> Shall we review the budget on Friday?
> The numbers are in the sheet.
"""
HTML_REPLY = (
    "<p>Agreed, see you Friday.</p><div>On Tue, 14 Nov 2023, Bob wrote:<br></div>"
    "<blockquote><p>Friday works for me.</p></blockquote>"
)


def raw(mid: str, subject: str, sender: str, date: int, *, text: str = "", html: str = "", parent: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "team@example.org"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.fromtimestamp(date, UTC))
    msg["Message-ID"] = mid
    if parent:
        msg["In-Reply-To"] = parent
        msg["References"] = parent
    if html:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
    return msg.as_bytes()


def row(data: bytes, *, seen: bool = False, keep_body: bool = True) -> NewMessage:
    """The store row the importer makes of `data` (with the body, or header-only as a fresh IMAP sync)."""
    return new_message(read_envelope(data), data if keep_body else None, Flag.SEEN if seen else Flag(0))


@dataclass
class Conversations:
    window: MainWindow
    store: Store
    ops: Ops
    thread: list[int]
    single: int


@pytest.fixture
async def conversations(qtbot: Any, store: Store, bus: EventBus) -> AsyncIterator[Conversations]:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    sent = store.reader.folder_by_role(account.id, FolderRole.SENT)
    assert inbox is not None and sent is not None
    first = raw("<a@x>", "Budget review", "Alice Smith <alice@example.com>", T0, text="Shall we review?")
    second = raw("<b@x>", "Re: Budget review", "Bob <bob@example.org>", T0 + 60, text=QUOTED_REPLY, parent="<a@x>")
    third = raw(
        "<c@x>", "Re: Budget review", "Alice Smith <alice@example.com>", T0 + 120, html=HTML_REPLY, parent="<b@x>"
    )
    other = raw("<z@x>", "Lunch on Thursday", "Carol <carol@example.net>", T0 + 30, text="Pizza?")
    ids, _ = await store.messages.add(inbox.id, [row(first), row(third), row(other)])
    # Bob's reply is in Sent: the conversation spans folders.
    sent_ids, _ = await store.messages.add(sent.id, [row(second, seen=True)])
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    qtbot.addWidget(window)
    window.show()
    window.select_folder(inbox.id)
    yield Conversations(window, store, ops, [ids[0], sent_ids[0], ids[1]], ids[2])
    await ops.drain()
    bridge.detach()


async def test_grouping_shows_threads_and_the_conversation_view(conversations: Conversations) -> None:
    window, store = conversations.window, conversations.store
    assert window.message_model.rowCount() == 3
    window.window_actions.group_threads.trigger()
    assert window.window_actions.group_threads.isChecked()
    assert window.message_model.rowCount() == 2  # the Inbox's two messages of the budget thread are one row
    assert window.message_model.index(0, 2).data() == "Alice Smith (2)"  # newest sender, messages in the Inbox
    assert window.message_model.index(0, 3).data() == "Re: Budget review"

    shown = next_emit(window.conversation.conversationShown)
    window.message_list.select_row(0)
    await wait_for(shown)
    assert window.reader_stack.currentWidget() is window.conversation
    cards = window.conversation.cards
    assert [card.message_id for card in cards] == conversations.thread  # oldest first, Sent reply included
    assert [card.expanded for card in cards] == [False, False, True]
    newest = cards[-1]
    assert "Agreed, see you Friday." in newest.body_text()
    assert "Friday works for me." not in newest.body_text()
    assert newest.has_quoted_text and not newest.quoted_shown

    # Show quoted text, then hide it again.
    button = newest.findChild(type(newest._quote_button), "showQuoted")
    assert button is not None and button.isVisible() and button.text() == SHOW_QUOTED
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Friday works for me." in newest.body_text()
    assert button.text() == HIDE_QUOTED
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Friday works for me." not in newest.body_text()

    # Opening Bob's (folded) reply by its header: its own text shows, the quote of Alice stays folded.
    middle = cards[1]
    assert middle.body is None and middle.body_text() == ""  # folded cards are rendered when opened
    shown = next_emit(window.conversation.conversationShown)
    QTest.mouseClick(middle, Qt.MouseButton.LeftButton, pos=QPoint(20, 8))
    assert middle.expanded
    await wait_for(shown)
    assert "Friday works for me." in middle.body_text()
    assert "Shall we review the budget" not in middle.body_text()

    # Opening the conversation read all of it.
    await idle(conversations.ops)
    assert all(store.reader.message(mid).is_seen for mid in conversations.thread)  # type: ignore[union-attr]

    # j moves to the next thread.
    shown = next_emit(window.conversation.conversationShown)
    QTest.keyClick(window.conversation, Qt.Key.Key_J)
    await wait_for(shown)
    assert [card.message_id for card in window.conversation.cards] == [conversations.single]
    assert window.message_list.currentIndex().row() == 1

    window.window_actions.group_threads.trigger()
    assert window.message_model.rowCount() == 3
    assert window.reader_stack.currentWidget() is window.reader


async def test_delete_on_a_thread_row_deletes_the_thread_in_this_folder(conversations: Conversations) -> None:
    window, store = conversations.window, conversations.store
    window.set_grouped(True)
    shown = next_emit(window.conversation.conversationShown)
    window.message_list.select_row(0)
    await wait_for(shown)
    window.message_commands.delete_selected()
    await idle(conversations.ops)
    inbox_thread = [conversations.thread[0], conversations.thread[2]]
    trash = store.reader.folder_by_role(1, FolderRole.TRASH)
    assert trash is not None
    assert {store.reader.message(mid).folder_id for mid in inbox_thread} == {trash.id}  # type: ignore[union-attr]
    sent = store.reader.message(conversations.thread[1])
    assert sent is not None and sent.folder_id != trash.id  # other folders keep their part of it
    assert window.message_model.rowCount() == 1


async def test_a_body_not_stored_is_downloaded_when_its_card_opens(qtbot: Any, store: Store, bus: EventBus) -> None:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    data = raw("<h@x>", "Header only", "Dan <dan@example.com>", T0, text="The body from the server.")
    ids, _ = await store.messages.add(inbox.id, [row(data, keep_body=False)])
    fetched: list[int] = []
    server_answers = asyncio.Event()

    async def fetch_body(message_id: int) -> None:
        # What the sync engine's fetch_body does once the server answered: store the body.
        fetched.append(message_id)
        await server_answers.wait()
        await store.sync.store_bodies([(message_id, row(data))])

    ops = Ops()
    bridge = EventBridge(bus)
    view = ConversationView(store, ops, fetch_body=fetch_body)
    qtbot.addWidget(view)
    bridge.storeChanged.connect(view.on_store_changed)
    thread = store.reader.threads.thread_of(ids[0])
    assert thread is not None
    first_shown = next_emit(view.conversationShown)
    view.show_thread(thread, (inbox.id,))
    await wait_for(first_shown)
    card = view.cards[0]
    assert card.expanded and card.body is not None and not card.body.stored
    assert DOWNLOADING in card.body_text()
    # The download's Changes re-render the card.
    shown_again = next_emit(view.conversationShown)
    server_answers.set()
    await wait_for(shown_again)
    await idle(ops)
    assert fetched == ids
    assert "The body from the server." in view.cards[0].body_text()
    bridge.detach()


async def test_a_reply_arriving_joins_the_conversation_on_screen(conversations: Conversations) -> None:
    window, store = conversations.window, conversations.store
    window.set_grouped(True)
    shown = next_emit(window.conversation.conversationShown)
    window.message_list.select_row(0)
    await wait_for(shown)
    inbox = store.reader.folder_by_role(1, FolderRole.INBOX)
    assert inbox is not None
    late = raw("<d@x>", "Re: Budget review", "Bob <bob@example.org>", T0 + 600, text="One more thing.", parent="<c@x>")
    shown = next_emit(window.conversation.conversationShown)
    added, _ = await store.messages.add(inbox.id, [row(late)])
    await wait_for(shown)
    cards = window.conversation.cards
    assert [card.message_id for card in cards] == [*conversations.thread, *added]
    assert cards[-1].expanded and "One more thing." in cards[-1].body_text()
    assert window.message_model.data(window.message_model.index(0, 2)) == "Bob (3)"
