"""Resumable uploads to the fake Drive over real HTTP: intact through faults, resumed after a restart,
restarted after an expired session, cancelled."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from realmail_desktop.bridges.drive import CHUNK_UNIT, FOLDER_NAME, BytesSource, DriveService, FileSource
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, LinkSharing, Store
from tests.servers.drive import FakeDrive
from tests.unit.drive.conftest import CHUNK, Tokens, write_random_file


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@pytest.mark.slow
async def test_a_50_mb_file_arrives_intact_through_every_fault(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, tokens: Tokens
) -> None:
    source_path = write_random_file(tmp_path / "holiday.mov", 50)
    tokens.current = "stale"  # the first token is refused: one refresh
    for fault in ("503", "drop", "half", "401", "503", "drop", "half"):
        fake_drive.inject("chunk", fault)
    seen: list[int] = []
    service = make_service(chunk_size=2 * CHUNK)

    link = await service.upload(account.id, FileSource(source_path), progress=lambda done, _total: seen.append(done))

    assert fake_drive.pending_faults() == 0
    stored = fake_drive.content_path(link.file_id)
    assert md5_of(stored) == md5_of(source_path)
    assert link.size == source_path.stat().st_size == 50 * 1024 * 1024
    assert link.url.endswith("/view?usp=drivesdk") and link.file_id in link.url
    assert tokens.refreshes == 2
    puts = [rng for method, _path, rng in fake_drive.requests if method == "PUT"]
    assert any(rng.startswith("bytes */") for rng in puts)  # asked where it stood after a drop / 503
    starts = [int(rng.split()[1].split("-")[0]) for rng in puts if not rng.startswith("bytes */")]
    assert all(start % CHUNK_UNIT == 0 for start in starts)
    assert any(start % (2 * CHUNK) for start in starts)  # went on from half a chunk
    assert seen == sorted(seen) and seen[-1] == link.size
    assert await account_uploads(service, account) == []


async def account_uploads(service: DriveService, account: Account) -> list[str]:
    return [u.source_key for u in await service._store.drive.pending(account.id)]


async def test_the_file_goes_into_one_realmail_attachments_folder(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account
) -> None:
    service = make_service()
    first = await service.upload(account.id, BytesSource("a.txt", b"first"))
    second = await service.upload(account.id, BytesSource("b.txt", b"second"))
    folders = fake_drive.files_named(FOLDER_NAME)
    assert len(folders) == 1 and folders[0].mime_type == "application/vnd.google-apps.folder"
    assert fake_drive.files[first.file_id].parents == [folders[0].id]
    assert fake_drive.files[second.file_id].parents == [folders[0].id]
    assert fake_drive.content_path(second.file_id).read_bytes() == b"second"


async def test_an_existing_folder_is_found_and_a_deleted_one_replaced(
    fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, store: Store
) -> None:
    made_elsewhere = fake_drive.create_file({"name": FOLDER_NAME, "mimeType": "application/vnd.google-apps.folder"})
    service = make_service()
    assert await service.folder(account.id) == made_elsewhere.id
    assert (await store.drive.settings(account.id)).folder_id == made_elsewhere.id
    del fake_drive.files[made_elsewhere.id]
    replacement = await service.folder(account.id)
    assert replacement != made_elsewhere.id and replacement in fake_drive.files


async def test_an_empty_file_uploads(
    make_service: Callable[..., DriveService], account: Account, fake_drive: FakeDrive
) -> None:
    link = await make_service().upload(account.id, BytesSource("empty.txt", b""))
    assert link.size == 0 and fake_drive.content_path(link.file_id).read_bytes() == b""


async def test_the_upload_resumes_after_a_restart(
    tmp_path: Path,
    fake_drive: FakeDrive,
    make_service: Callable[..., DriveService],
    account: Account,
    store: Store,
    bus: EventBus,
) -> None:
    source_path = write_random_file(tmp_path / "report.pdf", 6)
    stopped = asyncio.Event()

    def stop_after_two_chunks(done: int, _total: int) -> None:
        if done >= 2 * CHUNK:
            stopped.set()

    first_run = make_service()
    task = asyncio.create_task(first_run.upload(account.id, FileSource(source_path), progress=stop_after_two_chunks))
    await asyncio.wait_for(stopped.wait(), 30)
    task.cancel()  # the app quits mid-upload
    with pytest.raises(asyncio.CancelledError):
        await task
    kept = await store.drive.pending(account.id)
    assert [u.name for u in kept] == ["report.pdf"] and kept[0].size == 6 * CHUNK
    requests_before = len(fake_drive.requests)

    # The app starts again: a new store on the same file, a new service.
    path = store.db.path
    await store.close()
    reopened = await Store.open(path, bus)
    try:
        link = await make_service(reopened).upload(account.id, FileSource(source_path))
        assert await reopened.drive.pending(account.id) == []
    finally:
        await reopened.close()

    assert md5_of(fake_drive.content_path(link.file_id)) == md5_of(source_path)
    after = fake_drive.requests[requests_before:]
    assert not any(method == "POST" and path.startswith("/upload/") for method, path, _ in after)  # no new session
    assert after[0][0] == "GET" or any(rng == f"bytes */{6 * CHUNK}" for _m, _p, rng in after)
    first_chunk = next(rng for method, _p, rng in after if method == "PUT" and not rng.startswith("bytes */"))
    assert int(first_chunk.split()[1].split("-")[0]) >= 2 * CHUNK  # went on, did not start over


async def test_an_expired_session_starts_again_cleanly(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, store: Store
) -> None:
    source_path = write_random_file(tmp_path / "slides.key", 3)
    source = FileSource(source_path)
    await store.drive.remember(
        account.id,
        source.key,
        source.name,
        source.size,
        f"{fake_drive.base_url}/upload/drive/v3/files?uploadType=resumable&upload_id=gone",
    )
    service = make_service()
    link = await service.upload(account.id, source)
    assert service.last_upload is not None and service.last_upload.restarts == 1
    assert md5_of(fake_drive.content_path(link.file_id)) == md5_of(source_path)
    assert await store.drive.pending(account.id) == []


async def test_a_session_expiring_mid_upload_starts_again(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account
) -> None:
    source_path = write_random_file(tmp_path / "video.mp4", 4)
    fake_drive.inject("chunk", "503")
    fake_drive.inject("chunk", "expire")
    service = make_service()
    link = await service.upload(account.id, FileSource(source_path))
    assert service.last_upload is not None and service.last_upload.restarts == 1
    assert md5_of(fake_drive.content_path(link.file_id)) == md5_of(source_path)


async def test_cancel_stops_and_discard_forgets_the_session(
    tmp_path: Path, fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account, store: Store
) -> None:
    source = FileSource(write_random_file(tmp_path / "big.zip", 4))
    started = asyncio.Event()
    service = make_service()
    task = asyncio.create_task(service.upload(account.id, source, progress=lambda done, _t: done and started.set()))
    await asyncio.wait_for(started.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(await store.drive.pending(account.id)) == 1
    await service.discard(account.id, source.key)
    assert await store.drive.pending(account.id) == []
    assert not [f for f in fake_drive.files.values() if f.name == "big.zip"]


async def test_sharing_with_anyone_or_each_recipient(
    fake_drive: FakeDrive, make_service: Callable[..., DriveService], account: Account
) -> None:
    service = make_service()
    public = await service.upload(account.id, BytesSource("menu.pdf", b"%PDF-1.4"), sharing=LinkSharing.ANYONE)
    assert [(p["type"], p["role"]) for p in fake_drive.files[public.file_id].permissions] == [("anyone", "reader")]
    private = await service.upload(
        account.id,
        BytesSource("plan.pdf", b"%PDF-1.5"),
        sharing=LinkSharing.RECIPIENTS,
        recipients=["Ann@Example.org", "bob@example.net", "ann@example.org"],
    )
    permissions = fake_drive.files[private.file_id].permissions
    assert [(p["type"], p.get("emailAddress")) for p in permissions] == [
        ("user", "ann@example.org"),
        ("user", "bob@example.net"),
    ]
    mine = await service.upload(account.id, BytesSource("notes.txt", b"mine"))
    assert fake_drive.files[mine.file_id].permissions == []
