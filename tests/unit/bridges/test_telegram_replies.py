"""Mail written in Telegram: a reply goes through the outbox and the SMTP test server as a real reply, and
Telegram says "Sent" — or the outbox's error; a guided /compose sends a new message."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage

import pytest

from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.core.config import Settings
from realmail_desktop.core.events import EventBus
from realmail_desktop.send import SendOptions, SendService
from realmail_desktop.store import Account, Folder, ImapSecurity, SmtpSettings, Store
from tests.servers.smtp import SmtpServer, running_smtp
from tests.servers.telegram import FakeBotApi
from tests.unit.bridges.conftest import OWNER
from tests.unit.bridges.telegram_support import bot_call, deliver, raw_mail

PASSWORD = "secret"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp(users={"bob": PASSWORD}) as server:
        yield server


@pytest.fixture
async def sender(store: Store, bus: EventBus, account: Account, smtp_server: SmtpServer) -> AsyncIterator[SendService]:
    await store.sending.set_smtp_settings(
        account.id, SmtpSettings(host=smtp_server.host, port=smtp_server.port, security=ImapSecurity.STARTTLS)
    )
    await store.identities.ensure_default(account.id)
    (identity,) = store.reader.identities.of_account(account.id)
    await store.identities.update(
        identity.model_copy(update={"name": "Bob Stone", "signature": "Bob\nsent from RealMail"})
    )
    service = SendService(
        store,
        bus,
        lambda _account: PASSWORD,
        settings=Settings(extra_ca_file=smtp_server.ca_file),
        options=SendOptions(retry_first_seconds=10.0, retry_max_seconds=60.0, idle_close_seconds=30.0),
    )
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def test_a_telegram_reply_is_sent_as_a_real_reply(
    paired: TelegramBridge,
    bot_api: FakeBotApi,
    store: Store,
    inbox: Folder,
    sender: SendService,
    smtp_server: SmtpServer,
) -> None:
    original = raw_mail(
        "Quarterly report",
        sender="Ann Lee <ann@example.com>",
        to="Bob Stone <bob@example.org>",
        body="Hello Bob,\nhere are the numbers.\n",
        message_id="<orig-1@example.com>",
    )
    row = await deliver(store, inbox.id, original)
    notification = await bot_call(bot_api, lambda c: c.method == "sendMessage" and "Quarterly" in c.text)
    bot_api.say(OWNER, "Thanks, looks good!", reply_to=notification.result["message_id"])
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and c.text == "Sending…")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and c.text == "✅ Sent: Quarterly report")
    (received,) = smtp_server.accepted()
    assert received.rcpt_tos == ("ann@example.com",)
    reply = parsed(received.data)
    assert reply["Subject"] == "Re: Quarterly report"
    assert reply["In-Reply-To"] == "<orig-1@example.com>"
    assert "<orig-1@example.com>" in reply["References"]
    assert reply["From"] == "Bob Stone <bob@example.org>"
    body = reply.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert text.startswith("Thanks, looks good!")
    assert "-- \nBob\nsent from RealMail" in text
    assert "> Hello Bob," in text and "wrote:" in text
    summary = store.reader.message(row)
    assert summary is not None and summary.is_answered


async def test_reply_button_then_answer_to_the_prompt(
    paired: TelegramBridge,
    bot_api: FakeBotApi,
    store: Store,
    inbox: Folder,
    sender: SendService,
    smtp_server: SmtpServer,
) -> None:
    await deliver(store, inbox.id, raw_mail("Lunch?", message_id="<lunch@example.com>"))
    notification = await bot_call(bot_api, lambda c: c.method == "sendMessage" and "Lunch" in c.text)
    reply_data = next(data for label, data in notification.buttons() if label == "Reply")
    bot_api.press(OWNER, notification.result["message_id"], reply_data)
    prompt = await bot_call(bot_api, lambda c: c.method == "sendMessage" and "Your reply to" in c.text)
    assert prompt.json("reply_markup")["force_reply"] is True
    bot_api.say(OWNER, "Yes, at noon.", reply_to=prompt.result["message_id"])
    await bot_call(bot_api, lambda c: c.text == "✅ Sent: Lunch?")
    (received,) = smtp_server.accepted()
    assert parsed(received.data)["In-Reply-To"] == "<lunch@example.com>"


async def test_the_outbox_error_reaches_telegram(
    paired: TelegramBridge,
    bot_api: FakeBotApi,
    store: Store,
    inbox: Folder,
    sender: SendService,
    smtp_server: SmtpServer,
) -> None:
    smtp_server.behaviour.reject = "550 5.7.1 Relaying denied"
    await deliver(store, inbox.id, raw_mail("Refused reply"))
    notification = await bot_call(bot_api, lambda c: c.method == "sendMessage" and "Refused" in c.text)
    bot_api.say(OWNER, "This will bounce.", reply_to=notification.result["message_id"])
    failed = await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and c.text.startswith(("❌", "⏳")))
    assert "Relaying denied" in failed.text


async def test_guided_compose_sends_a_new_message(
    paired: TelegramBridge, bot_api: FakeBotApi, sender: SendService, smtp_server: SmtpServer
) -> None:
    bot_api.say(OWNER, "/compose")
    await bot_call(bot_api, lambda c: "Who is it to?" in c.text)
    bot_api.say(OWNER, "not an address")
    await bot_call(bot_api, lambda c: "That is not an e-mail address" in c.text)
    bot_api.say(OWNER, "carol@example.net")
    await bot_call(bot_api, lambda c: c.text == "Subject?")
    bot_api.say(OWNER, "Hello from my phone")
    await bot_call(bot_api, lambda c: c.text == "And the message?")
    bot_api.say(OWNER, "Written in Telegram.")
    await bot_call(bot_api, lambda c: c.text == "✅ Sent: Hello from my phone")
    (received,) = smtp_server.accepted()
    message = parsed(received.data)
    assert received.rcpt_tos == ("carol@example.net",)
    assert message["Subject"] == "Hello from my phone" and "In-Reply-To" not in message


async def test_a_reply_to_a_message_that_is_not_a_mail(paired: TelegramBridge, bot_api: FakeBotApi) -> None:
    bot_api.say(OWNER, "/help")
    help_call = await bot_call(bot_api, lambda c: "/inbox" in c.text)
    bot_api.say(OWNER, "answer", reply_to=help_call.result["message_id"])
    await bot_call(bot_api, lambda c: "Reply to a mail's notification" in c.text)
