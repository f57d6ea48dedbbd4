"""XOAUTH2 against a real Dovecot that checks every token at the fake OAuth server's introspection endpoint: an
account signed in with Google syncs its Inbox, a long first sync outlives its access token and the next
connection gets a refreshed one, a revoked sign-in becomes "sign in again", and one person's token is refused
for another address."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from realmail_desktop.auth import SecretKind, SecretStore
from realmail_desktop.auth.oauth import LoopbackSignIn, OAuthTokens
from realmail_desktop.auth.oauth_client import OAuthClient, SignInRequiredError, TokenGrant
from realmail_desktop.core.errors import AuthenticationFailedError
from realmail_desktop.core.events import AccountAction, AccountState, AccountStatus, Changes, EventBus
from realmail_desktop.store import FolderRole, ImapAuth, ImapSecurity, ImapSettings, Store
from realmail_desktop.sync import SyncService
from tests.integration.sync_support import FAST, message, next_event, status_is, until
from tests.keyring_backends import MemoryKeyring
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuthServer, FollowingBrowser
from tests.servers.proxy import CuttingProxy

pytestmark = pytest.mark.integration
_numbers = itertools.count(1)


def client_of(fake: FakeOAuthServer) -> OAuthClient:
    base = fake.base_url
    return OAuthClient(CLIENT_ID, CLIENT_SECRET, f"{base}/authorize", f"{base}/token", f"{base}/revoke")


def new_person(dovecot: DovecotServer, messages: int = 0) -> ImapUser:
    """A mailbox named by an address (the user name Gmail's XOAUTH2 takes), with `messages` in its Inbox."""
    user = dovecot.add_user(f"person{next(_numbers)}.{time.monotonic_ns()}@example.org")
    if messages:
        now = int(time.time())
        dovecot.fill_maildir(user, "INBOX", [(message(i), "", now - 3600 * i) for i in range(messages)])
    return user


async def sign_in(fake: FakeOAuthServer, address: str) -> TokenGrant:
    browser = FollowingBrowser()
    grant = await LoopbackSignIn(client_of(fake), browser, login_hint=address).run()
    browser.join()
    return grant


class Google:
    """The app's sign-in side: a keyring and the token manager on the fake server's clock."""

    def __init__(self, fake: FakeOAuthServer) -> None:
        self.keyring = MemoryKeyring()
        self.secrets = SecretStore(backend=self.keyring)
        self.tokens = OAuthTokens(self.secrets, lambda _account: client_of(fake), clock=lambda: fake.now)

    def service(self, store: Store, bus: EventBus) -> SyncService:
        return SyncService(
            store,
            bus,
            self.secrets.get_password,
            options=FAST,
            token_for=self.tokens.token,
            forget_secrets=self.tokens.forget_account,
        )


async def add_signed_in(
    service: SyncService, google: Google, grant: TokenGrant, port: int, host: str = "127.0.0.1"
) -> int:
    account = await service.add_imap_account(
        name="Google",
        address=grant.email,
        host=host,
        port=port,
        security=ImapSecurity.NONE,
        username=grant.email,
        password=grant.access_token,
        auth=ImapAuth.XOAUTH2,
        before_start=lambda account_id: google.tokens.adopt(account_id, grant),
    )
    return account.id


def inbox_count(store: Store, account_id: int) -> Callable[[], int]:
    def count() -> int:
        row = store.db.reader.execute(
            "SELECT COUNT(*) FROM messages m JOIN folders f ON f.id = m.folder_id"
            " WHERE f.account_id = ? AND f.role = 'inbox'",
            (account_id,),
        ).fetchone()
        return int(row[0])

    return count


async def test_a_long_first_sync_outlives_its_token_and_the_next_connection_gets_a_refreshed_one(
    store: Store, bus: EventBus, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    person = new_person(oauth_dovecot, messages=80)
    grant = await sign_in(fake_oauth, person.name)
    google = Google(fake_oauth)
    service = google.service(store, bus)
    refreshes_before = fake_oauth.grants.count("refresh_token")
    outlived: list[bool] = []

    def on_changes(changes: Changes) -> None:
        if changes.messages_added and not outlived:  # the first chunk is in: the token runs out mid-sync
            fake_oauth.advance(fake_oauth.token_lifetime + 60)
            outlived.append(True)

    unsubscribe = bus.subscribe(Changes, on_changes)
    account_id = await add_signed_in(service, google, grant, oauth_dovecot.port)
    await service.start()
    try:
        await next_event(bus, AccountStatus, status_is(account_id, AccountState.IDLE))
        assert outlived and inbox_count(store, account_id)() == 80
        # The IDLE connection opened after the long sync logged in with a refreshed token, not the expired one.
        assert fake_oauth.grants.count("refresh_token") == refreshes_before + 1
        fresh = google.tokens.token(account_id)
        assert fresh != grant.access_token and (fresh, True) in fake_oauth.introspections
        assert (grant.access_token, False) not in fake_oauth.introspections
        assert google.keyring.items == {("RealMail", f"account:{account_id}:refresh_token"): grant.refresh_token}
    finally:
        unsubscribe()
        await service.stop()


async def test_a_revoked_sign_in_asks_the_person_to_sign_in_again(
    store: Store, bus: EventBus, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    person = new_person(oauth_dovecot, messages=3)
    grant = await sign_in(fake_oauth, person.name)
    google = Google(fake_oauth)
    service = google.service(store, bus)
    with CuttingProxy((oauth_dovecot.host, oauth_dovecot.port)) as proxy:
        account_id = await add_signed_in(service, google, grant, proxy.address[1])
        await service.start()
        try:
            await next_event(bus, AccountStatus, status_is(account_id, AccountState.IDLE))
            await until(bus, lambda: inbox_count(store, account_id)() == 3)
            fake_oauth.revoke_all(person.name)  # in the Google account's security page
            waiting = next_event(bus, AccountStatus, status_is(account_id, AccountState.ERROR))
            proxy.cut_all()  # the next login finds out
            status = await waiting
            assert isinstance(service.last_error(account_id), SignInRequiredError)
        finally:
            await service.stop()
    assert status.action is AccountAction.SIGN_IN_AGAIN
    assert "Sign in again" in status.hint
    assert google.keyring.items == {}  # the dead refresh token is not kept


async def test_one_person_s_token_is_refused_for_another_address(
    store: Store, bus: EventBus, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    ann, bob = new_person(oauth_dovecot), new_person(oauth_dovecot, messages=1)
    grant = await sign_in(fake_oauth, ann.name)
    google = Google(fake_oauth)
    service = google.service(store, bus)
    with pytest.raises(AuthenticationFailedError):
        await service.add_imap_account(
            name="Bob",
            address=bob.name,
            host=oauth_dovecot.host,
            port=oauth_dovecot.port,
            security=ImapSecurity.NONE,
            username=bob.name,
            password=grant.access_token,
            auth=ImapAuth.XOAUTH2,
        )
    assert [a for a in store.reader.accounts() if a.address == bob.name] == []

    # An account whose stored sign-in is someone else's: the engine stops and asks to sign in again.
    settings = ImapSettings(
        host=oauth_dovecot.host, port=oauth_dovecot.port, security=ImapSecurity.NONE, username=bob.name,
        auth=ImapAuth.XOAUTH2,
    )  # fmt: skip
    account, _ = await store.accounts.create_imap("Bob", bob.name, settings)
    google.tokens.adopt(account.id, grant)
    await service.start()
    try:
        status = await next_event(bus, AccountStatus, status_is(account.id, AccountState.ERROR))
    finally:
        await service.stop()
    assert status.action is AccountAction.SIGN_IN_AGAIN and bob.name in status.message
    assert inbox_count(store, account.id)() == 0


async def test_removing_a_signed_in_account_signs_out_and_deletes_its_secrets(
    store: Store, bus: EventBus, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    person = new_person(oauth_dovecot, messages=2)
    grant = await sign_in(fake_oauth, person.name)
    google = Google(fake_oauth)
    service = google.service(store, bus)
    account_id = await add_signed_in(service, google, grant, oauth_dovecot.port)
    google.secrets.set_secret(account_id, SecretKind.PASSWORD, "left-over-password")
    await service.start()
    try:
        await until(bus, lambda: inbox_count(store, account_id)() == 2)
        await service.remove_account(account_id)
    finally:
        await service.stop()
    assert google.keyring.items == {}
    assert fake_oauth.refresh_tokens_of(person.name) == []  # revoked at the provider
    assert [a for a in store.reader.accounts() if a.id == account_id] == []
    assert inbox_count(store, account_id)() == 0


async def test_search_on_server_logs_in_with_the_sign_in_too(
    store: Store, bus: EventBus, oauth_dovecot: DovecotServer, fake_oauth: FakeOAuthServer
) -> None:
    person = oauth_dovecot.add_user(f"searcher{time.monotonic_ns()}@example.org")
    old = int(time.time()) - 60 * 86_400
    oauth_dovecot.fill_maildir(person, "INBOX", [(message(i, days_ago=60), "", old - i) for i in range(3)])
    grant = await sign_in(fake_oauth, person.name)
    google = Google(fake_oauth)
    service = google.service(store, bus)
    account_id = await add_signed_in(service, google, grant, oauth_dovecot.port)
    await service.start()
    try:
        await until(bus, lambda: inbox_count(store, account_id)() == 3)
        inbox = store.reader.folder_by_role(account_id, FolderRole.INBOX)
        assert inbox is not None
        assert await service.search_server("quokka1", [inbox.id]) == 1  # its body was outside the sync window
    finally:
        await service.stop()
