"""Stopping, crashing and dropped connections: every message is delivered, and none twice where the server
acknowledged it (the outbox's at-least-once / exactly-once-where-acknowledged rule, store/outbox.py)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

from realmail_desktop.send import SendOptions
from realmail_desktop.store import Account, Acknowledged, OutboxState, Store
from tests.servers.smtp import SmtpServer
from tests.unit.send.conftest import FAST, FakeClock, NewService, outgoing

ONE_SESSION = SendOptions(connections_per_account=1, retry_first_seconds=10.0, retry_max_seconds=60.0)


def ids_in(data: bytes) -> str:
    return next(
        line.split(b":", 1)[1].strip().decode() for line in data.split(b"\r\n") if line.startswith(b"Message-ID:")
    )


async def test_stopped_mid_batch_then_restarted_each_message_arrives_once_where_acknowledged(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    queued = [outgoing(sending_account.id, n, send_at=clock()) for n in range(8)]
    for message in queued:
        await store.outbox.enqueue(message)
    hold = threading.Event()
    # The 4th DATA of the batch waits at the server until the app has stopped: the app never hears its reply.
    smtp_server.behaviour.hold, smtp_server.behaviour.hold_after = hold, 3
    first = await new_service(options=ONE_SESSION)
    await asyncio.to_thread(smtp_server.behaviour.holding.wait, 20)
    await first.stop()  # the app quits (or is killed) while the server holds a DATA
    await smtp_server.received_at_least(4)  # the held one, recorded as never acknowledged
    assert [r.acknowledged for r in smtp_server.received] == [True, True, True, False]
    states = Counter(item.state for item in store.reader.outbox.items())
    assert states == {OutboxState.SENT: 3, OutboxState.QUEUED: 5}  # none left half-sent: the rest queued again

    second = await new_service(options=ONE_SESSION)
    await second.settle()
    accepted = Counter(ids_in(r.data) for r in smtp_server.accepted())
    assert set(accepted) == {m.message_id for m in queued}
    assert all(count == 1 for count in accepted.values())
    assert all(item.state is OutboxState.SENT for item in store.reader.outbox.items())


async def test_a_message_left_sending_by_a_crash_is_sent_again_at_start_up(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    acknowledged = outgoing(sending_account.id, 1, send_at=clock())
    interrupted = outgoing(sending_account.id, 2, send_at=clock())
    await store.outbox.enqueue(acknowledged)
    await store.outbox.enqueue(interrupted)
    # A previous run claimed both; the server acknowledged the first, then the process died.
    first, second = await store.outbox.claim_due(sending_account.id, clock(), 10)
    await store.outbox.mark_sent([Acknowledged(first, "250 2.0.0 Ok: queued as X1", save_copy=False)])

    service = await new_service()
    await service.settle()
    (received,) = smtp_server.accepted()
    assert received.data == interrupted.raw  # the acknowledged one is never sent again
    item = store.reader.outbox.item(second.id)
    assert item is not None
    assert item.state is OutboxState.SENT
    assert item.attempts == 2


async def test_a_connection_dropped_after_data_is_retried_and_delivered_once_acknowledged(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    smtp_server.behaviour.drops = 1
    outbox_id, _ = await store.outbox.enqueue(outgoing(sending_account.id, send_at=clock()))
    service = await new_service()
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.QUEUED  # no reply: maybe taken, maybe not — sent again (at least once)
    assert item.last_error

    clock.advance(FAST.retry_max_seconds)
    await service.settle()
    assert [r.acknowledged for r in smtp_server.received] == [False, True]
    assert smtp_server.received[0].data == smtp_server.received[1].data
