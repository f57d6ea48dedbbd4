"""The per-message work cut for speed keeps its behaviour: `OutboxRepository.mark_sent` records a whole group of
acknowledgements in one statement (each with its own reply and note, a row deleted meanwhile skipped, all
moved to Sent), and the MAIL command the sender builds itself still announces SIZE and BODY=8BITMIME."""

from __future__ import annotations

from realmail_desktop.send.delivery import wire_size
from realmail_desktop.store import Account, Acknowledged, FolderRole, OutboxState, RemoteOpKind, Store
from tests.servers.smtp import SmtpServer
from tests.unit.send.conftest import FakeClock, NewService, outgoing


async def test_a_group_of_acknowledgements_is_recorded_each_with_its_own_reply(
    store: Store, sending_account: Account, clock: FakeClock
) -> None:
    for n in range(4):
        await store.outbox.enqueue(outgoing(sending_account.id, n, send_at=clock()))
    items = await store.outbox.claim_due(sending_account.id, clock(), 10)
    gone = items[2]
    async with store.db.transaction() as tx:  # deleted from the Outbox folder while it was being sent
        await tx.execute("DELETE FROM messages WHERE id = ?", (gone.message_row,))
    replies = {item.id: f"250 2.0.0 Ok: queued as Q{item.id}" for item in items}

    changes = await store.outbox.mark_sent(
        [
            Acknowledged(item, replies[item.id], note="Not delivered to x@example.org" if n == 1 else "")
            for n, item in enumerate(items)
        ],
        now=clock(),
    )

    sent_folder = store.reader.folder_by_role(sending_account.id, FolderRole.SENT)
    assert sent_folder is not None
    recorded = [item for item in items if item.id != gone.id]
    for n, item in enumerate(items):
        stored = store.reader.outbox.item(item.id)
        if item.id == gone.id:
            assert stored is None
            continue
        assert stored is not None
        assert stored.state is OutboxState.SENT
        assert stored.ack == replies[item.id]
        assert stored.last_error == ("Not delivered to x@example.org" if n == 1 else "")
        assert stored.sent_at == clock()
        row = store.reader.message(item.message_row)
        assert row is not None
        assert row.folder_id == sent_folder.id
    assert changes.messages_updated == frozenset(item.message_row for item in recorded)
    assert sent_folder.id in changes.folders
    (append,) = [op for op in store.reader.sync.pending_ops(sending_account.id) if op.kind is RemoteOpKind.APPEND]
    assert sorted(append.rows) == sorted(item.message_row for item in recorded)


async def test_the_envelope_announces_the_size_on_the_wire_and_8bit_bodies(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    plain = outgoing(sending_account.id, 1, send_at=clock(), body="Hello.")
    eight_bit = outgoing(sending_account.id, 2, send_at=clock(), body="Grüße aus Köln")
    for message in (plain, eight_bit):
        await store.outbox.enqueue(message)
    service = await new_service()
    await service.settle()

    by_bytes = {received.data: received.mail_options for received in smtp_server.accepted()}
    assert f"SIZE={len(plain.raw)}" in by_bytes[plain.raw]  # CRLF already: the size is the bytes' length
    assert "BODY=8BITMIME" in by_bytes[eight_bit.raw]
    assert "BODY=8BITMIME" not in by_bytes[plain.raw]


def test_the_wire_size_counts_the_line_ends_data_adds() -> None:
    assert wire_size(b"a\r\nb\r\n") == 6
    assert wire_size(b"a\nb\n") == 6  # each bare LF gains a CR
    assert wire_size(b"a\rb\r\n") == 6  # a lone CR gains an LF
