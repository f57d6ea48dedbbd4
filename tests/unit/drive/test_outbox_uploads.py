"""The outbox's Drive stage (bridges/drive/outbox_uploads.py) with the fake Drive over HTTP and a real aiosmtpd:
big files are marked at queue time, uploaded before SMTP takes the message, replaced by links in both parts;
uploads resume after a restart, start over after an expired session, wait out a network that is down, and
Drive's refusals and the person's cancel leave the message failed, intact and unsent."""

from __future__ import annotations

import asyncio
import email.parser
import hashlib
from collections.abc import AsyncIterator, Callable
from email import policy
from email.message import EmailMessage
from typing import Any, TypeVar

import pytest

from realmail_desktop.bridges.drive import (
    DriveAccessRevokedError,
    DriveNotSetUpError,
    DriveQuotaExceededError,
    DriveService,
    DriveSharingForbiddenError,
    OutboxUploadOptions,
    OutboxUploads,
)
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import DriveUploadStatus as Status
from realmail_desktop.core.events import Event, EventBus, OutboxStatus
from realmail_desktop.ingest.outgoing import queue_draft
from realmail_desktop.mail.compose import Draft, FileAttachment, build_message
from realmail_desktop.mail.drive_links import sha256_of
from realmail_desktop.mail.flowed import decode_flowed
from realmail_desktop.mail.headers import Address
from realmail_desktop.store import (
    Account,
    DriveSettings,
    LinkSharing,
    OutboxDriveFile,
    OutboxItem,
    OutboxState,
    OutgoingMessage,
    Store,
)
from realmail_desktop.store.drive_uploads import MB
from tests.servers.drive import FakeDrive
from tests.servers.smtp import SmtpServer
from tests.unit.drive.conftest import CHUNK, Tokens
from tests.unit.send.conftest import FakeClock, NewService

E = TypeVar("E", bound=Event)
ANN = Address("Ann", "ann@example.org")
BOB = Address("Bob", "bob@example.org")
QUICK = OutboxUploadOptions(retry_first_seconds=0.05, retry_max_seconds=0.1)


class Heard:
    """Every event of one type the bus carried, and a way to wait for one (no sleeping)."""

    def __init__(self, bus: EventBus, event_type: type[E]) -> None:
        self.seen: list[Any] = []
        self._arrived = asyncio.Event()
        bus.subscribe(event_type, self._on)

    def _on(self, event: Any) -> None:
        self.seen.append(event)
        self._arrived.set()

    async def wait(self, predicate: Callable[[Any], bool], within: float = 60.0) -> Any:
        async with asyncio.timeout(within):
            while True:
                found = next((event for event in self.seen if predicate(event)), None)
                if found is not None:
                    return found
                self._arrived.clear()
                await self._arrived.wait()


def random_bytes(size: int, seed: int) -> bytes:
    """Different bytes at every offset (an offset mistake shows in the hash), quick to make."""
    block = hashlib.sha256(str(seed).encode()).digest() * 32  # 1 KiB
    return b"".join(block[i % 7 :] + block[: i % 7] for i in range(size // 1024))


def parsed(raw: bytes) -> EmailMessage:
    message = email.parser.BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def body_texts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    return (
        decode_flowed(plain.get_content()) if plain is not None else "",
        html.get_content() if html is not None else "",
    )


async def queue_marked(
    store: Store, account: Account, big: FileAttachment, *, send_at: float, small: FileAttachment | None = None
) -> tuple[int, bytes]:
    """A message with `big` (marked for Drive, whatever its size) and maybe `small`, queued as the composer does."""
    files = (small, big) if small is not None else (big,)
    built = build_message(Draft(sender=ANN, to=(BOB,), subject="Files", text="Here they are.", attachments=files))
    mark = OutboxDriveFile(name=big.filename, size=len(big.data), sha256=sha256_of(big.data))
    outbox_id, _ = await store.outbox.enqueue(
        OutgoingMessage(
            account_id=account.id,
            raw=built.raw,
            message_id=built.message_id,
            mail_from=built.sender,
            recipients=built.recipients,
            send_at=send_at,
            drive_files=(mark,),
        )
    )
    return outbox_id, built.raw


def item_of(store: Store, outbox_id: int) -> OutboxItem:
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    return item


@pytest.fixture
async def stages(store: Store, bus: EventBus) -> AsyncIterator[Callable[..., Any]]:
    started: list[OutboxUploads] = []

    async def start(drive: DriveService | None, *, store_: Store | None = None) -> OutboxUploads:
        stage = OutboxUploads(store_ or store, bus, drive, options=QUICK)
        started.append(stage)
        await stage.start()
        return stage

    yield start
    for stage in started:
        await stage.stop()


@pytest.fixture
def statuses(bus: EventBus) -> Heard:
    return Heard(bus, Status)


@pytest.fixture
def outbox_events(bus: EventBus) -> Heard:
    return Heard(bus, OutboxStatus)


# --- marking at queue time -------------------------------------------------------------------------------------
async def test_queue_draft_marks_only_files_at_the_threshold_and_only_with_drive_on(
    store: Store, local_account: Account
) -> None:
    at = FileAttachment("at.bin", b"a" * (10 * MB), "application/octet-stream")
    under = FileAttachment("under.bin", b"u" * (10 * MB - 1), "application/octet-stream")
    draft = Draft(sender=ANN, to=(BOB,), subject="Files", text="Hi", attachments=(under, at))

    off_id, _ = await queue_draft(store, draft, account_id=local_account.id, send_at=0)
    assert item_of(store, off_id).drive_files == ()

    await store.drive.save_settings(local_account.id, DriveSettings(True, 10 * MB))
    on_id, built = await queue_draft(store, draft, account_id=local_account.id, send_at=0)
    item = item_of(store, on_id)
    assert item.drive_files == (OutboxDriveFile(name="at.bin", size=10 * MB, sha256=sha256_of(at.data)),)
    assert store.reader.raw_message(item.message_row) == built.raw  # the stored message keeps every file
    assert await store.read(lambda r: r.outbox.due_accounts(10.0**12)) == [local_account.id]  # only the plain one
    claimed = await store.outbox.claim_due(local_account.id, 10.0**12, 10)
    assert [c.id for c in claimed] == [off_id]  # the SMTP sender never takes a marked message


# --- the whole way ---------------------------------------------------------------------------------------------
@pytest.mark.slow
async def test_a_30_mb_file_leaves_as_a_link_and_the_message_as_mail(
    store: Store,
    bus: EventBus,
    sending_account: Account,
    smtp_server: SmtpServer,
    clock: FakeClock,
    new_service: NewService,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
    outbox_events: Heard,
) -> None:
    await store.drive.save_settings(sending_account.id, DriveSettings(True, 10 * MB, LinkSharing.RECIPIENTS))
    big = FileAttachment("holiday.mov", random_bytes(30 * MB, 1), "video/quicktime")
    small = FileAttachment("notes.txt", b"small notes", "text/plain")
    draft = Draft(sender=ANN, to=(BOB,), subject="Holiday", html="<p>Here it is.</p>", attachments=(small, big))
    outbox_id, built = await queue_draft(store, draft, account_id=sending_account.id, send_at=clock())

    await new_service()
    await stages(make_service(chunk_size=4 * CHUNK))
    done = await statuses.wait(lambda s: s.state == "done" and s.outbox_id == outbox_id)
    await outbox_events.wait(lambda s: s.state == "sent" and s.outbox_id == outbox_id)

    assert done.done == done.total == len(big.data)
    progress = [s.done for s in statuses.seen if s.state == "uploading"]
    assert progress == sorted(progress) and progress[0] == 0 and len(progress) > 3
    [file] = fake_drive.files_named("holiday.mov")
    assert hashlib.md5(fake_drive.content_path(file.id).read_bytes(), usedforsecurity=False).hexdigest() == (
        hashlib.md5(big.data, usedforsecurity=False).hexdigest()
    )
    assert [(p["type"], p.get("emailAddress")) for p in file.permissions] == [("user", "bob@example.org")]

    (received,) = smtp_server.accepted()
    message = parsed(received.data)
    assert message["Message-ID"] == built.message_id
    assert [(p.get_filename(), p.get_content()) for p in message.iter_attachments()] == [("notes.txt", "small notes")]
    assert len(received.data) < MB  # no big part left
    plain, html = body_texts(message)
    url = f"https://drive.google.com/file/d/{file.id}/view?usp=drivesdk"
    assert url in plain and "holiday.mov (30.0 MB)" in plain
    assert f'href="{url}"' in html and "holiday.mov" in html
    item = item_of(store, outbox_id)
    assert item.state is OutboxState.SENT and item.drive_files == ()
    assert store.reader.raw_message(item.message_row) == received.data  # the Sent copy is what was sent
    assert await store.drive.pending(sending_account.id) == []


# --- restarts and sessions -------------------------------------------------------------------------------------
async def test_a_restart_resumes_the_kept_session(
    store: Store,
    bus: EventBus,
    local_account: Account,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
) -> None:
    big = FileAttachment("report.pdf", random_bytes(6 * CHUNK, 2), "application/pdf")
    outbox_id, raw = await queue_marked(store, local_account, big, send_at=0)
    first = await stages(make_service())
    await statuses.wait(lambda s: s.state == "uploading" and s.done >= 2 * CHUNK)
    await first.stop()  # the app quits mid-upload

    kept = await store.drive.pending(local_account.id)
    assert [u.source_key for u in kept] == [f"sha256:{sha256_of(big.data)}"]
    assert item_of(store, outbox_id).state is OutboxState.QUEUED and item_of(store, outbox_id).drive_files
    assert store.reader.raw_message(item_of(store, outbox_id).message_row) == raw
    before = len(fake_drive.requests)

    await stages(make_service())  # the app starts again
    await statuses.wait(lambda s: s.state == "done")

    after = fake_drive.requests[before:]
    assert not any(method == "POST" and path.startswith("/upload/") for method, path, _ in after)  # no new session
    assert any(rng == f"bytes */{6 * CHUNK}" for _m, _p, rng in after)  # asked Drive where it stood
    first_chunk = next(rng for method, _p, rng in after if method == "PUT" and not rng.startswith("bytes */"))
    assert int(first_chunk.split()[1].split("-")[0]) >= 2 * CHUNK  # went on, did not start over
    [file] = fake_drive.files_named("report.pdf")
    assert fake_drive.content_path(file.id).read_bytes() == big.data
    assert item_of(store, outbox_id).drive_files == ()


async def test_an_expired_session_starts_over_cleanly(
    store: Store,
    local_account: Account,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
) -> None:
    big = FileAttachment("slides.key", random_bytes(3 * CHUNK, 3), "application/octet-stream")
    outbox_id, _raw = await queue_marked(store, local_account, big, send_at=0)
    gone = f"{fake_drive.base_url}/upload/drive/v3/files?uploadType=resumable&upload_id=gone"
    await store.drive.remember(local_account.id, f"sha256:{sha256_of(big.data)}", big.filename, len(big.data), gone)
    drive = make_service()

    await stages(drive)
    await statuses.wait(lambda s: s.state == "done")

    assert drive.last_upload is not None and drive.last_upload.restarts == 1
    [file] = fake_drive.files_named("slides.key")
    assert fake_drive.content_path(file.id).read_bytes() == big.data
    assert item_of(store, outbox_id).drive_files == ()
    assert await store.drive.pending(local_account.id) == []


# --- refusals, cancel, network ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("quota", DriveQuotaExceededError),
        ("sharing", DriveSharingForbiddenError),
        ("revoked", DriveAccessRevokedError),
    ],
)
async def test_a_refusal_fails_the_message_intact_and_send_again_tries_again(
    fault: str,
    error: Callable[[], KnownError],
    store: Store,
    sending_account: Account,
    smtp_server: SmtpServer,
    clock: FakeClock,
    new_service: NewService,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
    outbox_events: Heard,
) -> None:
    if fault == "quota":
        fake_drive.inject("initiate", "quota")
    elif fault == "sharing":
        fake_drive.inject("permission", "sharing")
    else:
        fake_drive.accepted_tokens = set()
    big = FileAttachment("plan.pdf", random_bytes(CHUNK, 4), "application/pdf")
    outbox_id, raw = await queue_marked(store, sending_account, big, send_at=clock())
    send = await new_service()
    await stages(make_service())

    failed = await statuses.wait(lambda s: s.state == "failed")
    expected = error()
    assert (failed.error, failed.hint) == (expected.message, expected.hint)
    item = item_of(store, outbox_id)
    assert item.state is OutboxState.FAILED and item.last_error == expected.message
    assert store.reader.raw_message(item.message_row) == raw and item.drive_files
    await send.settle()
    assert smtp_server.received == []

    fake_drive.accepted_tokens = {"fresh"}  # the person fixed it (space freed, setting changed, signed in)
    await store.outbox.resend(outbox_id)  # "Send again"
    await outbox_events.wait(lambda s: s.state == "sent" and s.outbox_id == outbox_id)
    assert len(smtp_server.accepted()) == 1 and b"plan.pdf" in smtp_server.accepted()[0].data
    assert parsed(smtp_server.accepted()[0].data).get_content_type() == "text/plain"  # the file is a link now


async def test_cancel_fails_the_message_forgets_the_session_and_sends_nothing(
    store: Store,
    sending_account: Account,
    smtp_server: SmtpServer,
    clock: FakeClock,
    new_service: NewService,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
) -> None:
    big = FileAttachment("big.zip", random_bytes(8 * CHUNK, 5), "application/zip")
    outbox_id, raw = await queue_marked(store, sending_account, big, send_at=clock())
    send = await new_service()
    stage = await stages(make_service())
    await statuses.wait(lambda s: s.state == "uploading" and s.done > 0)

    await stage.cancel(outbox_id)

    cancelled = await statuses.wait(lambda s: s.state == "cancelled")
    assert cancelled.outbox_id == outbox_id and cancelled.error == "Upload to Google Drive cancelled."
    item = item_of(store, outbox_id)
    assert item.state is OutboxState.FAILED and item.last_error == "Upload to Google Drive cancelled."
    assert store.reader.raw_message(item.message_row) == raw
    assert await store.drive.pending(sending_account.id) == []
    assert not fake_drive.files_named("big.zip")
    await send.settle()
    assert smtp_server.received == []
    assert not any(s.state == "done" for s in statuses.seen)


async def test_drive_out_of_reach_waits_and_goes_once_it_is_back(
    store: Store,
    bus: EventBus,
    sending_account: Account,
    smtp_server: SmtpServer,
    clock: FakeClock,
    new_service: NewService,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
    outbox_events: Heard,
) -> None:
    fake_drive.inject("initiate", "503", times=6)  # every retry of the first try: Drive is "down"
    big = FileAttachment("photos.zip", random_bytes(CHUNK, 6), "application/zip")
    outbox_id, _raw = await queue_marked(store, sending_account, big, send_at=clock())
    snapshots: list[OutboxItem] = []
    statuses.seen.clear()

    def on_failed(status: Status) -> None:
        if status.state == "failed":
            snapshots.append(item_of(store, outbox_id))  # as the store had it right after the failure

    bus.subscribe(Status, on_failed)
    await new_service()
    await stages(make_service())

    failed = await statuses.wait(lambda s: s.state == "failed")
    assert "cannot be reached" in failed.error and "tries again by itself" in failed.hint
    await outbox_events.wait(lambda s: s.state == "sent" and s.outbox_id == outbox_id)

    first = snapshots[0]
    assert first.state is OutboxState.QUEUED and first.drive_files and first.attempts == 1
    assert "cannot be reached" in first.last_error
    assert first.next_attempt_at > first.send_at  # waited out a back-off
    assert fake_drive.pending_faults() == 0
    assert len(smtp_server.accepted()) == 1


async def test_without_a_google_sign_in_the_message_fails_with_a_plain_reason(
    store: Store, local_account: Account, stages: Callable[..., Any], statuses: Heard
) -> None:
    big = FileAttachment("film.mov", b"f" * 4096, "video/quicktime")
    outbox_id, raw = await queue_marked(store, local_account, big, send_at=0)
    await stages(None)
    failed = await statuses.wait(lambda s: s.state == "failed")
    assert failed.error == DriveNotSetUpError().message and failed.hint
    item = item_of(store, outbox_id)
    assert item.state is OutboxState.FAILED and store.reader.raw_message(item.message_row) == raw


async def test_undo_send_during_the_upload_stops_it(
    store: Store,
    local_account: Account,
    make_service: Callable[..., DriveService],
    fake_drive: FakeDrive,
    stages: Callable[..., Any],
    statuses: Heard,
) -> None:
    big = FileAttachment("draft.mov", random_bytes(8 * CHUNK, 7), "video/quicktime")
    outbox_id, _raw = await queue_marked(store, local_account, big, send_at=0)
    await stages(make_service())
    await statuses.wait(lambda s: s.state == "uploading" and s.done > 0)

    await store.outbox.cancel(outbox_id)  # Undo send
    await statuses.wait(lambda s: s.state == "cancelled")  # the window's progress row goes away

    assert store.reader.outbox.item(outbox_id) is None
    assert await store.drive.pending(local_account.id) == []
    assert not any(s.state == "done" for s in statuses.seen)


# --- Drive through another account's Google sign-in ------------------------------------------------------------
async def test_drive_uses_the_chosen_google_sign_in(
    store: Store, local_account: Account, fake_drive: FakeDrive, tokens: Tokens
) -> None:
    google, _ = await store.accounts.create_local()
    asked: list[int] = []

    def tokens_for(account_id: int) -> Tokens:
        asked.append(account_id)
        return tokens

    await store.drive.save_settings(local_account.id, DriveSettings(True, 10 * MB, google_account=google.id))
    assert (await store.drive.settings(local_account.id)).google_account == google.id
    drive = DriveService(store, tokens_for, base_url=fake_drive.base_url)
    await drive.folder(local_account.id)
    assert asked == [google.id]
    await store.drive.save_settings(local_account.id, DriveSettings(True, 10 * MB))
    await drive.folder(local_account.id)
    assert asked == [google.id, local_account.id]
