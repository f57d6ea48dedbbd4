"""The Drive bridge's rows (migration `drive_settings`/`drive_uploads`): each account's Drive settings and
its resumable upload sessions in flight, so an upload resumes after a restart."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.message_size import DEFAULT_ATTACHMENT_LIMIT, attachment_limit

MB = 1024 * 1024
DEFAULT_THRESHOLD = DEFAULT_ATTACHMENT_LIMIT  # until the account's server has announced its size limit
MIN_THRESHOLD = 10 * MB


class LinkSharing(StrEnum):
    """Who may open a Drive link RealMail sends: anyone who has it, or only the message's recipients."""

    ANYONE = "anyone"
    RECIPIENTS = "recipients"


@dataclass(frozen=True, slots=True)
class DriveSettings:
    """One account's "Use Google Drive for large attachments" settings."""

    enabled: bool = False
    threshold: int = DEFAULT_THRESHOLD  # bytes; a file at least this big goes as a link
    sharing: LinkSharing = LinkSharing.ANYONE
    folder_id: str = ""  # the "RealMail attachments" folder, once known
    google_account: int | None = None  # whose Google sign-in Drive uses (migrations/0014); None: this account's
    # The files one message of this account may carry (store/message_size.py): the composer warns above it.
    attachment_limit: int = DEFAULT_ATTACHMENT_LIMIT

    def sign_in_account(self, account_id: int) -> int:
        """The account whose Google tokens reach Drive for `account_id` (these settings' account)."""
        return self.google_account if self.google_account is not None else account_id

    def sends_as_link(self, size: int) -> bool:
        return self.enabled and size >= self.threshold


@dataclass(frozen=True, slots=True)
class DriveUpload:
    """An unfinished upload whose Drive session may still be resumed."""

    account_id: int
    source_key: str
    name: str
    size: int
    session_url: str
    started_at: int


def read_settings(conn: sqlite3.Connection, account_id: int) -> DriveSettings:
    """The saved settings; with none saved, the threshold is the files the account's server takes in one
    message (at least 10 MB), which is 25 MB until the server has announced its size limit."""
    size = conn.execute("SELECT smtp_size_limit FROM accounts WHERE id = ?", (account_id,)).fetchone()
    limit = attachment_limit(int(size[0]) if size is not None else 0)
    row = conn.execute(
        "SELECT enabled, threshold, sharing, folder_id, google_account FROM drive_settings WHERE account_id = ?",
        (account_id,),
    ).fetchone()
    if row is None:  # whole MB, as the settings dialog offers it (Gmail: 25.6 MB → 25 MB)
        return DriveSettings(threshold=max(MIN_THRESHOLD, limit // MB * MB), attachment_limit=limit)
    google_account = None if row[4] is None else int(row[4])
    return DriveSettings(bool(row[0]), int(row[1]), LinkSharing(row[2]), str(row[3]), google_account, limit)


def read_uploads(conn: sqlite3.Connection, account_id: int | None = None) -> list[DriveUpload]:
    where, args = ("WHERE account_id = ?", (account_id,)) if account_id is not None else ("", ())
    rows = conn.execute(
        f"SELECT account_id, source_key, name, size, session_url, started_at FROM drive_uploads {where} ORDER BY id",
        args,
    ).fetchall()
    return [DriveUpload(int(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), int(r[5])) for r in rows]


class DriveUploadRepository:
    """Writes (on the store's writer) and reads (on a worker thread) of the Drive bridge's rows. None of them
    changes what a list shows, so they return empty `Changes`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def settings(self, account_id: int) -> DriveSettings:
        return await self._db.read_async(lambda conn: read_settings(conn, account_id))

    async def save_settings(self, account_id: int, settings: DriveSettings) -> Changes:
        """Keep the person's choices (the folder id stays as it was)."""
        threshold = max(MIN_THRESHOLD, settings.threshold)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO drive_settings (account_id, enabled, threshold, sharing, google_account)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled,"
                " threshold = excluded.threshold, sharing = excluded.sharing,"
                " google_account = excluded.google_account",
                (account_id, int(settings.enabled), threshold, settings.sharing.value, settings.google_account),
            )
        return Changes()

    async def set_folder(self, account_id: int, folder_id: str) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO drive_settings (account_id, folder_id) VALUES (?, ?)"
                " ON CONFLICT (account_id) DO UPDATE SET folder_id = excluded.folder_id",
                (account_id, folder_id),
            )
        return Changes()

    async def upload(self, account_id: int, source_key: str) -> DriveUpload | None:
        found = await self._db.read_async(lambda conn: read_uploads(conn, account_id))
        return next((u for u in found if u.source_key == source_key), None)

    async def pending(self, account_id: int | None = None) -> list[DriveUpload]:
        return await self._db.read_async(lambda conn: read_uploads(conn, account_id))

    async def remember(self, account_id: int, source_key: str, name: str, size: int, session_url: str) -> Changes:
        """Keep (or replace) the session of the upload of `source_key`."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO drive_uploads (account_id, source_key, name, size, session_url, started_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, source_key) DO UPDATE SET"
                " name = excluded.name, size = excluded.size, session_url = excluded.session_url,"
                " started_at = excluded.started_at",
                (account_id, source_key, name, size, session_url, int(time.time())),
            )
        return Changes()

    async def forget(self, account_id: int, source_key: str) -> Changes:
        """The upload finished, was cancelled, or its session expired."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM drive_uploads WHERE account_id = ? AND source_key = ?", (account_id, source_key)
            )
        return Changes()
