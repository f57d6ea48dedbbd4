"""The store's connections: one aiosqlite writer (every write goes through it) and read connections.

Writes run in short `BEGIN IMMEDIATE` transactions serialised by one lock; the `Changes` a write returns is
published on the bus only after COMMIT, so no listener ever sees uncommitted state. The synchronous read
connection serves Qt models on the GUI thread (WAL lets it read while the writer writes); `read_async`
runs heavier reads (raw bodies) in a worker thread on a connection of its own.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import aiosqlite

from realmail_desktop.core.errors import StoreError
from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store.migrations import migrate

_log = get_logger("store")
T = TypeVar("T")

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # WAL + NORMAL is durable across app crashes; a power cut may lose the last commit
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -32000",
)


def _damaged(path: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"The mail store at {path} cannot be opened: {exc}.",
        hint="Restore it from a backup, or start RealMail with a new profile (--profile DIR).",
    )


def connect_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection (autocommit, so each statement sees the latest committed state)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA cache_size = -32000")
    return conn


class Database:
    """Owns the connections to one profile's SQLite file."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: sqlite3.Connection, bus: EventBus):
        self.path = path
        self._writer = writer
        self.reader = reader
        self._bus = bus
        self._write_lock = asyncio.Lock()
        self._local = threading.local()
        self._worker_readers: list[sqlite3.Connection] = []
        self._closed = False

    @classmethod
    async def open(cls, path: Path, migrations: Path, bus: EventBus) -> Database:
        """Open (creating if needed) and migrate the store at `path`. Raises StoreError in plain words."""
        try:
            setup = sqlite3.connect(path, isolation_level=None)
            try:
                for pragma in _PRAGMAS:
                    setup.execute(pragma)
                # Reading the schema fails at once on a file that is not SQLite ("file is not a database");
                # a full integrity check would scan the whole file and cost seconds on big profiles.
                setup.execute("SELECT count(*) FROM sqlite_master").fetchone()
                migrate(setup, migrations)
            finally:
                setup.close()
            writer = await aiosqlite.connect(path, isolation_level=None)
            for pragma in _PRAGMAS:
                await writer.execute(pragma)
            reader = connect_reader(path)
        except StoreError:
            raise
        except sqlite3.DatabaseError as exc:
            raise _damaged(path, exc) from exc
        except OSError as exc:
            raise StoreError(f"The mail store at {path} cannot be opened: {exc.strerror or exc}.") from exc
        _log.info("store opened: %s", path)
        return cls(path, writer, reader, bus)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction on the single writer; rolls back on any error."""
        if self._closed:
            raise StoreError("The mail store is closed.")
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except BaseException:
                # Cancelled (a sync stopped) while BEGIN waited for the writer's thread: it still runs there,
                # so roll back after it (the thread keeps order) or the next BEGIN fails "within a transaction".
                await self._writer.rollback()
                raise
            try:
                yield self._writer
            except BaseException:
                await self._writer.rollback()
                raise
            else:
                try:
                    await self._writer.commit()
                except sqlite3.Error as exc:
                    await self._writer.rollback()
                    raise StoreError(f"Could not save to the mail store: {exc}.") from exc
                except BaseException:  # cancelled during COMMIT: it completes or not; leave no transaction open
                    await self._writer.rollback()
                    raise

    def publish(self, changes: Changes) -> Changes:
        """Announce a committed write; returns `changes` so repositories can `return db.publish(...)`."""
        if not changes.empty:
            self._bus.publish(changes)
        return changes

    async def read_async(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run `query` in a worker thread on that thread's own read connection."""
        return await asyncio.to_thread(self._run_read, query)

    def _run_read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_reader(self.path)
            self._local.conn = conn
            self._worker_readers.append(conn)
        return query(conn)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._writer.close()
        self.reader.close()
        for conn in self._worker_readers:
            conn.close()
        _log.info("store closed: %s", self.path)
