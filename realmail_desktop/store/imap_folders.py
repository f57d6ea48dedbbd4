"""An IMAP account's folders: following the server's list (reconcile), and the person's create / rename /
delete, which change the rows at once and queue the server's CREATE / RENAME / DELETE (store/remote_ops.py).

While such an action is queued the local folder list wins: a folder created here is not removed because the
server does not list it yet, and a folder deleted or renamed here is not brought back by the server's list.
The same goes for (un)subscribing: while a SUBSCRIBE / UNSUBSCRIBE is queued, the local choice stands.
Unsubscribed folders stay known (the sync skips them) so the person can subscribe again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import aiosqlite

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.store.models import FolderRole, RemoteFolder, RemoteOpKind

_SLASH_STANDIN = "\u2215"  # how a '/' inside one server name segment is shown in a local path
_FOLDER_OPS = (RemoteOpKind.CREATE_FOLDER.value, RemoteOpKind.RENAME_FOLDER.value, RemoteOpKind.DELETE_FOLDER.value)


async def is_imap(tx: aiosqlite.Connection, account_id: int) -> bool:
    row = await (await tx.execute("SELECT kind FROM accounts WHERE id = ?", (account_id,))).fetchone()
    return row is not None and row[0] == "imap"


async def folder_target(tx: aiosqlite.Connection, folder_id: int, missing: str) -> tuple[int, bool]:
    """A folder's account, and whether the folder lives on an IMAP server (new rows there go up by APPEND);
    NotFoundError with `missing` when the folder is gone."""
    row = await (
        await tx.execute(
            "SELECT f.account_id, a.kind = 'imap' AND f.remote_name IS NOT NULL"
            " FROM folders f JOIN accounts a ON a.id = f.account_id WHERE f.id = ?",
            (folder_id,),
        )
    ).fetchone()
    if row is None:
        raise NotFoundError(missing)
    return int(row[0]), bool(row[1])


async def delimiter_of(tx: aiosqlite.Connection, account_id: int) -> str:
    """The server's hierarchy delimiter, as its folders were listed ('/' if it never said)."""
    row = await (
        await tx.execute(
            "SELECT delimiter FROM folders WHERE account_id = ? AND delimiter != ''"
            " ORDER BY role IS NOT 'inbox' LIMIT 1",
            (account_id,),
        )
    ).fetchone()
    return str(row[0]) if row else "/"


def remote_name_for(path: str, delimiter: str) -> str:
    """The server name for a local path: the inverse of the sync's mapping ("Inbox/x" → "INBOX.x")."""
    segments = [segment.replace(_SLASH_STANDIN, "/") for segment in path.split("/")]
    if segments[0] == "Inbox":
        segments[0] = "INBOX"
    return delimiter.join(segments)


async def queue_folder_op(tx: aiosqlite.Connection, account_id: int, kind: RemoteOpKind, **names: str) -> None:
    await tx.execute(
        "INSERT INTO remote_ops (account_id, kind, folder_id, args, created_at) VALUES (?, ?, NULL, ?, ?)",
        (account_id, kind.value, json.dumps(names), int(time.time())),
    )


async def _queued_names(tx: aiosqlite.Connection, account_id: int) -> tuple[set[str], set[str]]:
    """Server names the queue keeps (created or renamed to here) and hides (deleted or renamed away)."""
    keep: set[str] = set()
    hide: set[str] = set()
    rows = await tx.execute_fetchall(
        "SELECT kind, args FROM remote_ops WHERE account_id = ? AND kind IN (?, ?, ?)", (account_id, *_FOLDER_OPS)
    )
    for kind, args in rows:
        names = json.loads(args)
        if kind == RemoteOpKind.CREATE_FOLDER.value:
            keep.add(names["name"])
        elif kind == RemoteOpKind.RENAME_FOLDER.value:
            hide.add(names["name"])
            keep.add(names["new_name"])
        else:
            hide.add(names["name"])
    return keep, hide


async def _queued_subscriptions(tx: aiosqlite.Connection, account_id: int) -> dict[str, bool]:
    """Server name → the subscription the queue will set (the last queued for a name wins)."""
    rows = await tx.execute_fetchall(
        "SELECT kind, args FROM remote_ops WHERE account_id = ? AND kind IN (?, ?) ORDER BY id",
        (account_id, RemoteOpKind.SUBSCRIBE.value, RemoteOpKind.UNSUBSCRIBE.value),
    )
    return {json.loads(args)["name"]: kind == RemoteOpKind.SUBSCRIBE.value for kind, args in rows}


def _under(name: str, roots: set[str], delimiter: str) -> bool:
    return any(name == root or (delimiter and name.startswith(root + delimiter)) for root in roots)


async def reconcile(
    tx: aiosqlite.Connection, account_id: int, remote: Sequence[RemoteFolder]
) -> tuple[list[int], bool]:
    """Make the account's folders what the server lists (see AccountRepository.reconcile_folders); returns
    the ids of the folders removed and whether anything changed."""
    keep, hide = await _queued_names(tx, account_id)
    chosen = await _queued_subscriptions(tx, account_id)
    wanted: dict[str, RemoteFolder] = {}
    roles: set[FolderRole] = set()
    for folder in remote:
        if _under(folder.remote_name, hide, folder.delimiter):
            continue
        role = folder.role if folder.role not in roles else None
        if role is not None:
            roles.add(role)
        subscribed = chosen.get(folder.remote_name, folder.subscribed)
        wanted.setdefault(folder.remote_name, folder.model_copy(update={"role": role, "subscribed": subscribed}))
    rows = await tx.execute_fetchall(
        "SELECT id, remote_name, path, role, delimiter, subscribed, selectable FROM folders"
        " WHERE account_id = ? AND remote_name IS NOT NULL",
        (account_id,),
    )
    existing = {str(r[1]): r for r in rows}
    gone = [int(r[0]) for name, r in existing.items() if name not in wanted and not _under(name, keep, str(r[4]))]
    if gone:
        ids = json.dumps(gone)
        await tx.execute("DELETE FROM messages WHERE folder_id IN (SELECT value FROM json_each(?))", (ids,))
        await tx.execute("DELETE FROM folders WHERE id IN (SELECT value FROM json_each(?))", (ids,))

    def state(f: RemoteFolder) -> tuple[object, ...]:
        return (f.path, f.role.value if f.role else None, f.delimiter, int(f.subscribed), int(f.selectable))

    changed = [
        (f, existing[name]) for name, f in wanted.items() if name in existing and tuple(existing[name][2:7]) != state(f)
    ]
    # Two steps, so that paths or roles swapped between two folders never clash half-way.
    await tx.executemany(
        "UPDATE folders SET path = char(0) || id, role = NULL WHERE id = ?", [(int(r[0]),) for _, r in changed]
    )
    await tx.executemany(
        "UPDATE folders SET path = ?, role = ?, delimiter = ?, subscribed = ?, selectable = ? WHERE id = ?",
        [(*state(f), int(r[0])) for f, r in changed],
    )
    added = [f for name, f in wanted.items() if name not in existing]
    await tx.executemany(
        "INSERT OR IGNORE INTO folders (account_id, path, role, position, remote_name, delimiter, subscribed,"
        " selectable) VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(position) + 1, 0) FROM folders WHERE account_id = ?1),"
        " ?4, ?5, ?6, ?7)",
        [(account_id, *state(f)[:2], f.remote_name, *state(f)[2:]) for f in added],
    )
    return gone, bool(gone or changed or added)


async def create(tx: aiosqlite.Connection, account_id: int, path: str) -> None:
    """A new folder of an IMAP account: its row now, CREATE on the server when the queue is replayed."""
    delimiter = await delimiter_of(tx, account_id)
    name = remote_name_for(path, delimiter)
    cursor = await tx.execute(
        "INSERT OR IGNORE INTO folders (account_id, path, position, remote_name, delimiter)"
        " VALUES (?1, ?2, (SELECT COALESCE(MAX(position) + 1, 0) FROM folders WHERE account_id = ?1), ?3, ?4)",
        (account_id, path, name, delimiter),
    )
    if cursor.rowcount:  # a folder of that name exists already: nothing to create
        await queue_folder_op(tx, account_id, RemoteOpKind.CREATE_FOLDER, name=name)


async def rename(
    tx: aiosqlite.Connection, account_id: int, folder_ids: Sequence[int], old_name: str, path: str
) -> None:
    """After the local rename of a folder and its subfolders: their server names follow, RENAME is queued."""
    delimiter = await delimiter_of(tx, account_id)
    new_name = remote_name_for(path, delimiter)
    await tx.execute(
        "UPDATE folders SET remote_name = ?1 || substr(remote_name, ?2) WHERE id IN (SELECT value FROM json_each(?3))",
        (new_name, len(old_name) + 1, json.dumps(list(folder_ids))),
    )
    await queue_folder_op(tx, account_id, RemoteOpKind.RENAME_FOLDER, name=old_name, new_name=new_name)


async def delete(tx: aiosqlite.Connection, account_id: int, remote_names: Sequence[str]) -> None:
    """Before a folder and its subfolders are deleted here: DELETE each on the server, deepest first (a
    server may refuse to delete a folder that still has children)."""
    for name in sorted(remote_names, key=len, reverse=True):
        await queue_folder_op(tx, account_id, RemoteOpKind.DELETE_FOLDER, name=name)
