"""What the bridge's handlers share: the store, the bus, pairing, the paired chats, and sending about mail.

`BridgeCore.notify` sends one mail's notification (HTML-escaped, with its buttons) and remembers which
Telegram message speaks of which mail; `refresh_buttons` re-draws those buttons from the mail's present state.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from realmail_desktop.bridges.telegram.bot_calls import call_api
from realmail_desktop.bridges.telegram.flood import FloodControl
from realmail_desktop.bridges.telegram.gate import PairedChats
from realmail_desktop.bridges.telegram.notifications import notification_keyboard, notification_text
from realmail_desktop.bridges.telegram.pairing import Pairing
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import MessageSummary, Store
from realmail_desktop.store.telegram_bridge import BotMessageKind, BridgeSettings, ChatState


@dataclass(frozen=True, slots=True)
class PendingReply:
    """A reply queued from Telegram: where to say "Sent" (or why not) once the outbox is done with it."""

    chat_id: int
    telegram_message_id: int
    subject: str


@dataclass
class ComposeSteps:
    """A guided /compose in progress: to, subject, then text."""

    to: str = ""
    subject: str | None = None


@dataclass
class BridgeCore:
    store: Store
    bus: EventBus
    pairing: Pairing
    clock: Callable[[], float] = time.time
    paired: PairedChats = field(default_factory=PairedChats)
    pending_replies: dict[int, PendingReply] = field(default_factory=dict)  # outbox id → where to answer
    composing: dict[int, ComposeSteps] = field(default_factory=dict)  # chat id → guided /compose
    searches: dict[int, str] = field(default_factory=dict)  # chat id → the last /search (for paging)
    shown_buttons: dict[int, str] = field(default_factory=dict)  # short id → the keyboard last sent
    flood: FloodControl = field(default_factory=FloodControl)
    # Held while notifications go out: a reply looks its notification up only after that one is recorded.
    notifying: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def reload_settings(self) -> BridgeSettings:
        self.flood.settings = await self.store.telegram.settings()
        return self.flood.settings

    async def reload_paired(self) -> None:
        chats = await self.store.telegram.chats()
        self.paired.replace(frozenset(c.chat_id for c in chats if c.state is ChatState.PAIRED))

    async def send_text(
        self,
        bot: Bot,
        chat_id: int,
        text: str,
        *,
        html: bool = False,
        markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
    ) -> Message | None:
        return await call_api(
            "sendMessage",
            lambda: bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML if html else None,
                reply_markup=markup,
                reply_to_message_id=reply_to,
                disable_web_page_preview=True,
            ),
        )

    async def folder_name(self, summary: MessageSummary) -> str:
        folder = await self.store.read(lambda r: r.folder(summary.folder_id))
        return folder.name if folder is not None else ""

    async def notify(self, bot: Bot, chat_id: int, summary: MessageSummary) -> Message | None:
        """Send the notification of one mail to one chat and remember it (its short id is in the buttons)."""
        text = notification_text(summary, folder=await self.folder_name(summary))
        short_id = await self.store.telegram.reserve_bot_message(chat_id, summary.id, BotMessageKind.NOTIFICATION)
        markup = notification_keyboard(short_id, summary)
        sent = await self.send_text(bot, chat_id, text, html=True, markup=markup)
        if sent is None:
            await self.store.telegram.forget_bot_messages([short_id])
            return None
        await self.store.telegram.sent(short_id, sent.message_id)
        self.shown_buttons[short_id] = str(markup.to_dict()) if markup is not None else ""
        return sent

    async def edit_buttons(
        self, bot: Bot, chat_id: int, telegram_message_id: int, markup: InlineKeyboardMarkup | None
    ) -> None:
        await call_api(
            "editMessageReplyMarkup",
            lambda: bot.edit_message_reply_markup(chat_id, telegram_message_id, reply_markup=markup),
        )

    async def refresh_buttons(self, bot: Bot, message_rows: set[int]) -> None:
        """Re-draw the buttons of every notification about these mails (gone mail: no buttons)."""
        for record in await self.store.telegram.notifications_of(message_rows):
            row = record.message_row
            summary = await self.store.read(lambda r: r.message(row))  # noqa: B023 (awaited at once)
            if summary is not None and summary.is_draft:
                summary = None
            markup = notification_keyboard(record.id, summary)
            shown = str(markup.to_dict()) if markup is not None else ""
            if self.shown_buttons.get(record.id) == shown:
                continue
            await self.edit_buttons(bot, record.chat_id, record.telegram_message_id, markup)
            self.shown_buttons[record.id] = shown
            if summary is None:
                await self.store.telegram.forget_bot_messages([record.id])
