"""Changes made on the server by another client reach the store: new mail through IDLE within moments, and
flags, moves and expunges (QRESYNC) in the Inbox and in other folders."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import Changes
from tests.integration.conftest import NewRun, OtherClient, append_messages
from tests.integration.sync_support import (
    SyncRun,
    expecting,
    folder_id,
    local_mailbox,
    message,
    server_mailbox,
    started,
    subscribed_folders,
    until,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def running(imap: IMAPClient, new_run: NewRun) -> AsyncIterator[SyncRun]:
    subscribed_folders(imap, "Work")
    append_messages(imap, "INBOX", [message(n) for n in range(6)])
    append_messages(imap, "Work", [message(n, folder="Work") for n in range(3)])
    async with started(await new_run()) as run:
        yield run


async def test_new_mail_arrives_through_idle(running: SyncRun, other_client: OtherClient) -> None:
    inbox = folder_id(running, "INBOX")
    async with expecting(running.bus, Changes, lambda c: inbox in c.folders and c.messages_added) as added:
        append_messages(other_client(), "INBOX", [message(100, tag="new")])
    [new_id] = (await added).messages_added
    summary = running.store.reader.message(new_id)
    assert summary is not None and summary.message_id == "<newm100.INBOX@example.com>"
    # Its body follows at once: it is inside the sync window.
    await until(running.bus, lambda: running.store.reader.raw_message(new_id) is not None)


async def test_flag_changes_in_the_inbox_arrive_through_idle(running: SyncRun, other_client: OtherClient) -> None:
    imap = other_client()
    imap.select_folder("INBOX")
    [uid, *_] = imap.search("ALL")
    async with expecting(running.bus, Changes, lambda c: bool(c.messages_updated)) as updated:
        imap.add_flags([uid], ["\\Flagged", "\\Seen"])
    [changed] = (await updated).messages_updated
    summary = running.store.reader.message(changed)
    assert summary is not None and summary.is_flagged and summary.is_seen


async def test_flags_moves_and_expunges_from_another_client_arrive(running: SyncRun, other_client: OtherClient) -> None:
    imap = other_client()
    imap.select_folder("Work")
    work_uids = imap.search("ALL")
    imap.add_flags(work_uids[:1], ["\\Answered"])
    imap.move(work_uids[1:2], "INBOX")
    imap.select_folder("INBOX")
    inbox_uids = imap.search("ALL")
    imap.add_flags(inbox_uids[:2], ["\\Deleted"])
    imap.uid_expunge(inbox_uids[:2])
    imap.add_flags(inbox_uids[2:3], ["\\Seen"])
    imap.unselect_folder()

    await running.synced()
    server = server_mailbox(imap, ["INBOX", "Work"])
    local = local_mailbox(running.store, running.account.id)
    assert local.folders["INBOX"] == server.folders["INBOX"]
    assert local.folders["Work"] == server.folders["Work"]
    assert len(local.folders["INBOX"]) == 5  # 6 − 2 expunged + 1 moved in


async def test_a_resync_without_changes_changes_nothing(running: SyncRun) -> None:
    heard: list[Changes] = []
    unsubscribe = running.bus.subscribe(Changes, heard.append)
    try:
        await running.synced()
    finally:
        unsubscribe()
    assert [c for c in heard if not c.empty] == []


async def test_a_server_without_condstore_qresync_or_list_status_is_synced_by_comparison(
    imap: IMAPClient, new_run: NewRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    from realmail_desktop.sync import imap_commands

    def plain_imap4rev1(client: object) -> frozenset[str]:
        capabilities = frozenset(c.decode().upper() for c in client.capabilities())  # type: ignore[attr-defined]
        return capabilities - {"CONDSTORE", "QRESYNC", "LIST-STATUS", "LIST-EXTENDED", "MOVE", "IDLE"}

    monkeypatch.setattr(imap_commands, "enable_extensions", plain_imap4rev1)
    append_messages(imap, "INBOX", [message(n) for n in range(8)])
    run = await new_run()
    async with started(run):
        imap.select_folder("INBOX")
        uids = imap.search("ALL")
        imap.add_flags(uids[:3], ["\\Seen"])
        imap.add_flags(uids[3:5], ["\\Deleted"])
        imap.uid_expunge(uids[3:5])
        imap.unselect_folder()
        archive = run.store.reader.folder_by_path(run.account.id, "Archive")
        rows = dict(run.store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        await run.store.messages.move([rows["<m7.INBOX@example.com>"]], archive.id)  # type: ignore[union-attr]
        await run.synced()  # COPY + STORE \Deleted + UID EXPUNGE instead of MOVE
        server = server_mailbox(imap, ["INBOX", "Archive"])
        local = local_mailbox(run.store, run.account.id)
        assert local.folders["INBOX"] == server.folders["INBOX"] and len(server.folders["INBOX"]) == 5
        assert local.folders["Archive"] == server.folders["Archive"] == [("<m7.INBOX@example.com>", frozenset())]
