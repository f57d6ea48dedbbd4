"""Gmail labels in the store: which folders are label folders, which All Mail rows each shows (message_labels,
migrations/0013), the labels the sync fetched, and the person's label changes queued for the server.

A label folder holds no rows: its list is the All Mail rows that carry its label (`in_folders_sql` is the
membership test the list readers use). Labels fetched from the server replace a message's labels, except while
a 'labels' action of ours for it is still queued (the person's change wins until the server has it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import aiosqlite

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import RemoteOpKind
from realmail_desktop.store.remote_ops import enqueue, imap_messages

# The label of the Starred folder: Gmail keeps it as the \Flagged flag (X-GM-LABELS may also say \Starred).
STARRED = "\\Starred"


def in_folders_sql(folder_ids: Sequence[int], column: str = "id", folder_column: str = "folder_id") -> str:
    """SQL for "the row is listed in one of `folder_ids`": its own folder, or a label folder that shows it.
    Ids are integers from our own rows, written inline so callers keep their parameter lists."""
    ids = ",".join(str(int(f)) for f in folder_ids) or "NULL"
    return (
        f"({folder_column} IN ({ids}) OR {column} IN"
        f" (SELECT message_id FROM message_labels WHERE folder_id IN ({ids})))"
    )


def label_folder_ids(conn: sqlite3.Connection, folder_ids: Sequence[int]) -> list[int]:
    """Those of `folder_ids` that are Gmail label folders."""
    ids = json.dumps(list(folder_ids))
    rows = conn.execute(
        "SELECT id FROM folders WHERE gmail_label IS NOT NULL AND id IN (SELECT value FROM json_each(?))", (ids,)
    )
    return [int(r[0]) for r in rows]


def labels_of(conn: sqlite3.Connection, message_id: int) -> list[tuple[int, str]]:
    """The label folders (id, path) that show a message, by path."""
    rows = conn.execute(
        "SELECT f.id, f.path FROM message_labels l JOIN folders f ON f.id = l.folder_id"
        " WHERE l.message_id = ? ORDER BY f.path",
        (message_id,),
    )
    return [(int(r[0]), str(r[1])) for r in rows]


def label_folders(conn: sqlite3.Connection, account_id: int) -> list[tuple[int, str, str]]:
    """An account's label folders: (id, path, label), by path (empty for accounts not on Gmail)."""
    rows = conn.execute(
        "SELECT id, path, gmail_label FROM folders WHERE account_id = ? AND gmail_label IS NOT NULL ORDER BY path",
        (account_id,),
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


class NotALabelFolderError(KnownError):
    """A label change named a folder that is not a Gmail label of the message's account."""


class GmailLabelRepository:
    """Writes of Gmail labels: label folders (from LIST), fetched labels (from the sync), the person's changes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_server_files_sent(self, account_id: int, files_sent: bool) -> None:
        """What the sync found about the server (sync/folder_roles.py quirks); the sender reads it."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE accounts SET server_files_sent = ? WHERE id = ? AND server_files_sent IS NOT ?",
                (int(files_sent), account_id, int(files_sent)),
            )

    async def mark_label_folders(self, account_id: int, labels: Mapping[str, str | None]) -> Changes:
        """Server mailbox name → the label it stands for (None: a folder with rows of its own). Folders that
        stop being label folders lose their label entries."""
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "SELECT id, remote_name, gmail_label FROM folders WHERE account_id = ? AND remote_name IS NOT NULL",
                (account_id,),
            )
            changed = [
                (labels.get(str(name)), int(fid))
                for fid, name, label in rows
                if labels.get(str(name)) != label and str(name) in labels
            ]
            await tx.executemany("UPDATE folders SET gmail_label = ? WHERE id = ?", changed)
            gone = [fid for label, fid in changed if label is None]
            await tx.executemany("DELETE FROM message_labels WHERE folder_id = ?", [(fid,) for fid in gone])
        return self._db.publish(Changes(folder_tree=bool(changed), folders=frozenset(fid for _l, fid in changed)))

    async def set_labels(self, folder_id: int, labels: Mapping[int, Iterable[str]]) -> Changes:
        """The labels the server gave for UIDs of All Mail (`folder_id`): each message's label entries become
        exactly those (labels without a folder yet wait for the next LIST). Messages with a queued 'labels'
        action keep theirs."""
        if not labels:
            return Changes()
        async with self._db.transaction() as tx:
            account = await (await tx.execute("SELECT account_id FROM folders WHERE id = ?", (folder_id,))).fetchone()
            if account is None:
                return Changes()
            folders = {
                str(label): int(fid)
                for fid, label in await tx.execute_fetchall(
                    "SELECT id, gmail_label FROM folders WHERE account_id = ? AND gmail_label IS NOT NULL",
                    (int(account[0]),),
                )
            }
            rows = {
                int(uid): (int(mid), int(date))
                for mid, uid, date in await tx.execute_fetchall(
                    "SELECT id, uid, date FROM messages"
                    " WHERE folder_id = ? AND uid IN (SELECT value FROM json_each(?))",
                    (folder_id, json.dumps(list(labels))),
                )
            }
            claimed = await _claimed_rows(tx, int(account[0]))
            wanted = {
                mid: {folders[label] for label in labels[uid] if label in folders}
                for uid, (mid, _date) in rows.items()
                if mid not in claimed
            }
            have: dict[int, set[int]] = {}
            for fid, mid in await tx.execute_fetchall(
                "SELECT folder_id, message_id FROM message_labels WHERE message_id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(wanted)),),
            ):
                have.setdefault(int(mid), set()).add(int(fid))
            dates = {mid: date for mid, date in rows.values()}
            added = [(fid, mid, dates[mid]) for mid, fids in wanted.items() for fid in fids - have.get(mid, set())]
            removed = [(fid, mid) for mid, fids in wanted.items() for fid in have.get(mid, set()) - fids]
            await tx.executemany(
                "INSERT OR IGNORE INTO message_labels (folder_id, message_id, date) VALUES (?, ?, ?)", added
            )
            await tx.executemany("DELETE FROM message_labels WHERE folder_id = ? AND message_id = ?", removed)
            # Rows put into a label folder here (a sent message moved to Sent, a draft saved to Drafts) stand in
            # for the server's copy: once All Mail brings it with that label, the stand-in goes (the list shows
            # the message once). The sync never stores rows in a label folder, so every row there is one.
            placeholders = [
                int(r[0])
                for r in await tx.execute_fetchall(
                    "SELECT p.id FROM message_labels l JOIN messages m ON m.id = l.message_id"
                    " JOIN messages p ON p.folder_id = l.folder_id AND p.message_id = m.message_id"
                    " WHERE m.message_id != '' AND l.message_id IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(wanted)),),
                )
            ]
            await tx.executemany("DELETE FROM messages WHERE id = ?", [(row,) for row in placeholders])
        touched = frozenset(fid for fid, *_ in added) | frozenset(fid for fid, _ in removed)
        messages = frozenset(mid for _, mid, *_ in added) | frozenset(mid for _, mid in removed)
        return self._db.publish(
            Changes(folders=touched, messages_updated=messages, messages_removed=frozenset(placeholders))
        )

    async def change_labels(
        self, message_ids: Iterable[int], add: Iterable[int] = (), remove: Iterable[int] = ()
    ) -> Changes:
        """The person labels messages: add the label folders `add`, take off those of `remove` — here at once,
        and on the server by a queued 'labels' action (UID STORE ±X-GM-LABELS on All Mail)."""
        ids = sorted(set(message_ids))
        add_ids, remove_ids = set(add), set(remove) - set(add)
        if not ids or not (add_ids or remove_ids):
            return Changes()
        async with self._db.transaction() as tx:
            remote = await imap_messages(tx, ids)
            accounts = {m.account_id for m in remote}
            names: dict[int, str] = {}
            for fid, label, account_id in await tx.execute_fetchall(
                "SELECT id, gmail_label, account_id FROM folders WHERE gmail_label IS NOT NULL"
                " AND id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(add_ids | remove_ids)),),
            ):
                if int(account_id) in accounts:
                    names[int(fid)] = str(label)
            if len(accounts) != 1 or set(names) != add_ids | remove_ids:
                raise NotALabelFolderError(
                    "Labels can be changed only on Gmail messages, with that account's labels.",
                    hint="Choose messages of one Gmail account.",
                )
            dates = {
                int(mid): int(date)
                for mid, date in await tx.execute_fetchall(
                    "SELECT id, date FROM messages WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
                )
            }
            await tx.executemany(
                "INSERT OR IGNORE INTO message_labels (folder_id, message_id, date) VALUES (?, ?, ?)",
                [(fid, m.row, dates[m.row]) for fid in add_ids for m in remote],
            )
            await tx.executemany(
                "DELETE FROM message_labels WHERE folder_id = ? AND message_id = ?",
                [(fid, m.row) for fid in remove_ids for m in remote],
            )
            queued = await enqueue(
                tx,
                RemoteOpKind.LABELS,
                remote,
                {
                    "add_labels": sorted(names[f] for f in add_ids),
                    "remove_labels": sorted(names[f] for f in remove_ids),
                },
            )
        return self._db.publish(
            Changes(
                folders=frozenset(add_ids | remove_ids),
                messages_updated=frozenset(m.row for m in remote),
                remote_ops_queued=queued,
            )
        )


async def _claimed_rows(tx: aiosqlite.Connection, account_id: int) -> set[int]:
    """Rows with a 'labels' action still queued."""
    claimed: set[int] = set()
    for (args,) in await tx.execute_fetchall(
        "SELECT args FROM remote_ops WHERE account_id = ? AND kind = ?", (account_id, RemoteOpKind.LABELS.value)
    ):
        claimed.update(int(row) for row in json.loads(str(args)).get("rows", ()))
    return claimed


def gmail_move(
    conn: sqlite3.Connection, message_ids: Sequence[int], folder_id: int, from_folder: int | None
) -> tuple[list[int], list[int]] | None:
    """A move that is a label change on Gmail: (label folders to add, to take off), or None for a real move.
    Only for messages that all live in All Mail (a message in Trash or Spam really moves): into a label
    folder, add its label (and take off `from_folder`'s when that is a label folder); from a label folder
    into All Mail ("archive"), take off its label."""
    outside = conn.execute(
        "SELECT 1 FROM messages m JOIN folders f ON f.id = m.folder_id"
        " WHERE m.id IN (SELECT value FROM json_each(?)) AND f.role IS NOT 'all' LIMIT 1",
        (json.dumps(list(message_ids)),),
    ).fetchone()
    if outside is not None or not message_ids:
        return None
    target_is_label = conn.execute(
        "SELECT 1 FROM folders WHERE id = ? AND gmail_label IS NOT NULL", (folder_id,)
    ).fetchone()
    source_is_label = from_folder is not None and bool(
        conn.execute("SELECT 1 FROM folders WHERE id = ? AND gmail_label IS NOT NULL", (from_folder,)).fetchone()
    )
    remove = [from_folder] if source_is_label and from_folder is not None and from_folder != folder_id else []
    if target_is_label:
        return [folder_id], remove
    is_all_mail = conn.execute("SELECT 1 FROM folders WHERE id = ? AND role = 'all'", (folder_id,)).fetchone()
    if is_all_mail and remove:
        return [], remove
    return None
