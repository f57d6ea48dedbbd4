"""The main window's account commands: Account → Settings… and Manage folders…, the folder tree's context
menu (account and folder entries, "Unsubscribe"), and what is on without an engine or for a local account.
The engine is tests/ui/sync_stand_in.py's recording stand-in over a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtWidgets import QLineEdit, QMenu, QPushButton

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.account_settings_dialog import AccountSettingsDialog
from realmail_desktop.ui.dialogs.folder_subscriptions_dialog import FolderSubscriptionsDialog
from realmail_desktop.ui.dialogs.server_settings_dialog import ServerSettingsDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow
from tests.keyring_backends import MemoryKeyring

from .qt_async import idle
from .sync_stand_in import RecordingEngine, folder_id, imap_account

pytestmark = pytest.mark.gui


@dataclass
class Window:
    window: MainWindow
    engine: RecordingEngine | None
    account: Account
    local: Account
    ops: Ops
    store: Store

    def menu_at(self, model_index: object) -> QMenu | None:
        view = self.window.folder_view
        view.scrollTo(model_index)  # type: ignore[arg-type]
        return self.window.show_folder_menu(view.visualRect(model_index).center())  # type: ignore[arg-type]


@pytest.fixture
async def make(store: Store, bus: EventBus) -> AsyncIterator[object]:
    made: list[tuple[Window, EventBridge]] = []

    async def make_window(*, with_engine: bool = True) -> Window:
        local, _ = await store.accounts.create_local()
        account = await imap_account(store)
        engine = RecordingEngine(store) if with_engine else None
        ops = Ops()
        bridge = EventBridge(bus)
        secrets = SecretStore(backend=MemoryKeyring())
        window = MainWindow(store, MailTransfer(store, bus), bridge, ops, sync=engine, secrets=secrets)
        window.show()
        made.append((Window(window, engine, account, local, ops, store), bridge))
        return made[-1][0]

    yield make_window
    for state, _bridge in made:
        await state.ops.drain()
    for state, bridge in made:  # closing the last window ends the loop: nothing is awaited after
        bridge.detach()
        state.window.close()
        shiboken6.delete(state.window)  # now, on this thread (see tests/conftest.py)


def entries(menu: QMenu | None) -> list[str]:
    assert menu is not None
    texts = [action.text().replace("&", "") if not action.isSeparator() else "—" for action in menu.actions()]
    menu.close()
    return texts


async def test_account_menu_opens_settings_and_folders_of_the_selected_account(make: object) -> None:
    state: Window = await make()  # type: ignore[operator]
    w, actions = state.window, state.window.window_actions
    menus = {a.text(): a.menu() for a in w.menuBar().actions()}
    account_menu = [a.text() for a in menus["&Account"].actions()]
    assert account_menu[:3] == ["&Settings…", "&Manage folders…", "&Arrange accounts…"]

    w.folder_view.setCurrentIndex(w.folder_model.index_for_account(state.local.id))
    assert not actions.account_settings.isEnabled() and not actions.manage_folders.isEnabled()
    w.select_folder(folder_id(state.store, state.account, "Old"))
    assert actions.account_settings.isEnabled() and actions.manage_folders.isEnabled()

    actions.account_settings.trigger()
    settings = w.findChild(AccountSettingsDialog)
    assert settings is not None and settings.isVisible() and settings.account == state.account
    settings.reject()
    actions.manage_folders.trigger()
    folders = w.findChild(FolderSubscriptionsDialog)
    assert folders is not None and folders.isVisible() and folders.account == state.account
    folders.reject()


async def test_context_menus_of_an_account_and_of_folders(make: object) -> None:
    state: Window = await make()  # type: ignore[operator]
    w = state.window
    account_menu = state.menu_at(w.folder_model.index_for_account(state.account.id))
    assert entries(account_menu) == ["Settings…", "Manage folders…", "—", "New folder…"]
    old = folder_id(state.store, state.account, "Old")
    assert entries(state.menu_at(w.folder_model.index_for_folder(old))) == [
        "New folder…",
        "Rename…",
        "Delete…",
        "—",
        "Unsubscribe",
        "Manage folders…",
    ]
    assert w.current_folder_id() == old  # the folder right-clicked is the one acted on
    trash = folder_id(state.store, state.account, "Trash")
    trash_entries = entries(state.menu_at(w.folder_model.index_for_folder(trash)))
    assert trash_entries[-2:] == ["—", "Empty Trash…"] and "Unsubscribe" not in trash_entries
    inbox = folder_id(state.store, state.account, "Inbox")
    assert "Unsubscribe" not in entries(state.menu_at(w.folder_model.index_for_folder(inbox)))
    local_inbox = next(f.id for f in state.store.reader.folders(state.local.id) if f.path == "Inbox")
    local_entries = entries(state.menu_at(w.folder_model.index_for_folder(local_inbox)))
    assert "Unsubscribe" not in local_entries and "Manage folders…" not in local_entries
    assert state.menu_at(w.folder_model.all_inboxes_index()) is None


async def test_unsubscribe_from_the_context_menu_takes_the_folder_out_of_the_tree(make: object) -> None:
    state: Window = await make()  # type: ignore[operator]
    w = state.window
    old = folder_id(state.store, state.account, "Old")
    menu = state.menu_at(w.folder_model.index_for_folder(old))
    assert menu is not None
    [unsubscribe] = [a for a in menu.actions() if a.text() == "&Unsubscribe"]
    menu.close()
    unsubscribe.trigger()
    await idle(state.ops)
    assert state.engine is not None and state.engine.subscriptions == [(old, False)]
    assert not w.folder_model.index_for_folder(old).isValid()
    assert w.current_folder_id() != old


async def test_without_an_engine_account_commands_are_off(make: object) -> None:
    state: Window = await make(with_engine=False)  # type: ignore[operator]
    w, actions = state.window, state.window.window_actions
    w.select_folder(folder_id(state.store, state.account, "Old"))
    assert not actions.account_settings.isEnabled() and not actions.manage_folders.isEnabled()
    assert not actions.unsubscribe_folder.isEnabled()
    assert w.account_commands.open_settings() is None and w.account_commands.manage_folders() is None


async def test_account_settings_opens_the_server_settings_of_that_account(make: object) -> None:
    state: Window = await make()  # type: ignore[operator]
    w = state.window
    w.select_folder(folder_id(state.store, state.account, "Old"))
    w.window_actions.account_settings.trigger()
    settings = w.findChild(AccountSettingsDialog)
    assert settings is not None
    button = next(b for b in settings.findChildren(QPushButton) if b.text() == "Server settings…")
    button.click()
    server = w.findChild(ServerSettingsDialog)
    assert server is not None and server.isVisible() and server.account == state.account
    host = server.findChild(QLineEdit, "imapHost")
    assert host is not None and host.text() == "imap.example.com"
    server.reject()
    settings.reject()
