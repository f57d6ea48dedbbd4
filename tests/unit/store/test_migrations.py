"""Migrations: applied once each, atomically; newer or damaged databases refused in plain words."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from realmail_desktop.core.bundle import migrations_dir
from realmail_desktop.core.errors import StoreError, StoreTooNewError
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Store
from realmail_desktop.store.migrations import current_version, discover, migrate


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_shipped_migrations_are_numbered_without_gaps() -> None:
    migrations = discover(migrations_dir())
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))


def test_migrate_applies_each_once(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db.sqlite3")
    latest = len(discover(migrations_dir()))
    assert migrate(conn, migrations_dir()) == latest
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"accounts", "folders", "messages", "message_bodies", "attachments", "contacts"} <= tables
    # A second run is a no-op (it would fail with "table accounts already exists" otherwise).
    assert migrate(conn, migrations_dir()) == latest


def test_failed_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "0002_broken.sql").write_text("CREATE TABLE b (x INTEGER);\nTHIS IS NOT SQL;")
    conn = _connect(tmp_path / "db.sqlite3")
    with pytest.raises(StoreError, match=r"0002_broken\.sql"):
        migrate(conn, folder)
    assert current_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"a"}  # table b was rolled back with the failed migration


def test_gap_in_numbering_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_a.sql").write_text("SELECT 1;")
    (folder / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(StoreError, match="should be 0002"):
        discover(folder)


def test_newer_database_is_refused(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db.sqlite3")
    conn.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreTooNewError) as caught:
        migrate(conn, migrations_dir())
    assert "newer RealMail" in caught.value.message
    assert "--profile" in caught.value.hint


async def test_store_refuses_newer_profile_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "realmail.sqlite3"
    conn = _connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreTooNewError):
        await Store.open(path, EventBus())
    check = _connect(path)
    assert current_version(check) == 999
    check.close()


async def test_corrupted_file_gives_a_known_error(tmp_path: Path) -> None:
    path = tmp_path / "realmail.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(StoreError) as caught:
        await Store.open(path, EventBus())
    assert "cannot be opened" in caught.value.message
    assert caught.value.hint
