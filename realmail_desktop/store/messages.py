"""Message writes: adding batches (with bodies, attachments and index text), flags, moves and deletion.

Flags, moves and deletions of IMAP accounts' messages also queue the matching server action
(store/remote_ops.py) in the same transaction; the Changes name those accounts in `remote_ops_queued`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import aiosqlite

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.gmail_labels import GmailLabelRepository, gmail_move
from realmail_desktop.store.models import FolderRole, NewMessage, RemoteOpKind
from realmail_desktop.store.remote_ops import enqueue, enqueue_cross_account, imap_messages
from realmail_desktop.store.search import FTS_INSERT, fts_row
from realmail_desktop.store.threads import ThreadInput, assign_threads, rethread_moved

INSERT_MESSAGE = """
INSERT INTO messages (
    id, account_id, folder_id, uid, message_id, in_reply_to, refs, date,
    sender_name, sender_address, sender_sort, recipients, cc, subject, subject_sort, snippet, list_id,
    size, has_attachments, is_seen, is_flagged, is_answered, is_forwarded, is_draft, body_state, defects,
    thread_id, category, unsubscribe, unsubscribe_one_click
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_ATTACHMENT = """
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
            threads = await assign_threads(tx, account_id, [ThreadInput.of_message(m) for m in messages])
            await tx.executemany(
                INSERT_MESSAGE,
                [
                    message_row(mid, account_id, folder_id, m, thread)
                    for mid, m, thread in zip(ids, messages, threads, strict=True)
                ],
            )
            await tx.executemany(
                "INSERT INTO message_bodies (message_id, raw) VALUES (?, ?)",
                [(mid, m.raw) for mid, m in zip(ids, messages, strict=True) if m.raw is not None],
            )
            await tx.executemany(
                INSERT_ATTACHMENT,
                [
                    (mid, a.part_id, a.filename, a.content_type, a.size, a.content_id, int(a.inline))
                    for mid, m in zip(ids, messages, strict=True)
                    for a in m.attachments
                ],
            )
            await tx.executemany(FTS_INSERT, [fts_row(mid, m) for mid, m in zip(ids, messages, strict=True)])
        changes = Changes(folders=frozenset({folder_id}), messages_added=frozenset(ids))
        return ids, self._db.publish(changes)

    async def set_seen(self, message_ids: Iterable[int], seen: bool) -> Changes:
        return await self._set_flag("is_seen", message_ids, seen)

    async def set_flagged(self, message_ids: Iterable[int], flagged: bool) -> Changes:
        return await self._set_flag("is_flagged", message_ids, flagged)

    async def set_keywords(
        self, message_ids: Iterable[int], *, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> Changes:
        """Add, then remove, IMAP keywords ($Label1, Work, $Junk …) of messages; an IMAP server follows."""
        added, removed = _checked_keywords(add), _checked_keywords(remove)
        ids = sorted(set(message_ids))
        if not ids or not (added or removed):
            return Changes()
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "SELECT id, folder_id, keywords FROM messages WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
            updates = []
            for mid, _folder, words in rows:
                wanted = " ".join(sorted((set(words.split()) | set(added)) - set(removed)))
                if wanted != words:
                    updates.append((wanted, int(mid)))
            await tx.executemany("UPDATE messages SET keywords = ? WHERE id = ?", updates)
            changed = [mid for _, mid in updates]
            remote = await imap_messages(tx, changed)
            queued = await enqueue(
                tx, RemoteOpKind.FLAGS, remote, {"set": {}, "add_keywords": added, "remove_keywords": removed}
            )
        return self._db.publish(
            Changes(
                folders=frozenset(int(r[1]) for r in rows if int(r[0]) in changed),
                messages_updated=frozenset(changed),
                remote_ops_queued=queued,
            )
        )

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
            queued: frozenset[int] = frozenset()
            if changed:
                marks = ",".join("?" * len(changed))
                await tx.execute(f"UPDATE messages SET {column} = ? WHERE id IN ({marks})", [int(value), *changed])
                remote = await imap_messages(tx, changed)
                queued = await enqueue(tx, RemoteOpKind.FLAGS, remote, {"set": {column.removeprefix("is_"): value}})
        return self._db.publish(
            Changes(
                folders=frozenset(int(r[1]) for r in rows),
                messages_updated=frozenset(changed),
                remote_ops_queued=queued,
            )
        )

    async def move(self, message_ids: Iterable[int], folder_id: int, *, from_folder: int | None = None) -> Changes:
        """Move messages into `folder_id`. Between two IMAP folders of one account the server is told too;
        the moved rows lose their UID (it named them in the old folder) until the sync matches them again.
        Into another account, the servers follow by APPEND and delete (store/remote_ops.py). Gmail messages
        of All Mail moved into a label folder (or from one, listed as `from_folder`, to All Mail) change labels
        instead: add the target's label, take off `from_folder`'s (store/gmail_labels.py `gmail_move`)."""
        ids = sorted(set(message_ids))
        if not ids:
            return Changes()
        relabel = await self._db.read_async(lambda conn: gmail_move(conn, ids, folder_id, from_folder))
        if relabel is not None:
            add, remove = relabel
            return await GmailLabelRepository(self._db).change_labels(ids, add, remove)
        async with self._db.transaction() as tx:
            target_account = await _account_of_folder(tx, folder_id)
            marks = ",".join("?" * len(ids))
            rows = await tx.execute_fetchall(
                f"SELECT id, folder_id FROM messages WHERE id IN ({marks}) AND folder_id != ?",
                [*ids, folder_id],
            )
            moving = [int(r[0]) for r in rows]
            queued: frozenset[int] = frozenset()
            if moving:
                remote = await imap_messages(tx, moving)
                # Into another account: APPEND there, then delete here (store/remote_ops.py).
                queued = await enqueue_cross_account(tx, moving, remote, folder_id, target_account)
                remote = [m for m in remote if m.account_id == target_account]
                marks = ",".join("?" * len(moving))
                await tx.execute(
                    f"UPDATE messages SET folder_id = ?, account_id = ?, uid = NULL WHERE id IN ({marks})",
                    [folder_id, target_account, *moving],
                )
                await rethread_moved(tx, moving, target_account)
                queued |= await enqueue(tx, RemoteOpKind.MOVE, remote, {"to": folder_id})
        sources = frozenset(int(r[1]) for r in rows)
        return self._db.publish(
            Changes(
                folders=sources | ({folder_id} if moving else set()),
                messages_updated=frozenset(moving),
                remote_ops_queued=queued,
            )
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
            changes = await _delete_in(tx, ids)
        return self._db.publish(changes)

    async def empty_folder(self, folder_id: int) -> Changes:
        """Delete every message of a folder for good ("Empty Trash"); on IMAP accounts the server follows."""
        async with self._db.transaction() as tx:
            ids = [
                int(r[0])
                for r in await tx.execute_fetchall("SELECT id FROM messages WHERE folder_id = ?", (folder_id,))
            ]
            changes = Changes()
            # In slices: SQLite limits the bound variables of one statement.
            for start in range(0, len(ids), _SLICE):
                changes = changes.merged(await _delete_in(tx, ids[start : start + _SLICE]))
        return self._db.publish(changes)


_SLICE = 5_000


async def delete_in(tx: aiosqlite.Connection, ids: list[int]) -> Changes:
    """`MessageRepository.delete` inside the caller's transaction (store/drafts.py replaces a draft so)."""
    return await _delete_in(tx, ids) if ids else Changes()


async def _delete_in(tx: aiosqlite.Connection, ids: list[int]) -> Changes:
    marks = ",".join("?" * len(ids))
    rows = await tx.execute_fetchall(f"SELECT id, folder_id FROM messages WHERE id IN ({marks})", ids)
    remote = await imap_messages(tx, ids)
    await tx.execute(f"DELETE FROM messages WHERE id IN ({marks})", ids)
    queued = await enqueue(tx, RemoteOpKind.DELETE, remote, {})
    return Changes(
        folders=frozenset(int(r[1]) for r in rows),
        messages_removed=frozenset(int(r[0]) for r in rows),
        remote_ops_queued=queued,
    )


async def _account_of_folder(tx: aiosqlite.Connection, folder_id: int) -> int:
    row = await (await tx.execute("SELECT account_id FROM folders WHERE id = ?", (folder_id,))).fetchone()
    if row is None:
        raise NotFoundError("That folder no longer exists.")
    return int(row[0])


def _checked_keywords(words: Iterable[str]) -> list[str]:
    """IMAP keywords are atoms (RFC 3501 §9 flag-keyword): no spaces, brackets, quotes, wildcards or '\\'."""
    checked = sorted({word.strip() for word in words if word.strip()})
    for word in checked:
        if any(c in _NOT_IN_ATOMS or ord(c) < 0x21 or ord(c) > 0x7E for c in word):
            raise KnownError(f"“{word}” cannot be used as a tag.", hint="Use letters, digits and $ _ - . only.")
    return checked


_NOT_IN_ATOMS = frozenset('(){ %*"\\]')


def message_row(
    mid: int, account_id: int, folder_id: int, m: NewMessage, thread_id: int | None = None
) -> tuple[object, ...]:
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
        thread_id,
        m.category,
        m.unsubscribe,
        int(m.unsubscribe_one_click),
    )
