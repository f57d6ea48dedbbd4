"""Server settings for accounts the engine cannot re-check here: a Google (XOAUTH2) account's servers are shown
read-only and OK changes nothing; an empty server name is refused before any login; and Account settings offers
"Server settings…" (instead of its "remove and add again" note). Logins against real servers:
tests/integration/test_server_settings_ui.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import shiboken6
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.events import Changes
from realmail_desktop.store import Account, ImapAuth, ImapSecurity, ImapSettings, Store
from realmail_desktop.ui.dialogs.account_settings_dialog import AccountSettingsDialog
from realmail_desktop.ui.dialogs.server_settings_dialog import ServerSettingsDialog
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring

from .qt_async import TIMEOUT, next_emit, wait_for
from .sync_stand_in import RecordingEngine

pytestmark = pytest.mark.gui


class Refusing:
    """An engine that must not be asked: records any call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.checking = asyncio.Event()  # set once a login check began
        self.answer = asyncio.Event()  # the check waits for this (never set: a server that does not answer)

    async def check_imap_login(
        self, *, host: str, port: int, security: ImapSecurity | str, username: str, password: str
    ) -> None:
        self.calls.append(f"check {host}")
        self.checking.set()
        await self.answer.wait()

    async def change_server_settings(
        self, account_id: int, *, host: str, port: int, security: ImapSecurity | str, username: str
    ) -> Changes:
        self.calls.append(f"change {account_id}")
        return Changes()


@pytest.fixture
async def window() -> AsyncIterator[QMainWindow]:
    made = QMainWindow()  # the dialogs' parent: closing the last window would quit the loop
    made.show()
    yield made
    made.close()
    shiboken6.delete(made)


async def make_account(store: Store, auth: ImapAuth) -> tuple[Account, ImapSettings]:
    settings = ImapSettings(host="imap.example.org", port=993, security=ImapSecurity.TLS, username="ann", auth=auth)
    account, _ = await store.accounts.create_imap("Ann", "ann@example.org", settings)
    return account, settings


async def test_a_google_account_shows_its_servers_read_only_and_ok_changes_nothing(
    store: Store, window: QMainWindow
) -> None:
    account, settings = await make_account(store, ImapAuth.XOAUTH2)
    engine, ops = Refusing(), Ops()
    secrets = SecretStore(backend=MemoryKeyring())
    dialog = ServerSettingsDialog(account, settings, None, sync=engine, secrets=secrets, ops=ops, parent=window)
    dialog.open()
    assert not dialog.servers.isEnabled() and not dialog.password_edit.isEnabled()
    assert dialog.servers.imap_rows.host.text() == "imap.example.org"
    note = dialog.findChild(QLabel, "googleNote")
    assert note is not None and "Sign in again" in note.text()
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and not ops.busy and engine.calls == []
    assert store.reader.sync.imap_settings(account.id) == settings


async def test_an_empty_server_name_is_refused_before_any_login(store: Store, window: QMainWindow) -> None:
    account, settings = await make_account(store, ImapAuth.PASSWORD)
    engine, ops = Refusing(), Ops()
    secrets = SecretStore(backend=MemoryKeyring())
    dialog = ServerSettingsDialog(account, settings, None, sync=engine, secrets=secrets, ops=ops, parent=window)
    dialog.open()
    dialog.servers.imap_rows.host.setText("")
    dialog.ok_button.click()
    assert dialog.isVisible() and not ops.busy and engine.calls == []
    assert dialog.imap_result.text().startswith("IMAP: ✗")


async def test_account_settings_offers_server_settings(store: Store, window: QMainWindow) -> None:
    account, settings = await make_account(store, ImapAuth.PASSWORD)
    dialog = AccountSettingsDialog(account, settings, RecordingEngine(store), Ops(), window)  # type: ignore[arg-type]
    dialog.open()
    [note] = [label for label in dialog.findChildren(QLabel) if "removing the account" in label.text()]
    assert not note.isHidden()
    button = dialog.add_server_settings_button()
    assert note.isHidden()  # the note said the opposite of what the button offers
    requested = next_emit(dialog.serverSettingsRequested)
    button.click()
    assert await wait_for(requested) == (account.id,)
    dialog.reject()


async def test_cancel_while_the_login_is_checked_stops_it_and_saves_nothing(store: Store, window: QMainWindow) -> None:
    account, settings = await make_account(store, ImapAuth.PASSWORD)
    engine, ops = Refusing(), Ops()
    secrets = SecretStore(backend=MemoryKeyring())
    secrets.set_password(account.id, "old password")
    dialog = ServerSettingsDialog(account, settings, None, sync=engine, secrets=secrets, ops=ops, parent=window)
    dialog.open()
    dialog.servers.imap_rows.host.setText("imap2.example.org")
    dialog.password_edit.setText("new password")
    dialog.ok_button.click()
    await wait_for(asyncio.ensure_future(engine.checking.wait()))
    assert dialog.is_busy() and not dialog.ok_button.isEnabled()
    dialog.reject()
    assert dialog.task is not None
    await asyncio.wait({dialog.task}, timeout=TIMEOUT)  # a bounded wait: without the cancel it never ends
    assert dialog.task.cancelled() and engine.calls == ["check imap2.example.org"]
    assert store.reader.sync.imap_settings(account.id) == settings
    assert secrets.get_password(account.id) == "old password"
    await ops.drain()
