"""Identities and drafts (migration 0008): a default identity from the account, edits, the last one kept;
drafts replacing each other locally, and on an IMAP account queueing delete-then-append for the server."""

from __future__ import annotations

import pytest

from realmail_desktop.core.errors import KnownError
from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.compose import Draft, build_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import (
    Account,
    DraftOrigin,
    FolderRole,
    ImapSecurity,
    ImapSettings,
    NewMessage,
    RemoteFolder,
    RemoteOpKind,
    Store,
)

SETTINGS = ImapSettings(host="127.0.0.1", port=993, security=ImapSecurity.TLS, username="ann")


async def imap_account(store: Store) -> Account:
    account, _ = await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    await store.accounts.reconcile_folders(
        account.id,
        [
            RemoteFolder(remote_name="INBOX", path="Inbox", delimiter="/", role=FolderRole.INBOX),
            RemoteFolder(remote_name="Drafts", path="Drafts", delimiter="/", role=FolderRole.DRAFTS),
        ],
    )
    return account


def draft_row(text: str, message_id: str = "<d1@example.com>") -> NewMessage:
    built = build_message(
        Draft(
            sender=Address("Ann", "ann@example.com"),
            to=(Address("", "bob@example.org"),),
            text=text,
            subject="Plan",
            message_id=message_id,
        ),
        keep_bcc=True,
    )
    return new_message(read_envelope(built.raw), built.raw, Flag.SEEN | Flag.DRAFT)


async def test_an_account_gets_a_default_identity_once(store: Store) -> None:
    account = await imap_account(store)
    await store.identities.ensure_default(account.id)
    await store.identities.ensure_default(account.id)
    [identity] = store.reader.identities.of_account(account.id)
    assert (identity.name, identity.address, identity.is_default) == ("Work", "ann@example.com", True)


async def test_identities_are_added_edited_made_default_and_the_last_one_stays(store: Store) -> None:
    account = await imap_account(store)
    await store.identities.ensure_default(account.id)
    new_id, _ = await store.identities.add(account.id, " Ann  Lee ", "ann.lee@example.com", signature="Ann\nCEO")
    added = store.reader.identities.get(new_id)
    assert added is not None and added.name == "Ann Lee" and not added.is_default
    await store.identities.update(added.model_copy(update={"reply_to": "desk@example.com"}))
    await store.identities.set_default(new_id)
    first = store.reader.identities.of_account(account.id)[0]
    assert first.id == new_id and first.reply_to == "desk@example.com" and first.signature == "Ann\nCEO"
    with pytest.raises(KnownError):
        await store.identities.add(account.id, "x", "not an address")
    others = [i.id for i in store.reader.identities.of_account(account.id) if i.id != new_id]
    await store.identities.remove(new_id)
    remaining = store.reader.identities.of_account(account.id)
    assert [i.id for i in remaining] == others and remaining[0].is_default  # another became the default
    with pytest.raises(KnownError):
        await store.identities.remove(remaining[0].id)


async def test_a_local_draft_replaces_the_previous_one(store: Store, local_account: Account) -> None:
    folder = store.reader.drafts.drafts_folder(local_account.id)
    drafts = store.reader.folder_by_role(local_account.id, FolderRole.DRAFTS)
    assert drafts is not None and folder == drafts.id
    first, _ = await store.drafts.save(folder, draft_row("one"), DraftOrigin(answers=None))
    second, changes = await store.drafts.save(folder, draft_row("one two"), DraftOrigin(forwards=(7,)), replaces=first)
    assert store.reader.folder_message_ids(folder) == [second]
    assert changes.messages_removed == {first} and changes.messages_added == {second}
    raw = store.reader.raw_message(second)
    assert raw is not None and b"one two" in raw
    summary = store.reader.message(second)
    assert summary is not None and summary.is_draft and summary.is_seen
    assert store.reader.drafts.origin(second) == DraftOrigin(forwards=(7,))
    assert store.reader.drafts.is_draft_row(second)
    assert store.reader.sync.pending_ops(local_account.id) == []  # no server
    await store.drafts.discard(second)
    assert store.reader.folder_message_ids(folder) == []


async def test_an_imap_draft_queues_delete_of_the_previous_then_append(store: Store) -> None:
    account = await imap_account(store)
    folder = store.reader.drafts.drafts_folder(account.id)
    assert folder is not None
    first, _ = await store.drafts.save(folder, draft_row("one"), DraftOrigin())
    second, changes = await store.drafts.save(folder, draft_row("two"), DraftOrigin(), replaces=first)
    assert changes.remote_ops_queued == {account.id}
    ops = store.reader.sync.pending_ops(account.id)
    assert [(op.kind, op.rows) for op in ops] == [
        (RemoteOpKind.APPEND, (first,)),
        (RemoteOpKind.DELETE, (first,)),
        (RemoteOpKind.APPEND, (second,)),
    ]
    assert ops[2].mids == ("<d1@example.com>",) and ops[2].sources == (None,)
    material = store.reader.sync.append_material(second)
    assert material is not None and material[0] is not None and b"two" in material[0]
    assert material[2]["draft"] and material[2]["seen"]
    assert store.reader.sync.append_material(first) is None  # the replay skips the stale append


async def test_an_account_without_drafts_folder_saves_into_local_folders(store: Store, local_account: Account) -> None:
    account, _ = await store.accounts.create_imap("Bare", "x@example.com", SETTINGS)
    local_drafts = store.reader.folder_by_role(local_account.id, FolderRole.DRAFTS)
    assert local_drafts is not None
    assert store.reader.drafts.drafts_folder(account.id) == local_drafts.id


async def test_the_undo_delay_preference(store: Store) -> None:
    assert store.reader.preferences.undo_send_seconds() == 10
    await store.preferences.set("undo_send_seconds", "25")
    assert store.reader.preferences.undo_send_seconds() == 25
    await store.preferences.set("undo_send_seconds", "junk")
    assert store.reader.preferences.undo_send_seconds() == 10
