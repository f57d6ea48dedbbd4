"""MainWindow with a sync engine: Add account… and Check for new mail, the account banner above the list, and a
message whose body is not stored yet being downloaded and shown when it arrives. The engine is a stand-in
recording what the window asks; tests/integration/ drives the real one against Dovecot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.errors import ServerUnreachableError
from realmail_desktop.core.events import AccountAction, AccountState, AccountStatus, EventBus
from realmail_desktop.store import Account, FolderRole, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup, AccountSetupDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow
from realmail_desktop.ui.views.message_reader import DOWNLOADING, NOT_STORED
from tests.keyring_backends import MemoryKeyring

from .mail_samples import mail, stored
from .no_lookups import NoLookups
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui


@dataclass
class StandInEngine:
    """What the window asks of the engine, recorded; `fetch_body` stores a body for the message (through the
    store, as the engine does) or raises `fetch_error`."""

    store: Store
    checked: list[int | None] = field(default_factory=list)
    fetched: list[int] = field(default_factory=list)
    fetch_error: Exception | None = None

    async def add_imap_account(self, **settings: Any) -> Account:
        raise AssertionError("not used here")

    async def check_imap_login(self, **settings: Any) -> None:
        raise AssertionError("not used here")

    async def check_now(self, account_id: int | None = None) -> None:
        self.checked.append(account_id)

    async def retry(self, account_id: int) -> None:
        raise AssertionError("not used here")

    async def remove_account(self, account_id: int) -> None:
        raise AssertionError("not used here")

    def last_error(self, account_id: int) -> None:
        return None

    async def fetch_body(self, message_id: int) -> None:
        self.fetched.append(message_id)
        if self.fetch_error is not None:
            raise self.fetch_error
        summary = self.store.reader.message(message_id)
        assert summary is not None
        await self.store.sync.store_bodies([(message_id, mail(summary.subject, date=summary.date))])


@dataclass
class Window:
    window: MainWindow
    engine: StandInEngine | None
    store: Store
    ops: Ops
    bus: EventBus
    inbox: int

    async def show_message(self, message_id: int) -> None:
        shown = next_emit(self.window.reader.messageShown)
        assert self.window.message_list.select_ids([message_id], message_id)
        assert await wait_for(shown) == (message_id,)

    def body_text(self) -> str:
        return self.window.reader.browser.toPlainText()


@pytest.fixture
async def make(store: Store, bus: EventBus) -> AsyncIterator[Any]:
    made: list[tuple[Window, EventBridge]] = []

    async def make_window(*, with_engine: bool = True, with_setup: bool = True) -> Window:
        account, _ = await store.accounts.create_local()
        inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
        assert inbox is not None
        engine = StandInEngine(store) if with_engine else None
        ops = Ops()
        bridge = EventBridge(bus)
        secrets = SecretStore(backend=MemoryKeyring())
        setup = AccountSetup(engine, discovery=NoLookups()) if engine is not None and with_setup else None
        window = MainWindow(
            store, MailTransfer(store, bus), bridge, ops, sync=engine, secrets=secrets, account_setup=setup
        )
        window.show()
        made.append((Window(window, engine, store, ops, bus, inbox.id), bridge))
        return made[-1][0]

    yield make_window
    for state, _bridge in made:
        await state.ops.drain()
    for state, bridge in made:  # closing the last window ends the loop: nothing is awaited after
        bridge.detach()
        state.window.close()
        shiboken6.delete(state.window)  # now, on this thread (see tests/conftest.py)


async def test_without_an_engine_there_is_nothing_to_add_or_check(make: Any) -> None:
    state: Window = await make(with_engine=False)
    actions = state.window.window_actions
    assert not actions.add_account.isEnabled() and not actions.check_mail.isEnabled()
    assert state.window.account_commands.set_up_account() is None


async def test_without_an_account_setup_there_is_no_add_account(make: Any) -> None:
    """The app always gives one; a window built without it (tests) offers no second, plainer way to add."""
    state: Window = await make(with_setup=False)
    actions = state.window.window_actions
    assert not actions.add_account.isEnabled() and actions.check_mail.isEnabled()
    assert state.window.account_commands.set_up_account() is None


async def test_file_menu_adds_accounts_and_checks_for_mail(make: Any) -> None:
    state: Window = await make()
    actions = state.window.window_actions
    assert actions.add_account.shortcut().toString() == "Ctrl+Shift+A"
    assert actions.check_mail.shortcut().toString() == "F5"
    file_menu = state.window.menuBar().actions()[0].menu()
    assert [a.text() for a in file_menu.actions() if a.text()][:2] == ["&Add account…", "&Check for new mail"]

    actions.check_mail.trigger()
    await idle(state.ops)
    assert state.engine is not None and state.engine.checked == [None]

    assert actions.add_account.isEnabled()
    actions.add_account.trigger()
    dialog = state.window.findChild(AccountSetupDialog)
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    dialog.reject()


async def test_an_account_in_trouble_shows_above_the_message_list(make: Any) -> None:
    state: Window = await make()
    banner = state.window.account_banner
    assert banner.isHidden()
    state.bus.publish(AccountStatus(1, AccountState.OFFLINE, "Cannot reach the server.", "", AccountAction.RETRY))
    assert banner.isVisible() and banner.text_for(1) == "Local Folders: Cannot reach the server."
    assert banner.parentWidget() is state.window.message_list.parentWidget()
    assert banner.geometry().bottom() < state.window.message_list.geometry().top()
    # The account's node in the folder tree says it too.
    node = state.window.folder_model.index_for_account(1)
    assert node.data(Qt.ItemDataRole.ToolTipRole) == "Local Folders\nCannot reach the server."
    icon_before = node.data(Qt.ItemDataRole.DecorationRole).cacheKey()
    state.bus.publish(AccountStatus(1, AccountState.ERROR, "The password was refused.", "", AccountAction.NONE))
    assert node.data(Qt.ItemDataRole.ToolTipRole) == "Local Folders\nThe password was refused."
    assert node.data(Qt.ItemDataRole.DecorationRole).cacheKey() != icon_before
    state.bus.publish(AccountStatus(1, AccountState.IDLE))
    assert node.data(Qt.ItemDataRole.ToolTipRole) == "Local Folders" and banner.isHidden()
    assert node.data(Qt.ItemDataRole.DecorationRole).cacheKey() == icon_before


def shown_when(state: Window, condition: Callable[[str], bool]) -> asyncio.Future[list[str]]:
    """A future resolved, with the body text of every showing so far, once a showing's text meets `condition`."""
    texts: list[str] = []
    future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()

    def on_shown(_message_id: int) -> None:
        texts.append(state.body_text())
        if condition(texts[-1]) and not future.done():
            future.set_result(texts)

    state.window.reader.messageShown.connect(on_shown)
    future.add_done_callback(lambda _f: state.window.reader.messageShown.disconnect(on_shown))
    return future


async def test_a_body_not_stored_is_downloaded_and_shown_when_it_arrives(make: Any) -> None:
    state: Window = await make()
    [message_id], _ = await state.store.messages.add(state.inbox, [stored(None, "Later", snippet="The start")])
    assert state.engine is not None
    arrived = shown_when(state, lambda text: NOT_STORED not in text)
    await state.show_message(message_id)
    texts = await wait_for(arrived)
    # Until it arrives (marking the message read redraws it too), the reader says it is on its way.
    assert texts[:-1] and all(f"The start\n{NOT_STORED} {DOWNLOADING}" in text for text in texts[:-1])
    assert "see you soon." in texts[-1]
    assert state.engine.fetched == [message_id]
    await idle(state.ops)
    assert state.engine.fetched == [message_id]  # once: the body is there now


async def test_a_body_that_cannot_be_downloaded_says_why_in_the_reader(make: Any) -> None:
    state: Window = await make()
    [message_id], _ = await state.store.messages.add(state.inbox, [stored(None, "Offline", snippet="The start")])
    assert state.engine is not None
    state.engine.fetch_error = ServerUnreachableError("Cannot reach imap.example.com.", hint="Check the connection.")
    failed = shown_when(state, lambda text: "could not download" in text)
    await state.show_message(message_id)
    text = (await wait_for(failed))[-1]
    assert "The start" in text and NOT_STORED in text
    assert "RealMail could not download it: Cannot reach imap.example.com. Check the connection." in text
    await idle(state.ops)
    assert state.engine.fetched == [message_id]
    assert "could not download" in state.body_text()  # a redraw (marking it read) keeps the reason
    assert not [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
