"""The store's IMAP sync API against a real SQLite file: accounts, folder reconciling, headers by UID with the
matching rule, bodies, server flags and expunges, UIDVALIDITY resets, and the queue of actions for the server."""

from __future__ import annotations

import asyncio

import pytest

from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.store import (
    Account,
    FolderProgress,
    FolderRole,
    ImapSecurity,
    ImapSettings,
    NewAttachment,
    NewMessage,
    RemoteFolder,
    RemoteOpKind,
    Store,
    SyncFolder,
    UidFlags,
)

SETTINGS = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann")
REMOTE = [
    RemoteFolder(remote_name="INBOX", path="Inbox", delimiter=".", role=FolderRole.INBOX),
    RemoteFolder(remote_name="Archive", path="Archive", delimiter=".", role=FolderRole.ARCHIVE),
    RemoteFolder(remote_name="Trash", path="Trash", delimiter=".", role=FolderRole.TRASH),
    RemoteFolder(remote_name="Work.Projects", path="Work/Projects", delimiter="."),
]


def header(
    n: int, *, seen: bool = False, flagged: bool = False, mid: str | None = None, **fields: object
) -> NewMessage:
    """Message number `n` as the sync stores its header (UID `n` unless `uid=` says otherwise)."""
    values: dict[str, object] = {
        "uid": n,
        "message_id": f"<m{n}@example.com>" if mid is None else mid,
        "date": 1_700_000_000 + n * 60,
        "subject": f"Subject {n}",
        "subject_sort": f"subject {n}",
        "sender_address": "bob@example.com",
        "size": 1000 + n,
        "is_seen": seen,
        "is_flagged": flagged,
        "index_people": "Bob bob@example.com",
    }
    values.update(fields)
    return NewMessage.model_validate(values)


def flags(uid: int, *, seen: bool = False, flagged: bool = False) -> UidFlags:
    return UidFlags(uid, seen, flagged, False, False, False)


@pytest.fixture
async def imap_account(store: Store) -> Account:
    account, _ = await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    await store.accounts.reconcile_folders(account.id, REMOTE)
    return account


async def sync_folder(store: Store, account: Account, remote_name: str) -> SyncFolder:
    folders = await store.read(lambda r: r.sync.folders(account.id))
    return next(f for f in folders if f.remote_name == remote_name)


async def uids_of(store: Store, folder_id: int) -> list[int]:
    return await store.read(lambda r: r.sync.known_uids(folder_id))


async def test_imap_account_settings_round_trip(store: Store, imap_account: Account) -> None:
    assert await store.read(lambda r: r.sync.imap_settings(imap_account.id)) == SETTINGS
    assert await store.read(lambda r: r.sync.imap_account_ids()) == [imap_account.id]
    await store.accounts.set_sync_window(imap_account.id, 7)
    settings = await store.read(lambda r: r.sync.imap_settings(imap_account.id))
    assert settings is not None and settings.sync_window_days == 7


async def test_local_accounts_have_no_imap_settings(store: Store, local_account: Account) -> None:
    assert await store.read(lambda r: r.sync.imap_settings(local_account.id)) is None
    assert await store.read(lambda r: r.sync.folders(local_account.id)) == []


async def test_reconcile_adds_updates_and_deletes_folders(store: Store, imap_account: Account) -> None:
    folders = await store.read(lambda r: r.sync.folders(imap_account.id))
    assert folders[0].path == "Inbox"
    assert {f.path: f.role for f in folders}["Work/Projects"] is None
    projects = next(f for f in folders if f.remote_name == "Work.Projects")
    await store.sync.store_headers(projects.id, [header(1)])

    changes = await store.accounts.reconcile_folders(
        imap_account.id,
        [
            RemoteFolder(remote_name="INBOX", path="Inbox", role=FolderRole.INBOX),
            # Archive and Trash swap roles: the two-step update must not clash on the role or the path.
            RemoteFolder(remote_name="Archive", path="Trash", role=FolderRole.TRASH),
            RemoteFolder(remote_name="Trash", path="Archive", role=FolderRole.ARCHIVE),
            RemoteFolder(remote_name="Spam", path="Spam", role=FolderRole.JUNK, subscribed=False),
            RemoteFolder(remote_name="Other", path="Other", role=FolderRole.JUNK),
        ],
    )
    assert changes.folder_tree and projects.id in changes.folders
    after = {f.remote_name: f for f in await store.read(lambda r: r.sync.folders(imap_account.id))}
    assert set(after) == {"INBOX", "Archive", "Trash", "Spam", "Other"}
    assert after["Archive"].role is FolderRole.TRASH and after["Archive"].path == "Trash"
    assert after["Spam"].role is FolderRole.JUNK and not after["Spam"].subscribed
    assert after["Other"].role is None  # one folder per role: the first claim wins
    assert store.reader.message_count() == 0  # the gone folder's message went with it
    assert (await store.accounts.reconcile_folders(imap_account.id, REMOTE[:1])).folder_tree
    assert (await store.accounts.reconcile_folders(imap_account.id, REMOTE[:1])).empty


async def test_headers_are_stored_by_uid_without_duplicates(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    seen: list[Changes] = []
    changes = await store.sync.store_headers(
        inbox.id,
        [header(3), header(2, seen=True), header(1)],
        FolderProgress(uidvalidity=7, uidnext=4, headers_floor_uid=1, highestmodseq=9),
    )
    assert len(changes.messages_added) == 3 and inbox.id in changes.folders
    again = await store.sync.store_headers(inbox.id, [header(3, flagged=True), header(2, seen=True)])
    assert not again.messages_added and len(again.messages_updated) == 1
    assert await uids_of(store, inbox.id) == [1, 2, 3]
    folder = await sync_folder(store, imap_account, "INBOX")
    assert (folder.uidvalidity, folder.uidnext, folder.headers_floor_uid, folder.highestmodseq) == (7, 4, 1, 9)
    assert folder.headers_complete and folder.total_count == 3
    assert store.reader.folder(inbox.id).unread_count == 2  # type: ignore[union-attr]
    assert not seen


async def test_bodies_fill_in_snippet_attachments_and_index(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    changes = await store.sync.store_headers(inbox.id, [header(1), header(2), header(3, date=1)])
    wanted = await store.read(lambda r: r.sync.bodies_wanted(inbox.id, since=1_000_000_000, limit=10))
    assert [w.uid for w in wanted] == [2, 1]  # newest first; uid 3 is older than the window
    message_id = wanted[0].message_id
    body = header(
        2,
        raw=b"Subject: Subject 2\r\n\r\nthe quarterly numbers\r\n",
        snippet="the quarterly numbers",
        index_body="the quarterly numbers",
        attachments=(NewAttachment(part_id="2", filename="q.pdf", content_type="application/pdf", size=10),),
    )
    stored = await store.sync.store_bodies([(message_id, body), (999_999, body)])
    assert stored.messages_updated == {message_id}
    summary = store.reader.message(message_id)
    assert summary is not None and summary.body_state == 1 and summary.has_attachments
    assert summary.snippet == "the quarterly numbers"
    assert store.reader.raw_message(message_id) == body.raw
    hits = store.db.reader.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'quarterly'").fetchall()
    assert hits == [(message_id,)]
    subject_hits = store.db.reader.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'bob'").fetchall()
    assert len(subject_hits) == len(changes.messages_added)
    wanted = await store.read(lambda r: r.sync.bodies_wanted(inbox.id, since=0, limit=10))
    assert [w.uid for w in wanted] == [1, 3]


async def test_server_flags_and_expunges_apply(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    await store.sync.store_headers(inbox.id, [header(1), header(2), header(3)])
    changes = await store.sync.apply_flags(inbox.id, [flags(1, seen=True), flags(2), flags(77, seen=True)])
    assert len(changes.messages_updated) == 1
    assert store.reader.folder(inbox.id).unread_count == 2  # type: ignore[union-attr]
    removed = await store.sync.expunge_uids(inbox.id, [2, 3, 78])
    assert len(removed.messages_removed) == 2
    assert await uids_of(store, inbox.id) == [1]


async def test_uidvalidity_change_readopts_rows_with_their_bodies(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    added = await store.sync.store_headers(inbox.id, [header(1), header(2, mid=""), header(3)])
    first = min(added.messages_added)
    await store.sync.store_bodies([(first, header(1, raw=b"Subject: x\r\n\r\nbody\r\n"))])
    await store.sync.reset_uidvalidity(inbox.id, 99)
    assert await uids_of(store, inbox.id) == []
    folder = await sync_folder(store, imap_account, "INBOX")
    assert folder.uidvalidity == 99 and folder.uidnext is None and folder.headers_floor_uid is None

    # Same messages, new UIDs; uid 3's message is gone from the server; one message is new.
    refetched = [header(1, uid=11, seen=True), header(2, uid=12, mid=""), header(4, uid=14)]
    changes = await store.sync.store_headers(inbox.id, refetched)
    assert len(changes.messages_added) == 1 and len(changes.messages_updated) == 2
    assert await uids_of(store, inbox.id) == [11, 12, 14]
    assert store.reader.raw_message(first) == b"Subject: x\r\n\r\nbody\r\n"
    assert store.reader.message(first).is_seen  # type: ignore[union-attr]  # the server's flags win
    pruned = await store.sync.prune_unmatched(inbox.id)
    assert len(pruned.messages_removed) == 1 and store.reader.folder(inbox.id).total_count == 3  # type: ignore[union-attr]


async def test_the_adoption_probe_is_one_index_lookup(store: Store, imap_account: Account) -> None:
    # Every header chunk asks whether its folder has rows without a UID to adopt; migration 0018's partial index
    # answers that without walking the folder's rows (the only index SQLite can use for it).
    inbox = await sync_folder(store, imap_account, "INBOX")
    await store.sync.store_headers(inbox.id, [header(n) for n in range(1, 50)])
    probe = "SELECT 1 FROM messages WHERE folder_id = ? AND uid IS NULL LIMIT 1"
    plan = " ".join(str(row[3]) for row in store.db.reader.execute(f"EXPLAIN QUERY PLAN {probe}", (inbox.id,)))
    assert "messages_without_uid" in plan
    assert store.db.reader.execute(probe, (inbox.id,)).fetchone() is None
    await store.sync.reset_uidvalidity(inbox.id, 7)  # every row loses its UID: all of them can be adopted
    assert store.db.reader.execute(probe, (inbox.id,)).fetchone() == (1,)
    index_rows = "SELECT count(*) FROM messages INDEXED BY messages_without_uid WHERE folder_id = ? AND uid IS NULL"
    assert store.db.reader.execute(index_rows, (inbox.id,)).fetchone() == (49,)


async def test_a_big_chunk_is_stored_in_several_multi_row_statements(store: Store, imap_account: Account) -> None:
    # 2,500 rows of 30 values: more than one statement's bound parameters (store/multi_row.py), so the rows go
    # in three INSERTs; every row lands once, with its own values, and the chunk's counts add up.
    inbox = await sync_folder(store, imap_account, "INBOX")
    headers = [
        header(n, seen=n % 3 == 0, in_reply_to=f"<m{n - 1}@example.com>" if n % 2 else "") for n in range(1, 2501)
    ]
    changes = await store.sync.store_headers(inbox.id, headers)
    assert len(changes.messages_added) == 2500
    rows = store.db.reader.execute(
        "SELECT uid, message_id, in_reply_to, size, is_seen FROM messages WHERE folder_id = ? ORDER BY id", (inbox.id,)
    ).fetchall()
    assert rows == [(m.uid, m.message_id, m.in_reply_to, m.size, int(m.is_seen)) for m in headers]
    folder = store.reader.folder(inbox.id)
    assert folder is not None and (folder.total_count, folder.unread_count) == (2500, 2500 - 833)
    assert store.db.reader.execute("SELECT count(*) FROM messages_fts").fetchone() == (2500,)
    assert store.db.reader.execute(
        "SELECT sum(message_count) FROM folder_threads WHERE folder_id = ?", (inbox.id,)
    ).fetchone() == (2500,)


async def test_actions_on_imap_messages_queue_remote_ops(store: Store, bus: EventBus, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    archive = await sync_folder(store, imap_account, "Archive")
    ids = sorted((await store.sync.store_headers(inbox.id, [header(1), header(2), header(3)])).messages_added)
    heard: list[Changes] = []
    bus.subscribe(Changes, heard.append)

    seen = await store.messages.set_seen(ids[:2], True)
    assert seen.remote_ops_queued == {imap_account.id} and heard[-1] == seen
    moved = await store.messages.move([ids[2]], archive.id)
    assert moved.remote_ops_queued == {imap_account.id}
    assert await uids_of(store, archive.id) == []  # the UID named it in the Inbox

    ops = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert [op.kind for op in ops] == [RemoteOpKind.FLAGS, RemoteOpKind.MOVE]
    assert ops[0].uids == (1, 2) and ops[0].set_flags == {"seen": True} and ops[0].folder_id == inbox.id
    assert ops[1].uids == (3,) and ops[1].rows == (ids[2],) and ops[1].to_folder_id == archive.id
    assert ops[1].mids == ("<m3@example.com>",)

    # Until replayed, the queue wins: the server's old flags and the moved message's old UID are held back.
    await store.sync.apply_flags(inbox.id, [flags(1), flags(2)])
    assert store.reader.message(ids[0]).is_seen  # type: ignore[union-attr]
    await store.sync.store_headers(inbox.id, [header(3)])
    assert await uids_of(store, inbox.id) == [1, 2]

    # Replayed: COPYUID named the message in the Archive.
    await store.remote_ops.complete(ops[0])
    await store.remote_ops.complete(ops[1], new_uids={ids[2]: 40})
    assert await uids_of(store, archive.id) == [40]
    assert await store.read(lambda r: r.sync.pending_ops(imap_account.id)) == []
    await store.sync.apply_flags(inbox.id, [flags(1)])
    assert not store.reader.message(ids[0]).is_seen  # type: ignore[union-attr]  # now the server wins


async def test_delete_to_trash_moves_then_deletes_for_good(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    trash = await sync_folder(store, imap_account, "Trash")
    [mid] = (await store.sync.store_headers(inbox.id, [header(5)])).messages_added
    first = await store.messages.delete_to_trash([mid])
    assert first.remote_ops_queued == {imap_account.id} and trash.id in first.folders
    second = await store.messages.delete_to_trash([mid])
    assert mid in second.messages_removed and second.remote_ops_queued == {imap_account.id}
    ops = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert [(op.kind, op.folder_id, op.uids) for op in ops] == [
        (RemoteOpKind.MOVE, inbox.id, (5,)),
        (RemoteOpKind.DELETE, trash.id, (None,)),  # not on the server's Trash yet: found by Message-ID
    ]
    assert ops[1].mids == ("<m5@example.com>",)


async def test_local_accounts_queue_nothing(store: Store, local_account: Account) -> None:
    inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert inbox is not None
    ids, _ = await store.messages.add(inbox.id, [header(1, uid=None)])
    changes = await store.messages.set_flagged(ids, True)
    assert changes.messages_updated and not changes.remote_ops_queued


async def test_moving_to_another_account_moves_at_once_and_queues_the_servers_work(
    store: Store, imap_account: Account, local_account: Account
) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    archive = await sync_folder(store, imap_account, "Archive")
    await store.sync.save_progress(inbox.id, FolderProgress(uidvalidity=7))
    first, second = sorted((await store.sync.store_headers(inbox.id, [header(1), header(2)])).messages_added)
    local_inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert local_inbox is not None
    # IMAP → local: the row moves now; the source account deletes its copy after keeping the body.
    changes = await store.messages.move([first], local_inbox.id)
    assert changes.remote_ops_queued == {imap_account.id}
    moved = store.reader.message(first)
    assert moved is not None and (moved.folder_id, moved.account_id) == (local_inbox.id, local_account.id)
    [delete] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert (delete.kind, delete.folder_id, delete.uids, delete.rows) == (RemoteOpKind.DELETE, inbox.id, (1,), (first,))
    assert delete.detached and delete.keep_body
    # While queued, the source folder does not take the message back from the server.
    await store.sync.store_headers(inbox.id, [header(1)])
    assert await uids_of(store, inbox.id) == [2]
    # Local → IMAP: an APPEND on the target account, with no source copy to delete.
    await store.remote_ops.complete(delete)
    await store.messages.move([first], archive.id)
    [append] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert (append.kind, append.folder_id, append.rows, append.sources) == (
        RemoteOpKind.APPEND,
        archive.id,
        (first,),
        (None,),
    )
    # Done on the server: the row takes its new UID; nothing is left to delete anywhere.
    changes = await store.remote_ops.complete_append(append, {first: 41})
    assert not changes.remote_ops_queued
    assert await uids_of(store, archive.id) == [41]
    assert await store.read(lambda r: r.sync.pending_ops(imap_account.id)) == []
    assert second in store.reader.folder_message_ids(inbox.id)


async def test_ops_that_fail_or_are_dropped(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    archive = await sync_folder(store, imap_account, "Archive")
    await store.sync.save_progress(inbox.id, FolderProgress(highestmodseq=5, headers_floor_uid=1))
    ids = sorted((await store.sync.store_headers(inbox.id, [header(1), header(2)])).messages_added)
    await store.messages.set_flagged([ids[0]], True)
    await store.messages.move([ids[1]], archive.id)
    flag_op, move_op = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    await store.remote_ops.failed(flag_op, "NO [SERVERBUG] try later")
    [again, _] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert again.attempts == 1 and "SERVERBUG" in again.last_error
    await store.remote_ops.drop(again)
    assert (await sync_folder(store, imap_account, "INBOX")).highestmodseq is None  # re-read all flags
    # The moved message is gone from the server: its unmatched row goes; the server wins.
    changes = await store.remote_ops.complete(move_op, gone_rows=[ids[1]])
    assert changes.messages_removed == {ids[1]}


async def test_folder_actions_of_imap_accounts_are_queued_and_win_over_the_server_list(
    store: Store, imap_account: Account
) -> None:
    folder, created = await store.accounts.create_folder(imap_account.id, "Work/Reports")
    assert created.remote_ops_queued == {imap_account.id}
    # The server does not list it yet: the queued CREATE keeps it.
    await store.accounts.reconcile_folders(imap_account.id, REMOTE)
    names = {f.remote_name for f in await store.read(lambda r: r.sync.folders(imap_account.id))}
    assert "Work.Reports" in names

    projects = await sync_folder(store, imap_account, "Work.Projects")
    await store.accounts.rename_folder(projects.id, "Done")
    await store.accounts.reconcile_folders(imap_account.id, REMOTE)  # still lists the old name
    names = {f.remote_name for f in await store.read(lambda r: r.sync.folders(imap_account.id))}
    assert "Done" in names and "Work.Projects" not in names

    deleted = await store.accounts.delete_folder(folder.id)
    assert deleted.remote_ops_queued == {imap_account.id}
    ops = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert [(op.kind, op.name, op.new_name) for op in ops] == [
        (RemoteOpKind.CREATE_FOLDER, "Work.Reports", ""),
        (RemoteOpKind.RENAME_FOLDER, "Work.Projects", "Done"),
        (RemoteOpKind.DELETE_FOLDER, "Work.Reports", ""),
    ]


async def test_a_write_cancelled_while_it_begins_leaves_no_transaction_open(
    store: Store, imap_account: Account
) -> None:
    """Stopping the sync cancels its task wherever it is, even while BEGIN waits for the writer's thread."""
    inbox = await sync_folder(store, imap_account, "INBOX")
    for _ in range(3):
        task = asyncio.ensure_future(store.sync.store_headers(inbox.id, [header(1)]))
        await asyncio.sleep(0)  # the task is now waiting for BEGIN IMMEDIATE to come back
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await store.sync.store_headers(inbox.id, [header(2)])
    assert await uids_of(store, inbox.id) == [2]
