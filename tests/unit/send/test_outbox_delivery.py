"""The sender service against a real aiosmtpd: exact bytes, envelope, retries, failures, undo, send later,
pool reuse, priorities, flags on the original, XOAUTH2."""

from __future__ import annotations

import asyncio

import pytest

from realmail_desktop.core.events import EventBus, OutboxStatus
from realmail_desktop.send import SendOptions
from realmail_desktop.store import (
    Account,
    FolderRole,
    ImapSecurity,
    ImapSettings,
    NewMessage,
    OutboxState,
    RemoteOpKind,
    SmtpAuth,
    SmtpSettings,
    Store,
    TooLateError,
)
from tests.servers.smtp import SmtpServer, running_smtp
from tests.unit.send.conftest import FAST, FakeClock, NewService, outgoing


async def test_the_server_receives_exactly_the_queued_bytes_and_bcc_only_in_the_envelope(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    message = outgoing(sending_account.id, send_at=clock(), body="Grüße — ünïcödé", bcc=("carol@example.org",))
    assert b"Bcc" not in message.raw
    outbox_id, _ = await store.outbox.enqueue(message)
    service = await new_service()
    await service.settle()

    (received,) = smtp_server.accepted()
    assert received.data == message.raw  # byte for byte (dot-stuffing undone by the server)
    assert received.rcpt_tos == ("bob@example.org", "carol@example.org")
    assert received.mail_from == "ann@example.org"
    assert received.login == "ann"
    assert b"carol" not in received.data
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.SENT
    assert item.ack.startswith("250")
    sent = store.reader.folder_by_role(sending_account.id, FolderRole.SENT)
    assert sent is not None
    row = store.reader.message(item.message_row)
    assert row is not None
    assert row.folder_id == sent.id
    assert store.reader.raw_message(item.message_row) == message.raw
    (append,) = [op for op in store.reader.sync.pending_ops(sending_account.id) if op.kind is RemoteOpKind.APPEND]
    assert append.folder_id == sent.id
    assert append.rows == (item.message_row,)  # the server's Sent gets it when the sync replays the queue
    assert [c.address for c in store.reader.suggest_contacts("bob")] == ["bob@example.org"]
    assert [c.address for c in store.reader.suggest_contacts("carol")] == ["carol@example.org"]


async def test_a_temporary_refusal_is_retried_after_the_back_off_then_delivered(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    smtp_server.behaviour.temporary_failures = 1
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()

    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.QUEUED
    assert "451" in item.last_error
    assert clock() + FAST.retry_first_seconds / 2 <= item.next_attempt_at <= clock() + FAST.retry_first_seconds
    assert smtp_server.accepted() == []

    clock.advance(FAST.retry_first_seconds)
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.SENT
    assert item.attempts == 2
    assert len(smtp_server.accepted()) == 1


async def test_a_permanent_refusal_fails_with_the_servers_reason_and_can_be_sent_again(
    store: Store, bus: EventBus, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock,
    new_service: NewService,
) -> None:  # fmt: skip
    smtp_server.behaviour.reject = "550 5.1.1 <bob@example.org>: Recipient address rejected"
    statuses: list[OutboxStatus] = []
    bus.subscribe(OutboxStatus, statuses.append)
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()

    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.FAILED
    assert "550 5.1.1 <bob@example.org>: Recipient address rejected" in item.last_error
    assert statuses[-1].state == "failed"
    assert "Recipient address rejected" in statuses[-1].error
    outbox_folder = store.reader.outbox.folder_id()
    row = store.reader.message(item.message_row)
    assert row is not None
    assert row.folder_id == outbox_folder  # still in the Outbox, where the person sees why

    smtp_server.behaviour.reject = None
    await store.outbox.resend(outbox_id)
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.SENT
    assert len(smtp_server.accepted()) == 1


async def test_edit_moves_a_failed_message_back_to_drafts(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    smtp_server.behaviour.reject = "554 5.7.1 Message refused"
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()
    row_id, _ = await store.outbox.return_to_drafts(outbox_id)

    drafts = store.reader.folder_by_role(sending_account.id, FolderRole.DRAFTS)
    row = store.reader.message(row_id)
    assert drafts is not None
    assert row is not None
    assert row.folder_id == drafts.id
    assert row.is_draft
    assert store.reader.outbox.item(outbox_id) is None


async def test_undo_send_cancels_before_the_server_sees_anything(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock() + 10))
    service = await new_service()
    await service.settle()
    assert smtp_server.received == []

    await store.outbox.cancel(outbox_id)
    clock.advance(11)
    await service.settle()
    assert smtp_server.received == []
    assert store.reader.outbox.item(outbox_id) is None
    outbox_folder = store.reader.outbox.folder_id()
    assert outbox_folder is not None
    assert store.reader.folder(outbox_folder).total_count == 0  # type: ignore[union-attr]


async def test_undo_is_refused_once_the_message_went_out(
    store: Store, sending_account: Account, clock: FakeClock, new_service: NewService
) -> None:
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()
    with pytest.raises(TooLateError):
        await store.outbox.cancel(outbox_id)


async def test_send_later_waits_for_its_time(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock() + 3600))
    service = await new_service()
    clock.advance(3599)
    await service.settle()
    assert smtp_server.received == []

    await store.outbox.reschedule(outbox_id, clock() + 7200)  # the person moved it later still
    clock.advance(3600)
    await service.settle()
    assert smtp_server.received == []
    clock.advance(3600)
    await service.settle()
    assert len(smtp_server.accepted()) == 1


async def test_higher_priority_goes_first_and_fifo_within_one(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    queued = [
        outgoing(sending_account.id, 1, send_at=clock() - 3, priority=2),
        outgoing(sending_account.id, 2, send_at=clock() - 2, priority=3),
        outgoing(sending_account.id, 3, send_at=clock() - 1, priority=0),
        outgoing(sending_account.id, 4, send_at=clock(), priority=2),
    ]
    for message in queued:
        await store.outbox.enqueue(message)
    service = await new_service(options=SendOptions(connections_per_account=1))
    await service.settle()
    order = [next(m.message_id for m in queued if m.raw == r.data) for r in smtp_server.accepted()]
    assert order == [queued[2].message_id, queued[0].message_id, queued[3].message_id, queued[1].message_id]


async def test_a_batch_reuses_one_session_and_idle_sessions_close(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    for n in range(6):
        await store.outbox.enqueue(outgoing(sending_account.id, n, send_at=clock()))
    service = await new_service(options=SendOptions(connections_per_account=2, idle_close_seconds=0.0))
    await service.settle()
    assert len(smtp_server.accepted()) == 6
    pool = service._pools[sending_account.id]
    assert pool.connects == 2
    pool.close_idle()
    assert pool._idle == []


async def test_the_original_gets_answered_and_forwarded_flags(
    store: Store, sending_account: Account, clock: FakeClock, new_service: NewService
) -> None:
    inbox = store.reader.folder_by_role(sending_account.id, FolderRole.INBOX)
    assert inbox is not None
    (original, forwarded), _ = await store.messages.add(
        inbox.id,
        [
            NewMessage(message_id="<orig@example.org>", date=1, subject="Question"),
            NewMessage(message_id="<fw@example.org>", date=2, subject="Forward me"),
        ],
    )
    await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock(), answers=original, forwards=(forwarded,)))
    service = await new_service()
    await service.settle()
    answered_row, forwarded_row = store.reader.message(original), store.reader.message(forwarded)
    assert answered_row is not None
    assert forwarded_row is not None
    assert answered_row.is_answered and not answered_row.is_forwarded
    assert forwarded_row.is_forwarded and not forwarded_row.is_answered


async def test_xoauth2_signs_in_with_a_token(
    store: Store, bus: EventBus, sending_account: Account, clock: FakeClock, new_service: NewService
) -> None:
    with running_smtp(tokens={"ann@example.org": "tok-123"}) as oauth_server:
        await store.sending.set_smtp_settings(
            sending_account.id,
            SmtpSettings(
                host=oauth_server.host,
                port=oauth_server.port,
                security=ImapSecurity.STARTTLS,
                username="ann@example.org",
                auth=SmtpAuth.XOAUTH2,
            ),
        )
        asked: list[int] = []

        async def token_for(account_id: int) -> str:
            asked.append(account_id)
            return "tok-123"

        await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
        service = await new_service(token_for=token_for)
        await service.settle()
        (received,) = oauth_server.accepted()
        assert received.login == "ann@example.org"
        assert asked == [sending_account.id]


async def test_a_wrong_password_keeps_the_message_waiting_with_the_reason(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service(password_for=lambda _account: "wrong")
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.QUEUED
    assert "refused the user name or password" in item.last_error
    assert smtp_server.received == []


async def test_an_untrusted_certificate_is_not_accepted(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    from realmail_desktop.core.config import Settings

    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service(settings=Settings())  # the test CA is not trusted
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert "certificate" in item.last_error
    assert smtp_server.received == []


async def test_a_queued_message_waits_while_the_server_is_down_and_goes_when_it_is_back(
    store: Store, bus: EventBus, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock,
    new_service: NewService,
) -> None:  # fmt: skip
    from realmail_desktop.core.events import AccountState, AccountStatus

    smtp_server.stop()
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.QUEUED
    assert "No connection" in item.last_error

    smtp_server.start()  # same port
    sent: asyncio.Future[OutboxStatus] = asyncio.get_running_loop().create_future()
    bus.subscribe(OutboxStatus, lambda s: sent.done() or s.state != "sent" or sent.set_result(s))
    # The sync sees the account's server again: the outbox does not wait out its back-off.
    bus.publish(AccountStatus(sending_account.id, AccountState.OFFLINE))
    bus.publish(AccountStatus(sending_account.id, AccountState.IDLE))
    await asyncio.wait_for(sent, 20)
    assert len(smtp_server.accepted()) == 1


async def test_recipients_the_server_refuses_are_named_and_the_others_still_get_it(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    smtp_server.behaviour.unknown_recipients = frozenset({"nobody@example.org"})
    some, _ = await store.outbox.enqueue(outgoing(sending_account.id, 1, send_at=clock(), bcc=("nobody@example.org",)))
    none, _ = await store.outbox.enqueue(outgoing(sending_account.id, 2, send_at=clock(), to="nobody@example.org"))
    service = await new_service()
    await service.settle()

    (received,) = smtp_server.accepted()
    assert received.rcpt_tos == ("bob@example.org",)
    partly, refused = store.reader.outbox.item(some), store.reader.outbox.item(none)
    assert partly is not None and refused is not None
    assert partly.state is OutboxState.SENT
    assert partly.last_error.startswith("Not delivered to nobody@example.org: 550 5.1.1")
    assert refused.state is OutboxState.FAILED  # every recipient refused for good
    assert "nobody@example.org: 550 5.1.1" in refused.last_error


async def test_an_acknowledged_message_finds_a_sent_folder_even_where_there_is_none(
    store: Store, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    # No Local Folders yet and a server without a Sent folder: the acknowledgement must still be recorded,
    # or the message would be sent again at the next start.
    account, _ = await store.accounts.create_imap(
        "Ann", "ann@example.org", ImapSettings(host="127.0.0.1", port=1, security=ImapSecurity.NONE, username="ann")
    )
    await store.sending.set_smtp_settings(
        account.id, SmtpSettings(host=smtp_server.host, port=smtp_server.port, security=ImapSecurity.STARTTLS)
    )
    outbox_id, _ = await store.outbox.enqueue(outgoing(account.id, send_at=clock()))
    service = await new_service()
    await service.settle()
    await service.stop()
    await (await new_service()).settle()  # a restart sends nothing again

    assert len(smtp_server.accepted()) == 1
    item = store.reader.outbox.item(outbox_id)
    assert item is not None and item.state is OutboxState.SENT
    row = store.reader.message(item.message_row)
    folder = store.reader.folder(row.folder_id) if row is not None else None
    assert folder is not None and folder.role is FolderRole.SENT and folder.account_id != account.id
