"""Read-side queries of the IMAP sync: account settings, folders with their sync state, known UIDs, bodies
still wanted, and the queue of actions for the server. Reached as `StoreReader.sync`."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from realmail_desktop.store.models import BodyWanted, ImapAuth, ImapSecurity, ImapSettings, RemoteOp, SyncFolder
from realmail_desktop.store.remote_ops import OP_COLUMNS, op_from_row

_SYNC_FOLDER_COLUMNS = (
    "id, account_id, path, role, remote_name, delimiter, subscribed, selectable, uidvalidity, uidnext,"
    " highestmodseq, headers_floor_uid, last_checked_at, total_count"
)
_SYNC_FOLDER_FIELDS = tuple(name.strip() for name in _SYNC_FOLDER_COLUMNS.split(","))


def _sync_folder(row: Sequence[object]) -> SyncFolder:
    return SyncFolder.model_validate(dict(zip(_SYNC_FOLDER_FIELDS, row, strict=True)))


class SyncReader:
    """Synchronous reads for the sync engine, on one connection (a worker thread's, via `Store.read`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def imap_account_ids(self) -> list[int]:
        rows = self._conn.execute("SELECT id FROM accounts WHERE kind = 'imap' ORDER BY position, id")
        return [int(r[0]) for r in rows]

    def imap_settings(self, account_id: int) -> ImapSettings | None:
        row = self._conn.execute(
            "SELECT imap_host, imap_port, imap_security, username, sync_window_days, imap_auth FROM accounts"
            " WHERE id = ? AND kind = 'imap'",
            (account_id,),
        ).fetchone()
        if row is None:
            return None
        return ImapSettings(
            host=row[0],
            port=row[1],
            security=ImapSecurity(row[2]),
            username=row[3],
            sync_window_days=row[4],
            auth=ImapAuth(row[5]),
        )

    def folders(self, account_id: int) -> list[SyncFolder]:
        """The account's server-backed folders, Inbox first, then by position."""
        rows = self._conn.execute(
            f"SELECT {_SYNC_FOLDER_COLUMNS} FROM folders WHERE account_id = ? AND remote_name IS NOT NULL"
            " ORDER BY role IS NOT 'inbox', position, path",
            (account_id,),
        )
        return [_sync_folder(r) for r in rows]

    def folder(self, folder_id: int) -> SyncFolder | None:
        row = self._conn.execute(
            f"SELECT {_SYNC_FOLDER_COLUMNS} FROM folders WHERE id = ? AND remote_name IS NOT NULL", (folder_id,)
        ).fetchone()
        return _sync_folder(row) if row else None

    def known_uids(self, folder_id: int) -> list[int]:
        """The UIDs the folder's rows have, ascending."""
        rows = self._conn.execute(
            "SELECT uid FROM messages WHERE folder_id = ? AND uid IS NOT NULL ORDER BY uid", (folder_id,)
        )
        return [int(r[0]) for r in rows]

    def bodies_wanted(self, folder_id: int, since: int, limit: int) -> list[BodyWanted]:
        """Messages of the folder dated `since` or later whose body is not stored, newest first."""
        rows = self._conn.execute(
            "SELECT id, uid, size FROM messages WHERE folder_id = ? AND date >= ? AND body_state = 0"
            " AND uid IS NOT NULL ORDER BY date DESC, id DESC LIMIT ?",
            (folder_id, since, limit),
        )
        return [BodyWanted(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    def message_place(self, message_id: int) -> tuple[SyncFolder, int | None, bool] | None:
        """Where a message of an IMAP account is: its folder, its UID there and whether its body is stored."""
        row = self._conn.execute(
            "SELECT folder_id, uid, body_state FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            return None
        folder = self.folder(int(row[0]))
        return (folder, row[1], row[2] == 1) if folder is not None else None

    def append_material(self, message_id: int) -> tuple[bytes | None, int, dict[str, bool], tuple[str, ...]] | None:
        """What an APPEND of a message needs: its raw bytes (None: not stored), its date, its flags by the
        store's names ("seen", "flagged", …) and its keywords. None when the row is gone."""
        row = self._conn.execute(
            "SELECT m.date, m.is_seen, m.is_flagged, m.is_answered, m.is_forwarded, m.is_draft, m.keywords, b.raw"
            " FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id WHERE m.id = ?",
            (message_id,),
        ).fetchone()
        if row is None:
            return None
        flags = dict(zip(("seen", "flagged", "answered", "forwarded", "draft"), map(bool, row[1:6]), strict=True))
        return (bytes(row[7]) if row[7] is not None else None, int(row[0]), flags, tuple(str(row[6]).split()))

    def pending_ops(self, account_id: int) -> list[RemoteOp]:
        """The account's queued actions, oldest first (the order they are replayed in)."""
        rows = self._conn.execute(
            f"SELECT {OP_COLUMNS} FROM remote_ops WHERE account_id = ? ORDER BY id", (account_id,)
        )
        return [op_from_row(r) for r in rows]
