"""The Telegram bridge's buttons reach the IMAP server: mail synced from Dovecot is notified in Telegram (the
fake Bot API), and Mark read, Star, Archive and Delete pressed there end up on Dovecot through the sync engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from imapclient import IMAPClient

from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Store
from tests.integration.conftest import NewRun, append_messages
from tests.integration.sync_support import message, server_mailbox, started
from tests.servers.telegram import Call, fake_bot_api
from tests.unit.bridges.conftest import OWNER, pair
from tests.unit.bridges.telegram_support import TOKEN, bot_call

pytestmark = pytest.mark.integration


def notification(n: int) -> Callable[[Call], bool]:
    return lambda c: c.method == "sendMessage" and c.text.startswith("✉️") and f"Café {n} " in c.text


async def test_buttons_pressed_in_telegram_reach_dovecot(
    store: Store, bus: EventBus, imap: IMAPClient, new_run: NewRun
) -> None:
    append_messages(imap, "INBOX", [message(n) for n in range(4)])
    await store.telegram.set_values(enabled=True)
    await store.telegram.set_watched([], [f"sender{n}@example.com" for n in range(4)])
    run = await new_run()
    with fake_bot_api(TOKEN) as api:
        bridge = TelegramBridge(
            store, bus, lambda: TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, poll_timeout=5
        )
        await bridge.start()
        try:
            await asyncio.wait_for(bridge.wait_running(), 15)
            await pair(bridge, api, bus, OWNER)
            async with started(run):
                calls = [await bot_call(api, notification(n), within=30) for n in range(4)]
                for call, label in zip(calls, ("Mark read", "Star", "Archive", "Delete"), strict=True):
                    data = next(d for text, d in call.buttons() if text == label)
                    api.press(OWNER, call.result["message_id"], data)
                # Each press is answered once its store write (and the queued IMAP action) is done.
                await bot_call(api, lambda c: len(api.bot_calls("answerCallbackQuery")) >= 4, within=30)
                await run.synced()
                assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        finally:
            await bridge.stop()
    server = server_mailbox(imap, ["INBOX", "Archive", "Trash"])
    assert server.folders == {
        "INBOX": [
            ("<m0.INBOX@example.com>", frozenset({"\\Seen"})),
            ("<m1.INBOX@example.com>", frozenset({"\\Flagged"})),
        ],
        "Archive": [("<m2.INBOX@example.com>", frozenset())],
        "Trash": [("<m3.INBOX@example.com>", frozenset())],
    }
