"""The queue of actions for the server (`remote_ops`): filled inside the message writes, drained by the sync.

Local first: a person's read/star/move/delete changes the rows at once and, in the same transaction, queues
what the server must be told, so a crash or quit between the two cannot lose it. Only messages of IMAP
accounts are queued; local accounts have no server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import RemoteOp, RemoteOpKind


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
        unmatched are removed — the server's state wins once our action is out of the queue."""
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
            if gone_rows:
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
