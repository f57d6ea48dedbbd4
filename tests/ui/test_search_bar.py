"""Searching from the main window: typing shows results, scope, Esc, Ctrl+F and /, relevance vs column sort,
the results line, and the reader's highlight of the found words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import MessageColumn
from realmail_desktop.ui.views.main_window import MainWindow

from .mail_samples import mail
from .qt_async import activate, idle, next_emit, wait_for

pytestmark = pytest.mark.gui

DAY = 1_700_000_000


@dataclass
class Searching:
    window: MainWindow
    store: Store
    ops: Ops
    ids: dict[str, int]

    @property
    def rows(self) -> list[int | None]:
        model = self.window.message_model
        return [model.message_id_at(row) for row in range(model.rowCount())]

    async def type(self, text: str) -> int:
        """Type into the search box like a person and wait until the list shows the results."""
        await activate(self.window)
        shown = next_emit(self.window.message_search.resultsShown)
        self.window.search_bar.box.setFocus()
        QTest.keyClicks(self.window.search_bar.box, text)
        (count,) = await wait_for(shown)
        await idle(self.ops)
        return int(count)


@pytest.fixture
async def searching(qtbot: Any, store: Store, bus: EventBus) -> AsyncIterator[Searching]:
    account, _ = await store.accounts.create_local()
    folders = {f.role: f.id for f in store.reader.folders(account.id) if f.role is not None}
    inbox, _ = await store.messages.add(
        folders[FolderRole.INBOX],
        [
            mail("Budget review", date=DAY, seen=True, text="numbers for the year"),
            mail("Lunch", date=DAY + 60, text="we could talk about the budget").model_copy(
                update={"index_body": "we could talk about the budget"}
            ),
            mail("Votre résumé", date=DAY + 120, sender=("Chloé Dubois", "chloe@example.fr")),
        ],
    )
    archived, _ = await store.messages.add(
        folders[FolderRole.ARCHIVE], [mail("Old budget", date=DAY - 86_400 * 400, seen=True)]
    )
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    qtbot.addWidget(window)
    window.show()
    ids = dict(zip(["budget", "lunch", "resume"], inbox, strict=True)) | {"archived": archived[0]}
    yield Searching(window, store, ops, ids)
    await ops.drain()
    bridge.detach()


async def test_typing_shows_ranked_results_and_the_count(searching: Searching) -> None:
    window = searching.window
    assert len(searching.rows) == 3  # All Inboxes before searching
    assert await searching.type("budg") == 2  # the last word is a prefix while typed
    assert searching.rows == [searching.ids["budget"], searching.ids["lunch"]]  # the subject match first
    assert window.search_bar.results_line.isVisible()
    assert window.search_bar.status.text() == "2 results"
    assert not window.search_bar.server_button.isVisible()  # local accounts only: nothing to ask a server


async def test_diacritics_scope_and_escape(searching: Searching) -> None:
    window = searching.window
    assert await searching.type("resume") == 1
    assert searching.rows == [searching.ids["resume"]]
    shown = next_emit(window.message_search.resultsShown)
    window.search_bar.box.selectAll()
    QTest.keyClicks(window.search_bar.box, "budget")
    await wait_for(shown)
    assert searching.ids["archived"] not in searching.rows
    shown = next_emit(window.message_search.resultsShown)
    window.search_bar.scope.setCurrentIndex(1)  # All mail
    assert await wait_for(shown) == (3,)
    assert searching.ids["archived"] in searching.rows
    reset = next_emit(window.message_model.modelReset)
    QTest.keyClick(window.search_bar.box, Qt.Key.Key_Escape)
    await wait_for(reset)
    assert window.search_bar.box.text() == ""
    assert not window.search_bar.results_line.isVisible()
    assert len(searching.rows) == 3  # the folder again


async def test_ctrl_f_and_slash_focus_the_box_and_letters_type_into_it(searching: Searching) -> None:
    window = searching.window
    await activate(window)
    window.message_list.setFocus()
    QTest.keyClick(window.message_list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_bar.box.hasFocus()
    window.message_list.setFocus()
    QTest.keyClick(window.message_list, Qt.Key.Key_Slash)
    assert window.search_bar.box.hasFocus()
    # M and S are window shortcuts (read, star): in the box they are letters.
    assert await searching.type("is:unread sm") == 1  # Alice Smith's unread Lunch
    assert window.search_bar.box.text() == "is:unread sm"
    assert searching.store.reader.message(searching.ids["lunch"]).is_seen is False  # type: ignore[union-attr]


async def test_a_column_sort_replaces_relevance(searching: Searching) -> None:
    window = searching.window
    await searching.type("budget")
    assert searching.rows == [searching.ids["budget"], searching.ids["lunch"]]
    reset = next_emit(window.message_model.modelReset)
    window.message_list.horizontalHeader().sectionClicked.emit(MessageColumn.DATE)
    await wait_for(reset)
    query = window.message_model.query
    assert query is not None and query.search is not None and not query.by_relevance
    order = window.message_model.order
    expected = [searching.ids["lunch"], searching.ids["budget"]]
    assert searching.rows == (expected if order.descending else expected[::-1])


async def test_the_reader_highlights_the_words_found(searching: Searching) -> None:
    window = searching.window
    await searching.type("budget ")
    shown = next_emit(window.reader.messageShown)
    assert window.message_list.select_ids([searching.ids["lunch"]], searching.ids["lunch"])
    await wait_for(shown)
    assert "#ffe066" in window.reader.browser.toHtml()
