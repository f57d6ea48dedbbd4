"""Adding an IMAP account the way a person does — File → Add account…, the servers typed in the manual settings,
Add account — against a real Dovecot: its Inbox and newest mail are listed, a wrong password is shown in the
dialog (the password field focused to fix it), and the password is in the keyring and in no file of the
profile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6

from realmail_desktop.auth import SERVICE_NAME, SecretStore
from realmail_desktop.core.config import ProfilePaths, Settings
from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.core.logs import ROOT, setup_logging
from realmail_desktop.store import AccountKind, FolderRole, ImapSecurity, Store
from realmail_desktop.sync import SyncService
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup, AccountSetupDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow
from tests.integration.conftest import OtherClient, append_messages
from tests.keyring_backends import MemoryKeyring
from tests.servers.dovecot import DovecotServer
from tests.ui.no_lookups import NoLookups
from tests.ui.qt_async import idle, next_emit, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.gui]

# Distinctive, so finding its bytes in a file means it leaked (not a word that happens to be there).
PASSWORD = "Zq8vT2-pw-Kx91rM"


def message(subject: str, date: str) -> bytes:
    return (
        "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\n"
        f"Subject: {subject}\r\nDate: {date}\r\nMessage-ID: <{subject.replace(' ', '.')}@example.org>\r\n"
        "\r\nHello.\r\n"
    ).encode()


@dataclass
class App:
    window: MainWindow
    store: Store
    bus: EventBus
    ops: Ops
    keyring: MemoryKeyring
    paths: ProfilePaths

    def until(self, condition: Callable[[], bool]) -> asyncio.Future[None]:
        """A future resolved once `condition()` holds after some store change (or at once if it does now)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def check(_changes: Changes | None = None) -> None:
            if not future.done() and condition():
                future.set_result(None)

        unsubscribe = self.bus.subscribe(Changes, check)
        future.add_done_callback(lambda _f: unsubscribe())
        check()
        return future


@contextlib.asynccontextmanager
async def running_app(tmp_path: Path, dovecot: DovecotServer) -> AsyncIterator[App]:
    """The window as `realmail` builds it (app/gui.py), over a fresh profile, with the test CA trusted.

    A context manager inside the test, not an async fixture: pytest-asyncio finishes a fixture in a second
    run of the loop, and qasync runs pending callbacks between the two runs — outside a running loop, where the
    engine's tasks would fail."""
    paths = ProfilePaths(tmp_path / "profile")
    paths.ensure()
    root = logging.getLogger(ROOT)
    level, propagate = root.level, root.propagate
    setup_logging(paths.logs, level="DEBUG", to_stderr=False)
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(paths.database, bus)
    keyring = MemoryKeyring()
    secrets = SecretStore(backend=keyring)
    sync = SyncService(store, bus, secrets.get_password, settings=Settings(extra_ca_file=dovecot.ca_file))
    bridge = EventBridge(bus)
    ops = Ops()
    setup = AccountSetup(sync, discovery=NoLookups())  # the servers are typed: no lookup leaves this computer
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops, sync=sync, secrets=secrets, account_setup=setup)
    await sync.start()
    window.show()
    try:
        yield App(window, store, bus, ops, keyring, paths)
    finally:
        await ops.drain()
        await sync.stop()
        await store.close()
        bridge.detach()
        # Last: closing the last window ends the test's loop (quitOnLastWindowClosed), so nothing is awaited after.
        window.close()
        shiboken6.delete(window)
        setup_logging(None, to_stderr=False)
        root.setLevel(level)
        root.propagate = propagate


def fill(dialog: AccountSetupDialog, dovecot: DovecotServer, user: str, password: str) -> None:
    """Dovecot's IMAP over TLS typed in the manual settings (no SMTP: sending is set up later)."""
    dialog.manual_button.setChecked(True)
    dialog.name_edit.setText("Test server")
    dialog.address_edit.setText(f"{user}@example.org")
    imap = dialog.servers.imap_rows
    imap.host.setText(dovecot.host)
    imap.security.setCurrentIndex(imap.security.findData(ImapSecurity.TLS.value))
    imap.port.setText(str(dovecot.tls_port))
    imap.username.setText(user)
    dialog.password_edit.setText(password)


async def test_adding_an_account_lists_its_inbox_and_keeps_the_password_out_of_the_profile(
    tmp_path: Path, dovecot: DovecotServer, other_client: OtherClient
) -> None:
    user = dovecot.add_user(password=PASSWORD)
    server = other_client(user)
    append_messages(server, "INBOX", [message("Older", "Mon, 01 Jan 2024 10:00:00 +0000")])
    append_messages(server, "INBOX", [message("Newest", "Tue, 02 Jan 2024 10:00:00 +0000")])
    async with running_app(tmp_path, dovecot) as app:
        await add_and_check(app, dovecot, user.name)
    # The store and the log are closed now: every byte they will ever write is on disk.
    files = [path for path in app.paths.root.rglob("*") if path.is_file()]
    assert app.paths.database in files and any(path.suffix == ".log" for path in files)
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), path


async def add_and_check(app: App, dovecot: DovecotServer, user: str) -> None:
    dialog = app.window.account_commands.set_up_account()
    assert dialog is not None
    fill(dialog, dovecot, user, "not the password")
    dialog.ok_button.click()
    await idle(app.ops)
    assert dialog.isVisible() and dialog.imap_result.text().startswith("IMAP: ✗")  # refused, shown in place
    assert dialog.focusWidget() is dialog.password_edit  # the field to fix
    assert all(a.kind is not AccountKind.IMAP for a in app.store.reader.accounts())

    added = next_emit(dialog.accountAdded)
    dialog.password_edit.setText(PASSWORD)
    dialog.ok_button.click()
    (account,) = await wait_for(added)
    assert account.kind is AccountKind.IMAP
    assert app.keyring.items == {(SERVICE_NAME, f"account:{account.id}:password"): PASSWORD}

    def inbox_listed() -> bool:
        inbox = app.store.reader.folder_by_role(account.id, FolderRole.INBOX)
        return inbox is not None and app.window.folder_model.index_for_folder(inbox.id).isValid()

    await wait_for(app.until(inbox_listed))
    inbox = app.store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    await wait_for(app.until(lambda: app.store.reader.folder(inbox.id).total_count == 2))  # type: ignore[union-attr]
    app.window.select_folder(inbox.id)
    model = app.window.message_model
    assert [model.summary_at(row).subject for row in range(model.rowCount())] == ["Newest", "Older"]  # type: ignore[union-attr]
