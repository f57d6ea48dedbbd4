"""The Store: one profile's SQLite file, its repositories and its readers, opened and closed together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from realmail_desktop.core.bundle import migrations_dir
from realmail_desktop.core.events import EventBus
from realmail_desktop.store.accounts import AccountRepository
from realmail_desktop.store.contacts import ContactRepository
from realmail_desktop.store.database import Database
from realmail_desktop.store.messages import MessageRepository
from realmail_desktop.store.reader import StoreReader
from realmail_desktop.store.remote_ops import RemoteOpQueue
from realmail_desktop.store.sync_state import SyncRepository

T = TypeVar("T")


class Store:
    """Writes through `accounts`, `messages`, `contacts`, and for the IMAP sync `sync` and `remote_ops` (each
    returns `Changes`); sync reads via `reader` (GUI thread only), async reads via `read` (any coroutine; runs
    in a worker thread; the IMAP sync's reads are `reader.sync`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.accounts = AccountRepository(db)
        self.messages = MessageRepository(db)
        self.contacts = ContactRepository(db)
        self.sync = SyncRepository(db)
        self.remote_ops = RemoteOpQueue(db)
        self.reader = StoreReader(db.reader)

    @classmethod
    async def open(cls, path: Path, bus: EventBus, migrations: Path | None = None) -> Store:
        return cls(await Database.open(path, migrations or migrations_dir(), bus))

    async def read(self, query: Callable[[StoreReader], T]) -> T:
        """Run a read in a worker thread, e.g. `await store.read(lambda r: r.raw_message(42))`."""
        return await self.db.read_async(lambda conn: query(StoreReader(conn)))

    async def close(self) -> None:
        await self.db.close()
