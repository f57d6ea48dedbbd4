"""FolderSync: brings one folder up to date over a work connection — UIDVALIDITY, new mail, flags, expunges,
the resumable newest-first header sync, and bodies newest-first within the sync window.

Order per folder: SELECT → a changed UIDVALIDITY resets the folder's UIDs (rows kept, re-adopted: see
store/sync_state.py) → new mail from the saved UIDNEXT → flag changes (CONDSTORE CHANGEDSINCE, else every
flag) and expunges (QRESYNC VANISHED, else a UID SEARCH comparison) → headers of older messages in chunks,
newest first, the progress floor saved with each chunk so a quit or crash resumes there. Bodies come after,
in batches by size. A message that cannot be read is logged and skipped; it never stalls the folder.

Messages flagged \\Deleted (not yet expunged, by another client) are not stored; a flag change that names a
UID we do not have (its \\Deleted was cleared) fetches its header. Keywords come with every flag read.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from realmail_desktop.core.errors import NotFoundError, ServerError
from realmail_desktop.core.events import EventBus, TaskFinished, TaskProgress, new_task_id
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import BodyWanted, FolderProgress, FolderRole, Store, SyncFolder
from realmail_desktop.sync.connection import ImapConnection
from realmail_desktop.sync.fetch_reply import FetchLines
from realmail_desktop.sync.fetched_mail import body_rows, is_deleted, uid_flags
from realmail_desktop.sync.folder_roles import ServerQuirks
from realmail_desktop.sync.gmail import labels_by_uid
from realmail_desktop.sync.header_reader import HeaderBatch, HeaderReader
from realmail_desktop.sync.imap_commands import Fetched, Selected
from realmail_desktop.sync.options import SyncOptions
from realmail_desktop.sync.uid_sets import format_uid_set

_READ_AHEAD = 3  # header chunks in flight: one being stored, one being read into rows, one being fetched


class FolderChangedError(ServerError):
    """The folder's UIDVALIDITY changed while we worked on it: stop; the next sync starts it over."""


class FolderSync:
    """One account's folder work over one connection; `between_chunks` lets queued actions go out between
    chunks of a long initial sync (it returns True when it replayed some)."""

    def __init__(
        self,
        conn: ImapConnection,
        store: Store,
        *,
        bus: EventBus,
        quirks: ServerQuirks,
        options: SyncOptions,
        between_chunks: Callable[[], Awaitable[bool]],
        account_id: int,
        header_reader: HeaderReader | None = None,
    ) -> None:
        self._conn = conn
        self._reader = header_reader or HeaderReader(process_from=None)
        self._store = store
        self._bus = bus
        self._quirks = quirks
        self._options = options
        self._between_chunks = between_chunks
        self._log = get_logger("sync", account_id)
        self._replayed = False
        self._bodies_since: int | None = None  # sync_headers' `bodies_since`

    def _gmail(self, folder: SyncFolder) -> bool:
        """Gmail's All Mail: its fetches bring each message's labels and thread id (sync/gmail.py)."""
        return self._quirks.gmail_labels and folder.role is FolderRole.ALL

    async def _folder(self, folder_id: int) -> SyncFolder:
        folder = await self._store.read(lambda r: r.sync.folder(folder_id))
        if folder is None:
            raise NotFoundError("That folder no longer exists.")
        return folder

    # --- headers, flags, expunges ----------------------------------------------------------------------------
    async def sync_headers(self, folder: SyncFolder, bodies_since: int | None = None) -> bool:
        """Bring the folder's rows up to date with the server; True when anything changed. `bodies_since`: the
        start of the sync window whose bodies are downloaded next (Unix seconds; 0: every body; None: not known)
        — headers of those messages are fetched without BODYSTRUCTURE (imap_commands.fetch_header_lines)."""
        self._replayed = False
        self._bodies_since = bodies_since
        async with self._conn.in_folder(folder.remote_name, refresh=True) as selected:
            pass
        self._log.debug(
            "%s: UIDVALIDITY %d UIDNEXT %d HIGHESTMODSEQ %s EXISTS %d (saved: UIDNEXT %s HIGHESTMODSEQ %s)",
            folder.path,
            selected.uidvalidity,
            selected.uidnext,
            selected.highestmodseq,
            selected.exists,
            folder.uidnext,
            folder.highestmodseq,
        )
        if folder.uidvalidity is not None and folder.uidvalidity != selected.uidvalidity:
            self._log.warning(
                "%s: UIDVALIDITY changed (%d → %d); matching messages again",
                folder.path,
                folder.uidvalidity,
                selected.uidvalidity,
            )
            await self._store.sync.reset_uidvalidity(folder.id, selected.uidvalidity)
            folder = await self._folder(folder.id)
        changed = False
        if folder.uidnext is None:  # first sync of this folder (or of this UIDVALIDITY)
            await self._store.sync.save_progress(
                folder.id,
                FolderProgress(
                    uidvalidity=selected.uidvalidity, uidnext=selected.uidnext, highestmodseq=selected.highestmodseq
                ),
            )
        else:
            changed |= await self._new_mail(folder, selected)
            changed |= await self._flags_and_expunges(folder, selected)
            await self._store.sync.save_progress(
                folder.id,
                FolderProgress(uidnext=selected.uidnext, highestmodseq=selected.highestmodseq),
            )
        folder = await self._folder(folder.id)
        if not folder.headers_complete:
            changed |= await self._backfill(folder, selected)
            folder = await self._folder(folder.id)
        # A move replayed meanwhile may have put a message here that this sync has not fetched yet: prune later.
        if folder.headers_complete and not self._replayed:
            changed |= not (await self._store.sync.prune_unmatched(folder.id)).empty
        await self._store.sync.save_progress(folder.id, FolderProgress(last_checked_at=int(time.time())))
        return changed

    async def _new_mail(self, folder: SyncFolder, selected: Selected) -> bool:
        since = folder.uidnext or 1
        if selected.uidnext <= since:
            return False
        async with self._conn.in_folder(folder.remote_name) as now:
            self._check(folder, now, selected.uidvalidity)
            uids = await self._conn.search_uids(since)
        self._log.debug("%s: %d new since UID %d", folder.path, len(uids), since)
        await self._store_headers_in_chunks(folder, sorted(uids, reverse=True), selected, floor=False)
        return bool(uids)

    async def _flags_and_expunges(self, folder: SyncFolder, selected: Selected) -> bool:
        qresync = self._conn.has("QRESYNC") and self._quirks.use_qresync
        changed = False
        flags: list[Fetched] = []
        vanished: list[int] = []
        if selected.highestmodseq is not None and folder.highestmodseq is not None:
            if selected.highestmodseq == folder.highestmodseq and qresync:
                return False  # RFC 7162: nothing changed in the folder, expunges included
            if selected.highestmodseq != folder.highestmodseq:
                async with self._conn.in_folder(folder.remote_name) as now:
                    self._check(folder, now, selected.uidvalidity)
                    flags, vanished = await self._conn.fetch_flags(
                        "1:*", changed_since=folder.highestmodseq, gmail=self._gmail(folder)
                    )
        else:  # no CONDSTORE (or the saved modseq was dropped): every flag, compared
            async with self._conn.in_folder(folder.remote_name) as now:
                self._check(folder, now, selected.uidvalidity)
                flags, vanished = await self._conn.fetch_flags("1:*", gmail=self._gmail(folder))
        self._log.debug("%s: %d flag changes, %d vanished", folder.path, len(flags), len(vanished))
        changes = await self._store.sync.apply_flags(folder.id, [uid_flags(f) for f in flags], selected.permanent_flags)
        changed |= not changes.empty
        if self._gmail(folder):  # a label added or taken off elsewhere
            changed |= not (await self._store.gmail.set_labels(folder.id, labels_by_uid(flags))).empty
        changed |= await self._undeleted(folder, selected, flags)
        if qresync and vanished:
            changed |= not (await self._store.sync.expunge_uids(folder.id, vanished)).empty
        if not qresync or folder.highestmodseq is None:  # VANISHED needs a modseq to count from
            changed |= await self._compare_uids(folder, selected)
        return changed

    async def _undeleted(self, folder: SyncFolder, selected: Selected, flags: Sequence[Fetched]) -> bool:
        """Flags of UIDs we do not have, not \\Deleted: another client cleared \\Deleted — fetch their headers
        (only below the saved UIDNEXT, which new mail covers, and above the initial sync's floor)."""
        if not flags or folder.uidnext is None:
            return False
        floor = 1 if folder.headers_complete else (folder.headers_floor_uid or folder.uidnext)
        known = set(await self._store.read(lambda r: r.sync.known_uids(folder.id)))
        back = sorted(
            (f.uid for f in flags if floor <= f.uid < folder.uidnext and f.uid not in known and not is_deleted(f)),
            reverse=True,
        )
        if back:
            self._log.debug("%s: %d messages are back (\\Deleted cleared)", folder.path, len(back))
            await self._store_headers_in_chunks(folder, back, selected, floor=False)
        return bool(back)

    async def _compare_uids(self, folder: SyncFolder, selected: Selected) -> bool:
        """Without QRESYNC, expunges show only as UIDs we have that the server no longer lists."""
        known = await self._store.read(lambda r: r.sync.known_uids(folder.id))
        if not known:
            return False
        async with self._conn.in_folder(folder.remote_name) as now:
            self._check(folder, now, selected.uidvalidity)
            if folder.headers_complete and now.exists == len(known):
                return False
            on_server = set(await self._conn.search_uids(1))
        gone = [uid for uid in known if uid not in on_server]
        return bool(gone) and not (await self._store.sync.expunge_uids(folder.id, gone)).empty

    def _check(self, folder: SyncFolder, selected: Selected, uidvalidity: int) -> None:
        if selected.uidvalidity != uidvalidity:
            raise FolderChangedError(f"{folder.path} changed on the server while it was being synced.")

    async def _backfill(self, folder: SyncFolder, selected: Selected) -> bool:
        """The initial sync, newest first: every UID below the floor not known yet, in chunks."""
        top = min(folder.headers_floor_uid or selected.uidnext, selected.uidnext) - 1
        uids: list[int] = []
        if top >= 1:
            async with self._conn.in_folder(folder.remote_name) as now:
                self._check(folder, now, selected.uidvalidity)
                uids = await self._conn.search_uids(1, top)
        known = set(await self._store.read(lambda r: r.sync.known_uids(folder.id)))
        wanted = sorted((uid for uid in uids if uid not in known), reverse=True)
        if wanted:
            await self._store_headers_in_chunks(folder, wanted, selected, floor=True, done=len(known))
        await self._store.sync.save_progress(folder.id, FolderProgress(headers_floor_uid=1))
        return bool(wanted)

    async def _store_headers_in_chunks(
        self, folder: SyncFolder, uids: Sequence[int], selected: Selected, *, floor: bool, done: int = 0
    ) -> None:
        """Fetch and store headers of `uids` (newest first), as a pipeline: while one chunk is stored, the next
        is read into rows (HeaderReader: in the worker process once it runs) and the one after is fetched."""
        sizes = [self._options.first_chunk] if floor else []
        chunks: list[Sequence[int]] = []
        start = 0
        while start < len(uids):
            size = sizes.pop(0) if sizes else self._options.chunk
            chunks.append(uids[start : start + size])
            start += size
        task_id, label = new_task_id(), f"Syncing {folder.path}"
        total = done + len(uids)
        report = floor or len(chunks) > 1
        self._reader.expect(len(uids))
        bodies_coming = await self._bodies_coming(folder, len(uids), selected.uidvalidity)
        # Tasks fetch in order (the connection's lock is fair) and read in order (one worker): each chunk's task
        # is created two chunks ahead of its store. Rows are read ahead only in the worker process: on a thread
        # that overlap contends for the GIL and was measured slower, so there a task only fetches ahead.
        ahead: collections.deque[asyncio.Task[HeaderBatch | FetchLines]] = collections.deque()
        queued = 0
        try:
            for chunk in chunks:
                while queued < len(chunks) and len(ahead) < (_READ_AHEAD if self._reader.in_process else 2):
                    structure = not bodies_coming(chunks[queued])
                    fetch = self._fetch_ahead(folder, chunks[queued], selected.uidvalidity, structure)
                    ahead.append(asyncio.ensure_future(fetch))
                    queued += 1
                got = await ahead.popleft()
                batch = got if isinstance(got, HeaderBatch) else await self._read_headers(folder, got)
                progress = FolderProgress(headers_floor_uid=min(chunk)) if floor else None
                await self._store.sync.store_headers(
                    folder.id,
                    batch.rows,
                    progress,
                    keywords=batch.keywords,
                    permanent=selected.permanent_flags,
                    gmail_threads=batch.gmail_threads,
                )
                if self._gmail(folder):
                    await self._store.gmail.set_labels(folder.id, batch.gmail_labels)
                done += len(chunk)
                if report:
                    self._bus.publish(TaskProgress(task_id, label, done, total))
                self._replayed |= await self._between_chunks()
        finally:
            for task in ahead:
                task.cancel()
            await asyncio.gather(*ahead, return_exceptions=True)  # none left with an exception nobody saw
        if report:
            self._bus.publish(TaskFinished(task_id, label, f"{folder.path}: {total:,} messages"))

    async def _bodies_coming(self, folder: SyncFolder, count: int, uidvalidity: int) -> Callable[[Sequence[int]], bool]:
        """Whether the bodies of a chunk's messages (all of them) are downloaded next, by the sync window: such
        chunks are fetched without BODYSTRUCTURE. For a window of days, one SEARCH SINCE tells which UIDs are
        inside — asked only for a fetch of a chunk or more (for a few messages BODYSTRUCTURE costs less)."""
        since = self._bodies_since
        if since == 0:
            return lambda _chunk: True
        if since is None or count < self._options.chunk:
            return lambda _chunk: False
        # SINCE compares INTERNALDATE by whole days: count from the day after the window's first, so that no
        # message older than the window passes for one inside (the body phase goes by the Date header).
        day = datetime.fromtimestamp(since, UTC).date() + timedelta(days=1)
        async with self._conn.in_folder(folder.remote_name) as now:
            self._check(folder, now, uidvalidity)
            inside = frozenset(await self._conn.search(["SINCE", day]))
        return lambda chunk: all(uid in inside for uid in chunk)

    async def _fetch_ahead(
        self, folder: SyncFolder, uids: Sequence[int], uidvalidity: int, structure: bool
    ) -> HeaderBatch | FetchLines:
        lines = await self._fetch_header_lines(folder, uids, uidvalidity, structure)
        return await self._read_headers(folder, lines) if self._reader.in_process else lines

    async def _read_headers(self, folder: SyncFolder, lines: FetchLines) -> HeaderBatch:
        batch = await self._reader.read(lines)
        if batch.unreadable:
            self._log.warning("%s: %d FETCH replies could not be read; skipped", folder.path, batch.unreadable)
        for uid, failure in batch.failures:
            self._log.error("%s: header of UID %d could not be read; skipped\n%s", folder.path, uid, failure)
        return batch

    async def _fetch_header_lines(
        self, folder: SyncFolder, uids: Sequence[int], uidvalidity: int, structure: bool = True
    ) -> FetchLines:
        async with self._conn.in_folder(folder.remote_name) as now:
            self._check(folder, now, uidvalidity)
            try:
                return await self._conn.fetch_header_lines(
                    format_uid_set(uids), gmail=self._gmail(folder), structure=structure
                )
            except FolderChangedError:
                raise
            except ServerError as exc:
                if len(uids) == 1:
                    self._log.warning("%s: header of UID %d refused (%s); skipped", folder.path, uids[0], exc)
                    return []
        # One message the server cannot give must not cost the chunk: ask for each on its own (each reply is
        # whole, so the replies of several FETCHes read as one).
        lines: FetchLines = []
        for uid in uids:
            lines.extend(await self._fetch_header_lines(folder, [uid], uidvalidity, structure))
        return lines

    # --- bodies ----------------------------------------------------------------------------------------------
    async def sync_bodies(self, folder: SyncFolder, since: int) -> None:
        """Bodies of messages dated `since` or later, newest first, in batches by size."""
        if folder.uidvalidity is None:
            return
        task_id, label = new_task_id(), f"Downloading messages of {folder.path}"
        done = 0
        while True:
            wanted = await self._store.read(lambda r: r.sync.bodies_wanted(folder.id, since, 1000))
            if not wanted:
                break
            for batch in self._body_batches(wanted):
                await self._fetch_and_store_bodies(folder, batch, folder.uidvalidity)
                done += len(batch)
                self._bus.publish(TaskProgress(task_id, label, done, 0))
                self._replayed |= await self._between_chunks()
        if done:
            self._bus.publish(TaskFinished(task_id, label, f"{folder.path}: {done:,} messages downloaded"))

    def _body_batches(self, wanted: Sequence[BodyWanted]) -> list[list[BodyWanted]]:
        batches: list[list[BodyWanted]] = [[]]
        size = 0
        for item in wanted:
            batch = batches[-1]
            if batch and (
                size + item.size > self._options.body_batch_bytes or len(batch) >= self._options.body_batch_count
            ):
                batches.append([])
                size = 0
            batches[-1].append(item)
            size += item.size
        return batches

    async def _fetch_and_store_bodies(self, folder: SyncFolder, batch: Sequence[BodyWanted], uidvalidity: int) -> None:
        async with self._conn.in_folder(folder.remote_name) as now:
            self._check(folder, now, uidvalidity)
            try:
                fetched = await self._conn.fetch_bodies(format_uid_set(w.uid for w in batch))
            except FolderChangedError:
                raise
            except ServerError as exc:
                if len(batch) > 1:
                    fetched = None
                else:
                    self._log.warning("%s: body of UID %d refused (%s); skipped", folder.path, batch[0].uid, exc)
                    fetched = []
        if fetched is None:  # find the one message the server cannot give
            for item in batch:
                await self._fetch_and_store_bodies(folder, [item], uidvalidity)
            return
        rows = await asyncio.to_thread(body_rows, fetched, {w.uid: w.message_id for w in batch})
        await self._store.sync.store_bodies(rows)
        stored = {row_id for row_id, _ in rows}
        missing = [w.message_id for w in batch if w.message_id not in stored]
        if missing:
            await self._store.sync.mark_bodies_unavailable(missing)

    async def fetch_raw(
        self, folder: SyncFolder, uid: int | None, uidvalidity: int | None, message_id_header: str
    ) -> tuple[bytes, int | None] | None:
        """One message's raw bytes and INTERNALDATE, by UID (of `uidvalidity`) or else by Message-ID (a move
        to another account whose body is not stored); None when the folder no longer has it."""
        async with self._conn.in_folder(folder.remote_name) as now:
            if uid is None or now.uidvalidity != uidvalidity:
                candidates = await self._conn.search_message_id(message_id_header) if message_id_header else []
                uid = candidates[-1] if candidates else None
            fetched = await self._conn.fetch_bodies(str(uid)) if uid is not None else []
        got = next((item for item in fetched if item.body is not None), None)
        return (got.body, got.internaldate) if got is not None and got.body is not None else None

    async def fetch_one(self, folder: SyncFolder, uid: int, message_id: int) -> None:
        """One body, now (the person opened an older message)."""
        async with self._conn.in_folder(folder.remote_name) as now:
            fetched = await self._conn.fetch_bodies(str(uid)) if now.uidvalidity == folder.uidvalidity else []
        rows = await asyncio.to_thread(body_rows, fetched, {uid: message_id})
        if not rows:
            raise NotFoundError("This message is no longer on the server.", hint="It may have been deleted elsewhere.")
        await self._store.sync.store_bodies(rows)
