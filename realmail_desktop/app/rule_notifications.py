"""A rule's "notify on Telegram" action wired to the Telegram bridge (services do not import each other:
the sorting service gets this callable from app/)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from realmail_desktop.bridges.telegram import TelegramBridge
    from realmail_desktop.store import Store


def telegram_notify(bridge: TelegramBridge, store: Store) -> Callable[[int], Awaitable[None]]:
    """Send the bridge's usual new-mail message (with its buttons) about a stored message to every paired
    chat; nothing while the bridge is not running."""

    async def notify(message_id: int) -> None:
        bot = bridge.bot
        if bot is None:
            return
        summary = await store.read(lambda r: r.message(message_id))
        if summary is None:
            return
        async with bridge.core.notifying:
            for chat_id in sorted(bridge.core.paired.ids):
                await bridge.core.notify(bot, chat_id, summary)

    return notify
