"""What the person does — read, star, move, delete, delete for good — shows locally at once and reaches the
server: right away when connected, and after a reconnect (and even a restart) when the server was down."""

from __future__ import annotations

import logging

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import AccountState, TaskFinished
from realmail_desktop.store import Store
from realmail_desktop.sync.replay import ActionReplay
from tests.integration.conftest import NewRun, append_messages
from tests.integration.sync_support import (
    SyncRun,
    expecting,
    folder_id,
    local_mailbox,
    message,
    server_mailbox,
    started,
    subscribed_folders,
)
from tests.servers.proxy import CuttingProxy

pytestmark = pytest.mark.integration


def ids_by_message_id(run: SyncRun) -> dict[str, int]:
    rows = run.store.db.reader.execute("SELECT message_id, id FROM messages WHERE account_id = ?", (run.account.id,))
    return dict(rows.fetchall())


async def act(run: SyncRun) -> None:
    """Read one, star one, archive one, delete one to Trash, and delete one for good (from Trash)."""
    ids = ids_by_message_id(run)
    messages = run.store.messages
    await messages.set_seen([ids["<m0.INBOX@example.com>"]], True)
    await messages.set_flagged([ids["<m1.INBOX@example.com>"]], True)
    await messages.move([ids["<m2.INBOX@example.com>"]], folder_id(run, "Archive"))
    await messages.delete_to_trash([ids["<m3.INBOX@example.com>"]])
    await messages.delete_to_trash([ids["<m4.INBOX@example.com>"]])
    await messages.delete_to_trash([ids["<m4.INBOX@example.com>"]])  # now in Trash: gone for good
    # A message moved twice before the server heard of the first move: found again by its Message-ID.
    await messages.move([ids["<m5.INBOX@example.com>"]], folder_id(run, "Archive"))
    await messages.move([ids["<m5.INBOX@example.com>"]], folder_id(run, "Junk"))


def expected_server(imap: object) -> dict[str, list[tuple[str, frozenset[str]]]]:
    return {
        "INBOX": [
            ("<m0.INBOX@example.com>", frozenset({"\\Seen"})),
            ("<m1.INBOX@example.com>", frozenset({"\\Flagged"})),
        ],
        "Archive": [("<m2.INBOX@example.com>", frozenset())],
        "Trash": [("<m3.INBOX@example.com>", frozenset())],
        "Junk": [("<m5.INBOX@example.com>", frozenset())],
    }


FOLDERS = ["INBOX", "Archive", "Trash", "Junk"]


async def test_actions_reach_the_server_at_once(store: Store, imap: IMAPClient, new_run: NewRun) -> None:
    append_messages(imap, "INBOX", [message(n) for n in range(6)])
    run = await new_run()
    async with started(run):
        async with expecting(run.bus, TaskFinished, lambda t: t.label == ActionReplay.REPLAYED):
            await act(run)
        # Replays may come in several rounds (one per wake-up): wait until the queue is empty.
        await run.synced()
        assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        server = server_mailbox(imap, FOLDERS)
        assert server.folders == expected_server(imap)
        assert local_mailbox(store, run.account.id).folders == {**server.folders, "Drafts": [], "Sent": []}
        # The moved messages got their new UIDs from COPYUID (or by matching): none is left without one.
        unmatched = store.db.reader.execute("SELECT COUNT(*) FROM messages WHERE uid IS NULL").fetchone()[0]
        assert unmatched == 0


async def test_actions_queued_while_the_server_is_down_reach_it_later(
    store: Store, imap: IMAPClient, new_run: NewRun, cutting_proxy: CuttingProxy
) -> None:
    append_messages(imap, "INBOX", [message(n) for n in range(6)])
    run = await new_run(port=cutting_proxy.port)
    async with started(run):
        cutting_proxy.refuse(True)
        cutting_proxy.cut_all()
        await run.wait_state(AccountState.OFFLINE)
        await act(run)
        # Shown at once, locally…
        ids = ids_by_message_id(run)
        assert store.reader.message(ids["<m0.INBOX@example.com>"]).is_seen  # type: ignore[union-attr]
        assert "<m4.INBOX@example.com>" not in ids
    # …kept across a restart…
    assert len(await store.read(lambda r: r.sync.pending_ops(run.account.id))) == 8
    assert server_mailbox(imap, ["INBOX"]).folders["INBOX"][0][1] == frozenset()

    async with started(run.restarted(), AccountState.OFFLINE) as again:
        cutting_proxy.refuse(False)
        await again.synced()  # …and on the server once it is back
        assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        assert server_mailbox(imap, FOLDERS).folders == expected_server(imap)


async def test_folders_created_renamed_and_deleted_here_change_on_the_server(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    subscribed_folders(imap, "Old")
    append_messages(imap, "Old", [message(1, folder="Old")])
    run = await new_run()
    async with started(run):
        accounts = store.accounts
        await accounts.create_folder(run.account.id, "Projects/2025")
        await accounts.rename_folder(folder_id(run, "Old"), "Kept")
        doomed, _ = await accounts.create_folder(run.account.id, "Scratch")
        await accounts.delete_folder(doomed.id)
        await run.synced()
        names = {name for _flags, _delim, name in imap.list_folders()}
        assert {"Projects.2025", "Kept"} <= names and not {"Old", "Scratch"} & names
        local = {f.remote_name: f for f in await store.read(lambda r: r.sync.folders(run.account.id))}
        assert local["Kept"].path == "Kept" and local["Kept"].total_count == 1
        assert local["Projects.2025"].path == "Projects/2025"
        assert "Scratch" not in local and "Old" not in local


async def test_empty_trash_expunges_it_on_the_server(store: Store, imap: IMAPClient, new_run: NewRun) -> None:
    append_messages(imap, "INBOX", [message(n) for n in range(3)])
    append_messages(imap, "Trash", [message(n + 10) for n in range(4)])
    run = await new_run()
    async with started(run):
        trash = folder_id(run, "Trash")
        assert store.reader.folder(trash).total_count == 4  # type: ignore[union-attr]
        async with expecting(run.bus, TaskFinished, lambda t: t.label == ActionReplay.REPLAYED):
            await store.messages.empty_folder(trash)
        await run.synced()
        assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        server = server_mailbox(imap, ["INBOX", "Trash"])
        assert server.folders["Trash"] == []
        assert len(server.folders["INBOX"]) == 3
        assert store.reader.folder(trash).total_count == 0  # type: ignore[union-attr]


async def test_a_move_queued_around_a_queued_rename_of_its_destination_replays(
    store: Store, imap: IMAPClient, new_run: NewRun, cutting_proxy: CuttingProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """Queued while offline, in this order: move into "Projects", rename "Projects" → "Clients", move into
    "Clients". The first move must go to the name the server has before the rename replays — at once, not
    after the server refused it once (a refusal would only converge through the retry)."""
    caplog.set_level(logging.INFO, logger="realmail")
    subscribed_folders(imap, "Projects")
    append_messages(imap, "INBOX", [message(n) for n in range(2)])
    run = await new_run(port=cutting_proxy.port)
    async with started(run):
        cutting_proxy.refuse(True)
        cutting_proxy.cut_all()
        await run.wait_state(AccountState.OFFLINE)
        ids = ids_by_message_id(run)
        projects = folder_id(run, "Projects")
        await store.messages.move([ids["<m0.INBOX@example.com>"]], projects)
        await store.accounts.rename_folder(projects, "Clients")
        await store.messages.move([ids["<m1.INBOX@example.com>"]], projects)  # the same folder, renamed
        cutting_proxy.refuse(False)
        await run.synced()
        assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        names = {name for _flags, _delim, name in imap.list_folders()}
        assert "Clients" in names and "Projects" not in names
        server = server_mailbox(imap, ["INBOX", "Clients"])
        assert server.folders == {
            "INBOX": [],
            "Clients": [("<m0.INBOX@example.com>", frozenset()), ("<m1.INBOX@example.com>", frozenset())],
        }
        local = local_mailbox(store, run.account.id)
        assert local.folders["Clients"] == server.folders["Clients"] and local.folders["INBOX"] == []
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage() or "giving up" in r.getMessage()]
    assert refused == []
