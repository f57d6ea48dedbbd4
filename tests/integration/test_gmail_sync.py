"""Gmail over IMAP against the fake Gmail server (tests/servers/gmail_imap.py, real sockets on 127.0.0.1): All
Mail synced once with labels as folders, labels changed elsewhere and here, moves between labels, Gmail's
thread ids, and no APPEND to Sent."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.config import Settings
from realmail_desktop.core.events import EventBus
from realmail_desktop.send import SendService
from realmail_desktop.store import (
    ImapAuth,
    ImapSecurity,
    MessageQuery,
    OutboxState,
    OutgoingMessage,
    RemoteOpKind,
    SmtpSettings,
    SortOrder,
    Store,
)
from realmail_desktop.store.search_query import parse_search
from realmail_desktop.sync import SyncService
from tests.integration.sync_support import FAST, SyncRun, message, started
from tests.servers.gmail_imap import ALL_MAIL, FakeGmailImap, running_gmail_imap
from tests.servers.smtp import running_smtp

pytestmark = pytest.mark.integration


@pytest.fixture
def gmail() -> Iterator[FakeGmailImap]:
    with running_gmail_imap() as server:
        yield server


@pytest.fixture
async def run(store: Store, bus: EventBus, gmail: FakeGmailImap) -> AsyncIterator[SyncRun]:
    passwords: dict[int, str] = {}
    service = SyncService(store, bus, passwords.get, options=FAST)
    account = await service.add_imap_account(
        name="Ann",
        address="ann@example.com",
        host=gmail.host,
        port=gmail.port,
        security=ImapSecurity.NONE,
        username="ann@example.com",
        password=gmail.password,
        sync_window_days=30,
    )
    passwords[account.id] = gmail.password
    sync_run = SyncRun(store, bus, service, account, passwords)
    async with started(sync_run):
        yield sync_run


def other_client(gmail: FakeGmailImap) -> IMAPClient:
    client = IMAPClient(gmail.host, port=gmail.port, ssl=False, timeout=10)
    client.login("ann@example.com", gmail.password)
    return client


def folder(store: Store, account_id: int, remote_name: str) -> int:
    row = store.db.reader.execute(
        "SELECT id FROM folders WHERE account_id = ? AND remote_name = ?", (account_id, remote_name)
    ).fetchone()
    return int(row[0])


def listed(store: Store, folder_id: int) -> list[str]:
    """Message-IDs a folder's list shows, as the message list reads them (sorted)."""
    query = MessageQuery((folder_id,))
    total = store.reader.count(query)
    return sorted(m.message_id for m in store.reader.page(query, SortOrder(), 0, 100, total))


def row_of(store: Store, message_id: str) -> int:
    rows = store.db.reader.execute("SELECT id FROM messages WHERE message_id = ?", (message_id,)).fetchall()
    assert len(rows) == 1, f"{message_id} is stored {len(rows)} times"
    return int(rows[0][0])


def mid(n: int) -> str:
    return f"<m{n}.INBOX@example.com>"


def fill(gmail: FakeGmailImap) -> None:
    labels: list[tuple[str, ...]] = [
        ("\\Inbox", "Work"),
        ("\\Inbox",),
        ("Work", "\\Important"),
        (),  # archived: only in All Mail
        ("\\Sent",),
    ]
    for n, wanted in enumerate(labels, start=1):
        gmail.store.add(message(n, attachment=n == 3), wanted)
    gmail.store.add(message(6), ("\\Trash",))


async def test_initial_sync_lists_each_message_in_each_label_folder_but_stores_and_fetches_it_once(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, work = folder(store, account, "INBOX"), folder(store, account, "Work")
    important, sent = folder(store, account, "[Gmail]/Important"), folder(store, account, "[Gmail]/Sent Mail")
    all_mail, trash = folder(store, account, ALL_MAIL), folder(store, account, "[Gmail]/Trash")

    assert listed(store, inbox) == sorted([mid(1), mid(2)])
    assert listed(store, work) == sorted([mid(1), mid(3)])
    assert listed(store, important) == [mid(3)]
    assert listed(store, sent) == [mid(5)]
    assert listed(store, all_mail) == sorted(mid(n) for n in range(1, 6))
    assert listed(store, trash) == [mid(6)]
    # Stored once: one row and one body per message, every row in All Mail or Trash (none in a label folder).
    rows = store.db.reader.execute(
        "SELECT m.folder_id, COUNT(*), COUNT(DISTINCT m.message_id), COUNT(b.message_id) FROM messages m"
        " LEFT JOIN message_bodies b ON b.message_id = m.id WHERE m.account_id = ? GROUP BY m.folder_id",
        (account,),
    ).fetchall()
    assert sorted(tuple(r) for r in rows) == sorted([(all_mail, 5, 5, 5), (trash, 1, 1, 1)])
    # The counters the folder tree shows follow the labels.
    counts = {
        fid: (total, unread)
        for fid, total, unread in store.db.reader.execute(
            "SELECT id, total_count, unread_count FROM folders WHERE account_id = ?", (account,)
        )
    }
    assert counts[inbox] == (2, 2)
    assert counts[work] == (2, 2)
    assert counts[all_mail] == (5, 5)
    attached = store.db.reader.execute("SELECT message_id FROM messages WHERE has_attachments = 1").fetchall()
    assert attached == [(mid(3),)]
    # Fetched once: no label mailbox was synced, and no body went out twice.
    synced = {name for command, name in gmail.selects if command == "SELECT"}
    assert synced <= {ALL_MAIL, "[Gmail]/Trash", "[Gmail]/Spam"}
    assert sorted(gmail.bodies_served.values()) == [1] * 6

    # A second sync changes nothing: All Mail is not duplicated.
    await run.synced()
    assert store.db.reader.execute("SELECT COUNT(*) FROM messages WHERE account_id = ?", (account,)).fetchone() == (6,)
    assert listed(store, inbox) == sorted([mid(1), mid(2)])


async def test_a_label_added_and_taken_off_by_another_client_shows_up(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, work = folder(store, account, "INBOX"), folder(store, account, "Work")
    client = other_client(gmail)
    try:
        client.select_folder(ALL_MAIL)
        (uid,) = client.search(["HEADER", "Message-ID", mid(2)])
        client.add_gmail_labels([uid], ["Work"])
        client.remove_gmail_labels([uid], ["\\Inbox"])
    finally:
        client.logout()
    await run.synced()
    assert listed(store, work) == sorted([mid(1), mid(2), mid(3)])
    assert listed(store, inbox) == [mid(1)]
    row_of(store, mid(2))  # still one row


async def test_labelling_here_reaches_the_server(store: Store, gmail: FakeGmailImap, run: SyncRun) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, work = folder(store, account, "INBOX"), folder(store, account, "Work")
    important = folder(store, account, "[Gmail]/Important")
    row = row_of(store, mid(2))

    changes = await store.gmail.change_labels([row], add=[work, important], remove=[inbox])
    assert account in changes.remote_ops_queued
    assert listed(store, work) == sorted([mid(1), mid(2), mid(3)])  # at once, before the server knows
    assert listed(store, inbox) == [mid(1)]
    assert [op.kind for op in store.reader.sync.pending_ops(account)] == [RemoteOpKind.LABELS]

    await run.synced()
    assert store.reader.sync.pending_ops(account) == []
    assert gmail.store.by_message_id(mid(2)).labels == {"Work", "\\Important"}
    assert listed(store, work) == sorted([mid(1), mid(2), mid(3)])  # the next fetch agrees
    assert listed(store, inbox) == [mid(1)]


async def test_moving_between_labels_is_a_label_change(store: Store, gmail: FakeGmailImap, run: SyncRun) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, work = folder(store, account, "INBOX"), folder(store, account, "Work")
    all_mail = folder(store, account, ALL_MAIL)
    row = row_of(store, mid(2))

    await store.messages.move([row], work, from_folder=inbox)
    assert listed(store, work) == sorted([mid(1), mid(2), mid(3)])
    assert listed(store, inbox) == [mid(1)]
    await run.synced()
    assert gmail.store.by_message_id(mid(2)).labels == {"Work"}
    assert row_of(store, mid(2)) == row  # the same row, still in All Mail
    assert store.reader.message(row) is not None
    assert store.reader.message(row).folder_id == all_mail  # type: ignore[union-attr]

    # Out of a label into All Mail: Gmail's archive.
    await store.messages.move([row], all_mail, from_folder=work)
    await run.synced()
    assert gmail.store.by_message_id(mid(2)).labels == set()
    assert mid(2) not in listed(store, work)
    assert mid(2) in listed(store, all_mail)


def _plain(n: int, subject: str) -> bytes:
    return (
        f"From: Bob <bob@example.com>\r\nTo: Ann <ann@example.com>\r\nSubject: {subject}\r\n"
        f"Date: Sat, 21 Nov 2026 1{n}:00:00 +0000\r\nMessage-ID: <t{n}@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nNo References here.\r\n"
    ).encode()


async def test_gmail_thread_ids_group_a_conversation_without_references(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    gmail.store.add(_plain(1, "Lunch on Friday?"), thrid=777)
    gmail.store.add(_plain(2, "Totally different words"), thrid=777)
    gmail.store.add(_plain(3, "Lunch on Friday?"), thrid=888)  # same subject, another Gmail thread
    await run.synced()
    threads = dict(store.db.reader.execute("SELECT message_id, thread_id FROM messages").fetchall())
    assert threads["<t1@example.com>"] == threads["<t2@example.com>"]
    assert threads["<t3@example.com>"] != threads["<t1@example.com>"]
    # The Inbox (a label folder) groups them by conversation too: two rows for three messages.
    inbox = folder(store, run.account.id, "INBOX")
    grouped = MessageQuery((inbox,), threads=True)
    assert store.reader.count(grouped) == 2
    rows = store.reader.page(grouped, SortOrder(), 0, 10)
    assert sorted(r.message_count for r in rows) == [1, 2]  # type: ignore[attr-defined]
    # Acting on a conversation row of the Inbox acts on its messages there.
    first, second = row_of(store, "<t1@example.com>"), row_of(store, "<t2@example.com>")
    assert store.reader.threads.folder_messages([first], (inbox,)) == sorted([first, second])

    gmail.store.add(_plain(4, "Late reply"), thrid=888)  # a later message joins its Gmail thread
    await run.synced()
    threads = dict(store.db.reader.execute("SELECT message_id, thread_id FROM messages").fetchall())
    assert threads["<t4@example.com>"] == threads["<t3@example.com>"]
    assert store.reader.count(grouped) == 2
    await store.messages.set_seen([row_of(store, "<t4@example.com>")], True)
    rows = store.reader.page(grouped, SortOrder(), 0, 10)
    assert sorted((r.message_count, r.unread_count) for r in rows) == [(2, 1), (2, 2)]  # type: ignore[attr-defined]


async def test_nothing_is_appended_to_sent_for_gmail(
    store: Store, bus: EventBus, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    with running_smtp(users={"ann@example.com": gmail.password}) as smtp:
        await store.sending.set_smtp_settings(
            account, SmtpSettings(host=smtp.host, port=smtp.port, security=ImapSecurity.STARTTLS)
        )
        sending = store.reader.outbox.sending_account(account)
        assert sending is not None
        assert sending.server_files_sent is True  # found by the sync (X-GM-EXT-1), not by the host name
        service = SendService(store, bus, run.passwords.get, settings=Settings(extra_ca_file=smtp.ca_file))
        await service.start()
        try:
            raw = (
                b"From: ann@example.com\r\nTo: bob@example.com\r\nSubject: Hello\r\n"
                b"Message-ID: <sent-1@realmail.test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
                b"Content-Type: text/plain; charset=utf-8\r\n\r\nHi!\r\n"
            )
            outbox_id, _ = await store.outbox.enqueue(
                OutgoingMessage(
                    account_id=account,
                    raw=raw,
                    message_id="<sent-1@realmail.test>",
                    mail_from="ann@example.com",
                    recipients=("bob@example.com",),
                    send_at=time.time(),
                )
            )
            await service.settle()
            item = store.reader.outbox.item(outbox_id)
            assert item is not None
            assert item.state is OutboxState.SENT
            assert [r.data for r in smtp.accepted()] == [raw]
        finally:
            await service.stop()
    assert all(op.kind is not RemoteOpKind.APPEND for op in store.reader.sync.pending_ops(account))
    # Gmail files the relayed message in Sent Mail itself (as the real one does): the sync then shows that
    # copy in Sent, once, in place of the local one.
    gmail.store.add(raw, ("\\Sent",))
    await run.synced()
    assert "APPEND" not in gmail.commands
    assert gmail.appended == []
    sent = folder(store, account, "[Gmail]/Sent Mail")
    assert listed(store, sent) == sorted([mid(5), "<sent-1@realmail.test>"])
    row_of(store, "<sent-1@realmail.test>")


async def test_reading_a_message_updates_every_label_folder_count(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, work = folder(store, account, "INBOX"), folder(store, account, "Work")

    def unread(folder_id: int) -> int:
        return int(store.db.reader.execute("SELECT unread_count FROM folders WHERE id = ?", (folder_id,)).fetchone()[0])

    assert (unread(inbox), unread(work)) == (2, 2)
    await store.messages.set_seen([row_of(store, mid(1))], True)  # labelled Inbox and Work
    assert (unread(inbox), unread(work)) == (1, 1)
    await run.synced()
    assert "\\Seen" in gmail.store.by_message_id(mid(1)).flags
    assert (unread(inbox), unread(work)) == (1, 1)


async def test_starring_shows_in_starred_at_once_and_reaches_gmail(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    starred = folder(store, run.account.id, "[Gmail]/Starred")
    assert listed(store, starred) == []
    await store.messages.set_flagged([row_of(store, mid(4))], True)  # the archived one
    assert listed(store, starred) == [mid(4)]
    await run.synced()
    assert "\\Flagged" in gmail.store.by_message_id(mid(4)).flags
    assert listed(store, starred) == [mid(4)]
    await store.messages.set_flagged([row_of(store, mid(4))], False)
    assert listed(store, starred) == []


async def test_signed_in_with_google_the_sync_logs_in_with_xoauth2(
    store: Store, bus: EventBus, gmail: FakeGmailImap
) -> None:
    gmail.store.add(message(1), ("\\Inbox",))
    asked: list[tuple[int, bool]] = []

    def token_for(account_id: int, renew: bool) -> str:
        asked.append((account_id, renew))
        return gmail.token

    service = SyncService(store, bus, {}.get, options=FAST, token_for=token_for)
    account = await service.add_imap_account(
        name="Google",
        address="ann@gmail.com",
        host=gmail.host,
        port=gmail.port,
        security=ImapSecurity.NONE,
        username="ann@gmail.com",
        password=gmail.token,
        auth=ImapAuth.XOAUTH2,
    )
    async with started(SyncRun(store, bus, service, account)) as signed_in:
        await signed_in.synced()
        assert listed(store, folder(store, account.id, "INBOX")) == [mid(1)]
    assert "AUTHENTICATE" in gmail.commands
    assert "LOGIN" not in gmail.commands
    assert asked
    assert asked[0] == (account.id, False)


async def test_a_message_moved_out_of_trash_into_the_inbox_really_moves_and_is_listed_once(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, trash = folder(store, account, "INBOX"), folder(store, account, "[Gmail]/Trash")
    await store.messages.move([row_of(store, mid(6))], inbox, from_folder=trash)
    assert mid(6) in listed(store, inbox)  # at once, standing in until All Mail has it
    assert listed(store, trash) == []
    await run.synced()
    assert gmail.store.by_message_id(mid(6)).labels == {"\\Inbox"}
    assert listed(store, inbox) == sorted([mid(1), mid(2), mid(6)])
    assert listed(store, folder(store, account, ALL_MAIL)) == sorted(mid(n) for n in range(1, 7))
    row_of(store, mid(6))  # one row: the stand-in gave way to the All Mail copy


async def test_search_in_a_label_folder_finds_the_all_mail_rows_it_shows(
    store: Store, gmail: FakeGmailImap, run: SyncRun
) -> None:
    fill(gmail)
    await run.synced()
    account = run.account.id
    inbox, work = folder(store, account, "INBOX"), folder(store, account, "Work")

    def found(folder_id: int, text: str) -> list[str]:
        query = MessageQuery((folder_id,), search=parse_search(text))
        total = store.reader.count(query)
        return sorted(m.message_id for m in store.reader.page(query, SortOrder(), 0, 100, total))

    assert found(inbox, "hello") == sorted([mid(1), mid(2)])  # every message says "Hello number N"
    assert found(work, "quokka3") == [mid(3)]
    assert found(inbox, "quokka3") == []  # message 3 is not labelled Inbox
    assert found(work, "has:attachment") == [mid(3)]
