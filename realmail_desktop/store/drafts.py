"""Drafts: the composer's autosaves as rows of the account's Drafts folder, each replacing the one before.

A save is one transaction: the previous draft row goes (on an IMAP account that queues the server's delete
first), the new row comes with its raw bytes, and on an IMAP account an 'append' op puts it into the server's
Drafts folder (sync/replay.py; the new row's UID is filled in once the server has it). Delete before append:
every saved version keeps the draft's one Message-ID, and the replay's append skips a Message-ID the folder
already holds. An account without a Drafts folder saves into Local Folders' Drafts (kept on this computer).
"""

from __future__ import annotations

import json
import sqlite3
import time

import aiosqlite

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.imap_folders import folder_target
from realmail_desktop.store.messages import INSERT_ATTACHMENT, INSERT_MESSAGE, delete_in, message_row
from realmail_desktop.store.models import DraftOrigin, FolderRole, NewMessage, RemoteOpKind
from realmail_desktop.store.search import FTS_INSERT, fts_row
from realmail_desktop.store.threads import ThreadInput, assign_threads


class DraftReader:
    """Synchronous reads about drafts (through `StoreReader.drafts`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def origin(self, message_row: int) -> DraftOrigin:
        row = self._conn.execute(
            "SELECT answers, forwards, identity_id FROM draft_origins WHERE message_row = ?", (message_row,)
        ).fetchone()
        if row is None:
            return DraftOrigin()
        return DraftOrigin(answers=row[0], forwards=tuple(json.loads(row[1])), identity_id=row[2])

    def drafts_folder(self, account_id: int) -> int | None:
        """Where the account's drafts go: its Drafts folder, else Local Folders' (None: neither exists)."""
        row = self._conn.execute(
            "SELECT id FROM folders WHERE account_id = ? AND role = ? ORDER BY id LIMIT 1",
            (account_id, FolderRole.DRAFTS.value),
        ).fetchone()
        if row is None:
            row = self._conn.execute(
                "SELECT f.id FROM folders f JOIN accounts a ON a.id = f.account_id"
                " WHERE a.kind = 'local' AND f.role = ? ORDER BY a.position, f.id LIMIT 1",
                (FolderRole.DRAFTS.value,),
            ).fetchone()
        return int(row[0]) if row else None

    def is_draft_row(self, message_row: int) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ? AND f.role = ?",
            (message_row, FolderRole.DRAFTS.value),
        ).fetchone()
        return row is not None


class DraftRepository:
    """Saves and discards drafts; each returns the Changes it published."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self, folder_id: int, message: NewMessage, origin: DraftOrigin, *, replaces: int | None = None
    ) -> tuple[int, Changes]:
        """Store `message` (a draft: raw bytes, is_draft) in `folder_id`, removing the draft row `replaces`."""
        changes = Changes()
        async with self._db.transaction() as tx:
            account_id, on_server = await folder_target(tx, folder_id, "The Drafts folder no longer exists.")
            # The new row's id is taken before the old row goes: SQLite would hand the freed id out again,
            # and a queued op naming the old draft's row must never reach the new one.
            top = await (await tx.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages")).fetchone()
            row_id = int(top[0]) if top else 1
            if replaces is not None:
                changes = await delete_in(tx, [replaces])
            await _insert(tx, row_id, account_id, folder_id, message)
            await tx.execute(
                "INSERT INTO draft_origins (message_row, answers, forwards, identity_id) VALUES (?, ?, ?, ?)",
                (row_id, origin.answers, json.dumps(list(origin.forwards)), origin.identity_id),
            )
            queued: frozenset[int] = frozenset()
            if on_server:
                await tx.execute(
                    "INSERT INTO remote_ops (account_id, kind, folder_id, uids, args, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        account_id,
                        RemoteOpKind.APPEND.value,
                        folder_id,
                        json.dumps([None]),
                        json.dumps({"rows": [row_id], "mids": [message.message_id], "sources": [None]}),
                        int(time.time()),
                    ),
                )
                queued = frozenset({account_id})
        mine = Changes(folders=frozenset({folder_id}), messages_added=frozenset({row_id}), remote_ops_queued=queued)
        return row_id, self._db.publish(changes.merged(mine))

    async def discard(self, message_row: int) -> Changes:
        """Delete a draft for good (it was sent, or the person threw it away); the server's copy follows."""
        async with self._db.transaction() as tx:
            changes = await delete_in(tx, [message_row])
        return self._db.publish(changes)


async def _insert(tx: aiosqlite.Connection, row_id: int, account_id: int, folder_id: int, message: NewMessage) -> None:
    (thread,) = await assign_threads(tx, account_id, [ThreadInput.of_message(message)])
    await tx.execute(INSERT_MESSAGE, message_row(row_id, account_id, folder_id, message, thread))
    if message.raw is not None:
        await tx.execute("INSERT INTO message_bodies (message_id, raw) VALUES (?, ?)", (row_id, message.raw))
    await tx.executemany(
        INSERT_ATTACHMENT,
        [
            (row_id, a.part_id, a.filename, a.content_type, a.size, a.content_id, int(a.inline))
            for a in message.attachments
        ],
    )
    await tx.execute(FTS_INSERT, fts_row(row_id, message))
