"""Google sign-in against the fake OAuth server on 127.0.0.1: the loopback + PKCE flow driven by a test
"browser", cancelling, refresh before expiry, revoke, `invalid_grant` → sign in again, and the client settings
(environment, client_secret.json)."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from realmail_desktop.auth import SecretKind, SecretStore
from realmail_desktop.auth.oauth import LoopbackSignIn, OAuthTokens, mail_scopes
from realmail_desktop.auth.oauth_client import (
    DRIVE_SCOPE,
    MAIL_SCOPE,
    OAuthClient,
    SignInRequiredError,
    challenge_of,
    google_client,
    read_client_secret_file,
)
from realmail_desktop.core.config import Settings
from realmail_desktop.core.errors import KnownError, ServerUnreachableError
from tests.keyring_backends import MemoryKeyring
from tests.servers.oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuthServer
from tests.servers.oauth import FollowingBrowser as Browser

ADDRESS = "ann@example.org"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeOAuthServer]:
    with FakeOAuthServer() as server:
        yield server


def client_of(fake: FakeOAuthServer) -> OAuthClient:
    base = fake.base_url
    return OAuthClient(CLIENT_ID, CLIENT_SECRET, f"{base}/authorize", f"{base}/token", f"{base}/revoke")


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


def tokens_for(fake: FakeOAuthServer, keyring: MemoryKeyring, clock: Clock) -> OAuthTokens:
    return OAuthTokens(SecretStore(backend=keyring), lambda _account: client_of(fake), clock=clock)


async def test_sign_in_follows_the_loopback_pkce_flow_and_keeps_only_the_refresh_token_in_the_keyring(
    fake: FakeOAuthServer, keyring: MemoryKeyring
) -> None:
    browser = Browser()
    sign_in = LoopbackSignIn(client_of(fake), browser, login_hint=ADDRESS)
    grant = await asyncio.wait_for(sign_in.run(), 20)
    browser.join()
    assert browser.errors == [] and "Signed in" in browser.pages[0]
    query = {k: v[0] for k, v in parse_qs(urlsplit(browser.opened[0]).query).items()}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == sign_in.redirect_uri and sign_in.redirect_uri.startswith("http://127.0.0.1:")
    assert query["access_type"] == "offline" and query["include_granted_scopes"] == "true"
    assert set(query["scope"].split()) == {"openid", "email", MAIL_SCOPE}  # no Drive until it is turned on
    assert query["login_hint"] == ADDRESS
    assert grant.email == ADDRESS and MAIL_SCOPE in grant.scopes and grant.refresh_token
    assert fake.grants == ["authorization_code"]
    assert grant.access_token not in repr(grant) and grant.refresh_token not in repr(grant)

    clock = Clock(fake.now)
    tokens = tokens_for(fake, keyring, clock)
    tokens.adopt(7, grant)
    assert keyring.items == {("RealMail", "account:7:refresh_token"): grant.refresh_token}
    assert await tokens.token_for(7) == grant.access_token  # fresh: no refresh needed
    assert fake.grants == ["authorization_code"]


async def test_drive_is_asked_for_only_when_turned_on_and_adds_to_what_was_granted(fake: FakeOAuthServer) -> None:
    await LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run()
    browser = Browser()
    grant = await LoopbackSignIn(client_of(fake), browser, scopes=mail_scopes(drive=True), login_hint=ADDRESS).run()
    assert DRIVE_SCOPE in parse_qs(urlsplit(browser.opened[0]).query)["scope"][0]
    assert {MAIL_SCOPE, DRIVE_SCOPE} <= grant.scopes
    tokens = OAuthTokens(SecretStore(backend=MemoryKeyring()), lambda _a: client_of(fake), clock=Clock(fake.now))
    assert tokens.granted_scopes(1) == frozenset()
    tokens.adopt(1, grant)
    assert DRIVE_SCOPE in tokens.granted_scopes(1)


async def test_a_wrong_pkce_verifier_is_refused_by_the_server(fake: FakeOAuthServer) -> None:
    sign_in = LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS)
    sign_in._verifier = "x" * 64 + "-not-the-one-whose-challenge-was-sent"
    original = challenge_of

    def opener(url: str) -> None:  # the challenge sent is of another verifier
        Browser()(url.replace(original(sign_in._verifier), original("another-verifier-" + "y" * 50)))

    sign_in._opener = opener
    with pytest.raises(SignInRequiredError):
        await asyncio.wait_for(sign_in.run(), 20)


async def test_a_redirect_with_another_state_is_ignored_and_consent_refused_is_a_plain_error(
    fake: FakeOAuthServer,
) -> None:
    fake.deny_consent = True
    browser = Browser()
    with pytest.raises(KnownError, match="cancelled or refused"):
        await asyncio.wait_for(LoopbackSignIn(client_of(fake), browser, login_hint=ADDRESS).run(), 20)

    fake.deny_consent = False
    forged: list[str] = []
    browser = Browser()

    def forge_then_consent(url: str) -> None:  # another page redirects first, with a state of its own
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        try:
            urllib.request.urlopen(f"{redirect}?code=stolen&state=forged", timeout=10)
        except urllib.error.HTTPError as refused:  # 400: not this sign-in's state
            forged.append(f"{refused.code} {refused.read().decode()}")
        browser(url)  # then the real consent

    def opener(url: str) -> None:
        threading.Thread(target=forge_then_consent, args=(url,), daemon=True).start()

    grant = await asyncio.wait_for(LoopbackSignIn(client_of(fake), opener, login_hint=ADDRESS).run(), 20)
    assert forged[0].startswith("400") and "not RealMail" in forged[0] and grant.email == ADDRESS


async def test_cancelling_the_wait_closes_the_loopback_listener(fake: FakeOAuthServer) -> None:
    opened = asyncio.Event()
    sign_in = LoopbackSignIn(client_of(fake), lambda _url: opened.set())
    task = asyncio.ensure_future(sign_in.run())
    await asyncio.wait_for(opened.wait(), 10)  # the listener is up once the browser was asked to open
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    port = urlsplit(sign_in.redirect_uri).port
    assert port is not None
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_access_tokens_refresh_by_themselves_shortly_before_they_expire(
    fake: FakeOAuthServer, keyring: MemoryKeyring
) -> None:
    grant = await LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run()
    clock = Clock(fake.now)
    tokens = tokens_for(fake, keyring, clock)
    tokens.adopt(1, grant)
    clock.now += 3000  # 10 minutes left: still good
    assert await tokens.token_for(1) == grant.access_token
    clock.now += 500  # under two minutes left: renewed before it runs out
    renewed = await tokens.token_for(1)
    assert renewed != grant.access_token and fake.grants == ["authorization_code", "refresh_token"]
    assert await tokens.token_for(1) == renewed  # and kept
    assert fake.introspect({"token": renewed})["active"] is True


async def test_concurrent_askers_share_one_refresh(fake: FakeOAuthServer, keyring: MemoryKeyring) -> None:
    grant = await LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run()
    clock = Clock(fake.now)
    tokens = tokens_for(fake, keyring, clock)
    tokens.adopt(1, grant)
    clock.now += 4000
    answers = await asyncio.gather(*(tokens.token_for(1) for _ in range(5)))
    assert len(set(answers)) == 1 and fake.grants.count("refresh_token") == 1


async def test_a_revoked_grant_is_sign_in_again_and_its_refresh_token_is_dropped(
    fake: FakeOAuthServer, keyring: MemoryKeyring
) -> None:
    grant = await LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run()
    tokens = tokens_for(fake, keyring, Clock(fake.now))
    tokens.adopt(1, grant)
    fake.revoke_all(ADDRESS)
    with pytest.raises(SignInRequiredError) as raised:
        tokens.token(1, renew=True)
    assert "Sign in again" in raised.value.hint
    assert keyring.items == {}
    with pytest.raises(SignInRequiredError, match="not signed in"):
        await tokens.token_for(1)


async def test_signing_out_revokes_at_the_provider_and_forgets_every_secret(
    fake: FakeOAuthServer, keyring: MemoryKeyring
) -> None:
    grant = await LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run()
    secrets = SecretStore(backend=keyring)
    secrets.set_password(1, "an-app-password")
    tokens = OAuthTokens(secrets, lambda _a: client_of(fake), clock=Clock(fake.now))
    tokens.adopt(1, grant)
    await tokens.forget_account(1)
    assert keyring.items == {} and fake.refresh_tokens_of(ADDRESS) == []
    assert fake.introspect({"token": grant.access_token})["active"] is False


async def test_a_session_only_sign_in_stays_out_of_the_keyring(fake: FakeOAuthServer, keyring: MemoryKeyring) -> None:
    grant = await LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run()
    secrets = SecretStore(backend=keyring)
    tokens = OAuthTokens(secrets, lambda _a: client_of(fake), clock=Clock(fake.now + 4000))
    tokens.adopt(3, grant, session_only=True)
    assert keyring.items == {} and secrets.is_session_only(3, SecretKind.REFRESH_TOKEN)
    assert await tokens.token_for(3)  # refreshed from the session's copy


async def test_an_unreachable_provider_is_a_connection_error_not_a_sign_out(keyring: MemoryKeyring) -> None:
    dead = OAuthClient(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1:9/a", "http://127.0.0.1:9/t", "http://127.0.0.1:9/r")
    secrets = SecretStore(backend=keyring)
    secrets.set_secret(1, SecretKind.REFRESH_TOKEN, "1//kept")
    tokens = OAuthTokens(secrets, lambda _a: dead)
    with pytest.raises(ServerUnreachableError):
        await tokens.token_for(1)
    assert secrets.get_secret(1, SecretKind.REFRESH_TOKEN) == "1//kept"


def test_token_endpoints_without_tls_are_refused_off_this_computer(keyring: MemoryKeyring) -> None:
    secrets = SecretStore(backend=keyring)
    secrets.set_secret(1, SecretKind.REFRESH_TOKEN, "1//kept")
    plain = OAuthClient(CLIENT_ID, "", "http://accounts.example/a", "http://accounts.example/t")
    with pytest.raises(KnownError, match="not encrypted"):
        OAuthTokens(secrets, lambda _a: plain).token(1)


def test_the_client_comes_from_settings_the_environment_or_a_client_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(KnownError, match="not set up"):
        google_client(Settings(_env_file=None))  # type: ignore[call-arg]
    monkeypatch.setenv("REALMAIL_GOOGLE_CLIENT_ID", "from-env.apps.googleusercontent.com")
    assert google_client(Settings()).client_id == "from-env.apps.googleusercontent.com"
    path = tmp_path / "client_secret.json"
    path.write_text(
        json.dumps(
            {"installed": {"client_id": "own.apps", "client_secret": "s", "token_uri": "https://t.example/token"}}
        )
    )
    monkeypatch.setenv("REALMAIL_GOOGLE_CLIENT_SECRET_FILE", str(path))
    client = google_client(Settings())
    assert (client.client_id, client.client_secret, client.token_uri) == ("own.apps", "s", "https://t.example/token")
    path.write_text("{not json")
    with pytest.raises(KnownError, match=r"not a usable client_secret\.json"):
        read_client_secret_file(path)


async def test_a_sign_in_without_mail_access_is_refused_in_plain_words(fake: FakeOAuthServer) -> None:
    fake.unticked = frozenset({MAIL_SCOPE})
    try:
        with pytest.raises(KnownError, match="did not give RealMail all the access"):
            await asyncio.wait_for(LoopbackSignIn(client_of(fake), Browser(), login_hint=ADDRESS).run(), 20)
    finally:
        fake.unticked = frozenset()
