"""Copies of stored messages into another folder (a rule's "copy" action): new rows with the same body, and
on an IMAP folder an APPEND queued for the server (store/remote_ops.py), as for a saved draft."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.imap_folders import folder_target
from realmail_desktop.store.models import RemoteOpKind
from realmail_desktop.store.threads import ThreadInput, assign_threads

_COPIED = (
    "message_id, in_reply_to, refs, date, sender_name, sender_address, sender_sort, recipients, cc, subject,"
    " subject_sort, snippet, list_id, size, has_attachments, is_seen, is_flagged, is_answered, is_forwarded,"
    " is_draft, keywords, body_state, defects, category, unsubscribe, unsubscribe_one_click"
)


class MessageCopies:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def copy(self, message_ids: Sequence[int], folder_id: int) -> Changes:
        """Copy the messages whose body is stored into `folder_id` (others are skipped: there is nothing to
        upload); messages already in that folder are not copied."""
        ids = sorted(set(message_ids))
        if not ids:
            return Changes()
        async with self._db.transaction() as tx:
            account_id, on_server = await folder_target(tx, folder_id, "That folder no longer exists.")
            rows = list(
                await tx.execute_fetchall(
                    "SELECT m.id, m.message_id, m.in_reply_to, m.refs, m.subject, m.date FROM messages m"
                    " WHERE m.id IN (SELECT value FROM json_each(?)) AND m.folder_id != ?"
                    " AND EXISTS (SELECT 1 FROM message_bodies b WHERE b.message_id = m.id) ORDER BY m.id",
                    (json.dumps(ids), folder_id),
                )
            )
            if not rows:
                return Changes()
            top = await (await tx.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages")).fetchone()
            first = int(top[0]) if top else 1
            new_ids = list(range(first, first + len(rows)))
            threads = await assign_threads(
                tx,
                account_id,
                [ThreadInput.of(str(r[1]), str(r[2]), str(r[3]).split(), str(r[4]), int(r[5])) for r in rows],
            )
            for new_id, row, thread in zip(new_ids, rows, threads, strict=True):
                old = int(row[0])
                await tx.execute(
                    f"INSERT INTO messages (id, account_id, folder_id, uid, thread_id, {_COPIED})"
                    f" SELECT ?, ?, ?, NULL, ?, {_COPIED} FROM messages WHERE id = ?",
                    (new_id, account_id, folder_id, thread, old),
                )
                await tx.execute(
                    "INSERT INTO message_bodies (message_id, raw)"
                    " SELECT ?, raw FROM message_bodies WHERE message_id = ?",
                    (new_id, old),
                )
                await tx.execute(
                    "INSERT INTO attachments (message_id, part_id, filename, content_type, sniffed_type, size,"
                    " content_id, inline) SELECT ?, part_id, filename, content_type, sniffed_type, size, content_id,"
                    " inline FROM attachments WHERE message_id = ?",
                    (new_id, old),
                )
                await tx.execute(
                    "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body)"
                    " SELECT ?, subject, sender, recipients, cc, body FROM messages_fts WHERE rowid = ?",
                    (new_id, old),
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
                        json.dumps([None] * len(new_ids)),
                        json.dumps(
                            {"rows": new_ids, "mids": [str(r[1]) for r in rows], "sources": [None] * len(new_ids)}
                        ),
                        int(time.time()),
                    ),
                )
                queued = frozenset({account_id})
        return self._db.publish(
            Changes(folders=frozenset({folder_id}), messages_added=frozenset(new_ids), remote_ops_queued=queued)
        )
