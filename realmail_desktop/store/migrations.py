"""Schema migrations: `migrations/NNNN_name.sql`, each applied once, in its own transaction.

The schema version is SQLite's `PRAGMA user_version`. A database from a newer RealMail is refused with a
plain message rather than opened and damaged.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from realmail_desktop.core.errors import StoreError, StoreTooNewError
from realmail_desktop.core.logs import get_logger

_log = get_logger("store")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    path: Path


def discover(directory: Path) -> list[Migration]:
    """The migrations in `directory`, in order; numbering must be 1, 2, 3… with no gap or repeat."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise StoreError(f"Unexpected file among the migrations: {path.name}")
        found.append(Migration(int(match.group(1)), path))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StoreError(f"Migrations are not numbered 1…n: {migration.path.name} should be {expected:04d}")
    return found


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, directory: Path) -> int:
    """Apply every pending migration to `conn` (opened with isolation_level=None); return the new version."""
    migrations = discover(directory)
    latest = len(migrations)
    version = current_version(conn)
    if version > latest:
        raise StoreTooNewError(
            f"This profile was written by a newer RealMail (store version {version}; this one knows {latest}).",
            hint="Install the newer RealMail again, or start this one with another profile (--profile DIR).",
        )
    for migration in migrations[version:]:
        _apply(conn, migration)
    return current_version(conn)


def _apply(conn: sqlite3.Connection, migration: Migration) -> None:
    script = migration.path.read_text(encoding="utf-8")
    # executescript() COMMITs any open transaction first and opens none of its own, so the BEGIN must be
    # inside the script itself for the migration and its version bump to be one atomic step.
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {migration.version};\nCOMMIT;")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.rollback()
        raise StoreError(f"Could not upgrade the mail store ({migration.path.name}): {exc}") from exc
    _log.info("applied migration %s", migration.path.name)
