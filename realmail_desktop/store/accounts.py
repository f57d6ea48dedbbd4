"""Accounts and their folders: creating, listing, renaming and removing them; an IMAP account's folder list
follows the server's (`reconcile_folders`)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store import imap_folders
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import (
    Account,
    AccountKind,
    Folder,
    FolderRole,
    ImapSettings,
    RemoteFolder,
    RemoteOpKind,
)

LOCAL_FOLDERS = "Local Folders"

# The folders every local account starts with, in the order the tree shows them.
_STANDARD_FOLDERS: tuple[tuple[str, FolderRole], ...] = (
    ("Inbox", FolderRole.INBOX),
    ("Drafts", FolderRole.DRAFTS),
    ("Sent", FolderRole.SENT),
    ("Archive", FolderRole.ARCHIVE),
    ("Junk", FolderRole.JUNK),
    ("Trash", FolderRole.TRASH),
)

ACCOUNT_COLUMNS = "id, kind, name, address, position, color"
FOLDER_COLUMNS = "id, account_id, path, role, position, total_count, unread_count, subscribed"


def account_from_row(row: Sequence[object]) -> Account:
    """An Account from a row of ACCOUNT_COLUMNS (the colour, migrations/0009, may be left out)."""
    color = str(row[5]) if len(row) > 5 else ""
    return Account(id=row[0], kind=row[1], name=row[2], address=row[3], position=row[4], color=color)  # type: ignore[arg-type]


def folder_from_row(row: Sequence[object]) -> Folder:
    return Folder(
        id=row[0],  # type: ignore[arg-type]
        account_id=row[1],  # type: ignore[arg-type]
        path=row[2],  # type: ignore[arg-type]
        role=row[3],  # type: ignore[arg-type]
        position=row[4],  # type: ignore[arg-type]
        total_count=row[5],  # type: ignore[arg-type]
        unread_count=row[6],  # type: ignore[arg-type]
        subscribed=bool(row[7]),
    )


def normalize_folder_path(path: str) -> str:
    """'/'-separated, no empty segments, no surrounding blanks: ' Work//Projects ' → 'Work/Projects'."""
    parts = [part.strip() for part in path.replace("\\", "/").split("/")]
    cleaned = "/".join(part for part in parts if part)
    if not cleaned:
        raise KnownError("A folder needs a name.")
    return cleaned


class AccountRepository:
    """Writes and async reads of accounts and folders."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_local(self, name: str = LOCAL_FOLDERS) -> tuple[Account, Changes]:
        """Create a local account with the standard folders (Inbox, Drafts, Sent, Archive, Junk, Trash)."""
        async with self._db.transaction() as tx:
            position_row = await (await tx.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM accounts")).fetchone()
            position = int(position_row[0]) if position_row else 0
            cursor = await tx.execute(
                "INSERT INTO accounts (kind, name, address, position, created_at) VALUES (?, ?, '', ?, ?)",
                (AccountKind.LOCAL.value, name, position, int(time.time())),
            )
            account_id = int(cursor.lastrowid or 0)
            await tx.executemany(
                "INSERT INTO folders (account_id, path, role, position) VALUES (?, ?, ?, ?)",
                [(account_id, path, role.value, i) for i, (path, role) in enumerate(_STANDARD_FOLDERS)],
            )
        account = Account(id=account_id, kind=AccountKind.LOCAL, name=name, address="", position=position)
        return account, self._db.publish(Changes(accounts=True, folder_tree=True))

    async def create_imap(self, name: str, address: str, settings: ImapSettings) -> tuple[Account, Changes]:
        """Create an IMAP account with no folders yet: the first sync lists them from the server."""
        async with self._db.transaction() as tx:
            position_row = await (await tx.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM accounts")).fetchone()
            position = int(position_row[0]) if position_row else 0
            cursor = await tx.execute(
                "INSERT INTO accounts (kind, name, address, position, created_at, imap_host, imap_port,"
                " imap_security, username, sync_window_days, imap_auth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    AccountKind.IMAP.value,
                    name,
                    address,
                    position,
                    int(time.time()),
                    settings.host,
                    settings.port,
                    settings.security.value,
                    settings.username,
                    settings.sync_window_days,
                    settings.auth.value,
                ),
            )
            account_id = int(cursor.lastrowid or 0)
        account = Account(id=account_id, kind=AccountKind.IMAP, name=name, address=address, position=position)
        return account, self._db.publish(Changes(accounts=True, folder_tree=True))

    async def set_imap_settings(self, account_id: int, settings: ImapSettings) -> Changes:
        """Change how an IMAP account reaches its server (host, port, security, user name); its sync window and
        sign-in kind stay. Messages and folders are kept: the next sync matches them by UIDVALIDITY."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE accounts SET imap_host = ?, imap_port = ?, imap_security = ?, username = ?"
                " WHERE id = ? AND kind = ?",
                (
                    settings.host,
                    settings.port,
                    settings.security.value,
                    settings.username,
                    account_id,
                    AccountKind.IMAP.value,
                ),
            )
            if cursor.rowcount == 0:
                raise NotFoundError("That account no longer exists.")
        return self._db.publish(Changes(accounts=True))

    async def set_sync_window(self, account_id: int, days: int) -> Changes:
        """Bodies of the last `days` days are fetched ahead of time (0 = all); older ones when opened."""
        if days < 0:
            raise KnownError("The sync window cannot be negative.")
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE accounts SET sync_window_days = ? WHERE id = ?", (days, account_id))
        return Changes()

    async def rename_account(self, account_id: int, name: str) -> Changes:
        """Give an account another name (what the folder list and the settings show)."""
        name = " ".join(name.split())
        if not name:
            raise KnownError("An account needs a name.")
        async with self._db.transaction() as tx:
            cursor = await tx.execute("UPDATE accounts SET name = ? WHERE id = ?", (name, account_id))
            if cursor.rowcount == 0:
                raise NotFoundError("That account no longer exists.")
        return self._db.publish(Changes(accounts=True, folder_tree=True))

    async def set_account_color(self, account_id: int, color: str) -> Changes:
        """Give an account a colour ('#rrggbb', any case) or none ('')."""
        color = color.strip().lower()
        if color and not (len(color) == 7 and color[0] == "#" and all(c in "0123456789abcdef" for c in color[1:])):
            raise KnownError(f"“{color}” is not a colour RealMail understands.", hint="Pick one from the list.")
        async with self._db.transaction() as tx:
            cursor = await tx.execute("UPDATE accounts SET color = ? WHERE id = ?", (color, account_id))
            if cursor.rowcount == 0:
                raise NotFoundError("That account no longer exists.")
        return self._db.publish(Changes(accounts=True, folder_tree=True))

    async def move_account(self, account_id: int, offset: int) -> Changes:
        """Move an account up (`offset` < 0) or down in the list; positions are renumbered 0, 1, 2, …"""
        async with self._db.transaction() as tx:
            order = [int(r[0]) for r in await tx.execute_fetchall("SELECT id FROM accounts ORDER BY position, id")]
            if account_id not in order:
                raise NotFoundError("That account no longer exists.")
            index = order.index(account_id)
            target = max(0, min(len(order) - 1, index + offset))
            if target == index:
                return Changes()
            order.insert(target, order.pop(index))
            await tx.executemany(
                "UPDATE accounts SET position = ? WHERE id = ?", [(i, moved) for i, moved in enumerate(order)]
            )
        return self._db.publish(Changes(accounts=True, folder_tree=True))

    async def set_subscribed(self, folder_id: int, subscribed: bool) -> Changes:
        """Subscribe to an IMAP folder or unsubscribe from it: at once here (the sync skips unsubscribed
        folders, which stay listed as known), then SUBSCRIBE / UNSUBSCRIBE on the server (queued)."""
        async with self._db.transaction() as tx:
            row = await (
                await tx.execute("SELECT account_id, remote_name, subscribed FROM folders WHERE id = ?", (folder_id,))
            ).fetchone()
            if row is None:
                raise NotFoundError("That folder no longer exists.")
            if row[1] is None:
                raise KnownError("Only folders on a mail server can be subscribed to.")
            if bool(row[2]) == subscribed:
                return Changes()
            account_id = int(row[0])
            await tx.execute("UPDATE folders SET subscribed = ? WHERE id = ?", (int(subscribed), folder_id))
            kind = RemoteOpKind.SUBSCRIBE if subscribed else RemoteOpKind.UNSUBSCRIBE
            await imap_folders.queue_folder_op(tx, account_id, kind, name=str(row[1]))
        return self._db.publish(
            Changes(folder_tree=True, folders=frozenset({folder_id}), remote_ops_queued=frozenset({account_id}))
        )

    async def reconcile_folders(self, account_id: int, remote: Sequence[RemoteFolder]) -> Changes:
        """Make an IMAP account's folders what the server lists: add new ones, update paths, roles and
        subscription, and delete (with their messages) folders the server no longer has. A role goes to
        the first folder in `remote` that claims it. Folder actions still queued win (store/imap_folders.py)."""
        async with self._db.transaction() as tx:
            gone, changed = await imap_folders.reconcile(tx, account_id, remote)
        if not changed:
            return Changes()
        return self._db.publish(Changes(folder_tree=True, folders=frozenset(gone)))

    async def create_folder(self, account_id: int, path: str, role: FolderRole | None = None) -> tuple[Folder, Changes]:
        """Create a folder (and its missing parents) under an account."""
        path = normalize_folder_path(path)
        queued: frozenset[int] = frozenset()
        async with self._db.transaction() as tx:
            if await (await tx.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,))).fetchone() is None:
                raise NotFoundError("That account no longer exists.")
            segments = path.split("/")
            if await imap_folders.is_imap(tx, account_id):
                # The server makes the parents; the folder tree shows any it does not list as plain nodes.
                await imap_folders.create(tx, account_id, path)
                segments, queued = [], frozenset({account_id})
            for depth in range(1, len(segments) + 1):
                await tx.execute(
                    "INSERT OR IGNORE INTO folders (account_id, path, role, position)"
                    " VALUES (?, ?, ?, (SELECT COALESCE(MAX(position) + 1, 0) FROM folders WHERE account_id = ?))",
                    (
                        account_id,
                        "/".join(segments[:depth]),
                        role.value if role and depth == len(segments) else None,
                        account_id,
                    ),
                )
            row = await (
                await tx.execute(
                    f"SELECT {FOLDER_COLUMNS} FROM folders WHERE account_id = ? AND path = ?",
                    (account_id, path),
                )
            ).fetchone()
        assert row is not None
        return folder_from_row(row), self._db.publish(Changes(folder_tree=True, remote_ops_queued=queued))

    async def rename_folder(self, folder_id: int, new_path: str) -> Changes:
        """Rename a folder and move its subfolders with it. Folders with a role keep their role."""
        new_path = normalize_folder_path(new_path)
        async with self._db.transaction() as tx:
            row = await (
                await tx.execute("SELECT account_id, path, remote_name FROM folders WHERE id = ?", (folder_id,))
            ).fetchone()
            if row is None:
                raise NotFoundError("That folder no longer exists.")
            account_id, old_path, remote_name = int(row[0]), str(row[1]), row[2]
            clash = await (
                await tx.execute("SELECT 1 FROM folders WHERE account_id = ? AND path = ?", (account_id, new_path))
            ).fetchone()
            if clash is not None:
                raise KnownError(f"There is already a folder named “{new_path}”.", hint="Choose another name.")
            moving = [
                int(r[0])
                for r in await tx.execute_fetchall(
                    "SELECT id FROM folders WHERE account_id = ? AND (path = ? OR path LIKE ? ESCAPE '\\')",
                    (account_id, old_path, _like_prefix(old_path)),
                )
            ]
            await tx.execute(
                "UPDATE folders SET path = ? || substr(path, ?) WHERE id IN (SELECT value FROM json_each(?))",
                (new_path, len(old_path) + 1, json.dumps(moving)),
            )
            queued: frozenset[int] = frozenset()
            if remote_name is not None:
                await imap_folders.rename(tx, account_id, moving, str(remote_name), new_path)
                queued = frozenset({account_id})
        return self._db.publish(Changes(folder_tree=True, folders=frozenset({folder_id}), remote_ops_queued=queued))

    async def delete_folder(self, folder_id: int) -> Changes:
        """Delete a folder, its subfolders and their messages. Folders with a role cannot be deleted."""
        async with self._db.transaction() as tx:
            row = await (
                await tx.execute("SELECT account_id, path, role FROM folders WHERE id = ?", (folder_id,))
            ).fetchone()
            if row is None:
                raise NotFoundError("That folder no longer exists.")
            if row[2] is not None:
                raise KnownError(f"“{row[1]}” is a special folder and cannot be deleted.")
            found = await tx.execute_fetchall(
                "SELECT id, remote_name FROM folders WHERE account_id = ? AND (path = ? OR path LIKE ? ESCAPE '\\')",
                (row[0], row[1], _like_prefix(str(row[1]))),
            )
            ids = [int(r[0]) for r in found]
            remote_names = [str(r[1]) for r in found if r[1] is not None]
            if remote_names:
                await imap_folders.delete(tx, int(row[0]), remote_names)
            marks = ",".join("?" * len(ids))
            await tx.execute(f"DELETE FROM messages WHERE folder_id IN ({marks})", ids)
            await tx.execute(f"DELETE FROM folders WHERE id IN ({marks})", ids)
        queued = frozenset({int(row[0])}) if remote_names else frozenset()
        return self._db.publish(Changes(folder_tree=True, folders=frozenset(ids), remote_ops_queued=queued))

    async def delete_account(self, account_id: int) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM messages WHERE account_id = ?", (account_id,))
            await tx.execute("DELETE FROM folders WHERE account_id = ?", (account_id,))
            await tx.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
        return self._db.publish(Changes(accounts=True, folder_tree=True))


def _like_prefix(path: str) -> str:
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}/%"
