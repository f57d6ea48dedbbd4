"""Store writes and reads against a real SQLite file: counts, Changes after commit, paging, folders."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing

import pytest

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.store import (
    Account,
    Folder,
    FolderRole,
    MessageQuery,
    NewAttachment,
    NewMessage,
    SortKey,
    SortOrder,
    Store,
)

FolderOf = Callable[[FolderRole], Folder]


def message(i: int, **fields: object) -> NewMessage:
    values: dict[str, object] = {
        "message_id": f"<m{i}@example.com>",
        "date": 1_700_000_000 + i * 60,
        "sender_name": f"Sender {i % 7}",
        "sender_address": f"s{i % 7}@example.com",
        "sender_sort": f"sender {i % 7}",
        "subject": f"Subject {i:05d}",
        "subject_sort": f"subject {i:05d}",
        "raw": f"Subject: Subject {i}\r\n\r\nbody {i}\r\n".encode(),
        "index_body": f"body text number{i}",
    }
    values.update(fields)
    return NewMessage.model_validate(values)


async def test_local_account_has_the_standard_folders(store: Store, local_account: Account) -> None:
    folders = store.reader.folders(local_account.id)
    assert [f.path for f in folders] == ["Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash"]
    assert {f.role for f in folders} == {
        FolderRole.INBOX,
        FolderRole.DRAFTS,
        FolderRole.SENT,
        FolderRole.ARCHIVE,
        FolderRole.JUNK,
        FolderRole.TRASH,
    }


async def test_add_publishes_changes_after_commit(store: Store, bus: EventBus, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    seen: list[tuple[Changes, int]] = []
    # What a listener reads when it hears the event must already include the write.
    bus.subscribe(Changes, lambda c: seen.append((c, store.reader.count(MessageQuery((inbox.id,))))))
    ids, changes = await store.messages.add(inbox.id, [message(i) for i in range(3)])
    assert changes.messages_added == frozenset(ids)
    assert changes.folders == {inbox.id}
    assert seen == [(changes, 3)]


async def test_counts_follow_flags_moves_and_deletes(store: Store, folder_of: FolderOf) -> None:
    inbox, archive = folder_of(FolderRole.INBOX), folder_of(FolderRole.ARCHIVE)
    ids, _ = await store.messages.add(inbox.id, [message(i) for i in range(10)])
    await store.messages.set_seen(ids[:4], True)
    await store.messages.move(ids[:2] + ids[8:], archive.id)
    await store.messages.delete(ids[5:6])

    def counts(folder: Folder) -> tuple[int, int]:
        current = store.reader.folder(folder.id)
        assert current is not None
        return current.total_count, current.unread_count

    assert counts(inbox) == (5, 3)  # ids 2..7 minus 5; 2 and 3 are seen
    assert counts(archive) == (4, 2)  # 0, 1 seen; 8, 9 unread


async def test_set_seen_reports_only_rows_that_changed(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    ids, _ = await store.messages.add(inbox.id, [message(i) for i in range(3)])
    await store.messages.set_seen(ids[:1], True)
    changes = await store.messages.set_seen(ids, True)
    assert changes.messages_updated == frozenset(ids[1:])
    assert (await store.messages.set_seen(ids, True)).empty


async def test_delete_to_trash_then_for_good(store: Store, folder_of: FolderOf) -> None:
    inbox, trash = folder_of(FolderRole.INBOX), folder_of(FolderRole.TRASH)
    ids, _ = await store.messages.add(inbox.id, [message(i) for i in range(2)])
    await store.messages.delete_to_trash(ids[:1])
    moved = store.reader.message(ids[0])
    assert moved is not None and moved.folder_id == trash.id
    await store.messages.delete_to_trash(ids[:1])
    assert store.reader.message(ids[0]) is None
    assert store.reader.raw_message(ids[0]) is None
    assert store.reader.message(ids[1]) is not None


async def test_bodies_attachments_and_index_are_stored_and_removed(store: Store, folder_of: FolderOf) -> None:
    inbox = folder_of(FolderRole.INBOX)
    pdf = NewAttachment(part_id="2", filename="report.pdf", content_type="application/pdf", size=1234)
    ids, _ = await store.messages.add(inbox.id, [message(1, attachments=(pdf,), index_body="quarterly résumé")])
    assert store.reader.raw_message(ids[0]) == b"Subject: Subject 1\r\n\r\nbody 1\r\n"
    summary = store.reader.message(ids[0])
    assert summary is not None and summary.has_attachments is True and summary.is_seen is False
    assert [a.filename for a in store.reader.attachments(ids[0])] == ["report.pdf"]
    fts = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?"
    with closing(sqlite3.connect(store.db.path)) as conn:
        assert conn.execute(fts, ("resume",)).fetchall() == [(ids[0],)]  # diacritics folded
        await store.messages.delete(ids)
        assert store.reader.attachments(ids[0]) == []
        assert conn.execute(fts, ("resume",)).fetchall() == []


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [True, False])
async def test_pages_match_a_full_sort(store: Store, folder_of: FolderOf, key: SortKey, descending: bool) -> None:
    inbox = folder_of(FolderRole.INBOX)
    await store.messages.add(inbox.id, [message(i) for i in range(1000)])
    query, order = MessageQuery((inbox.id,)), SortOrder(key, descending)
    everything = [m for offset in range(0, 1000, 128) for m in store.reader.page(query, order, offset, 128)]
    column = {SortKey.DATE: "date", SortKey.SENDER: "sender_sort", SortKey.SUBJECT: "subject_sort"}[key]
    direction = "DESC" if descending else "ASC"
    with closing(sqlite3.connect(store.db.path)) as conn:
        expected = conn.execute(
            f"SELECT id FROM messages ORDER BY {column} {direction}, date {direction}, id {direction}"
        ).fetchall()
    assert [m.id for m in everything] == [r[0] for r in expected]
    for row in (0, 1, 499, 500, 501, 999):
        assert store.reader.row_of(query, order, everything[row].id) == row


async def test_unified_inboxes_span_accounts(store: Store, folder_of: FolderOf) -> None:
    second, _ = await store.accounts.create_local("Archive 2019")
    other_inbox = store.reader.folder_by_role(second.id, FolderRole.INBOX)
    assert other_inbox is not None
    await store.messages.add(folder_of(FolderRole.INBOX).id, [message(i) for i in range(0, 10, 2)])
    await store.messages.add(other_inbox.id, [message(i) for i in range(1, 10, 2)])
    query = MessageQuery(store.reader.inbox_ids())
    assert store.reader.count(query) == 10
    page = store.reader.page(query, SortOrder(), 0, 10)
    assert [m.subject for m in page] == [f"Subject {i:05d}" for i in range(9, -1, -1)]


async def test_folders_create_rename_delete(store: Store, local_account: Account) -> None:
    work, _ = await store.accounts.create_folder(local_account.id, " Work // Projects ")
    assert work.path == "Work/Projects"
    assert store.reader.folder_by_path(local_account.id, "Work") is not None
    await store.messages.add(work.id, [message(1)])
    parent = store.reader.folder_by_path(local_account.id, "Work")
    assert parent is not None
    await store.accounts.rename_folder(parent.id, "Jobs")
    assert store.reader.folder_by_path(local_account.id, "Jobs/Projects") is not None
    with pytest.raises(KnownError, match="already a folder"):
        await store.accounts.rename_folder(parent.id, "Inbox")
    await store.accounts.delete_folder(parent.id)
    assert store.reader.folder_by_path(local_account.id, "Jobs/Projects") is None
    assert store.reader.message_count() == 0


async def test_role_folders_cannot_be_deleted(store: Store, folder_of: FolderOf) -> None:
    with pytest.raises(KnownError, match="special folder"):
        await store.accounts.delete_folder(folder_of(FolderRole.INBOX).id)


async def test_contacts_learned_and_ranked(store: Store, local_account: Account) -> None:
    await store.contacts.learn([("Ann Lee", "ann@example.com"), ("", "bob@example.com")], when=10)
    await store.contacts.learn([("", "ANN@example.com"), ("not an address", "nobody")], when=20)
    found = store.reader.suggest_contacts("an")
    assert [(c.address, c.name, c.use_count, c.last_used) for c in found] == [("ann@example.com", "Ann Lee", 2, 20)]
    assert [c.address for c in store.reader.suggest_contacts("lee")] == ["ann@example.com"]
    await store.contacts.learn([("Ann Lee-Smith", "ann@example.com")], when=30)
    assert [c.name for c in store.reader.suggest_contacts("ann")] == ["Ann Lee-Smith"]
    assert [c.address for c in store.reader.suggest_contacts("b")] == ["bob@example.com"]
    assert store.reader.suggest_contacts("%") == []


async def test_empty_folder_deletes_everything_in_it_only(
    store: Store, folder_of: FolderOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    import realmail_desktop.store.messages as messages_module

    monkeypatch.setattr(messages_module, "_SLICE", 7)  # several slices in one transaction
    inbox, trash = folder_of(FolderRole.INBOX), folder_of(FolderRole.TRASH)
    ids, _ = await store.messages.add(inbox.id, [message(i) for i in range(30)])
    await store.messages.delete_to_trash(ids[:20])
    changes = await store.messages.empty_folder(trash.id)
    assert changes.messages_removed == frozenset(ids[:20])
    assert changes.folders == {trash.id}
    current = store.reader.folder(trash.id)
    assert current is not None and (current.total_count, current.unread_count) == (0, 0)
    assert store.reader.count(MessageQuery((inbox.id,))) == 10
    assert (await store.messages.empty_folder(trash.id)).empty
