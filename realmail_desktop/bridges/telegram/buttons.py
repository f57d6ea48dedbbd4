"""Button presses (callback queries): a notification's actions on the mail, opening a listed mail, paging.

Every press is checked: the data must be one we send (`notifications.parse_callback`, `open:`/`inbox:`/
`search:`), the short id must name a bot message of this very chat, the mail must still exist. Actions go
through the store's repositories, which queue the IMAP actions themselves; the Changes they publish re-draw
the buttons (service.py). Attachments go out as documents within the Bot API's upload limit.
"""

from __future__ import annotations

import asyncio
import re

from telegram import ForceReply, InputFile, Update
from telegram.ext import CallbackQueryHandler

from realmail_desktop.bridges.telegram._bridge import BridgeCore
from realmail_desktop.bridges.telegram.bot_calls import call_api
from realmail_desktop.bridges.telegram.commands import Commands, Context
from realmail_desktop.bridges.telegram.notifications import Action, escaped, parse_callback, text_chunks
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.html import html_to_text
from realmail_desktop.mail.message import attachment_payloads, parse_message
from realmail_desktop.store import FolderRole, MessageSummary
from realmail_desktop.store.telegram_bridge import BotMessage, BotMessageKind

_log = get_logger("telegram")
UPLOAD_LIMIT = 50 * 1024 * 1024  # Bot API: documents up to 50 MB
_PAGING = re.compile(r"^(inbox|search|open):(\d{1,12})$")

_DONE = {
    Action.READ: "Marked read",
    Action.UNREAD: "Marked unread",
    Action.STAR: "Starred",
    Action.UNSTAR: "Star removed",
    Action.ARCHIVE: "Archived",
    Action.DELETE: "Moved to Trash",
}


def _plain_text(raw: bytes) -> str:
    parsed = parse_message(raw)
    return parsed.text if parsed.text is not None else html_to_text(parsed.html or "")


def _files(raw: bytes) -> list[tuple[str, str, bytes | None]]:
    parsed = parse_message(raw)
    wanted = [a for a in parsed.attachments if not a.inline]
    names = {a.part_id: (a.filename or "attachment", a.content_type) for a in wanted}
    found = []
    for part_id, data in attachment_payloads(raw, list(names)):
        found.append((names[part_id][0], names[part_id][1], data))
    return found


class Buttons:
    def __init__(self, core: BridgeCore, commands: Commands) -> None:
        self._core = core
        self._commands = commands

    def handler(self) -> CallbackQueryHandler[Context, None]:
        return CallbackQueryHandler(self.on_press)

    async def on_press(self, update: Update, context: Context) -> None:
        query, chat = update.callback_query, update.effective_chat
        if query is None or chat is None:
            return
        note = await self._act(update, context, chat.id, query.data or "")
        await call_api("answerCallbackQuery", lambda: query.answer(note or None))

    async def _act(self, update: Update, context: Context, chat_id: int, data: str) -> str:
        paging = _PAGING.match(data)
        if paging is not None:
            kind, number = paging.group(1), int(paging.group(2))
            shown = update.callback_query.message if update.callback_query else None
            message_id = shown.message_id if shown is not None else None
            if kind == "inbox":
                await self._commands.show_inbox(context, chat_id, number, message_id)
            elif kind == "search":
                await self._commands.show_search(context, chat_id, number, message_id)
            else:
                summary = await self._core.store.read(lambda r: r.message(number))
                if summary is None or summary.is_draft:
                    return "That message is gone."
                await self._core.notify(context.bot, chat_id, summary)
            return ""
        press = parse_callback(data)
        if press is None:
            return "This button is not valid."
        record = await self._core.store.telegram.bot_message(press.short_id)
        if record is None or record.chat_id != chat_id:
            return "This button is no longer valid."
        summary = await self._core.store.read(lambda r: r.message(record.message_row))
        if summary is None:
            return "That message is gone."
        return await self._apply(context, record, summary, press.action)

    async def _apply(self, context: Context, record: BotMessage, summary: MessageSummary, action: Action) -> str:
        messages = self._core.store.messages
        row = summary.id
        if action in (Action.READ, Action.UNREAD):
            await messages.set_seen([row], action is Action.READ)
        elif action in (Action.STAR, Action.UNSTAR):
            await messages.set_flagged([row], action is Action.STAR)
        elif action is Action.ARCHIVE:
            archive = await self._core.store.read(lambda r: r.folder_by_role(summary.account_id, FolderRole.ARCHIVE))
            if archive is None:
                return "This account has no Archive folder."
            await messages.move([row], archive.id)
        elif action is Action.DELETE:
            await messages.delete_to_trash([row])
        elif action is Action.REPLY:
            await self._prompt_reply(context, record, summary)
            return ""
        elif action is Action.TEXT:
            await self._send_text(context, record, summary)
            return ""
        elif action is Action.FILES:
            return await self._send_files(context, record, summary)
        return _DONE.get(action, "")

    async def _prompt_reply(self, context: Context, record: BotMessage, summary: MessageSummary) -> None:
        text = f"✏️ Your reply to “{escaped(summary.subject or '(no subject)')}” — write it as a reply to this message."
        sent = await call_api(
            "sendMessage",
            lambda: context.bot.send_message(
                record.chat_id,
                text,
                parse_mode="HTML",
                reply_markup=ForceReply(selective=True, input_field_placeholder="Your reply"),
                reply_to_message_id=record.telegram_message_id,
            ),
        )
        if sent is not None:
            await self._core.store.telegram.add_bot_message(
                record.chat_id, sent.message_id, summary.id, BotMessageKind.PROMPT
            )

    async def _raw(self, summary: MessageSummary) -> bytes | None:
        return await self._core.store.read(lambda r: r.raw_message(summary.id))

    async def _send_text(self, context: Context, record: BotMessage, summary: MessageSummary) -> None:
        raw = await self._raw(summary)
        if raw is None:
            await self._core.send_text(
                context.bot, record.chat_id, "The text of this message is not on the computer yet."
            )
            return
        text = await asyncio.to_thread(_plain_text, raw)
        for number, chunk in enumerate(text_chunks(text)):
            # Plain text, no parse mode: nothing in the mail can format or link anything.
            sent = await self._core.send_text(
                context.bot, record.chat_id, chunk, reply_to=record.telegram_message_id if number == 0 else None
            )
            if sent is not None and number == 0:
                await self._core.store.telegram.add_bot_message(
                    record.chat_id, sent.message_id, summary.id, BotMessageKind.TEXT
                )

    async def _send_files(self, context: Context, record: BotMessage, summary: MessageSummary) -> str:
        raw = await self._raw(summary)
        if raw is None:
            return "The message is not on the computer yet."
        files = await asyncio.to_thread(_files, raw)
        if not files:
            return "No attachments."
        for name, _kind, data in files:
            if data is None:
                continue
            if len(data) > UPLOAD_LIMIT:
                await self._core.send_text(
                    context.bot,
                    record.chat_id,
                    f"{name} is too big for Telegram ({len(data) // 1_048_576} MB; 50 MB at most).",
                )
                continue
            await self._send_document(context, record, name, data)
        return ""

    async def _send_document(self, context: Context, record: BotMessage, name: str, data: bytes) -> None:
        await call_api(
            "sendDocument",
            lambda: context.bot.send_document(
                record.chat_id, InputFile(data, filename=name), reply_to_message_id=record.telegram_message_id
            ),
        )
