"""Message writes: adding batches (with bodies, attachments and index text), flags, moves and deletion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import aiosqlite

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import FolderRole, NewMessage

_INSERT_MESSAGE = """
INSERT INTO messages (
    id, account_id, folder_id, uid, message_id, in_reply_to, refs, date,
    sender_name, sender_address, sender_sort, recipients, cc, subject, subject_sort, snippet, list_id,
    size, has_attachments, is_seen, is_flagged, is_answered, is_forwarded, is_draft, body_state, defects
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_ATTACHMENT = """
INSERT INTO attachments (message_id, part_id, filename, content_type, size, content_id, inline)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""


class MessageRepository:
    """Every write to messages goes through here; each returns the Changes it published after COMMIT."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, folder_id: int, messages: Sequence[NewMessage]) -> tuple[list[int], Changes]:
        """Store a batch in one transaction (all or nothing); returns the new ids in input order."""
        if not messages:
            return [], Changes()
        async with self._db.transaction() as tx:
            account_id = await _account_of_folder(tx, folder_id)
            # We are the only writer and hold the write lock, so ids can be assigned up front; that turns a
            # batch into one executemany per table instead of a round trip per row.
            row = await (await tx.execute("SELECT COALESCE(MAX(id), 0) FROM messages")).fetchone()
            first_id = int(row[0]) + 1 if row else 1
            ids = list(range(first_id, first_id + len(messages)))
            await tx.executemany(
                _INSERT_MESSAGE,
                [_message_row(mid, account_id, folder_id, m) for mid, m in zip(ids, messages, strict=True)],
            )
            await tx.executemany(
                "INSERT INTO message_bodies (message_id, raw) VALUES (?, ?)",
                [(mid, m.raw) for mid, m in zip(ids, messages, strict=True) if m.raw is not None],
            )
            await tx.executemany(
                _INSERT_ATTACHMENT,
                [
                    (mid, a.part_id, a.filename, a.content_type, a.size, a.content_id, int(a.inline))
                    for mid, m in zip(ids, messages, strict=True)
                    for a in m.attachments
                ],
            )
            await tx.executemany(
                "INSERT INTO messages_fts (rowid, subject, people, body) VALUES (?, ?, ?, ?)",
                [(mid, m.subject, m.index_people, m.index_body) for mid, m in zip(ids, messages, strict=True)],
            )
        changes = Changes(folders=frozenset({folder_id}), messages_added=frozenset(ids))
        return ids, self._db.publish(changes)

    async def set_seen(self, message_ids: Iterable[int], seen: bool) -> Changes:
        return await self._set_flag("is_seen", message_ids, seen)

    async def set_flagged(self, message_ids: Iterable[int], flagged: bool) -> Changes:
        return await self._set_flag("is_flagged", message_ids, flagged)

    async def _set_flag(self, column: str, message_ids: Iterable[int], value: bool) -> Changes:
        ids = sorted(set(message_ids))
        if not ids:
            return Changes()
        async with self._db.transaction() as tx:
            marks = ",".join("?" * len(ids))
            rows = await tx.execute_fetchall(
                f"SELECT id, folder_id FROM messages WHERE id IN ({marks}) AND {column} != ?",
                [*ids, int(value)],
            )
            changed = [int(r[0]) for r in rows]
            if changed:
                marks = ",".join("?" * len(changed))
                await tx.execute(f"UPDATE messages SET {column} = ? WHERE id IN ({marks})", [int(value), *changed])
        return self._db.publish(
            Changes(folders=frozenset(int(r[1]) for r in rows), messages_updated=frozenset(changed))
        )

    async def move(self, message_ids: Iterable[int], folder_id: int) -> Changes:
        """Move messages into `folder_id` (of the same account; local folders only until sync exists)."""
        ids = sorted(set(message_ids))
        if not ids:
            return Changes()
        async with self._db.transaction() as tx:
            target_account = await _account_of_folder(tx, folder_id)
            marks = ",".join("?" * len(ids))
            rows = await tx.execute_fetchall(
                f"SELECT id, folder_id FROM messages WHERE id IN ({marks}) AND folder_id != ?",
                [*ids, folder_id],
            )
            moving = [int(r[0]) for r in rows]
            if moving:
                marks = ",".join("?" * len(moving))
                await tx.execute(
                    f"UPDATE messages SET folder_id = ?, account_id = ? WHERE id IN ({marks})",
                    [folder_id, target_account, *moving],
                )
        sources = frozenset(int(r[1]) for r in rows)
        return self._db.publish(
            Changes(folders=sources | ({folder_id} if moving else set()), messages_updated=frozenset(moving))
        )

    async def delete_to_trash(self, message_ids: Iterable[int]) -> Changes:
        """Move messages to their account's Trash; messages already in Trash are deleted for good."""
        ids = sorted(set(message_ids))
        if not ids:
            return Changes()
        marks = ",".join("?" * len(ids))
        rows = await self._db.read_async(
            lambda conn: conn.execute(
                f"SELECT m.id, f.role, (SELECT t.id FROM folders t WHERE t.account_id = m.account_id AND t.role = ?)"
                f" FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id IN ({marks})",
                [FolderRole.TRASH.value, *ids],
            ).fetchall()
        )
        forever = [int(r[0]) for r in rows if r[1] == FolderRole.TRASH.value or r[2] is None]
        by_trash: dict[int, list[int]] = {}
        for mid, role, trash_id in rows:
            if role != FolderRole.TRASH.value and trash_id is not None:
                by_trash.setdefault(int(trash_id), []).append(int(mid))
        changes = await self.delete(forever)
        for trash_id, moving in by_trash.items():
            changes = changes.merged(await self.move(moving, trash_id))
        return changes

    async def delete(self, message_ids: Iterable[int]) -> Changes:
        """Delete messages for good (bodies, attachments and index entries go with them)."""
        ids = sorted(set(message_ids))
        if not ids:
            return Changes()
        async with self._db.transaction() as tx:
            marks = ",".join("?" * len(ids))
            rows = await tx.execute_fetchall(f"SELECT id, folder_id FROM messages WHERE id IN ({marks})", ids)
            await tx.execute(f"DELETE FROM messages WHERE id IN ({marks})", ids)
        return self._db.publish(
            Changes(
                folders=frozenset(int(r[1]) for r in rows),
                messages_removed=frozenset(int(r[0]) for r in rows),
            )
        )


async def _account_of_folder(tx: aiosqlite.Connection, folder_id: int) -> int:
    row = await (await tx.execute("SELECT account_id FROM folders WHERE id = ?", (folder_id,))).fetchone()
    if row is None:
        raise NotFoundError("That folder no longer exists.")
    return int(row[0])


def _message_row(mid: int, account_id: int, folder_id: int, m: NewMessage) -> tuple[object, ...]:
    return (
        mid,
        account_id,
        folder_id,
        m.uid,
        m.message_id,
        m.in_reply_to,
        " ".join(m.references),
        m.date,
        m.sender_name,
        m.sender_address,
        m.sender_sort,
        m.recipients,
        m.cc,
        m.subject,
        m.subject_sort,
        m.snippet,
        m.list_id,
        m.size,
        int(m.has_attachments),
        int(m.is_seen),
        int(m.is_flagged),
        int(m.is_answered),
        int(m.is_forwarded),
        int(m.is_draft),
        1 if m.raw is not None else 0,
        m.defects,
    )
