"""Test helpers for the Telegram bridge: a bot token, mail to deliver into the store, waiting on the fake API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from realmail_desktop.core.events import Event, EventBus
from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import Store
from tests.servers.telegram import Call, FakeBotApi

# Shaped like a real token (so the log redaction's pattern would know it), but no bot's.
TOKEN = "123456789:AAHtestTOKENfakeFAKEfake_only-4-tests"
OWNER_ID = 4242


def raw_mail(
    subject: str,
    *,
    sender: str = "Ann Lee <ann@example.com>",
    to: str = "Bob Stone <bob@example.org>",
    body: str = "Hello Bob,\nthe report is attached.\n",
    files: tuple[tuple[str, bytes], ...] = (),
    message_id: str | None = None,
    days_ago: float = 0.0,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC) - timedelta(days=days_ago))
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    message.set_content(body)
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


async def deliver(store: Store, folder_id: int, raw: bytes, *, seen: bool = False) -> int:
    """Store `raw` in the folder as new mail (what a sync or an import does); returns its row."""
    row = new_message(read_envelope(raw), raw, Flag.SEEN if seen else Flag.NONE)
    ids, _changes = await store.messages.add(folder_id, [row])
    return ids[0]


async def bot_call(api: FakeBotApi, predicate: Callable[[Call], bool], within: float = 15.0) -> Call:
    return await asyncio.to_thread(api.wait_for_call, predicate, within)


def next_event(
    bus: EventBus, kind: type[Event], predicate: Callable[[Event], bool] = lambda _: True
) -> asyncio.Future[Event]:
    """A future that the next matching event published on `bus` completes."""
    future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()

    def on_event(event: Event) -> None:
        if predicate(event) and not future.done():
            future.set_result(event)
            unsubscribe()

    unsubscribe = bus.subscribe(kind, on_event)
    return future
