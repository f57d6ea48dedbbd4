"""Contacts learned from mail: who the person writes with, ranked by use (completion reads them via StoreReader)."""

from __future__ import annotations

from collections.abc import Iterable

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database


class ContactRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def learn(self, people: Iterable[tuple[str, str]], when: int) -> Changes:
        """Record (name, address) pairs seen at `when`: use count +1, newest non-empty name wins."""
        rows = [(address.strip().lower(), name.strip(), when) for name, address in people if "@" in address]
        if not rows:
            return Changes()
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO contacts (address, name, last_used, use_count) VALUES (?, ?, ?, 1)"
                " ON CONFLICT (address) DO UPDATE SET use_count = use_count + 1,"
                " last_used = MAX(last_used, excluded.last_used),"
                " name = CASE WHEN excluded.name != '' AND excluded.last_used >= last_used"
                "             THEN excluded.name ELSE name END",
                rows,
            )
        return Changes()  # nothing on screen shows contacts yet; completion reads them on demand
