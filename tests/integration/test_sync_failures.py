"""When things go wrong: a folder recreated under a new UIDVALIDITY, connections cut in the middle of a FETCH,
the sync killed at random points, a wrong password, an untrusted certificate, and two accounts at once of
which one fails."""

from __future__ import annotations

import asyncio
import random

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.config import Settings
from realmail_desktop.core.errors import AuthenticationFailedError, CertificateError
from realmail_desktop.core.events import AccountAction, AccountState, AccountStatus, Changes, EventBus
from realmail_desktop.store import ImapSecurity, MessageQuery, Store
from realmail_desktop.sync import SyncService
from tests.integration.conftest import NewRun, OtherClient, append_messages
from tests.integration.sync_support import (
    FAST,
    local_mailbox,
    message,
    next_event,
    server_mailbox,
    start_sync,
    started,
    subscribed_folders,
    uids_unique,
    until,
)
from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.proxy import CuttingProxy

pytestmark = pytest.mark.integration


async def test_uidvalidity_change_keeps_rows_and_queued_flags_without_duplicates(
    store: Store, imap: IMAPClient, new_run: NewRun, cutting_proxy: CuttingProxy
) -> None:
    subscribed_folders(imap, "Work")
    raws = [message(n, folder="Work") for n in range(8)]
    append_messages(imap, "Work", raws, flags=["\\Seen"])
    run = await new_run(port=cutting_proxy.port, sync_window_days=0)
    async with started(run):
        rows_before = dict(store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        old_validity = store.db.reader.execute("SELECT uidvalidity FROM folders WHERE remote_name = 'Work'").fetchone()
        # Offline, the person stars a message; meanwhile the folder is recreated on the server with the same
        # messages, none of them read (a restore from backup, say).
        cutting_proxy.refuse(True)
        cutting_proxy.cut_all()
        await run.wait_state(AccountState.OFFLINE)
        await store.messages.set_flagged([rows_before["<m3.Work@example.com>"]], True)
        imap.delete_folder("Work")
        imap.create_folder("Work")
        append_messages(imap, "Work", raws)
        cutting_proxy.refuse(False)
        await run.synced()

        new_validity = store.db.reader.execute("SELECT uidvalidity FROM folders WHERE remote_name = 'Work'").fetchone()
        assert new_validity != old_validity
        assert uids_unique(store, run.account.id)
        rows_after = dict(store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        assert rows_after == rows_before  # the same rows (with their bodies), matched to the new UIDs
        server = server_mailbox(imap, ["Work"])
        assert local_mailbox(store, run.account.id).folders["Work"] == server.folders["Work"]
        flags = dict(server.folders["Work"])
        # The queued star reached the new folder (found by Message-ID); the rest follows the server: unread.
        assert flags["<m3.Work@example.com>"] == frozenset({"\\Flagged"})
        assert all(f == frozenset() for mid, f in flags.items() if mid != "<m3.Work@example.com>")
        assert store.reader.raw_message(rows_after["<m0.Work@example.com>"]) == raws[0]


async def test_connections_cut_mid_fetch_converge(
    store: Store, imap: IMAPClient, new_run: NewRun, cutting_proxy: CuttingProxy
) -> None:
    append_messages(imap, "INBOX", [message(n, attachment=n % 3 == 0) for n in range(150)])
    cutting_proxy.cut_after_bytes(15_000)  # every connection dies some kilobytes into the sync, mid-FETCH
    run = await new_run(port=cutting_proxy.port, sync_window_days=0)

    def stored() -> int:
        return int(store.db.reader.execute("SELECT COUNT(*) FROM messages").fetchone()[0])

    async with started(run, None):
        await until(run.bus, lambda: cutting_proxy.cuts >= 3 and stored() > 0)
        assert stored() < 150
        cutting_proxy.cut_after_bytes(None)
        await run.synced()
        server = server_mailbox(imap, ["INBOX"])
        local = local_mailbox(store, run.account.id)
        assert local.folders["INBOX"] == server.folders["INBOX"]
        assert local.bodies == server.bodies
        assert uids_unique(store, run.account.id)
        assert cutting_proxy.cuts >= 3


async def test_killed_at_random_points_the_sync_still_equals_the_server(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    subscribed_folders(imap, "Work")
    append_messages(imap, "INBOX", [message(n) for n in range(90)], flags=["\\Seen"])
    append_messages(imap, "Work", [message(n, folder="Work") for n in range(40)], flags=["\\Flagged"])
    run = await new_run(sync_window_days=0)
    rng = random.Random(3)
    for _round in range(4):
        service = run.restarted().service
        await service.start()
        # Kill after a random number of store writes (a header chunk, a body batch, a progress step).
        for _ in range(rng.randint(1, 6)):
            await next_event(run.bus, Changes, lambda c: not c.empty)
        await service.stop()
        imap.select_folder("INBOX")
        imap.add_flags(imap.search("ALL")[_round : _round + 1], ["\\Answered"])
    async with started(run.restarted(), None) as final:
        await final.synced()
        server = server_mailbox(imap, ["INBOX", "Work"])
        local = local_mailbox(store, run.account.id)
        assert local.folders["INBOX"] == server.folders["INBOX"]
        assert local.folders["Work"] == server.folders["Work"]
        assert local.bodies == server.bodies
        assert uids_unique(store, run.account.id)


async def test_a_wrong_password_is_a_known_error_and_asks_for_the_password(
    store: Store, bus: EventBus, dovecot: DovecotServer, imap_user: ImapUser
) -> None:
    service = SyncService(store, bus, lambda _id: "wrong", options=FAST)
    with pytest.raises(AuthenticationFailedError):
        await service.add_imap_account(
            name="x",
            address="x@example.com",
            host=dovecot.host,
            port=dovecot.port,
            security=ImapSecurity.NONE,
            username=imap_user.name,
            password="wrong",
        )
    assert store.reader.accounts() == []  # nothing saved

    run = await start_sync(store, bus, dovecot, imap_user)
    run.passwords[run.account.id] = "no longer right"
    async with started(run, None):
        status = await run.wait_state(AccountState.ERROR)
        assert status.action is AccountAction.REENTER_PASSWORD and "password" in status.hint
        assert isinstance(run.service.last_error(run.account.id), AuthenticationFailedError)
        run.passwords[run.account.id] = imap_user.password
        await run.service.retry(run.account.id)
        await run.wait_state(AccountState.IDLE)


async def test_an_untrusted_certificate_is_a_known_error_with_details(
    store: Store, bus: EventBus, dovecot: DovecotServer, imap_user: ImapUser
) -> None:
    arguments = {
        "name": "tls",
        "address": "t@example.com",
        "host": dovecot.host,
        "port": dovecot.tls_port,
        "security": ImapSecurity.TLS,
        "username": imap_user.name,
        "password": imap_user.password,
    }
    untrusting = SyncService(store, bus, lambda _id: imap_user.password, settings=Settings(), options=FAST)
    with pytest.raises(CertificateError) as caught:
        await untrusting.add_imap_account(**arguments)  # type: ignore[arg-type]
    assert "SHA-256 fingerprint" in caught.value.details and "BEGIN CERTIFICATE" in caught.value.details

    trusting = SyncService(
        store, bus, lambda _id: imap_user.password, settings=Settings(extra_ca_file=dovecot.ca_file), options=FAST
    )
    account = await trusting.add_imap_account(**arguments)  # type: ignore[arg-type]
    errored = asyncio.ensure_future(
        next_event(bus, AccountStatus, lambda s: s.account_id == account.id and s.state is AccountState.ERROR)
    )
    await untrusting.start()  # the same account, on a computer that does not trust the CA
    try:
        status = await errored
        assert status.action is AccountAction.VIEW_CERTIFICATE
        error = untrusting.last_error(account.id)
        assert isinstance(error, CertificateError) and "fingerprint" in error.details
    finally:
        await untrusting.stop()


async def test_an_untrusted_certificate_after_starttls_has_details_too(
    store: Store, bus: EventBus, dovecot: DovecotServer, imap_user: ImapUser
) -> None:
    untrusting = SyncService(store, bus, lambda _id: imap_user.password, settings=Settings(), options=FAST)
    with pytest.raises(CertificateError) as caught:
        await untrusting.add_imap_account(
            name="starttls",
            address="t@example.com",
            host=dovecot.host,
            port=dovecot.port,
            security=ImapSecurity.STARTTLS,
            username=imap_user.name,
            password=imap_user.password,
        )
    details = caught.value.details
    assert "SHA-256 fingerprint" in details and "BEGIN CERTIFICATE" in details
    assert store.reader.accounts() == []  # nothing saved for settings that did not log in


async def test_two_accounts_sync_at_once_and_one_failing_does_not_stop_the_other(
    store: Store, bus: EventBus, dovecot: DovecotServer, other_client: OtherClient
) -> None:
    users = [dovecot.add_user(), dovecot.add_user(), dovecot.add_user()]
    for count, user in zip((4, 7, 1), users, strict=True):
        append_messages(other_client(user), "INBOX", [message(n, tag=user.name) for n in range(count)])
    passwords: dict[int, str] = {}
    service = SyncService(store, bus, passwords.get, options=FAST)
    accounts = []
    for user in users:
        account = await service.add_imap_account(
            name=user.name,
            address=f"{user.name}@example.com",
            host=dovecot.host,
            port=dovecot.port,
            security="none",
            username=user.name,
            password=user.password,
        )
        passwords[account.id] = user.password
        accounts.append(account)
    passwords[accounts[2].id] = "wrong"

    def reaches(account_id: int, state: AccountState) -> asyncio.Future[object]:
        return asyncio.ensure_future(
            next_event(bus, AccountStatus, lambda s: s.account_id == account_id and s.state is state)
        )

    gathered = asyncio.gather(
        reaches(accounts[0].id, AccountState.IDLE),
        reaches(accounts[1].id, AccountState.IDLE),
        reaches(accounts[2].id, AccountState.ERROR),
    )
    await service.start()
    try:
        await gathered
        inboxes = store.reader.inbox_ids()
        assert len(inboxes) == 2  # the failing account never listed its folders
        assert store.reader.count(MessageQuery(inboxes)) == 11  # "All Inboxes" counts both accounts
    finally:
        await service.stop()
