"""What the person does — read, star, move, delete, delete for good — shows locally at once and reaches the
server: right away when connected, and after a reconnect (and even a restart) when the server was down."""

from __future__ import annotations

import pytest

from realmail_desktop.core.events import AccountState, EventBus, TaskFinished
from realmail_desktop.store import Store
from realmail_desktop.sync.replay import ActionReplay
from tests.integration.conftest import OtherClient, append_messages
from tests.integration.sync_support import (
    SyncRun,
    expecting,
    local_mailbox,
    message,
    server_mailbox,
    start_sync,
)
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.proxy import CuttingProxy

pytestmark = pytest.mark.integration


def ids_by_message_id(run: SyncRun) -> dict[str, int]:
    rows = run.store.db.reader.execute("SELECT message_id, id FROM messages WHERE account_id = ?", (run.account.id,))
    return dict(rows.fetchall())


def folder_id(run: SyncRun, remote_name: str) -> int:
    row = run.store.db.reader.execute(
        "SELECT id FROM folders WHERE account_id = ? AND remote_name = ?", (run.account.id, remote_name)
    ).fetchone()
    return int(row[0])


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


async def test_actions_reach_the_server_at_once(
    store: Store, bus: EventBus, dovecot: DovecotServer, imap_user: ImapUser, other_client: OtherClient
) -> None:
    imap = other_client()
    append_messages(imap, "INBOX", [message(n) for n in range(6)])
    run = await start_sync(store, bus, dovecot, imap_user)
    await run.service.start()
    try:
        await run.wait_state(AccountState.IDLE)
        async with expecting(bus, TaskFinished, lambda t: t.label == ActionReplay.REPLAYED):
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
    finally:
        await run.service.stop()


async def test_actions_queued_while_the_server_is_down_reach_it_later(
    store: Store,
    bus: EventBus,
    dovecot: DovecotServer,
    imap_user: ImapUser,
    other_client: OtherClient,
    cutting_proxy: CuttingProxy,
) -> None:
    imap = other_client()
    append_messages(imap, "INBOX", [message(n) for n in range(6)])
    run = await start_sync(store, bus, dovecot, imap_user, port=cutting_proxy.port)
    await run.service.start()
    try:
        await run.wait_state(AccountState.IDLE)
        cutting_proxy.refuse(True)
        cutting_proxy.cut_all()
        await run.wait_state(AccountState.OFFLINE)
        await act(run)
        # Shown at once, locally…
        ids = ids_by_message_id(run)
        assert store.reader.message(ids["<m0.INBOX@example.com>"]).is_seen  # type: ignore[union-attr]
        assert "<m4.INBOX@example.com>" not in ids
    finally:
        await run.service.stop()
    # …kept across a restart…
    assert len(await store.read(lambda r: r.sync.pending_ops(run.account.id))) == 8
    assert server_mailbox(imap, ["INBOX"]).folders["INBOX"][0][1] == frozenset()

    again = run.restarted()
    await again.service.start()
    try:
        await again.wait_state(AccountState.OFFLINE)
        cutting_proxy.refuse(False)
        await again.synced()  # …and on the server once it is back
        assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        assert server_mailbox(imap, FOLDERS).folders == expected_server(imap)
    finally:
        await again.service.stop()


async def test_folders_created_renamed_and_deleted_here_change_on_the_server(
    store: Store, bus: EventBus, dovecot: DovecotServer, imap_user: ImapUser, other_client: OtherClient
) -> None:
    imap = other_client()
    imap.create_folder("Old")
    imap.subscribe_folder("Old")
    append_messages(imap, "Old", [message(1, folder="Old")])
    run = await start_sync(store, bus, dovecot, imap_user)
    await run.service.start()
    try:
        await run.wait_state(AccountState.IDLE)
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
    finally:
        await run.service.stop()
