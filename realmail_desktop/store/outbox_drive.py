"""The outbox's Drive stage in the store (migrations/0014 `outbox.drive_files`): queued messages whose big files
go to Google Drive before SMTP may take them, their bytes rewritten with the links, their failures and waits.

A marked message stays 'queued' while its files upload (so Undo send, Send later and Move to Drafts keep
working); every write here applies only while it is still queued and marked, so a message the person took
back meanwhile is left alone. `attach_links` stores the rewritten bytes and clears the mark in one
transaction: from that commit on the message is an ordinary queued one, and the Changes on the Outbox folder
wake the SMTP sender.
"""

from __future__ import annotations

import sqlite3

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import OutboxItem
from realmail_desktop.store.outbox import OUTBOX_COLUMNS, outbox_item

_MARKED = "state = 'queued' AND drive_files != '[]'"


def read_due(conn: sqlite3.Connection, now: float) -> list[OutboxItem]:
    """Marked messages due at `now` (send_at and any back-off passed), in sending order."""
    rows = conn.execute(
        f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE {_MARKED} AND next_attempt_at <= ? ORDER BY priority, send_at, id",
        (now,),
    )
    return [outbox_item(r) for r in rows]


def read_next_due_at(conn: sqlite3.Connection) -> float | None:
    row = conn.execute(f"SELECT MIN(next_attempt_at) FROM outbox WHERE {_MARKED}").fetchone()
    return float(row[0]) if row and row[0] is not None else None


class OutboxDriveRepository:
    """Reads (on a worker thread) and writes (on the store's writer) of the Drive stage."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def due(self, now: float) -> list[OutboxItem]:
        return await self._db.read_async(lambda conn: read_due(conn, now))

    async def next_due_at(self) -> float | None:
        """When the next marked message falls due (None: none waits)."""
        return await self._db.read_async(read_next_due_at)

    async def item(self, outbox_id: int) -> OutboxItem | None:
        def query(conn: sqlite3.Connection) -> OutboxItem | None:
            row = conn.execute(f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
            return outbox_item(row) if row else None

        return await self._db.read_async(query)

    async def raw(self, message_row: int) -> bytes | None:
        def query(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute("SELECT raw FROM message_bodies WHERE message_id = ?", (message_row,)).fetchone()
            return bytes(row[0]) if row else None

        return await self._db.read_async(query)

    async def attach_links(self, item: OutboxItem, raw: bytes) -> Changes | None:
        """The files are in Drive: `raw` (with the links instead of them) becomes the message, its mark is
        cleared and it is due for SMTP at once (not before its send_at), its attempts counted afresh. None when
        the message left the queue meanwhile."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE outbox SET drive_files = '[]', attempts = 0, last_error = '', next_attempt_at = send_at"
                f" WHERE id = ? AND {_MARKED}",
                (item.id,),
            )
            if not cursor.rowcount:
                return None
            await tx.execute("UPDATE message_bodies SET raw = ? WHERE message_id = ?", (raw, item.message_row))
            await tx.execute("UPDATE messages SET size = ? WHERE id = ?", (len(raw), item.message_row))
            folders = await tx.execute_fetchall("SELECT folder_id FROM messages WHERE id = ?", (item.message_row,))
        return self._db.publish(
            Changes(folders=frozenset(int(f[0]) for f in folders), messages_updated=frozenset({item.message_row}))
        )

    async def retry_later(self, item: OutboxItem, error: str, next_attempt_at: float) -> Changes:
        """Drive could not be reached: the message stays marked and is tried again at `next_attempt_at`."""
        return await self._after_attempt(item, "queued", error, next_attempt_at)

    async def mark_failed(self, item: OutboxItem, error: str) -> Changes:
        """Drive refused (or the person cancelled): the message waits in the Outbox for the person, still
        marked ("Send again" tries the upload again; "Move to Drafts" gives the files back)."""
        return await self._after_attempt(item, "failed", error, item.next_attempt_at)

    async def _after_attempt(self, item: OutboxItem, state: str, error: str, next_attempt_at: float) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, attempts = attempts + 1"
                f" WHERE id = ? AND {_MARKED}",
                (state, error, next_attempt_at, item.id),
            )
        return self._db.publish(Changes(messages_updated=frozenset({item.message_row})))
