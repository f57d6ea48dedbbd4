"""The sender's one-deep pipeline (a session transmits message n+1 while n's acknowledgement is committed) and
the bound it keeps on what a crash can send twice: at most two acknowledged-but-unrecorded messages per session.
The crash is real: the sender runs in a child process that is killed (SIGKILL) while its commits are blocked."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from realmail_desktop.core.events import EventBus, OutboxStatus
from realmail_desktop.send import SendOptions
from realmail_desktop.store import Account, OutboxState, Store
from tests.servers.smtp import SmtpServer
from tests.unit.send.conftest import PASSWORD, FakeClock, NewService, outgoing

REPO = Path(__file__).resolve().parents[3]
ONE_SESSION = SendOptions(connections_per_account=1, retry_first_seconds=10.0, retry_max_seconds=60.0)
SENDER_CHILD = """
import asyncio, sys
from pathlib import Path
from realmail_desktop.core.config import Settings
from realmail_desktop.core.events import EventBus
from realmail_desktop.send import SendOptions, SendService
from realmail_desktop.store import Store

async def main(path: str, ca_file: str, password: str) -> None:
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(Path(path), bus)
    service = SendService(
        store, bus, lambda _account: password, settings=Settings(extra_ca_file=Path(ca_file)),
        options=SendOptions(connections_per_account=1),
    )
    await service.start()
    await asyncio.Event().wait()  # until killed

asyncio.run(main(*sys.argv[1:4]))
"""


def message_ids(server: SmtpServer) -> Counter[str]:
    """How many times the server acknowledged each Message-ID."""
    found: Counter[str] = Counter()
    for received in server.accepted():
        for line in received.data.split(b"\r\n"):
            if line.startswith(b"Message-ID:"):
                found[line.split(b":", 1)[1].strip().decode()] += 1
                break
    return found


async def test_a_session_sends_the_next_message_while_the_last_acknowledgement_commits_one_deep(
    store: Store,
    bus: EventBus,
    sending_account: Account,
    smtp_server: SmtpServer,
    clock: FakeClock,
    new_service: NewService,
) -> None:
    for n in range(6):
        await store.outbox.enqueue(outgoing(sending_account.id, n, send_at=clock()))
    hold = threading.Event()
    smtp_server.behaviour.hold = hold  # the first DATA waits: by then the batch is claimed
    blocked, release = asyncio.Event(), asyncio.Event()

    async def hold_the_store() -> None:  # no acknowledgement can be committed meanwhile
        async with store.db.transaction():
            blocked.set()
            await release.wait()

    started_with_committed: list[int] = []  # at each message's start: how many were committed as sent by then

    def on_status(status: OutboxStatus) -> None:
        if status.state == OutboxState.SENDING.value:
            items = store.reader.outbox.items()
            started_with_committed.append(sum(item.state is OutboxState.SENT for item in items))

    unsubscribe = bus.subscribe(OutboxStatus, on_status)
    service = await new_service(options=ONE_SESSION)
    await asyncio.to_thread(smtp_server.behaviour.holding.wait, 30)
    holder = asyncio.create_task(hold_the_store())
    try:
        await blocked.wait()
        hold.set()
        await smtp_server.received_at_least(2)  # the second went out while the first's commit waited
    finally:
        release.set()
        await holder
    await service.settle()
    unsubscribe()

    assert started_with_committed[:2] == [0, 0]
    # Never further ahead: message n+2 starts only once message n is on disk (n counted from 0).
    assert all(committed >= n - 1 for n, committed in enumerate(started_with_committed))
    assert len(started_with_committed) == 6
    assert all(count == 1 for count in message_ids(smtp_server).values())
    assert all(item.state is OutboxState.SENT for item in store.reader.outbox.items())


async def test_killed_while_acknowledgements_wait_to_be_committed_at_most_two_per_session_go_twice(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    queued = [outgoing(sending_account.id, n, send_at=clock()) for n in range(6)]
    for message in queued:
        await store.outbox.enqueue(message)
    hold = threading.Event()
    smtp_server.behaviour.hold = hold  # the first DATA waits: by then the child has claimed its batch
    child = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, "-c", SENDER_CHILD, str(store.db.path), str(smtp_server.ca_file), PASSWORD],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    blocker = sqlite3.connect(store.db.path, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(smtp_server.behaviour.holding.wait, 30)
        assert smtp_server.behaviour.holding.is_set()
        blocker.execute("BEGIN IMMEDIATE")  # from now on the child cannot commit an acknowledgement
        hold.set()
        await smtp_server.received_at_least(2, within=30)  # acknowledged, not recorded: then the crash
        child.kill()
        await asyncio.to_thread(child.wait, 30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")
        blocker.close()
    assert [r.acknowledged for r in smtp_server.received] == [True, True]
    assert Counter(item.state for item in store.reader.outbox.items()) == {OutboxState.SENDING: 6}

    service = await new_service()  # the app starts again
    await service.settle()
    delivered = message_ids(smtp_server)
    assert set(delivered) == {m.message_id for m in queued}  # nothing lost
    twice = {mid for mid, count in delivered.items() if count > 1}
    assert twice == {queued[0].message_id, queued[1].message_id}  # only what was acknowledged, unrecorded
    assert all(count <= 2 for count in delivered.values())
    assert all(item.state is OutboxState.SENT for item in store.reader.outbox.items())


async def test_sessions_the_server_refuses_leave_the_batch_to_the_ones_it_took(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    smtp_server.behaviour.max_sessions = 2  # a server that caps concurrent sessions (Exchange Online: 3)
    queued = [outgoing(sending_account.id, n, send_at=clock()) for n in range(8)]
    for message in queued:
        await store.outbox.enqueue(message)
    service = await new_service(options=SendOptions(connections_per_account=4, retry_first_seconds=60.0))
    await service.settle()

    assert set(message_ids(smtp_server)) == {m.message_id for m in queued}  # none waits out a back-off
    assert all(item.state is OutboxState.SENT for item in store.reader.outbox.items())
