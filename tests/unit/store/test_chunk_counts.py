"""Counts of the header sync's chunks, kept set-wise (store/chunk_counts.py, migration 0016): after chunks and
single inserts, moves, flag changes and deletions, every folder's counts and folder_threads row equal what the
messages table says — the same state the per-row triggers keep."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

from realmail_desktop.core.bundle import migrations_dir
from realmail_desktop.store import (
    FolderRole,
    ImapSecurity,
    ImapSettings,
    NewMessage,
    RemoteFolder,
    Store,
)
from realmail_desktop.store.migrations import migrate

SETTINGS = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann")
REMOTE = [
    RemoteFolder(remote_name="INBOX", path="Inbox", delimiter=".", role=FolderRole.INBOX),
    RemoteFolder(remote_name="Archive", path="Archive", delimiter=".", role=FolderRole.ARCHIVE),
]


def header(n: int, rng: random.Random) -> NewMessage:
    """Message `n` (UID `n`): one of ~15 conversations, replies to an earlier message of it, dates that tie."""
    conversation = rng.randrange(15)
    parent = rng.randrange(n) if n and rng.random() < 0.7 else None
    return NewMessage(
        uid=n + 1,
        message_id=f"<c{conversation}.m{n}@example.com>",
        in_reply_to=f"<c{conversation}.m{parent}@example.com>" if parent is not None else "",
        references=(f"<c{conversation}.root@example.com>",),
        date=1_700_000_000 + rng.randrange(40) * 3600,  # many equal dates: the newest is decided by id
        subject=f"Conversation {conversation}",
        sender_address="bob@example.com",
        size=1000 + n,
        is_seen=rng.random() < 0.5,
        is_flagged=rng.random() < 0.2,
    )


def counts_as_kept(conn: sqlite3.Connection) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    folders = conn.execute("SELECT id, total_count, unread_count, thread_count FROM folders ORDER BY id").fetchall()
    threads = conn.execute(
        "SELECT folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date"
        " FROM folder_threads ORDER BY folder_id, thread_id"
    ).fetchall()
    return folders, threads


def counts_from_the_rows(conn: sqlite3.Connection) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    folders = conn.execute(
        "SELECT f.id, count(m.id), coalesce(sum(1 - m.is_seen), 0),"
        " (SELECT count(DISTINCT thread_id) FROM messages WHERE folder_id = f.id AND thread_id IS NOT NULL)"
        " FROM folders f LEFT JOIN messages m ON m.folder_id = f.id GROUP BY f.id ORDER BY f.id"
    ).fetchall()
    threads = conn.execute(
        "SELECT folder_id, thread_id, count(*), sum(1 - is_seen), sum(is_flagged),"
        " (SELECT n.id FROM messages n WHERE n.folder_id = m.folder_id AND n.thread_id = m.thread_id"
        "   ORDER BY n.date DESC, n.id DESC LIMIT 1), max(date)"
        " FROM messages m WHERE thread_id IS NOT NULL GROUP BY folder_id, thread_id ORDER BY folder_id, thread_id"
    ).fetchall()
    return folders, threads


async def test_chunks_keep_the_counts_the_per_row_triggers_keep(store: Store) -> None:
    rng = random.Random(5)
    account, _ = await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    await store.accounts.reconcile_folders(account.id, REMOTE)
    folders = {f.remote_name: f for f in await store.read(lambda r: r.sync.folders(account.id))}
    inbox, archive = folders["INBOX"].id, folders["Archive"].id
    messages = [header(n, rng) for n in range(300)]
    # Single rows through the per-row triggers (an import, a saved draft) before and between the chunks
    await store.messages.add(archive, [m.model_copy(update={"uid": None}) for m in messages[:20]])
    for start in range(20, 300, 40):
        target = inbox if start % 80 else archive
        await store.sync.store_headers(target, messages[start : start + 40])
        await store.messages.add(inbox, [messages[start].model_copy(update={"uid": None, "message_id": f"<x{start}>"})])
    conn = store.db.reader
    kept = counts_as_kept(conn)
    assert kept == counts_from_the_rows(conn)
    assert len(kept[1]) > 20 and any(row[2] > 5 for row in kept[1])  # conversations spanning chunks
    assert conn.execute("SELECT active FROM row_chunk").fetchone()[0] == 0

    # The rows of chunks change like any other: the triggers of moves, flags and deletions keep the counts
    ids = [r[0] for r in conn.execute("SELECT id FROM messages ORDER BY id").fetchall()]
    await store.messages.move(ids[30:60], archive)
    await store.messages.set_seen(ids[100:160], True)
    await store.messages.set_flagged(ids[150:170], True)
    await store.messages.delete(ids[200:240])
    assert counts_as_kept(conn) == counts_from_the_rows(conn)


def test_a_profile_of_version_15_keeps_its_counts_and_counts_chunks(tmp_path: Path) -> None:
    older = tmp_path / "migrations-15"
    older.mkdir()
    for path in sorted(migrations_dir().glob("*.sql"))[:15]:
        shutil.copy(path, older / path.name)
    conn = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    assert migrate(conn, older) == 15
    conn.execute("INSERT INTO accounts (id, name, address, kind, created_at) VALUES (1, 'Work', 'a@x', 'imap', 0)")
    conn.execute("INSERT INTO folders (id, account_id, path) VALUES (1, 1, 'Inbox')")
    conn.execute("INSERT INTO threads (id, account_id) VALUES (1, 1)")
    conn.execute(
        "INSERT INTO messages (id, account_id, folder_id, message_id, date, thread_id, is_seen)"
        " VALUES (1, 1, 1, '<a@x>', 5, 1, 0), (2, 1, 1, '<b@x>', 6, 1, 1)"
    )
    before = counts_as_kept(conn)
    assert before[0] == [(1, 2, 1, 1)]
    assert migrate(conn, migrations_dir()) == len(list(migrations_dir().glob("*.sql")))  # the latest
    assert counts_as_kept(conn) == before == counts_from_the_rows(conn)
    conn.execute(
        "INSERT INTO messages (id, account_id, folder_id, message_id, date, thread_id) VALUES (3, 1, 1, '<c@x>', 9, 1)"
    )
    assert counts_as_kept(conn) == counts_from_the_rows(conn)  # a single row still counts through its triggers
    conn.close()
