"""Delivery status notifications (RFC 3464) are read and linked to the message we sent."""

from __future__ import annotations

import asyncio

from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.send.bounces import read_delivery_report
from realmail_desktop.store import Account, FolderRole, NewMessage, OutboxState, Store
from tests.unit.send.conftest import FakeClock, NewService, outgoing


def dsn(original_id: str, *, with_header_part: bool = True) -> bytes:
    returned = (
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: ann@example.org\r\nTo: nobody@example.net\r\nMessage-ID: {original_id}\r\nSubject: Hi\r\n\r\n"
        if with_header_part
        else ""
    )
    per_message = "" if with_header_part else f"Original-Message-ID: {original_id}\r\n"
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: ann@example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.example.org\r\n{per_message}\r\n"
        "Final-Recipient: rfc822; nobody@example.net\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown\r\n"
        "\r\n"
        "Final-Recipient: rfc822; ok@example.net\r\n"
        "Action: delivered\r\n"
        "Status: 2.0.0\r\n"
        "\r\n" + returned + "--B--\r\n"
    ).encode()


def test_a_dsn_names_the_bounced_message_and_the_failed_recipients_only() -> None:
    for with_header_part in (True, False):
        report = read_delivery_report(dsn("<sent-1@realmail.test>", with_header_part=with_header_part))
        assert report is not None
        original, problems = report
        assert original == "<sent-1@realmail.test>"
        assert [(p.recipient, p.action, p.status) for p in problems] == [("nobody@example.net", "failed", "5.1.1")]
        assert "User unknown" in problems[0].diagnostic


def test_ordinary_and_malformed_mail_is_not_a_report() -> None:
    assert read_delivery_report(b"From: a@b\r\nSubject: hi\r\n\r\nbody\r\n") is None
    assert read_delivery_report(b"Content-Type: multipart/report; report-type=disposition-notification\r\n\r\n") is None
    assert read_delivery_report(b"\xff\xfe garbage \x00") is None


async def test_a_bounce_arriving_in_the_inbox_shows_on_the_sent_message(
    store: Store, bus: EventBus, sending_account: Account, clock: FakeClock, new_service: NewService
) -> None:
    message = outgoing(sending_account.id, send_at=clock(), to="nobody@example.net")
    outbox_id, _ = await store.outbox.enqueue(message)
    service = await new_service()
    await service.settle()
    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    assert item.state is OutboxState.SENT

    linked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    bus.subscribe(
        Changes, lambda c: linked.done() or item.message_row not in c.messages_updated or linked.set_result(None)
    )
    inbox = store.reader.folder_by_role(sending_account.id, FolderRole.INBOX)
    assert inbox is not None
    raw = dsn(message.message_id)
    await store.messages.add(
        inbox.id,
        [
            NewMessage(
                message_id="<bounce-1@mx.example.org>",
                date=2,
                sender_address="MAILER-DAEMON@mx.example.org",
                subject="Undelivered Mail Returned to Sender",
                raw=raw,
                size=len(raw),
            )
        ],
    )
    await asyncio.wait_for(linked, 20)
    (problem,) = store.reader.outbox.delivery_problems(item.message_row)
    assert problem.recipient == "nobody@example.net"
    assert "550 5.1.1" in problem.diagnostic
