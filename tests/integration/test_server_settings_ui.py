"""Account settings → Server settings… against real servers on 127.0.0.1: an account moved from implicit TLS to
STARTTLS (Dovecot's other port) through the dialog is checked on IMAP and SMTP, saved, and its sync reconnects
and stays IDLE with the new settings; a wrong password typed in the dialog is refused there, and the old
settings and password are kept."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.app.smtp_check import check_smtp_login
from realmail_desktop.auth import SecretStore
from realmail_desktop.core.config import Settings
from realmail_desktop.core.events import AccountState, AccountStatus, EventBus
from realmail_desktop.store import Account, ImapSecurity, ImapSettings, SmtpSettings, Store
from realmail_desktop.sync import SyncService
from realmail_desktop.ui.dialogs.server_settings_dialog import ServerSettingsDialog
from realmail_desktop.ui.ops import Ops
from tests.integration.sync_support import FAST
from tests.keyring_backends import MemoryKeyring
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer
from tests.ui.qt_async import idle, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.gui]
PASSWORD = "Kp4-server-settings-pw"


@dataclass
class Setup:
    store: Store
    bus: EventBus
    sync: SyncService
    secrets: SecretStore
    ops: Ops
    account: Account
    window: QMainWindow

    def reconnected(self) -> asyncio.Future[None]:
        """Resolved once the account's sync, from now on, went through CONNECTING and then reached IDLE."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        seen: list[AccountState] = []

        def check(status: AccountStatus) -> None:
            if status.account_id != self.account.id or future.done():
                return
            seen.append(status.state)
            if status.state is AccountState.IDLE and AccountState.CONNECTING in seen:
                future.set_result(None)

        unsubscribe = self.bus.subscribe(AccountStatus, check)
        future.add_done_callback(lambda _f: unsubscribe())
        return future

    def imap(self) -> ImapSettings:
        settings = self.store.reader.sync.imap_settings(self.account.id)
        assert settings is not None
        return settings

    def dialog(self) -> ServerSettingsDialog:
        dialog = ServerSettingsDialog(
            self.account,
            self.imap(),
            self.store.reader.outbox.smtp_settings(self.account.id),
            sync=self.sync,
            secrets=self.secrets,
            ops=self.ops,
            check_smtp=partial(check_smtp_login, extra_ca_file=self.sync_ca),
            save_smtp=self.store.sending.set_smtp_settings,
            parent=self.window,
        )
        dialog.open()
        return dialog

    sync_ca: Path | None = None


@contextlib.asynccontextmanager
async def running(tmp_path: Path, dovecot: DovecotServer, smtp: SmtpServer, user: str) -> AsyncIterator[Setup]:
    """A store, the real SyncService and an account on Dovecot's implicit-TLS port, synced and IDLE (a context
    manager inside the test: see tests/integration/test_add_account_ui.running_app)."""
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(tmp_path / "realmail.sqlite3", bus)
    secrets = SecretStore(backend=MemoryKeyring())
    sync = SyncService(store, bus, secrets.get_password, settings=Settings(extra_ca_file=dovecot.ca_file), options=FAST)
    ops = Ops()
    window = QMainWindow()  # the dialogs' parent: closing the last window would end the test's loop
    window.show()
    await sync.start()
    try:
        first_idle: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def check(status: AccountStatus) -> None:
            if status.state is AccountState.IDLE and not first_idle.done():
                first_idle.set_result(None)

        unsubscribe = bus.subscribe(AccountStatus, check)
        account = await sync.add_imap_account(
            name="Work",
            address=f"{user}@example.net",
            host=dovecot.host,
            port=dovecot.tls_port,
            security=ImapSecurity.TLS,
            username=user,
            password=PASSWORD,
            before_start=lambda account_id: secrets.set_password(account_id, PASSWORD),
        )
        await store.sending.set_smtp_settings(
            account.id, SmtpSettings(host=smtp.host, port=smtp.port, security=ImapSecurity.STARTTLS)
        )
        await wait_for(first_idle)
        unsubscribe()
        yield Setup(store, bus, sync, secrets, ops, account, window, sync_ca=dovecot.ca_file)
    finally:
        await ops.drain()
        await sync.stop()
        await store.close()
        window.close()  # last: it ends the test's loop


def choose_starttls(dialog: ServerSettingsDialog, dovecot: DovecotServer) -> None:
    rows = dialog.servers.imap_rows
    rows.security.setCurrentIndex(rows.security.findData(ImapSecurity.STARTTLS.value))
    rows.port.setText(str(dovecot.port))


async def test_moving_an_account_to_starttls_checks_both_logins_saves_and_reconnects(
    tmp_path: Path, dovecot: DovecotServer
) -> None:
    user = dovecot.add_user(password=PASSWORD)
    smtp = SmtpServer(users={user.name: PASSWORD})
    smtp.start()
    try:
        async with running(tmp_path, dovecot, smtp, user.name) as setup:
            dialog = setup.dialog()
            rows = dialog.servers.imap_rows
            assert (rows.host.text(), rows.port.text(), rows.username.text()) == (
                dovecot.host,
                str(dovecot.tls_port),
                user.name,
            )
            assert rows.chosen_security() is ImapSecurity.TLS
            assert dialog.servers.smtp_rows.port.text() == str(smtp.port)
            assert dialog.password_edit.text() == ""  # empty: the saved password is used and kept
            choose_starttls(dialog, dovecot)
            reconnected = setup.reconnected()
            dialog.ok_button.click()
            assert dialog.task is not None
            await wait_for(dialog.task)
            assert dialog.imap_result.text() == f"IMAP: ✓ logged in to {dovecot.host}."
            assert dialog.smtp_result.text() == f"SMTP: ✓ logged in to {smtp.host}."
            assert not dialog.isVisible()
            await wait_for(reconnected)
            saved = setup.imap()
            assert (saved.host, saved.port, saved.security) == (dovecot.host, dovecot.port, ImapSecurity.STARTTLS)
            assert saved.sync_window_days == 30  # what was not shown is kept
            status = setup.sync.status(setup.account.id)
            assert status is not None and status.state is AccountState.IDLE
            assert setup.secrets.get_password(setup.account.id) == PASSWORD
            await idle(setup.ops)
    finally:
        smtp.stop()


async def test_a_wrong_password_is_refused_in_the_dialog_and_nothing_is_saved(
    tmp_path: Path, dovecot: DovecotServer
) -> None:
    user = dovecot.add_user(password=PASSWORD)
    smtp = SmtpServer(users={user.name: PASSWORD})
    smtp.start()
    try:
        async with running(tmp_path, dovecot, smtp, user.name) as setup:
            before = setup.imap()
            smtp_before = setup.store.reader.outbox.smtp_settings(setup.account.id)
            dialog = setup.dialog()
            choose_starttls(dialog, dovecot)
            dialog.servers.smtp_rows.port.setText(str(smtp.port))
            dialog.password_edit.setText("not the password")
            dialog.ok_button.click()
            assert dialog.task is not None
            await wait_for(dialog.task)
            assert dialog.isVisible() and dialog.ok_button.isEnabled()
            assert dialog.imap_result.text().startswith("IMAP: ✗")
            assert dialog.smtp_result.text().startswith("SMTP: ✗")  # each protocol says its own result
            assert setup.imap() == before
            assert setup.store.reader.outbox.smtp_settings(setup.account.id) == smtp_before
            assert setup.secrets.get_password(setup.account.id) == PASSWORD
            status = setup.sync.status(setup.account.id)
            assert status is not None and status.state is AccountState.IDLE
            dialog.reject()
            await idle(setup.ops)
    finally:
        smtp.stop()
