"""The queue of actions for the server (`remote_ops`): filled inside the message writes, drained by the sync.

Local first: a person's read/star/move/delete changes the rows at once and, in the same transaction, queues
what the server must be told, so a crash or quit between the two cannot lose it. Only messages of IMAP
accounts are queued; local accounts have no server. The op kinds and their args: migrations/0002 and 0003
('flags' args {"set": {...}, "add_keywords": [...], "remove_keywords": [...]}).

Moves between accounts (migrations/0003): the row moves to the target folder at once. Into an IMAP folder,
an 'append' op is queued on the *target* account; once its APPEND is done (or the target already has the
Message-ID: a retry never appends twice) `complete_append` queues a detached 'delete' of the source copy on
the source account — append first, delete after, so a failure midway loses nothing. Into a local folder,
a detached 'delete' with "keep_body" is queued on the source account: it fetches the body before deleting
(a copy whose body cannot be stored here stays on the server).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import AppendSource, RemoteOp, RemoteOpKind


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """What the queue keeps of one message of an IMAP account, read inside the writing transaction."""

    row: int
    account_id: int
    folder_id: int
    uid: int | None
    mid: str
    uidvalidity: int | None


async def imap_messages(tx: aiosqlite.Connection, message_ids: Sequence[int]) -> list[QueuedMessage]:
    """The messages among `message_ids` that belong to IMAP accounts (the only ones with remote actions)."""
    if not message_ids:
        return []
    rows = await tx.execute_fetchall(
        "SELECT m.id, m.account_id, m.folder_id, m.uid, m.message_id, f.uidvalidity"
        " FROM messages m JOIN accounts a ON a.id = m.account_id JOIN folders f ON f.id = m.folder_id"
        " WHERE a.kind = 'imap' AND f.remote_name IS NOT NULL AND m.id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(message_ids)),),
    )
    return [QueuedMessage(int(r[0]), int(r[1]), int(r[2]), r[3], str(r[4]), r[5]) for r in rows]


async def enqueue(
    tx: aiosqlite.Connection, kind: RemoteOpKind, messages: Iterable[QueuedMessage], args: dict[str, object]
) -> frozenset[int]:
    """Queue one op per source folder for `messages`; returns the accounts whose queue grew."""
    by_folder: dict[int, list[QueuedMessage]] = {}
    for message in messages:
        by_folder.setdefault(message.folder_id, []).append(message)
    now = int(time.time())
    for folder_id, group in by_folder.items():
        await tx.execute(
            "INSERT INTO remote_ops (account_id, kind, folder_id, uidvalidity, uids, args, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                group[0].account_id,
                kind.value,
                folder_id,
                group[0].uidvalidity,
                json.dumps([m.uid for m in group]),
                json.dumps({**args, "rows": [m.row for m in group], "mids": [m.mid for m in group]}),
                now,
            ),
        )
    return frozenset(group[0].account_id for group in by_folder.values())


async def enqueue_cross_account(
    tx: aiosqlite.Connection,
    moving: Sequence[int],
    imap_sources: Sequence[QueuedMessage],
    folder_id: int,
    target_account: int,
) -> frozenset[int]:
    """Queue what the servers must do for the rows of `moving` that go to another account's `folder_id`
    (read before the rows move; see the module docstring); returns the accounts whose queue grew."""
    rows = list(
        await tx.execute_fetchall(
            "SELECT id, message_id FROM messages WHERE account_id != ? AND id IN (SELECT value FROM json_each(?))"
            " ORDER BY id",
            (target_account, json.dumps(list(moving))),
        )
    )
    if not rows:
        return frozenset()
    by_row = {m.row: m for m in imap_sources}
    target = await (
        await tx.execute(
            "SELECT 1 FROM folders f JOIN accounts a ON a.id = f.account_id"
            " WHERE f.id = ? AND a.kind = 'imap' AND f.remote_name IS NOT NULL",
            (folder_id,),
        )
    ).fetchone()
    if target is None:  # into a local folder: only the IMAP copies have something to do
        leaving = [by_row[int(r[0])] for r in rows if int(r[0]) in by_row]
        return await enqueue(tx, RemoteOpKind.DELETE, leaving, {"detached": True, "keep_body": True})
    sources = []
    for row_id, _mid in rows:
        source = by_row.get(int(row_id))
        sources.append(
            {
                "account": source.account_id,
                "folder": source.folder_id,
                "uid": source.uid,
                "uidvalidity": source.uidvalidity,
            }
            if source is not None
            else None
        )
    await tx.execute(
        "INSERT INTO remote_ops (account_id, kind, folder_id, uids, args, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (
            target_account,
            RemoteOpKind.APPEND.value,
            folder_id,
            json.dumps([None] * len(rows)),
            json.dumps({"rows": [int(r[0]) for r in rows], "mids": [str(r[1]) for r in rows], "sources": sources}),
            int(time.time()),
        ),
    )
    return frozenset({target_account})


def op_from_row(row: Sequence[object]) -> RemoteOp:
    args = json.loads(str(row[6]))
    uids = json.loads(str(row[5]))
    return RemoteOp(
        id=int(row[0]),  # type: ignore[call-overload]
        account_id=int(row[1]),  # type: ignore[call-overload]
        kind=RemoteOpKind(str(row[2])),
        folder_id=row[3],  # type: ignore[arg-type]
        uidvalidity=row[4],  # type: ignore[arg-type]
        uids=tuple(uids),
        rows=tuple(args.get("rows", ())),
        mids=tuple(args.get("mids", ())),
        set_flags=dict(args.get("set", {})),
        to_folder_id=args.get("to"),
        name=str(args.get("name", "")),
        new_name=str(args.get("new_name", "")),
        add_keywords=tuple(args.get("add_keywords", ())),
        remove_keywords=tuple(args.get("remove_keywords", ())),
        add_labels=tuple(args.get("add_labels", ())),
        remove_labels=tuple(args.get("remove_labels", ())),
        sources=tuple(AppendSource.model_validate(s) if s else None for s in args.get("sources", ())),
        detached=bool(args.get("detached", False)),
        keep_body=bool(args.get("keep_body", False)),
        attempts=int(row[7]),  # type: ignore[call-overload]
        last_error=str(row[8]),
    )


OP_COLUMNS = "id, account_id, kind, folder_id, uidvalidity, uids, args, attempts, last_error"


class RemoteOpQueue:
    """The sync engine's side of the queue: what is pending, and what became of each op on the server."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def complete(
        self, op: RemoteOp, new_uids: dict[int, int] | None = None, gone_rows: Sequence[int] = ()
    ) -> Changes:
        """The server did `op`. `new_uids` (row → UID in the destination, from COPYUID) names moved rows
        there at once; `gone_rows` had no message on the server any more (expunged elsewhere): rows still
        unmatched are removed — the server's state wins once our action is out of the queue (never for a
        detached op: its rows were moved to another account)."""
        removed: list[int] = []
        folders: set[int] = set()
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM remote_ops WHERE id = ?", (op.id,))
            if new_uids and op.to_folder_id is not None:
                await tx.executemany(
                    "UPDATE messages SET uid = ?1 WHERE id = ?2 AND folder_id = ?3 AND uid IS NULL"
                    " AND NOT EXISTS (SELECT 1 FROM messages WHERE folder_id = ?3 AND uid = ?1)",
                    [(uid, row, op.to_folder_id) for row, uid in new_uids.items()],
                )
            if gone_rows and not op.detached:  # a detached op's rows live on elsewhere: never removed for it
                doomed = await tx.execute_fetchall(
                    "SELECT id, folder_id FROM messages WHERE uid IS NULL AND id IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(gone_rows)),),
                )
                removed = [int(r[0]) for r in doomed]
                folders = {int(r[1]) for r in doomed}
                await tx.execute(
                    "DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(removed),)
                )
        return self._db.publish(Changes(folders=frozenset(folders), messages_removed=frozenset(removed)))

    async def complete_append(self, op: RemoteOp, appended: dict[int, int | None]) -> Changes:
        """The target server has the rows of `appended` (row → its UID there, when told): name them by it,
        and queue the deletion of each source copy on its own account (detached: the row lives on here)."""
        queued: set[int] = set()
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM remote_ops WHERE id = ?", (op.id,))
            await tx.executemany(
                "UPDATE messages SET uid = ?1 WHERE id = ?2 AND folder_id = ?3 AND uid IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM messages WHERE folder_id = ?3 AND uid = ?1)",
                [(uid, row, op.folder_id) for row, uid in appended.items() if uid is not None],
            )
            now = int(time.time())
            for row, mid, source in zip(op.rows, op.mids, op.sources, strict=True):
                if source is None or row not in appended:
                    continue
                await tx.execute(
                    "INSERT INTO remote_ops (account_id, kind, folder_id, uidvalidity, uids, args, created_at)"
                    " SELECT ?, ?, id, ?, ?, ?, ? FROM folders WHERE id = ?",
                    (
                        source.account,
                        RemoteOpKind.DELETE.value,
                        source.uidvalidity,
                        json.dumps([source.uid]),
                        json.dumps({"rows": [row], "mids": [mid], "detached": True}),
                        now,
                        source.folder,
                    ),
                )
                queued.add(source.account)
        return self._db.publish(Changes(messages_updated=frozenset(appended), remote_ops_queued=frozenset(queued)))

    async def failed(self, op: RemoteOp, error: str) -> None:
        """The server refused `op` for now: count the attempt and keep it queued."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE remote_ops SET attempts = attempts + 1, last_error = ? WHERE id = ?", (error[:500], op.id)
            )

    async def drop(self, op: RemoteOp) -> None:
        """Give `op` up (the server refused it too often): the server's state wins, so the source folder is
        marked for a full flag re-read (flags) or a re-scan for messages we no longer list (move, delete)."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM remote_ops WHERE id = ?", (op.id,))
            if op.folder_id is not None:
                column = "highestmodseq" if op.kind is RemoteOpKind.FLAGS else "headers_floor_uid"
                await tx.execute(f"UPDATE folders SET {column} = NULL WHERE id = ?", (op.folder_id,))
