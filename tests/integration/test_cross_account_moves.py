"""Moves between accounts against Dovecot (two users, two IMAP accounts in one SyncService, and a local
account): the row moves at once; the target server gets the raw message by APPEND with its flags and
INTERNALDATE (the body fetched from the source server when it was not stored), then the source copy is
deleted; a retry never appends twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import AccountState
from realmail_desktop.store import Account, FolderRole, ImapSecurity, Store
from tests.integration.conftest import NewRun, OtherClient, append_messages
from tests.integration.sync_support import SyncRun, folder_id, message, started
from tests.servers.dovecot import DovecotServer

pytestmark = pytest.mark.integration
WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class TwoAccounts:
    run: SyncRun  # the first user's account, its service running
    second: Account  # the second user's account, synced by the same service
    first_client: IMAPClient
    second_client: IMAPClient


@pytest.fixture
async def two(
    store: Store, dovecot: DovecotServer, imap: IMAPClient, new_run: NewRun, other_client: OtherClient
) -> AsyncIterator[TwoAccounts]:
    other_user = dovecot.add_user()
    second_client = other_client(other_user)
    append_messages(imap, "INBOX", [message(0, days_ago=100)], flags=["\\Flagged", "$Label1"], msg_time=WHEN)
    append_messages(imap, "INBOX", [message(1)], flags=["\\Seen"])
    run = await new_run(sync_window_days=30)  # message 0 is older: its body is not stored
    async with started(run):
        second = await run.service.add_imap_account(
            name=other_user.name,
            address=f"{other_user.name}@example.com",
            host=dovecot.host,
            port=dovecot.port,
            security=ImapSecurity.NONE,
            username=other_user.name,
            password=other_user.password,
        )
        run.passwords[second.id] = other_user.password
        await run.service.check_now(second.id)
        yield TwoAccounts(run, second, imap, second_client)


def server_copies(client: IMAPClient, folder: str) -> dict[str, tuple[set[str], datetime]]:
    client.select_folder(folder, readonly=True)
    fetched = client.fetch(client.search("ALL"), ["FLAGS", "INTERNALDATE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    client.unselect_folder()
    copies = {}
    for values in fetched.values():
        mid = values[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
        copies[mid] = ({f.decode() for f in values[b"FLAGS"]} - {"\\Recent"}, values[b"INTERNALDATE"])
    return copies


def row(store: Store, mid: str) -> tuple[int, int, int | None, int]:
    found = store.db.reader.execute(
        "SELECT id, folder_id, uid, account_id FROM messages WHERE message_id = ?", (mid,)
    ).fetchone()
    return (int(found[0]), int(found[1]), found[2], int(found[3]))


async def test_imap_to_imap_appends_with_flags_and_date_then_deletes_the_source(store: Store, two: TwoAccounts) -> None:
    run = two.run
    first = "<m0.INBOX@example.com>"
    message_row, *_ = row(store, first)
    assert store.reader.raw_message(message_row) is None  # outside the window: fetched from the source server
    target = store.reader.folder_by_role(two.second.id, FolderRole.INBOX)
    assert target is not None
    changes = await store.messages.move([message_row], target.id)
    assert changes.remote_ops_queued == {two.second.id}
    assert row(store, first)[1:4:2] == (target.id, two.second.id)  # at once, locally

    await run.service.check_now(two.second.id)
    await run.service.check_now(run.account.id)
    assert first not in server_copies(two.first_client, "INBOX")
    flags, internaldate = server_copies(two.second_client, "INBOX")[first]
    assert flags == {"\\Flagged", "$Label1"}
    assert internaldate.astimezone(UTC) == WHEN
    assert row(store, first)[2] is not None  # named by its new UID (APPENDUID)
    for account in (run.account.id, two.second.id):
        assert await store.read(lambda r, a=account: r.sync.pending_ops(a)) == []  # type: ignore[misc]
    assert store.db.reader.execute("SELECT COUNT(*) FROM messages WHERE message_id = ?", (first,)).fetchone()[0] == 1


async def test_a_retry_does_not_append_twice(store: Store, two: TwoAccounts) -> None:
    run = two.run
    second = "<m1.INBOX@example.com>"
    message_row, *_ = row(store, second)
    raw = store.reader.raw_message(message_row)
    assert raw is not None
    target = store.reader.folder_by_role(two.second.id, FolderRole.INBOX)
    assert target is not None
    await run.service.stop()
    await store.messages.move([message_row], target.id)
    # As if an earlier try had appended it and then lost the connection before recording that.
    append_messages(two.second_client, "INBOX", [raw], flags=["\\Seen"])
    async with started(run.restarted()) as again:
        await again.service.check_now(two.second.id)
        await again.service.check_now(run.account.id)
        two.second_client.select_folder("INBOX", readonly=True)
        assert len(two.second_client.search("ALL")) == 1  # one copy, not two
        two.second_client.unselect_folder()
        assert list(server_copies(two.second_client, "INBOX")) == [second]
        assert second not in server_copies(two.first_client, "INBOX")
        assert row(store, second)[2] is not None


async def test_to_and_from_a_local_account(store: Store, two: TwoAccounts, local_account: Account) -> None:
    run = two.run
    first = "<m0.INBOX@example.com>"
    message_row, *_ = row(store, first)
    local_inbox = store.reader.folder_by_role(local_account.id, FolderRole.INBOX)
    assert local_inbox is not None
    # IMAP → local: the body is fetched before the server copy goes.
    await store.messages.move([message_row], local_inbox.id)
    await run.service.check_now(run.account.id)
    assert first not in server_copies(two.first_client, "INBOX")
    raw = store.reader.raw_message(message_row)
    assert raw is not None and b"quokka0" in raw
    # Local → IMAP: appended to the target's Archive.
    archive = folder_id(run, "Archive")
    await store.messages.move([message_row], archive)
    await run.service.check_now(run.account.id)
    assert first in server_copies(two.first_client, "Archive")
    status = run.service.status(run.account.id)
    assert status is not None and status.state is AccountState.IDLE
    _, folder, uid, account = row(store, first)
    assert (folder, account) == (archive, run.account.id) and uid is not None
