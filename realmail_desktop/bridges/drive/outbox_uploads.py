"""OutboxUploads: the outbox's Drive stage — a queued message's big files go to Google Drive, then its bytes
are rewritten with a link block in their place, and only then may the SMTP sender take it.

`ingest/outgoing.queue_draft` marks the files (`OutboxItem.drive_files`, migrations/0014); the SMTP sender
skips marked rows. This service uploads the files of each due marked message, one message at a time, through
`DriveService` (sessions are kept in the store per content hash, so an upload cut short by a dropped network
or a quit goes on where it stopped), publishes `DriveUploadStatus` (uploading, done, failed, cancelled), and
stores the rewritten message with its mark cleared in one transaction (store/outbox_drive.py); the Changes on
the Outbox folder wake the sender. Drive out of reach: the message stays marked and is tried again after a
back-off. Drive refusing (full, sharing forbidden, access revoked, damaged upload) or the person cancelling:
the message is failed and waits in the Outbox with the reason ("Send again" or "Move to Drafts").
Qt-free; the app passes `cancel` to the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from realmail_desktop.bridges.drive.errors import (
    DriveNotSetUpError,
    DriveUnreachableError,
    DriveUploadCancelledError,
)
from realmail_desktop.bridges.drive.service import DriveService
from realmail_desktop.bridges.drive.sources import BytesSource
from realmail_desktop.core.backoff import retry_delay
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes, DriveUploadStatus, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.drive_links import DriveLink, drive_attachment_parts, replace_parts_with_links
from realmail_desktop.store import OutboxItem, OutboxState, Store

_log = get_logger("drive")


@dataclass(frozen=True, slots=True)
class OutboxUploadOptions:
    """How long a message waits after Drive could not be reached; tests shrink them."""

    retry_first_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    check_interval_seconds: float = 300.0  # the longest sleep with nothing due (a safety net for missed wakes)


class OutboxUploads:
    """Uploads the Drive-marked messages of the outbox while started. `drive` None (no Google sign-in set up):
    marked messages fail with `DriveNotSetUpError`, so they do not wait silently."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        drive: DriveService | None,
        *,
        options: OutboxUploadOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._bus = bus
        self._drive = drive
        self._options = options or OutboxUploadOptions()
        self._clock = clock
        self._runner: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._uploads: dict[int, tuple[OutboxItem, asyncio.Task[None]]] = {}  # outbox id → the one uploading
        self._cancelling: set[int] = set()
        self._settling: set[int] = set()  # uploads past their last byte, writing their outcome: not stopped
        self._unsubscribe: Callable[[], None] | None = None
        self._outbox_folder: int | None = None
        self._checks: set[asyncio.Task[Any]] = set()

    # --- life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Upload whatever is due, on a task of its own (sessions kept by an earlier run are resumed)."""
        if self._runner is not None:
            return
        self._outbox_folder = self._store.reader.outbox.folder_id()
        self._unsubscribe = self._bus.subscribe(Changes, self.on_changes)
        self._runner = asyncio.create_task(self._run(), name="outbox-drive")

    async def stop(self) -> None:
        """Stop at once: an upload in flight is cut short, its session kept for the next start."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = [t for t in (self._runner, *(task for _item, task in self._uploads.values()), *self._checks) if t]
        self._runner = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._uploads.clear()

    def wake(self) -> None:
        self._wake.set()

    async def cancel(self, outbox_id: int) -> None:
        """The person cancelled: the upload stops, its sessions are forgotten, the message is failed with
        "Upload to Google Drive cancelled." (it waits in the Outbox) and `cancelled` is published."""
        self._cancelling.add(outbox_id)
        try:
            running = self._uploads.get(outbox_id)
            if running is not None:
                running[1].cancel()
                await asyncio.wait({running[1]})  # never raises: a cancel of this call itself still does
            item = await self._store.outbox_drive.item(outbox_id)
            if item is None or not _marked(item):
                return  # sent, failed or taken back meanwhile: nothing to cancel
            await self._discard_sessions(item)
            error = DriveUploadCancelledError()
            await self._store.outbox_drive.mark_failed(item, error.message)
            self._publish(item, "cancelled", error=error.message, hint=error.hint)
        finally:
            self._cancelling.discard(outbox_id)
            self.wake()

    # --- events ----------------------------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if self._outbox_folder is None or changes.folder_tree:
            self._outbox_folder = self._store.reader.outbox.folder_id()
        if self._outbox_folder is not None and self._outbox_folder in changes.folders:
            self.wake()
        touched = changes.messages_removed | changes.messages_updated
        for outbox_id, (item, _task) in list(self._uploads.items()):
            if item.message_row in touched and self._runner is not None:
                check = asyncio.create_task(self._stop_if_taken_back(outbox_id), name="outbox-drive-check")
                self._checks.add(check)
                check.add_done_callback(self._checks.discard)

    async def _stop_if_taken_back(self, outbox_id: int) -> None:
        """Undo send, Move to Drafts or deletion during the upload: it stops (Drive keeps nothing shared)."""
        item = await self._store.outbox_drive.item(outbox_id)
        running = self._uploads.get(outbox_id)
        if running is None or outbox_id in self._settling or (item is not None and _marked(item)):
            return
        running[1].cancel()
        await self._discard_sessions(running[0])
        self._publish(running[0], "cancelled")

    def _retry_delay(self, attempts: int) -> float:
        return retry_delay(attempts, self._options.retry_first_seconds, self._options.retry_max_seconds)

    async def _discard_sessions(self, item: OutboxItem) -> None:
        for file in item.drive_files:
            if self._drive is not None:
                await self._drive.discard(item.account_id, _key(file.sha256))
            else:
                await self._store.drive.forget(item.account_id, _key(file.sha256))

    # --- the stage -------------------------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._pass()
            except Exception:
                _log.exception("a pass over the outbox's Drive uploads failed")
            if self._wake.is_set():
                continue
            timeout = await self._sleep_seconds()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    async def _sleep_seconds(self) -> float:
        wait = self._options.check_interval_seconds
        if self._cancelling:
            return wait  # cancel() wakes us when it is done
        next_due = await self._store.outbox_drive.next_due_at()
        if next_due is not None:
            wait = min(wait, max(next_due - self._clock(), 0.0))
        return wait

    async def _pass(self) -> None:
        """One message after another until none is due."""
        while True:
            due = [i for i in await self._store.outbox_drive.due(self._clock()) if i.id not in self._cancelling]
            if not due:
                return
            item = due[0]
            task = asyncio.create_task(self._upload(item), name=f"outbox-drive-{item.id}")
            self._uploads[item.id] = (item, task)
            try:
                await asyncio.wait({task})
            finally:
                self._uploads.pop(item.id, None)
                self._settling.discard(item.id)
            if not task.cancelled() and task.exception() is not None:  # a bug: logged; the message waits
                _log.error("uploading the files of message %s failed", item.id, exc_info=task.exception())
                delay = self._retry_delay(item.attempts + 1)
                await self._store.outbox_drive.retry_later(
                    item, "Uploading to Google Drive failed.", self._clock() + delay
                )

    async def _upload(self, item: OutboxItem) -> None:
        total = sum(file.size for file in item.drive_files)
        self._publish(item, "uploading", name=item.drive_files[0].name, total=total)
        try:
            links = await self._upload_files(item, total)
            self._settling.add(item.id)
            raw = await self._store.outbox_drive.raw(item.message_row)
            rewritten = None if raw is None else await asyncio.to_thread(replace_parts_with_links, raw, links)
            if rewritten is None or await self._store.outbox_drive.attach_links(item, rewritten) is None:
                _log.info("message %s left the outbox while its files went to Drive", item.id)
                self._publish(item, "cancelled")
                return
            self._publish(item, "done", done=total, total=total)
            _log.info("message %s: %d file(s) sent as Drive links", item.id, len(links))
        except DriveUnreachableError as error:
            self._settling.add(item.id)
            delay = self._retry_delay(item.attempts + 1)
            await self._store.outbox_drive.retry_later(item, error.message, self._clock() + delay)
            hint = "RealMail tries again by itself; the upload goes on where it stopped."
            self._publish(item, "failed", total=total, error=error.message, hint=hint)
            _log.info("message %s: Drive unreachable, tried again in %.0f s", item.id, delay)
        except KnownError as error:
            self._settling.add(item.id)
            await self._store.outbox_drive.mark_failed(item, error.message)
            self._publish(item, "failed", total=total, error=error.message, hint=error.hint)
            _log.info("message %s: its files could not go to Drive: %s", item.id, error.message)

    async def _upload_files(self, item: OutboxItem, total: int) -> dict[str, DriveLink]:
        if self._drive is None:
            raise DriveNotSetUpError()
        raw = await self._store.outbox_drive.raw(item.message_row)
        if raw is None:
            raise KnownError("The message's content is missing.", hint="Write it again.")
        parts = await asyncio.to_thread(drive_attachment_parts, raw, [file.sha256 for file in item.drive_files])
        del raw  # the parts hold what goes to Drive; the bytes are read again for the rewrite
        settings = await self._store.drive.settings(item.account_id)
        links: dict[str, DriveLink] = {}
        before = 0
        for file in item.drive_files:
            part = parts.get(file.sha256)
            if part is None:
                continue  # no longer in the message: nothing to replace
            source = BytesSource(file.name, part.data, mime_type=part.content_type, key=_key(file.sha256))

            def progress(done: int, _size: int, name: str = file.name, start: int = before) -> None:
                self._publish(item, "uploading", name=name, done=start + done, total=total)

            links[file.sha256] = await self._drive.upload(
                item.account_id, source, sharing=settings.sharing, recipients=item.recipients, progress=progress
            )
            before += file.size
        return links

    def _publish(
        self,
        item: OutboxItem,
        state: str,
        *,
        name: str = "",
        done: int = 0,
        total: int = 0,
        error: str = "",
        hint: str = "",
    ) -> None:
        self._bus.publish(DriveUploadStatus(item.id, item.account_id, state, name, done, total, error, hint))


def _marked(item: OutboxItem) -> bool:
    """Still waiting in the queue for its files to go to Drive."""
    return bool(item.drive_files) and item.state is OutboxState.QUEUED


def _key(sha256: str) -> str:
    """The `UploadSource.key` of a file (BytesSource's own), under which its Drive session is kept."""
    return f"sha256:{sha256}"
