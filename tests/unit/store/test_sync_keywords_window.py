"""The store's side of issue 3's later behaviours, against a real SQLite file: IMAP keywords (local changes
queued, the server's applied, PERMANENTFLAGS respected), messages flagged \\Deleted elsewhere, dropping bodies
outside a shrunk sync window, and subscriptions (local first, queued, winning over the server's list)."""

from __future__ import annotations

import pytest

from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import (
    Account,
    FolderProgress,
    FolderRole,
    MessageQuery,
    RemoteFolder,
    RemoteOpKind,
    SortOrder,
    Store,
    UidFlags,
)
from tests.unit.store.test_sync_state import REMOTE, SETTINGS, header, sync_folder, uids_of


def server_flags(uid: int, *keywords: str, seen: bool = False, deleted: bool = False) -> UidFlags:
    return UidFlags(uid, seen, False, False, False, False, tuple(sorted(keywords)), deleted)


@pytest.fixture
async def imap_account(store: Store) -> Account:
    account, _ = await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    await store.accounts.reconcile_folders(account.id, REMOTE)
    return account


async def test_keywords_are_stored_from_the_server_and_shown_in_summaries(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    added = await store.sync.store_headers(inbox.id, [header(1), header(2)], keywords={1: ["Work", "$Label1"]})
    first, second = sorted(added.messages_added)
    assert store.reader.message(first).keywords == ("$Label1", "Work")  # type: ignore[union-attr]
    assert store.reader.message(second).keywords == ()  # type: ignore[union-attr]
    changes = await store.sync.apply_flags(inbox.id, [server_flags(1, "Work"), server_flags(2, "$Junk")])
    assert changes.messages_updated == {first, second}
    assert store.reader.message(first).keywords == ("Work",)  # type: ignore[union-attr]
    assert store.reader.message(second).keywords == ("$Junk",)  # type: ignore[union-attr]
    page = store.reader.page(MessageQuery((inbox.id,)), SortOrder(), 0, 10)  # the list's query carries them
    assert {m.id: m.keywords for m in page} == {first: ("Work",), second: ("$Junk",)}


async def test_local_keyword_changes_are_queued_and_win_until_replayed(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    await store.sync.save_progress(inbox.id, FolderProgress(uidvalidity=3))
    [mid] = (await store.sync.store_headers(inbox.id, [header(1)], keywords={1: ["Old"]})).messages_added
    changes = await store.messages.set_keywords([mid], add=["$Label1", "Work"], remove=["Old"])
    assert changes.messages_updated == {mid} and changes.remote_ops_queued == {imap_account.id}
    assert store.reader.message(mid).keywords == ("$Label1", "Work")  # type: ignore[union-attr]
    [op] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert (op.kind, op.uids, op.add_keywords, op.remove_keywords) == (
        RemoteOpKind.FLAGS,
        (1,),
        ("$Label1", "Work"),
        ("Old",),
    )
    assert op.set_flags == {}
    # The server's (older) keywords do not undo ours while the change is queued…
    await store.sync.apply_flags(inbox.id, [server_flags(1, "Old")])
    assert store.reader.message(mid).keywords == ("$Label1", "Work")  # type: ignore[union-attr]
    # …and once it is replayed, the server's state wins.
    await store.remote_ops.complete(op)
    await store.sync.apply_flags(inbox.id, [server_flags(1, "Work")])
    assert store.reader.message(mid).keywords == ("Work",)  # type: ignore[union-attr]
    # Nothing to change: nothing queued.
    assert (await store.messages.set_keywords([mid], add=["Work"])).empty


async def test_keywords_that_are_not_imap_atoms_are_refused(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    [mid] = (await store.sync.store_headers(inbox.id, [header(1)])).messages_added
    for bad in ("two words", "\\Seen", "a(b", "*"):
        with pytest.raises(KnownError):
            await store.messages.set_keywords([mid], add=[bad])
    assert await store.read(lambda r: r.sync.pending_ops(imap_account.id)) == []


async def test_keywords_a_server_cannot_keep_stay_local(store: Store, imap_account: Account) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    [mid] = (await store.sync.store_headers(inbox.id, [header(1)])).messages_added
    await store.messages.set_keywords([mid], add=["Mine", "$Forwarded2"])
    [op] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    await store.remote_ops.complete(op)
    # PERMANENTFLAGS without \* that lists $Forwarded2 only: "Mine" cannot be on the server, so it stays.
    permanent = frozenset({"\\Seen", "\\Flagged", "$Forwarded2"})
    await store.sync.apply_flags(inbox.id, [server_flags(1, "$Forwarded2")], permanent)
    assert store.reader.message(mid).keywords == ("$Forwarded2", "Mine")  # type: ignore[union-attr]
    await store.sync.apply_flags(inbox.id, [server_flags(1)], permanent)
    assert store.reader.message(mid).keywords == ("Mine",)  # type: ignore[union-attr]
    # A server that keeps any keyword (\*) is followed exactly.
    await store.sync.apply_flags(inbox.id, [server_flags(1)], frozenset({"\\*"}))
    assert store.reader.message(mid).keywords == ()  # type: ignore[union-attr]


async def test_messages_flagged_deleted_elsewhere_are_neither_listed_nor_counted(
    store: Store, imap_account: Account
) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    ids = sorted((await store.sync.store_headers(inbox.id, [header(1), header(2), header(3)])).messages_added)
    changes = await store.sync.apply_flags(inbox.id, [server_flags(2, deleted=True), server_flags(3, seen=True)])
    assert changes.messages_removed == {ids[1]} and changes.messages_updated == {ids[2]}
    assert await uids_of(store, inbox.id) == [1, 3]
    folder = store.reader.folder(inbox.id)
    assert folder is not None and (folder.total_count, folder.unread_count) == (2, 1)


async def test_shrinking_the_window_drops_bodies_but_keeps_what_must_stay(
    store: Store, imap_account: Account, local_account: Account
) -> None:
    inbox = await sync_folder(store, imap_account, "INBOX")
    old = 1_000_000
    rows = [header(n, date=old + n, flagged=n == 2, is_draft=n == 3) for n in (1, 2, 3)] + [header(4)]
    ids = sorted((await store.sync.store_headers(inbox.id, rows)).messages_added)
    raw = b"Subject: x\r\n\r\nplatypus text\r\n"
    await store.sync.store_bodies(
        [(mid, header(n, raw=raw, index_body="platypus text")) for n, mid in zip((1, 2, 3, 4), ids, strict=True)]
    )
    local_inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert local_inbox is not None
    [local_id], _ = await store.messages.add(local_inbox.id, [header(9, date=old, raw=raw, uid=None)])

    changes = await store.sync.drop_bodies_before(imap_account.id, since=old + 1_000)
    assert changes.messages_updated == {ids[0]}
    dropped = store.reader.message(ids[0])
    assert dropped is not None and dropped.body_state == 0 and store.reader.raw_message(ids[0]) is None
    for kept in (ids[1], ids[2], ids[3], local_id):  # flagged, draft, inside the window, local folder
        assert store.reader.raw_message(kept) == raw
    # The body text leaves the index; the subject stays searchable.
    body_hits = store.db.reader.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'platypus'")
    assert ids[0] not in {r[0] for r in body_hits}
    subject_hits = store.db.reader.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'subject'")
    assert ids[0] in {r[0] for r in subject_hits}
    # The sync asks for it again only if the window takes it in again.
    wanted = await store.read(lambda r: r.sync.bodies_wanted(inbox.id, since=0, limit=10))
    assert [w.message_id for w in wanted] == [ids[0]]


async def test_subscriptions_are_local_first_and_win_over_the_server_list_while_queued(
    store: Store, imap_account: Account
) -> None:
    projects = await sync_folder(store, imap_account, "Work.Projects")
    changes = await store.accounts.set_subscribed(projects.id, False)
    assert changes.folder_tree and changes.remote_ops_queued == {imap_account.id}
    assert not (await sync_folder(store, imap_account, "Work.Projects")).synced
    assert store.reader.folder(projects.id).subscribed is False  # type: ignore[union-attr]
    [op] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert (op.kind, op.name, op.folder_id) == (RemoteOpKind.UNSUBSCRIBE, "Work.Projects", None)
    # The server still lists it subscribed: the queued choice stands.
    await store.accounts.reconcile_folders(imap_account.id, REMOTE)
    assert not (await sync_folder(store, imap_account, "Work.Projects")).subscribed
    await store.remote_ops.complete(op)
    unsubscribed = [f.model_copy(update={"subscribed": f.remote_name != "Work.Projects"}) for f in REMOTE]
    await store.accounts.reconcile_folders(imap_account.id, unsubscribed)
    assert not (await sync_folder(store, imap_account, "Work.Projects")).subscribed  # known, not synced
    assert (await store.accounts.set_subscribed(projects.id, False)).empty  # no change, nothing queued
    # The Inbox and special-use folders are synced even when not subscribed.
    await store.accounts.reconcile_folders(
        imap_account.id, [RemoteFolder(remote_name="INBOX", path="Inbox", role=FolderRole.INBOX, subscribed=False)]
    )
    assert (await sync_folder(store, imap_account, "INBOX")).synced


async def test_a_move_to_another_imap_account_appends_there_then_deletes_here(
    store: Store, imap_account: Account
) -> None:
    other, _ = await store.accounts.create_imap("Home", "ann@home.example", SETTINGS)
    await store.accounts.reconcile_folders(other.id, REMOTE)
    inbox = await sync_folder(store, imap_account, "INBOX")
    target = await sync_folder(store, other, "Archive")
    await store.sync.save_progress(inbox.id, FolderProgress(uidvalidity=7))
    [mid] = (await store.sync.store_headers(inbox.id, [header(3)])).messages_added
    changes = await store.messages.move([mid], target.id)
    assert changes.remote_ops_queued == {other.id}
    assert await store.read(lambda r: r.sync.pending_ops(imap_account.id)) == []  # nothing here yet
    [append] = await store.read(lambda r: r.sync.pending_ops(other.id))
    assert append.kind is RemoteOpKind.APPEND and append.folder_id == target.id and append.mids == ("<m3@example.com>",)
    [source] = append.sources
    assert source is not None and (source.account, source.folder, source.uid, source.uidvalidity) == (
        imap_account.id,
        inbox.id,
        3,
        7,
    )
    # Until the APPEND is done, the source folder does not take the message back from its server.
    await store.sync.store_headers(inbox.id, [header(3)])
    assert await uids_of(store, inbox.id) == []
    # Appended: the row is named by its UID there, and only now is the source copy's deletion queued.
    done = await store.remote_ops.complete_append(append, {mid: 12})
    assert done.remote_ops_queued == {imap_account.id}
    assert await uids_of(store, target.id) == [12]
    [delete] = await store.read(lambda r: r.sync.pending_ops(imap_account.id))
    assert (delete.kind, delete.folder_id, delete.uids, delete.uidvalidity, delete.rows) == (
        RemoteOpKind.DELETE,
        inbox.id,
        (3,),
        7,
        (mid,),
    )
    assert delete.detached and not delete.keep_body
    # A detached delete never removes the row that lives on in the other account, even when the server
    # copy is already gone.
    await store.remote_ops.complete(delete, gone_rows=[mid])
    assert store.reader.message(mid) is not None
    await store.sync.store_headers(inbox.id, [header(3)])  # claims gone: the server's state wins again
    assert await uids_of(store, inbox.id) == [3]
