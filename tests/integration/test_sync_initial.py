"""The first sync of an IMAP account against a real Dovecot: folders and roles, every message with its flags
and body bytes, newest first, resumable after a stop at any point."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import TaskProgress
from realmail_desktop.store import FolderRole, Store
from tests.integration.conftest import NewRun, OtherClient, append_messages
from tests.integration.sync_support import (
    FAST,
    local_mailbox,
    message,
    next_event,
    server_mailbox,
    started,
    subscribed_folders,
    uids_unique,
)
from tests.servers.dovecot import ImapUser

pytestmark = pytest.mark.integration


def fill(client: OtherClient, user: ImapUser) -> None:
    imap = client(user)
    subscribed_folders(imap, "Work", "Work.Projects")
    imap.create_folder("Unsubscribed")
    append_messages(imap, "INBOX", [message(n, attachment=n % 7 == 0) for n in range(60)])
    append_messages(imap, "INBOX", [message(n, tag="seen") for n in range(10)], flags=["\\Seen"])
    append_messages(imap, "INBOX", [message(n, tag="old", days_ago=400) for n in range(5)], flags=["\\Flagged"])
    append_messages(imap, "Sent", [message(n, folder="Sent") for n in range(8)], flags=["\\Seen"])
    append_messages(imap, "Work.Projects", [message(n, folder="Projects") for n in range(12)], flags=["\\Answered"])
    append_messages(imap, "Unsubscribed", [message(1, folder="U")])


@pytest.mark.parametrize("in_process", [False, True], ids=["rows-on-a-thread", "rows-in-a-worker-process"])
async def test_initial_sync_equals_the_server(
    store: Store, imap_user: ImapUser, other_client: OtherClient, new_run: NewRun, in_process: bool
) -> None:
    fill(other_client, imap_user)
    run = await new_run(sync_window_days=0, options=replace(FAST, header_process_from=0 if in_process else None))
    worker = None
    if in_process:  # a sync this small would end before the worker is up: start it first
        run.service.header_reader.expect(1)
        assert await run.service.header_reader.started()
        worker = run.service.header_reader.worker_pid
    async with started(run):
        # Every header chunk read where it should be (7 chunks: 10 + 25 + 25 + 15 Inbox, then Sent and Work/Projects)
        assert run.service.header_reader.chunks_in_process == (7 if in_process else 0)
        folders = {f.remote_name: f for f in await store.read(lambda r: r.sync.folders(run.account.id))}
        assert set(folders) == {
            "INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive", "Work", "Work.Projects", "Unsubscribed"
        }  # fmt: skip
        assert not folders["Unsubscribed"].subscribed and not folders["Unsubscribed"].synced  # known, not synced
        assert folders["INBOX"].role is FolderRole.INBOX and folders["INBOX"].path == "Inbox"
        assert folders["Sent"].role is FolderRole.SENT and folders["Junk"].role is FolderRole.JUNK
        assert folders["Work.Projects"].path == "Work/Projects" and folders["Work.Projects"].role is None

        server = server_mailbox(other_client(), [name for name, f in folders.items() if f.synced])
        local = local_mailbox(store, run.account.id)
        assert local.folders == {**server.folders, "Unsubscribed": []}
        assert local.bodies == server.bodies  # sync window 0 = every body, byte for byte
        assert uids_unique(store, run.account.id)
        inbox = store.reader.folder(folders["INBOX"].id)
        assert inbox is not None and inbox.total_count == 75 and inbox.unread_count == 65
        attachments = store.db.reader.execute("SELECT COUNT(*) FROM attachments").fetchone()[0]
        assert attachments == 9  # messages 0, 7, … 56 of the Inbox carry a PDF
        hits = store.db.reader.execute("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'quokka7'")
        assert hits.fetchone()[0] >= 1
    if worker is not None:  # the service stopped: its worker process ended with it (and was reaped)
        with pytest.raises(ProcessLookupError):
            os.kill(worker, 0)


async def test_bodies_only_within_the_window_and_on_demand(store: Store, imap: IMAPClient, new_run: NewRun) -> None:
    append_messages(imap, "INBOX", [message(1, days_ago=2), message(2, days_ago=100)])
    run = await new_run(sync_window_days=30)
    async with started(run):
        rows = dict(store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        recent, old = rows["<m1.INBOX@example.com>"], rows["<m2.INBOX@example.com>"]
        assert store.reader.raw_message(recent) is not None
        assert store.reader.raw_message(old) is None
        await run.service.fetch_body(old)
        raw = store.reader.raw_message(old)
        assert raw is not None and b"Hello number 2" in raw
        assert store.reader.message(old).snippet.startswith("Hello number 2")  # type: ignore[union-attr]


async def test_initial_sync_resumes_after_a_stop_without_duplicates(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    append_messages(imap, "INBOX", [message(n) for n in range(120)], flags=["\\Seen"])
    run = await new_run()
    await run.service.start()
    # Stop right after the first chunk of headers is stored.
    await next_event(run.bus, TaskProgress, lambda p: p.label == "Syncing Inbox")
    await run.service.stop()
    inbox = next(f for f in await store.read(lambda r: r.sync.folders(run.account.id)) if f.remote_name == "INBOX")
    assert 0 < inbox.total_count < 120 and not inbox.headers_complete
    newest = store.db.reader.execute("SELECT MIN(uid) FROM messages WHERE folder_id = ?", (inbox.id,)).fetchone()[0]
    assert newest > 1  # newest first: the oldest UIDs are still to come

    append_messages(imap, "INBOX", [message(n, tag="late") for n in range(3)])
    async with started(run.restarted(), None) as again:
        await again.synced()
        assert local_mailbox(store, run.account.id).folders["INBOX"] == server_mailbox(imap, ["INBOX"]).folders["INBOX"]
        assert uids_unique(store, run.account.id)
