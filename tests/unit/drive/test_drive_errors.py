"""Every way Drive says no ends in its own plain-words `DriveError` (and the session is kept only when trying
again can help)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from realmail_desktop.bridges.drive import (
    BytesSource,
    DriveAccessRevokedError,
    DriveQuotaExceededError,
    DriveService,
    DriveSharingForbiddenError,
    DriveUnreachableError,
    DriveUploadCorruptedError,
    FileSource,
)
from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import Account, LinkSharing, Store
from tests.servers.drive import FakeDrive
from tests.unit.drive.conftest import Tokens, write_random_file


async def test_a_full_drive_is_quota_exceeded(
    fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, store: Store
) -> None:
    fake_drive.inject("initiate", "quota")
    with pytest.raises(DriveQuotaExceededError) as caught:
        await make_service().upload(account.id, BytesSource("big.iso", b"x" * 1000))
    assert "full" in caught.value.message and caught.value.hint
    assert await store.drive.pending(account.id) == []


async def test_an_organisation_forbidding_link_sharing(
    fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account
) -> None:
    fake_drive.inject("permission", "sharing")
    with pytest.raises(DriveSharingForbiddenError) as caught:
        await make_service().upload(account.id, BytesSource("a.pdf", b"%PDF"), sharing=LinkSharing.ANYONE)
    assert "organisation" in caught.value.message


async def test_a_token_refused_after_a_refresh_is_revoked_access(
    fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, tokens: Tokens
) -> None:
    fake_drive.accepted_tokens = set()
    with pytest.raises(DriveAccessRevokedError):
        await make_service().upload(account.id, BytesSource("a.txt", b"a"))
    assert tokens.refreshes == 1


async def test_an_ended_sign_in_is_revoked_access(
    make_service: Callable[..., DriveService], account: Account, tokens: Tokens
) -> None:
    tokens.ended = True
    with pytest.raises(DriveAccessRevokedError) as caught:
        await make_service().upload(account.id, BytesSource("a.txt", b"a"))
    assert isinstance(caught.value, KnownError) and "Sign in" in caught.value.hint


async def test_a_drive_that_keeps_failing_is_unreachable_and_the_session_kept(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, store: Store
) -> None:
    fake_drive.inject("chunk", "503", times=50)
    source = FileSource(write_random_file(tmp_path / "a.bin", 2))
    with pytest.raises(DriveUnreachableError):
        await make_service().upload(account.id, source)
    assert [u.source_key for u in await store.drive.pending(account.id)] == [source.key]


async def test_a_server_that_is_down_is_unreachable(
    make_service: Callable[..., DriveService], account: Account, fake_drive: FakeDrive
) -> None:
    fake_drive.stop()
    with pytest.raises(DriveUnreachableError):
        await make_service().upload(account.id, BytesSource("a.txt", b"a"))


async def test_bytes_damaged_on_the_way_are_caught_by_the_md5(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, store: Store
) -> None:
    fake_drive.inject("chunk", "flip")
    with pytest.raises(DriveUploadCorruptedError) as caught:
        await make_service().upload(account.id, FileSource(write_random_file(tmp_path / "a.bin", 2)))
    assert "damaged" in caught.value.message
    assert await store.drive.pending(account.id) == []


async def test_a_busy_drive_is_retried_when_starting_and_sharing(
    fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, tokens: Tokens
) -> None:
    fake_drive.inject("initiate", "503", times=2)
    fake_drive.inject("permission", "503")
    tokens.current = "stale"
    link = await make_service().upload(account.id, BytesSource("a.txt", b"abc"), sharing=LinkSharing.ANYONE)
    assert fake_drive.pending_faults() == 0 and tokens.refreshes == 1
    assert [p["type"] for p in fake_drive.files[link.file_id].permissions] == ["anyone"]
    assert fake_drive.content_path(link.file_id).read_bytes() == b"abc"
