"""The sync engine's writes: headers by UID, bodies, the server's flag changes and expunges, UIDVALIDITY resets
and each folder's sync progress. Every write returns the Changes it published after COMMIT.

Matching rule (no duplicates): a row whose uid is NULL in a folder — moved there locally and not yet seen
on the server, or left from an older UIDVALIDITY — is *adopted* by the first fetched header of that folder
with the same Message-ID and size (same Date and size when the message has no Message-ID), instead of a new
row being added. An adopted row keeps its body, attachments and index entry.

Conflict rule: local actions win while they are queued — the server's flags for a message with a queued
flag change are ignored, and a message with a queued move or delete is not added back to its old folder —
and once the queue has been replayed, the server's state wins (its flags overwrite ours, including on
adoption; rows it no longer has are removed).

Keywords ($Label1, Work, $Junk …) follow the same rule as flags: `messages.keywords`, space-separated and
sorted, is what the server says unless a flag change of ours is queued. Where the server cannot keep keywords
(PERMANENTFLAGS without \\*), the keywords it cannot keep stay local: the server's list never removes them.

A message the server flags \\Deleted (another client deleted it without expunging) is treated as expunged:
its row goes, so no list or count shows it; when the flag is cleared the sync fetches its header again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import aiosqlite

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.chunk_counts import counted_chunk
from realmail_desktop.store.database import Database
from realmail_desktop.store.messages import INSERT_ATTACHMENT, INSERT_MESSAGE, message_row
from realmail_desktop.store.models import FolderProgress, NewMessage, RemoteOpKind, UidFlags
from realmail_desktop.store.multi_row import insert_rows
from realmail_desktop.store.search import FTS_INSERT, fts_row
from realmail_desktop.store.threads import ThreadInput, assign_threads

_FLAG_COLUMNS = "is_seen, is_flagged, is_answered, is_forwarded, is_draft"
_SET_FLAGS = "UPDATE messages SET is_seen = ?, is_flagged = ?, is_answered = ?, is_forwarded = ?, is_draft = ?"
Flags = tuple[int, int, int, int, int]
Permanent = frozenset[str] | None  # a folder's PERMANENTFLAGS (None: not told, so anything may be kept)


def _flags_of(m: NewMessage | UidFlags) -> Flags:
    return (int(m.is_seen), int(m.is_flagged), int(m.is_answered), int(m.is_forwarded), int(m.is_draft))


def merged_keywords(server: Iterable[str], local: str, permanent: Permanent) -> str:
    """The keywords to store: the server's, plus local ones the server cannot keep (no \\* in PERMANENTFLAGS)."""
    words = set(server)
    if permanent is not None and "\\*" not in permanent:
        words |= {word for word in local.split() if word not in permanent}
    return " ".join(sorted(words))


@dataclass(slots=True)
class _Claims:
    """What the queued actions of a folder's account hold back from the server's view (the conflict rule)."""

    away: set[int] = field(default_factory=set)  # UIDs of this folder with a queued move or delete
    flagged: set[int] = field(default_factory=set)  # UIDs of this folder with a queued flag change
    rows: set[int] = field(default_factory=set)  # rows named by any queued action


async def _claims(tx: aiosqlite.Connection, folder_id: int) -> _Claims:
    claims = _Claims()
    ops = await tx.execute_fetchall(
        "SELECT o.kind, o.folder_id, o.uidvalidity IS f.uidvalidity, o.uids, o.args, f.uidvalidity FROM remote_ops o"
        " JOIN folders f ON f.id = ?1 WHERE o.account_id = f.account_id OR o.kind = 'append'",
        (folder_id,),
    )
    for kind, source, same_epoch, uids, args, uidvalidity in ops:
        decoded = json.loads(args)
        claims.rows.update(decoded.get("rows", ()))
        if kind == RemoteOpKind.APPEND.value:  # a message moved to another account is not added back here
            claims.away.update(
                s["uid"]
                for s in decoded.get("sources", ())
                if s and s["folder"] == folder_id and s["uid"] is not None and s["uidvalidity"] == uidvalidity
            )
            continue
        if source != folder_id or not same_epoch:
            continue
        known = {uid for uid in json.loads(uids) if uid is not None}
        (claims.flagged if kind == RemoteOpKind.FLAGS.value else claims.away).update(known)
    return claims


async def _account_of(tx: aiosqlite.Connection, folder_id: int) -> int:
    rows = await tx.execute_fetchall("SELECT account_id FROM folders WHERE id = ?", (folder_id,))
    if not rows:
        raise NotFoundError("That folder no longer exists.")
    return int(next(iter(rows))[0])


async def _by_uid(tx: aiosqlite.Connection, folder_id: int, uids: Sequence[int]) -> dict[int, tuple[int, Flags, str]]:
    rows = await tx.execute_fetchall(
        f"SELECT uid, id, {_FLAG_COLUMNS}, keywords FROM messages"
        " WHERE folder_id = ? AND uid IN (SELECT value FROM json_each(?))",
        (folder_id, json.dumps(list(uids))),
    )
    return {int(r[0]): (int(r[1]), (r[2], r[3], r[4], r[5], r[6]), str(r[7])) for r in rows}


async def _next_id(tx: aiosqlite.Connection, table: str) -> int:
    """The first free id of `table` (the writer holds the write lock, so ids can be assigned up front)."""
    rows = await tx.execute_fetchall(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return int(next(iter(rows))[0])


async def _save_progress(tx: aiosqlite.Connection, folder_id: int, progress: FolderProgress) -> None:
    values = progress.model_dump(exclude_none=True)
    if values:
        assignments = ", ".join(f"{column} = ?" for column in values)
        await tx.execute(f"UPDATE folders SET {assignments} WHERE id = ?", (*values.values(), folder_id))


class SyncRepository:
    """Writes of the IMAP sync (see the module docstring for the matching and conflict rules)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def store_headers(
        self,
        folder_id: int,
        messages: Sequence[NewMessage],
        progress: FolderProgress | None = None,
        *,
        keywords: Mapping[int, Sequence[str]] | None = None,
        permanent: Permanent = None,
        gmail_threads: Mapping[int, int] | None = None,
    ) -> Changes:
        """Store fetched header rows (each with its `uid`) in one transaction, with `progress` saved alongside:
        known UIDs get the server's flags (and `keywords`, UID → the server's keywords; see the module
        docstring for `permanent`), unmatched rows are adopted, the rest are added. `gmail_threads`: UID →
        Gmail's X-GM-THRID, which threads new rows (store/threads.py `gmail_thread_link`)."""
        keywords = keywords or {}
        gmail_threads = gmail_threads or {}
        added: list[int] = []
        updated: list[int] = []
        async with self._db.transaction() as tx:
            account_id = await _account_of(tx, folder_id)
            existing = await _by_uid(tx, folder_id, [m.uid for m in messages if m.uid is not None])
            claims = await _claims(tx, folder_id)
            fresh: list[NewMessage] = []
            flag_updates: list[tuple[object, ...]] = []
            for m in messages:
                if m.uid is None or m.uid in claims.away:
                    continue
                known = existing.get(m.uid)
                if known is None:
                    fresh.append(m)
                    continue
                words = merged_keywords(keywords.get(m.uid, ()), known[2], permanent)
                if m.uid not in claims.flagged and (known[1] != _flags_of(m) or known[2] != words):
                    flag_updates.append((*_flags_of(m), words, known[0]))
                    updated.append(known[0])
            if fresh:
                fresh, adopted = await self._adopt(tx, folder_id, fresh, claims, keywords)
                updated.extend(adopted)
            # Statements with nothing to do are skipped: each is a round trip to the writer's thread (~40 µs).
            if flag_updates:
                await tx.executemany(f"{_SET_FLAGS}, keywords = ? WHERE id = ?", flag_updates)
            if fresh:
                first_id = await _next_id(tx, "messages")
                added = list(range(first_id, first_id + len(fresh)))
                pairs = list(zip(added, fresh, strict=True))
                threads = await assign_threads(
                    tx, account_id, [ThreadInput.of_message(m, gmail_threads.get(m.uid or 0)) for m in fresh]
                )
                async with counted_chunk(tx, added[0], added[-1]):
                    await insert_rows(
                        tx,
                        INSERT_MESSAGE,
                        [
                            message_row(mid, account_id, folder_id, m, t)
                            for (mid, m), t in zip(pairs, threads, strict=True)
                        ],
                    )
                await tx.executemany(FTS_INSERT, [fts_row(mid, m) for mid, m in pairs])
                tagged = [
                    (" ".join(sorted(set(keywords.get(m.uid or 0, ())))), mid) for mid, m in pairs if m.uid in keywords
                ]
                if tagged:
                    await tx.executemany("UPDATE messages SET keywords = ? WHERE id = ?", tagged)
            if progress is not None:
                await _save_progress(tx, folder_id, progress)
        touched = frozenset({folder_id}) if added or updated else frozenset()
        return self._db.publish(
            Changes(folders=touched, messages_added=frozenset(added), messages_updated=frozenset(updated))
        )

    async def _adopt(
        self,
        tx: aiosqlite.Connection,
        folder_id: int,
        fresh: list[NewMessage],
        claims: _Claims,
        keywords: Mapping[int, Sequence[str]],
    ) -> tuple[list[NewMessage], list[int]]:
        """Give unmatched rows of the folder the UIDs of matching fetched headers; returns the rest."""
        # One lookup in migration 0018's messages_without_uid (it walked the folder's rows before).
        if not await tx.execute_fetchall(
            "SELECT 1 FROM messages WHERE folder_id = ? AND uid IS NULL LIMIT 1", (folder_id,)
        ):
            return fresh, []
        rows = await tx.execute_fetchall(
            "SELECT id, message_id, date, size FROM messages WHERE folder_id = ? AND uid IS NULL"
            " AND message_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (folder_id, json.dumps(sorted({m.message_id for m in fresh}))),
        )
        candidates: dict[tuple[str, int, int], list[int]] = {}
        for mid, message_id, date, size in rows:
            key = (message_id, 0 if message_id else date, size)
            candidates.setdefault(key, []).append(int(mid))
        rest: list[NewMessage] = []
        adopted: list[tuple[int, NewMessage]] = []
        for m in fresh:
            matches = candidates.get((m.message_id, 0 if m.message_id else m.date, m.size))
            if matches:
                adopted.append((matches.pop(0), m))
            else:
                rest.append(m)
        await tx.executemany("UPDATE messages SET uid = ? WHERE id = ?", [(m.uid, mid) for mid, m in adopted])
        # Nothing of ours queued for an adopted row: the server's flags win (the conflict rule).
        await tx.executemany(
            f"{_SET_FLAGS}, keywords = ? WHERE id = ?",
            [
                (*_flags_of(m), " ".join(sorted(set(keywords.get(m.uid or 0, ())))), mid)
                for mid, m in adopted
                if mid not in claims.rows
            ],
        )
        return rest, [mid for mid, _ in adopted]

    async def store_bodies(self, bodies: Sequence[tuple[int, NewMessage]]) -> Changes:
        """Store fetched bodies: raw bytes, attachments, snippet and the body's index text, per message row.
        Rows deleted meanwhile are skipped."""
        if not bodies:
            return Changes()
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([mid for mid, _ in bodies]),),
            )
            present = {int(r[0]) for r in rows}
            kept = [(mid, m) for mid, m in bodies if mid in present and m.raw is not None]
            ids = json.dumps([mid for mid, _ in kept])
            await tx.executemany(
                "UPDATE messages SET snippet = ?, has_attachments = ?, defects = ?, body_state = 1 WHERE id = ?",
                [(m.snippet, int(m.has_attachments), m.defects, mid) for mid, m in kept],
            )
            await tx.executemany(
                "INSERT OR REPLACE INTO message_bodies (message_id, raw) VALUES (?, ?)",
                [(mid, m.raw) for mid, m in kept],
            )
            await tx.execute("DELETE FROM attachments WHERE message_id IN (SELECT value FROM json_each(?))", (ids,))
            await tx.executemany(
                INSERT_ATTACHMENT,
                [
                    (mid, a.part_id, a.filename, a.content_type, a.size, a.content_id, int(a.inline))
                    for mid, m in kept
                    for a in m.attachments
                ],
            )
            await tx.executemany(
                "UPDATE messages_fts SET body = ? WHERE rowid = ?", [(m.index_body, mid) for mid, m in kept]
            )
        return self._db.publish(Changes(messages_updated=frozenset(mid for mid, _ in kept)))

    async def mark_bodies_unavailable(self, message_ids: Sequence[int]) -> None:
        """The server did not give these bodies: stop fetching them ahead of time (body_state 2); opening one
        of them still asks the server again."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE messages SET body_state = 2 WHERE body_state = 0 AND id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(message_ids)),),
            )

    async def apply_flags(self, folder_id: int, flags: Sequence[UidFlags], permanent: Permanent = None) -> Changes:
        """The server's flags and keywords for UIDs of a folder (UIDs we do not have are ignored); rows of
        messages flagged \\Deleted go as if expunged (see the module docstring)."""
        if not flags:
            return Changes()
        async with self._db.transaction() as tx:
            existing = await _by_uid(tx, folder_id, [f.uid for f in flags])
            claims = await _claims(tx, folder_id)
            updates: list[tuple[object, ...]] = []
            removed: list[int] = []
            for f in flags:
                known = existing.get(f.uid)
                if known is None:
                    continue
                if f.is_deleted:
                    removed.append(known[0])
                    continue
                words = merged_keywords(f.keywords, known[2], permanent)
                if f.uid not in claims.flagged and (known[1] != _flags_of(f) or known[2] != words):
                    updates.append((*_flags_of(f), words, known[0]))
            await tx.executemany(f"{_SET_FLAGS}, keywords = ? WHERE id = ?", updates)
            if removed:
                await tx.execute(
                    "DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(removed),)
                )
        changed = frozenset(int(str(u[-1])) for u in updates)
        return self._db.publish(
            Changes(
                folders=frozenset({folder_id}) if changed or removed else frozenset(),
                messages_updated=changed,
                messages_removed=frozenset(removed),
            )
        )

    async def expunge_uids(self, folder_id: int, uids: Iterable[int]) -> Changes:
        """The server no longer has these UIDs in the folder: their rows go (with bodies and index entries)."""
        wanted = json.dumps(sorted(set(uids)))
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "SELECT id FROM messages WHERE folder_id = ? AND uid IN (SELECT value FROM json_each(?))",
                (folder_id, wanted),
            )
            removed = [int(r[0]) for r in rows]
            if removed:
                await tx.execute(
                    "DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(removed),)
                )
        return self._db.publish(
            Changes(folders=frozenset({folder_id}) if removed else frozenset(), messages_removed=frozenset(removed))
        )

    async def reset_uidvalidity(self, folder_id: int, uidvalidity: int) -> Changes:
        """The folder's UIDs changed meaning (RFC 3501 §2.3.1.1): keep every row, forget every UID and the sync
        progress; the next header sync adopts the rows again (matching rule), so nothing is duplicated."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE messages SET uid = NULL WHERE folder_id = ? AND uid IS NOT NULL", (folder_id,))
            await tx.execute(
                "UPDATE folders SET uidvalidity = ?, uidnext = NULL, highestmodseq = NULL, headers_floor_uid = NULL"
                " WHERE id = ?",
                (uidvalidity, folder_id),
            )
        return Changes()

    async def drop_bodies_before(self, account_id: int, since: int) -> Changes:
        """The sync window shrank: forget the stored bodies (raw bytes and the index's body text; subject and
        people stay searchable) of the account's messages dated before `since`, except flagged messages,
        drafts and messages of folders that exist only here. They download again when opened (body_state 0)."""
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "SELECT m.id, m.folder_id FROM messages m JOIN folders f ON f.id = m.folder_id"
                " WHERE m.account_id = ? AND m.date < ? AND m.body_state = 1 AND m.is_flagged = 0"
                " AND m.is_draft = 0 AND f.remote_name IS NOT NULL AND f.role IS NOT 'drafts'",
                (account_id, since),
            )
            dropped = json.dumps([int(r[0]) for r in rows])
            if rows:
                await tx.execute(
                    "DELETE FROM message_bodies WHERE message_id IN (SELECT value FROM json_each(?))", (dropped,)
                )
                await tx.execute(
                    "UPDATE messages SET body_state = 0 WHERE id IN (SELECT value FROM json_each(?))", (dropped,)
                )
                await tx.execute(
                    "UPDATE messages_fts SET body = '' WHERE rowid IN (SELECT value FROM json_each(?))", (dropped,)
                )
        return self._db.publish(
            Changes(folders=frozenset(int(r[1]) for r in rows), messages_updated=frozenset(int(r[0]) for r in rows))
        )

    async def save_progress(self, folder_id: int, progress: FolderProgress) -> None:
        async with self._db.transaction() as tx:
            await _save_progress(tx, folder_id, progress)

    async def prune_unmatched(self, folder_id: int) -> Changes:
        """After a complete header sync: rows still without a UID and named by no queued action are not on
        the server (any more) — the server's state wins, they go."""
        async with self._db.transaction() as tx:
            claims = await _claims(tx, folder_id)
            rows = await tx.execute_fetchall(
                "SELECT id FROM messages WHERE folder_id = ? AND uid IS NULL", (folder_id,)
            )
            removed = [int(r[0]) for r in rows if int(r[0]) not in claims.rows]
            if removed:
                await tx.execute(
                    "DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(removed),)
                )
        return self._db.publish(
            Changes(folders=frozenset({folder_id}) if removed else frozenset(), messages_removed=frozenset(removed))
        )
