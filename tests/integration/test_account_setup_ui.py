"""File → Add account… the way a person does it, against real servers on 127.0.0.1: "Sign in with Google" from
the dialog (the fake OAuth server, a test browser) to a synced Inbox on a Dovecot that checks tokens; Cancel
while the browser is open; a password account whose settings autoconfig found; a revoked sign-in shown as a
"Sign in again" banner that signing in again clears; and no password or token in any file of the profile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
import shiboken6

from realmail_desktop.app.smtp_check import check_smtp_login
from realmail_desktop.auth import SERVICE_NAME, SecretStore
from realmail_desktop.auth.autoconfig import Discovery
from realmail_desktop.auth.oauth import OAuthTokens
from realmail_desktop.auth.oauth_client import OAuthClient
from realmail_desktop.auth.providers import Provider, Security, ServerSettings, SignIn
from realmail_desktop.core.config import ProfilePaths, Settings
from realmail_desktop.core.events import AccountState, AccountStatus, Changes, EventBus
from realmail_desktop.core.logs import ROOT, setup_logging
from realmail_desktop.store import Account, FolderRole, ImapAuth, Store
from realmail_desktop.sync import SyncService
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.account_setup_dialog import (
    SMTP_NOT_TESTED,
    WAITING_FOR_GOOGLE,
    AccountSetup,
    AccountSetupDialog,
)
from realmail_desktop.ui.dialogs.google_sign_in import GoogleSetup
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow
from tests.integration.sync_support import FAST, message
from tests.keyring_backends import MemoryKeyring
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuthServer, FollowingBrowser
from tests.servers.proxy import CuttingProxy
from tests.servers.smtp import SmtpServer
from tests.ui.qt_async import idle, next_emit, wait_for
from tests.unit.auth.test_discovery import ConfigServer, client_config

pytestmark = [pytest.mark.integration, pytest.mark.gui]
PASSWORD = "Vr7-setup-pw-Qz38xL"  # distinctive: finding these bytes in a file means it leaked


@dataclass
class App:
    window: MainWindow
    store: Store
    bus: EventBus
    ops: Ops
    keyring: MemoryKeyring
    paths: ProfilePaths
    browser: FollowingBrowser
    opened: list[str]
    browser_opened: asyncio.Event

    def until(self, condition: Callable[[], bool]) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def check(_changes: Changes | None = None) -> None:
            if not future.done() and condition():
                future.set_result(None)

        unsubscribe = self.bus.subscribe(Changes, check)
        future.add_done_callback(lambda _f: unsubscribe())
        check()
        return future

    def status(self, account_id: int, state: AccountState) -> asyncio.Future[AccountStatus]:
        future: asyncio.Future[AccountStatus] = asyncio.get_running_loop().create_future()

        def check(status: AccountStatus) -> None:
            if not future.done() and status.account_id == account_id and status.state is state:
                future.set_result(status)

        unsubscribe = self.bus.subscribe(AccountStatus, check)
        future.add_done_callback(lambda _f: unsubscribe())
        return future


class IntrospectedToken:
    """What the test SMTP server's token table holds for a user (its XOAUTH2 handler compares it with the bearer
    token): equal to any token the fake OAuth server says is active for that user — as Gmail's SMTP asks Google."""

    def __init__(self, fake: FakeOAuthServer, user: str) -> None:
        self.fake, self.user = fake, user

    def __eq__(self, token: object) -> bool:
        answer = self.fake.introspect({"token": str(token)})
        return answer["active"] is True and answer.get("email") == self.user

    __hash__ = None  # type: ignore[assignment]


def google_provider(host: str, port: int, smtp_port: int = 465) -> Callable[[str], Provider | None]:
    """The provider table as the test sees it: example.org is "Google" at the local Dovecot (and SMTP server)."""
    provider = Provider(
        "Google (test)",
        ("example.org",),
        ServerSettings(host, port, Security.TLS),
        ServerSettings(host, smtp_port, Security.STARTTLS),
        SignIn.OAUTH_GOOGLE,
        "Sign in with Google in your browser.",
    )
    return lambda address: provider if address.endswith("@example.org") else None


@contextlib.asynccontextmanager
async def running_app(
    tmp_path: Path,
    dovecot: DovecotServer,
    fake: FakeOAuthServer,
    discovery: Discovery,
    *,
    follow: bool = True,
    smtp_check: bool = True,
) -> AsyncIterator[App]:
    """The window as app/gui.py builds it (token keeper shared by engine and dialog), over a fresh profile."""
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
    base = fake.base_url
    client = OAuthClient(CLIENT_ID, CLIENT_SECRET, f"{base}/authorize", f"{base}/token", f"{base}/revoke")
    tokens = OAuthTokens(secrets, lambda _account: client, clock=lambda: fake.now)
    sync = SyncService(
        store,
        bus,
        secrets.get_password,
        settings=Settings(extra_ca_file=dovecot.ca_file),
        options=FAST,
        token_for=tokens.token,
        forget_secrets=tokens.forget_account,
    )
    browser, opened, browser_opened = FollowingBrowser(), [], asyncio.Event()

    def record(url: str) -> None:  # a browser the person never finishes in
        opened.append(url)
        browser_opened.set()

    opener = browser if follow else record
    check_smtp = partial(check_smtp_login, extra_ca_file=dovecot.ca_file) if smtp_check else None  # one test CA
    setup = AccountSetup(sync, GoogleSetup(lambda: client, tokens, opener), discovery=discovery, check_smtp=check_smtp)
    bridge = EventBridge(bus)
    ops = Ops()
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops, sync=sync, secrets=secrets, account_setup=setup)
    await sync.start()
    window.show()
    try:
        yield App(window, store, bus, ops, keyring, paths, browser, opened, browser_opened)
    finally:
        await ops.drain()
        await sync.stop()
        await store.close()
        bridge.detach()
        window.close()
        shiboken6.delete(window)
        setup_logging(None, to_stderr=False)
        root.setLevel(level)
        root.propagate = propagate


def new_person(dovecot: DovecotServer, messages: int) -> ImapUser:
    user = dovecot.add_user(f"setup{time.monotonic_ns()}@example.org")
    now = int(time.time())
    dovecot.fill_maildir(user, "INBOX", [(message(i), "", now - 3600 * i) for i in range(messages)])
    return user


async def open_dialog(app: App, address: str) -> AccountSetupDialog:
    dialog = app.window.account_commands.set_up_account()
    assert isinstance(dialog, AccountSetupDialog)
    found = next_emit(dialog.settingsFound)
    dialog.address_edit.setText(address)
    dialog.find_settings()
    await wait_for(found)
    return dialog


def shown_results(dialog: AccountSetupDialog) -> list[str]:
    """The IMAP and SMTP result lines as the dialog showed them when it added the account (it closes then)."""
    results: list[str] = []
    dialog.accountAdded.connect(lambda _account: results.extend([dialog.imap_result.text(), dialog.smtp_result.text()]))
    return results


async def inbox_synced(app: App, account: Account, count: int) -> None:
    def done() -> bool:
        inbox = app.store.reader.folder_by_role(account.id, FolderRole.INBOX)
        return inbox is not None and inbox.total_count == count

    await wait_for(app.until(done))


def assert_no_secret_on_disk(paths: ProfilePaths, *secrets: str) -> None:
    files = [path for path in paths.root.rglob("*") if path.is_file()]
    assert paths.database in files and any(path.suffix == ".log" for path in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a secret is in {path}"


async def test_sign_in_with_google_from_the_dialog_to_a_synced_inbox_with_no_token_on_disk(
    tmp_path: Path, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    person = new_person(oauth_dovecot, 5)
    smtp = SmtpServer(tokens={person.name: IntrospectedToken(fake_oauth, person.name)})  # type: ignore[dict-item]
    smtp.start()
    discovery = Discovery(table=google_provider(oauth_dovecot.host, oauth_dovecot.tls_port, smtp.port), resolver=None)
    async with running_app(tmp_path, oauth_dovecot, fake_oauth, discovery) as app:
        dialog = await open_dialog(app, person.name)
        assert (
            "Google (test)" in dialog.found_label.text() and "RealMail's list of providers" in dialog.found_label.text()
        )
        assert dialog.google_button.isVisible() and dialog.google_button.isEnabled()
        assert not dialog.password_edit.isVisible() and not dialog.ok_button.isEnabled()
        added = next_emit(dialog.accountAdded)
        results = shown_results(dialog)
        dialog.google_button.click()
        (account,) = await wait_for(added)
        smtp.stop()
        assert account.address == person.name
        # Both logins were checked before saving, SMTP with XOAUTH2.
        assert results == ["IMAP: ✓ logged in to 127.0.0.1.", "SMTP: ✓ logged in to 127.0.0.1."]
        assert app.store.reader.sync.imap_settings(account.id).auth is ImapAuth.XOAUTH2  # type: ignore[union-attr]
        smtp = app.store.db.reader.execute("SELECT smtp_auth FROM accounts WHERE id = ?", (account.id,)).fetchone()
        assert smtp == ("xoauth2",)  # the sender will use the same sign-in
        await inbox_synced(app, account, 5)
        refresh_token = app.keyring.items[(SERVICE_NAME, f"account:{account.id}:refresh_token")]
        access_tokens = [token for token, active in fake_oauth.introspections if active]
    assert refresh_token in fake_oauth.refresh_tokens_of(person.name)
    assert_no_secret_on_disk(app.paths, refresh_token, *access_tokens)


async def test_cancel_stops_waiting_for_the_browser_and_a_second_cancel_closes(
    tmp_path: Path, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    discovery = Discovery(table=google_provider(oauth_dovecot.host, oauth_dovecot.tls_port), resolver=None)
    async with running_app(tmp_path, oauth_dovecot, fake_oauth, discovery, follow=False) as app:
        dialog = await open_dialog(app, "nobody@example.org")
        dialog.google_button.click()
        assert dialog.status_label.text() == WAITING_FOR_GOOGLE and dialog.is_busy()
        await wait_for(asyncio.ensure_future(app.browser_opened.wait()))
        assert len(app.opened) == 1 and "code_challenge=" in app.opened[0]
        dialog.reject()  # Cancel
        await idle(app.ops)
        assert dialog.isVisible() and not dialog.is_busy() and "cancelled" in dialog.status_label.text()
        assert dialog.google_button.isEnabled()
        dialog.reject()
        assert not dialog.isVisible()
        assert [a for a in app.store.reader.accounts() if a.address == "nobody@example.org"] == []


async def test_a_password_account_found_by_autoconfig_is_tested_then_saved_with_the_password_only_in_the_keyring(
    tmp_path: Path, dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    user = dovecot.add_user(password=PASSWORD)
    now = int(time.time())
    dovecot.fill_maildir(user, "INBOX", [(message(i), "", now - 60 * i) for i in range(3)])
    smtp = SmtpServer(users={f"{user.name}@example.net": PASSWORD})
    smtp.start()
    server = ConfigServer()
    config = (
        client_config(dovecot.host)
        .replace(b"<port>993</port>", f"<port>{dovecot.tls_port}</port>".encode())
        .replace(b"smtp.example.org</hostname><port>587", f"{smtp.host}</hostname><port>{smtp.port}".encode())
    )
    server.files["/autoconfig/example.net/mail/config-v1.1.xml"] = config.replace(
        b"%EMAILLOCALPART%", user.name.encode()
    )
    discovery = Discovery(urls=server.urls, resolver=None)
    try:
        async with running_app(tmp_path, dovecot, fake_oauth, discovery) as app:
            dialog = await open_dialog(app, f"{user.name}@example.net")
            assert "from autoconfig.example.net" in dialog.found_label.text()
            assert not dialog.google_button.isVisible() and dialog.password_edit.isVisible()
            assert dialog.servers.imap_rows.port.text() == str(dovecot.tls_port)
            dialog.password_edit.setText("not the password")
            dialog.ok_button.click()
            await idle(app.ops)
            assert dialog.isVisible() and dialog.imap_result.text().startswith("IMAP: ✗")
            assert dialog.smtp_result.text().startswith("SMTP: ✗")  # each protocol says its own result
            assert [a for a in app.store.reader.accounts() if a.address.endswith("@example.net")] == []
            added = next_emit(dialog.accountAdded)
            results = shown_results(dialog)
            dialog.password_edit.setText(PASSWORD)
            dialog.ok_button.click()
            (account,) = await wait_for(added)
            assert results == ["IMAP: ✓ logged in to 127.0.0.1.", "SMTP: ✓ logged in to 127.0.0.1."]
            assert app.keyring.items == {(SERVICE_NAME, f"account:{account.id}:password"): PASSWORD}
            sending = app.store.db.reader.execute(
                "SELECT smtp_host, smtp_port, smtp_security, smtp_username, smtp_auth FROM accounts WHERE id = ?",
                (account.id,),
            ).fetchone()
            assert sending == (smtp.host, smtp.port, "starttls", f"{user.name}@example.net", "password")
            await inbox_synced(app, account, 3)
    finally:
        server.close()
        smtp.stop()
    assert_no_secret_on_disk(app.paths, PASSWORD)


async def test_a_revoked_sign_in_shows_sign_in_again_and_signing_in_again_resumes(
    tmp_path: Path, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    person = new_person(oauth_dovecot, 2)
    with CuttingProxy((oauth_dovecot.host, oauth_dovecot.tls_port)) as proxy:
        discovery = Discovery(table=google_provider(*proxy.address), resolver=None)
        async with running_app(tmp_path, oauth_dovecot, fake_oauth, discovery, smtp_check=False) as app:
            dialog = await open_dialog(app, person.name)
            added = next_emit(dialog.accountAdded)
            results = shown_results(dialog)
            dialog.google_button.click()
            (account,) = await wait_for(added)
            assert results[1] == SMTP_NOT_TESTED  # no SMTP check given: said so, not hidden
            await inbox_synced(app, account, 2)
            await wait_for(app.status(account.id, AccountState.IDLE))

            fake_oauth.revoke_all(person.name)
            failed = app.status(account.id, AccountState.ERROR)
            proxy.cut_all()
            await wait_for(failed)
            banner = app.window.account_banner
            text = banner.text_for(account.id)
            assert text is not None and "Sign in again" in text
            button = banner.button_for(account.id)
            assert button is not None and button.text() == "Sign in again…"

            back = app.status(account.id, AccountState.IDLE)
            button.click()
            await wait_for(back)
            assert banner.accounts_shown() == []
            assert (SERVICE_NAME, f"account:{account.id}:refresh_token") in app.keyring.items
