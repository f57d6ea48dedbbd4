"""The reader shows why the Outbox has not sent a message, and what a bounce said about a sent one."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from realmail_desktop.store import Acknowledged, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.message_reader import MessageReader
from tests.ui.qt_async import wait_for

pytestmark = pytest.mark.gui


async def test_a_failed_message_shows_the_servers_reason_and_a_bounce_shows_on_the_sent_copy(
    qtbot: Any, store: Store
) -> None:
    from realmail_desktop.store import DeliveryProblem, ImapSecurity, ImapSettings, OutgoingMessage, SmtpSettings

    await store.accounts.create_local()
    account, _ = await store.accounts.create_imap(
        "Ann", "ann@example.org", ImapSettings(host="127.0.0.1", port=1, security=ImapSecurity.NONE, username="a")
    )
    await store.sending.set_smtp_settings(account.id, SmtpSettings(host="127.0.0.1", port=2))
    raw = b"From: ann@example.org\r\nTo: bob@example.net\r\nSubject: Hi\r\nMessage-ID: <r1@x>\r\n\r\nHello\r\n"
    failing, _ = await store.outbox.enqueue(
        OutgoingMessage(
            account_id=account.id, raw=raw, message_id="<r1@x>", mail_from="ann@example.org",
            recipients=("bob@example.net",), send_at=0,
        )
    )  # fmt: skip
    (item,) = await store.outbox.claim_due(account.id, 1, 10)
    await store.outbox.mark_failed(item, "example.org refused the message: 550 5.7.1 Relaying denied")

    ops = Ops()
    reader = MessageReader(store, ops, web_engine=False)
    qtbot.addWidget(reader)
    summary = store.reader.message(item.message_row)
    assert summary is not None
    await wait_for(reader.show_message(summary))
    assert reader.delivery_text() == "Not sent: example.org refused the message: 550 5.7.1 Relaying denied"
    actions = reader.findChild(QLabel, "readerOutboxActions")
    assert actions is not None and not actions.isHidden()

    actions.linkActivated.emit("resend")  # "Send again"
    await ops.drain()
    requeued = store.reader.outbox.item(failing)
    assert requeued is not None and requeued.state.value == "queued" and requeued.last_error == ""
    (item,) = await store.outbox.claim_due(account.id, 1, 10)
    await store.outbox.mark_sent([Acknowledged(item, "250 OK", save_copy=False)])
    await wait_for(reader.show_message(summary))
    assert reader.delivery_text() is None  # sent: nothing to say

    changes = await store.sending.record_delivery_report(
        item.message_row,
        "<r1@x>",
        [DeliveryProblem(recipient="bob@example.net", action="failed", status="5.1.1", diagnostic="550 No such user")],
    )
    reader.on_store_changed(changes)  # as the window forwards every Changes
    assert reader.delivery_text() == "Not delivered to bob@example.net: 550 No such user"
    await ops.drain()
