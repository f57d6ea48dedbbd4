"""The Drive bridge on our real sign-in (`AccountTokens` over `auth.oauth.OAuthTokens`): the fake Drive accepts
only tokens the fake OAuth server says are active, so a token that expired early is refreshed once, and a
revoked grant is "RealMail may no longer use your Google Drive"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from realmail_desktop.auth import SecretStore
from realmail_desktop.auth.oauth import LoopbackSignIn, OAuthTokens, mail_scopes
from realmail_desktop.auth.oauth_client import OAuthClient
from realmail_desktop.bridges.drive import AccountTokens, BytesSource, DriveAccessRevokedError, DriveService
from realmail_desktop.store import Account, Store
from tests.keyring_backends import MemoryKeyring
from tests.servers.drive import FakeDrive
from tests.servers.oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuthServer, FollowingBrowser
from tests.unit.drive.conftest import FAST_RETRY

ADDRESS = "ann@example.org"


@pytest.fixture
def oauth() -> Iterator[FakeOAuthServer]:
    with FakeOAuthServer() as server:
        yield server


async def signed_in(oauth: FakeOAuthServer, fake_drive: FakeDrive, store: Store, account: Account) -> DriveService:
    base = oauth.base_url
    client = OAuthClient(CLIENT_ID, CLIENT_SECRET, f"{base}/authorize", f"{base}/token", f"{base}/revoke")
    grant = await LoopbackSignIn(client, FollowingBrowser(), scopes=mail_scopes(drive=True), login_hint=ADDRESS).run()
    started = oauth.now  # our clock stays here: a cached token looks fresh to us whatever the server thinks
    tokens = OAuthTokens(SecretStore(backend=MemoryKeyring()), lambda _a: client, clock=lambda: started)
    tokens.adopt(account.id, grant)
    fake_drive.accepted_tokens = None
    fake_drive.token_check = lambda token: bool(oauth.introspect({"token": token})["active"])
    service = DriveService(
        store, lambda account_id: AccountTokens(tokens, account_id), base_url=fake_drive.base_url, retry=FAST_RETRY
    )
    return service


async def test_a_token_refused_by_drive_is_refreshed_once(
    oauth: FakeOAuthServer, fake_drive: FakeDrive, store: Store, account: Account
) -> None:
    service = await signed_in(oauth, fake_drive, store, account)
    link = await service.upload(account.id, BytesSource("a.txt", b"first"))
    assert oauth.grants == ["authorization_code"]
    oauth.advance(3700)  # the token expired for Google; our cache still holds it as fresh
    second = await service.upload(account.id, BytesSource("b.txt", b"second"))
    assert oauth.grants == ["authorization_code", "refresh_token"]
    assert fake_drive.content_path(second.file_id).read_bytes() == b"second" and link.file_id != second.file_id


async def test_a_revoked_grant_is_revoked_drive_access(
    oauth: FakeOAuthServer, fake_drive: FakeDrive, store: Store, account: Account
) -> None:
    service = await signed_in(oauth, fake_drive, store, account)
    oauth.revoke_all(ADDRESS)
    with pytest.raises(DriveAccessRevokedError) as caught:
        await service.upload(account.id, BytesSource("a.txt", b"a"))
    assert "Sign in with Google again" in caught.value.hint
