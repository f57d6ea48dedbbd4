"""HeaderReader: turns the raw FETCH replies of the header sync into store rows — in a worker process once one
runs, on a thread until then, and on a thread for good where no process can start.

Why a process: reading a chunk of headers into rows (parsing the FETCH replies, `read_header_envelope`, the
row) is pure Python and holds the GIL ~100 µs a message, while the store's SQLite work and the socket reads
need the same interpreter; a worker thread only contends for the GIL (docs/PERFORMANCE.md). A process has a
GIL of its own, so the second core does the reading while this one fetches and stores. The raw reply lines go
over a pipe (~3 µs a message to pickle and unpickle) and the rows come back (~7 µs a message).

The worker is started only for a header sync big enough to pay for it (`process_from` messages), in the
background (a fresh interpreter importing the row code takes ~0.5 s of the other core), with the "spawn"
method (never fork a process that runs Qt and threads), at a lower priority (sync/_worker_start.py: where the
cores are busy the app's own threads go first); chunks read while it starts, or after it broke, are read on a
thread. Both paths run the same function, `read_header_batch`, so they give the same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import NewMessage
from realmail_desktop.sync._worker_start import start_worker
from realmail_desktop.sync.fetch_reply import FetchLines, parse_fetch_replies
from realmail_desktop.sync.fetched_mail import header_rows, is_deleted, keywords_by_uid
from realmail_desktop.sync.gmail import labels_by_uid, threads_by_uid
from realmail_desktop.sync.imap_commands import header_fetches

_log = get_logger("sync")
_FREEZE_FROM = 2_000  # messages of a header sync from which freeze_long_lived() pays
_START_SECONDS = 60.0  # a worker that has not imported the row code by then is given up (a thread reads)


@dataclass(frozen=True, slots=True)
class HeaderBatch:
    """One chunk's headers, read: the store rows (messages flagged \\Deleted left out) with what the store takes
    beside them, by UID — plain dicts, cheap to send back from the worker — and what could not be read."""

    rows: list[NewMessage]
    keywords: dict[int, tuple[str, ...]]  # fetched_mail.keywords_by_uid
    gmail_threads: dict[int, int]  # gmail.threads_by_uid
    gmail_labels: dict[int, tuple[str, ...]]  # gmail.labels_by_uid (Gmail's All Mail only)
    unreadable: int = 0  # FETCH replies that could not be parsed
    failures: tuple[tuple[int, str], ...] = ()  # (UID, traceback) of headers that could not be read

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its rows as their field values (NewMessage.field_values): the batch goes from the worker
        process to this one, where loading pydantic's own pickles of the rows cost ~20 µs a row (~8 so)."""
        rows = [row.field_values() for row in self.rows]
        return _unpickled_batch, (
            rows,
            self.keywords,
            self.gmail_threads,
            self.gmail_labels,
            self.unreadable,
            self.failures,
        )


def _unpickled_batch(rows: list[dict[str, Any]], *rest: Any) -> HeaderBatch:
    return HeaderBatch([NewMessage.from_field_values(values) for values in rows], *rest)


def read_header_batch(lines: FetchLines) -> HeaderBatch:
    """The rows of one header FETCH's raw replies (imap_commands.fetch_header_lines); runs in the worker."""
    parsed = parse_fetch_replies(lines)
    fetched = [item for item in header_fetches(parsed.replies) if not is_deleted(item)]
    failures: list[tuple[int, str]] = []
    rows = header_rows(fetched, failures)
    return HeaderBatch(
        rows,
        keywords_by_uid(fetched),
        threads_by_uid(fetched),
        dict(labels_by_uid(fetched)),
        parsed.unreadable,
        tuple(failures),
    )


class _Freezes:
    """How many header phases are between freeze_long_lived() and thaw_long_lived() (one per process)."""

    open = 0


_freezes = _Freezes()


def freeze_long_lived() -> None:
    """Take the objects this process holds now (modules, Qt, the store: ~60,000 that live as long as the app)
    out of the garbage collector's full collections (`gc.freeze`).

    A big header sync allocates a few objects a row in this process (the rows unpickled from the worker on the
    executor's thread, or read on a thread); once or twice a sync that sets off a full collection, which walked
    every object with the GIL held for 33–56 ms: the sync's longest event-loop stall (docs/PERFORMANCE.md).
    Frozen objects are not walked; what came later still is. Only for the header phase: `thaw_long_lived` when it
    ends gives them back (cyclic garbage among them is then collected as before); the count lets syncs of several
    accounts overlap."""
    _freezes.open += 1
    gc.freeze()


def thaw_long_lived() -> None:
    """A header phase that `freeze_long_lived` began has ended: the last one gives the objects back to the collector."""
    _freezes.open = max(0, _freezes.open - 1)
    if _freezes.open == 0:
        gc.unfreeze()


def _worker_ready() -> int:
    """The worker's first job, done once it has imported what `read_header_batch` needs: its process id."""
    return os.getpid()


class HeaderReader:
    """Reads header chunks into rows (see the module docstring). `process_from`: messages of one header sync
    from which a worker process is started (None: never; 0: for any)."""

    def __init__(self, *, process_from: int | None = 2_000) -> None:
        # Frozen builds too: their entry script (packaging/launcher.py) calls multiprocessing.freeze_support().
        self._process_from = process_from
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[None] | None = None
        self._ready = False
        self._closed = False
        self._worker_pid: int | None = None
        self.chunks_in_process = 0  # how many chunks the worker read (the rest were read on a thread)
        # One chunk at a time on a thread: two would only contend for the GIL (and stall the event loop).
        self._thread_turn = asyncio.Lock()

    @property
    def in_process(self) -> bool:
        """Whether chunks are read in the worker process now."""
        return self._ready

    @property
    def worker_pid(self) -> int | None:
        """The worker process's id while it reads the chunks."""
        return self._worker_pid if self._ready else None

    def expect(self, messages: int) -> bool:
        """A header sync of `messages` starts: start the worker process in the background when it pays (and,
        for a big one, take the app's long-lived objects out of full garbage collections: freeze_long_lived).
        True when it froze them: the caller calls `thaw_long_lived()` when its header phase ends."""
        frozen = messages >= _FREEZE_FROM
        if frozen:
            freeze_long_lived()
        if not (
            self._process_from is None or messages < self._process_from or self._starting is not None or self._closed
        ):
            self._starting = asyncio.ensure_future(self._start())
        return frozen

    async def started(self) -> bool:
        """Wait until the worker process is ready (or could not start); True when it reads the chunks now."""
        if self._starting is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._starting)
        return self._ready

    async def _start(self) -> None:
        pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker
        )
        self._pool = pool
        try:
            # submit() launches the process (a fork/exec and a pipe write): off the event loop.
            job: Future[int] = await asyncio.to_thread(pool.submit, _worker_ready)
            self._worker_pid = await asyncio.wait_for(asyncio.wrap_future(job), _START_SECONDS)
        except Exception as exc:  # no process here (sandbox, limits …): threads read, as before
            _log.warning("no worker process for reading headers (%r); reading them on a thread", exc)
            await self._shutdown()
            return
        self._ready = not self._closed

    async def read(self, lines: FetchLines) -> HeaderBatch:
        """One chunk's rows, from its raw FETCH replies."""
        if self._ready and self._pool is not None:
            try:
                batch = await asyncio.wrap_future(self._pool.submit(read_header_batch, lines))
                self.chunks_in_process += 1
                return batch
            except (BrokenProcessPool, RuntimeError):  # it died (killed, out of memory) or is stopping: a thread reads
                _log.warning("the worker process reading headers stopped; reading them on a thread")
                self._ready = False
                await self._shutdown()
        async with self._thread_turn:
            return await asyncio.to_thread(read_header_batch, lines)

    async def close(self) -> None:
        """Stop the worker process (one still starting finishes its imports first, then ends)."""
        self._closed = True
        self._ready = False
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._starting
        await self._shutdown()

    async def _shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
