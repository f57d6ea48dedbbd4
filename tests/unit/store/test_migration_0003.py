"""Migration 0003 rebuilds the queue of server actions to widen its kinds: queued rows, ids and indexes stay."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from realmail_desktop.core.bundle import migrations_dir
from realmail_desktop.store.migrations import migrate


def test_the_queue_is_rebuilt_with_its_rows_and_indexes(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    shipped = sorted(migrations_dir().glob("*.sql"))
    for path in shipped[:2]:
        shutil.copy(path, folder)
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    assert migrate(conn, folder) == 2
    conn.execute("INSERT INTO accounts (id, kind, name, created_at) VALUES (1, 'imap', 'Work', 0)")
    conn.execute("INSERT INTO folders (id, account_id, path, remote_name) VALUES (5, 1, 'Inbox', 'INBOX')")
    conn.execute(
        "INSERT INTO remote_ops (id, account_id, kind, folder_id, uids, args, created_at, attempts)"
        " VALUES (42, 1, 'flags', 5, '[7]', '{\"set\": {\"seen\": true}}', 100, 2)"
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO remote_ops (account_id, kind, created_at) VALUES (1, 'append', 0)")

    shutil.copy(next(p for p in shipped if p.name.startswith("0003_")), folder)
    assert migrate(conn, folder) == 3
    rows = conn.execute("SELECT id, kind, folder_id, uids, args, created_at, attempts FROM remote_ops").fetchall()
    assert rows == [(42, "flags", 5, "[7]", '{"set": {"seen": true}}', 100, 2)]
    for kind in ("subscribe", "unsubscribe", "append"):
        conn.execute("INSERT INTO remote_ops (account_id, kind, created_at) VALUES (1, ?, 0)", (kind,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO remote_ops (account_id, kind, created_at) VALUES (1, 'nonsense', 0)")
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'remote_ops'")}
    assert {"remote_ops_by_account", "remote_ops_by_folder"} <= indexes
    # Still cascades with its folder.
    conn.execute("DELETE FROM folders WHERE id = 5")
    assert conn.execute("SELECT COUNT(*) FROM remote_ops WHERE id = 42").fetchone()[0] == 0
    conn.close()
