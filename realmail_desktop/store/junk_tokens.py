"""The junk filter's learning (migrations/0012 `junk_tokens`): token counts per trained junk/good message."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from realmail_desktop.store.database import Database


class JunkReader:
    """Synchronous reads of the counts the classifier (mail/junk_filter.py) scores with."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def totals(self) -> tuple[int, int]:
        """(junk, good) messages trained so far."""
        row = self._conn.execute("SELECT junk, good FROM junk_totals WHERE id = 1").fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def counts(self, tokens: Iterable[str]) -> dict[str, tuple[int, int]]:
        """token → (junk, good) counts, for the tokens that were ever trained."""
        rows = self._conn.execute(
            "SELECT token, junk, good FROM junk_tokens WHERE token IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(tokens))),),
        )
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    def trained_as(self, message_id: int) -> bool | None:
        """True/False when the message was trained as junk/good, None when not trained."""
        row = self._conn.execute("SELECT is_junk FROM junk_trained WHERE message_id = ?", (message_id,)).fetchone()
        return bool(row[0]) if row else None


class JunkRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def train(self, tokens: set[str], is_junk: bool, message_id: int | None = None) -> None:
        """Count one message's tokens as junk or good. A message trained before the other way round is
        un-counted first ("Not junk" after "Mark as junk"); trained the same way again, nothing changes."""
        async with self._db.transaction() as tx:
            before: bool | None = None
            if message_id is not None:
                row = await (
                    await tx.execute("SELECT is_junk FROM junk_trained WHERE message_id = ?", (message_id,))
                ).fetchone()
                before = bool(row[0]) if row else None
                if before is is_junk:
                    return
                await tx.execute(
                    "INSERT OR REPLACE INTO junk_trained (message_id, is_junk) VALUES (?, ?)", (message_id, is_junk)
                )
            words = sorted(tokens)
            if before is not None:
                undo = "junk" if before else "good"
                await tx.executemany(
                    f"UPDATE junk_tokens SET {undo} = MAX(0, {undo} - 1) WHERE token = ?", [(w,) for w in words]
                )
                await tx.execute(f"UPDATE junk_totals SET {undo} = MAX(0, {undo} - 1) WHERE id = 1")
            column = "junk" if is_junk else "good"
            await tx.executemany(
                f"INSERT INTO junk_tokens (token, {column}) VALUES (?, 1)"
                f" ON CONFLICT (token) DO UPDATE SET {column} = {column} + 1",
                [(w,) for w in words],
            )
            await tx.execute(f"UPDATE junk_totals SET {column} = {column} + 1 WHERE id = 1")
