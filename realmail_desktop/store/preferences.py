"""Small per-profile preferences (migrations/0008 `preferences`): text values by key, with typed accessors."""

from __future__ import annotations

import sqlite3

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database

UNDO_SEND_SECONDS = "undo_send_seconds"
DEFAULT_UNDO_SEND_SECONDS = 10


class PreferenceReader:
    """Synchronous reads of preferences (through `StoreReader.preferences`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def text(self, key: str, default: str = "") -> str:
        row = self._conn.execute("SELECT value FROM preferences WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def undo_send_seconds(self) -> int:
        """The "Sending in N s — Undo" delay (0: send at once), 0–120 s."""
        value = self.text(UNDO_SEND_SECONDS, str(DEFAULT_UNDO_SEND_SECONDS))
        return max(0, min(120, int(value))) if value.strip().isdigit() else DEFAULT_UNDO_SEND_SECONDS


class PreferenceRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, key: str, value: str) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO preferences (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        return Changes()  # read when used (the composer reads the delay at each send)

    async def set_many(self, values: dict[str, str]) -> Changes:
        """Several preferences in one transaction (the Settings dialog's OK): all of them or none."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO preferences (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )
        return Changes()

    async def set_undo_send_seconds(self, seconds: int) -> Changes:
        return await self.set(UNDO_SEND_SECONDS, str(max(0, min(120, seconds))))
