"""The bot's commands and typed messages: /start <code>, /inbox, /search, /unread, /mute, /compose, /help,
and text — a Telegram reply to a mail notification becomes a real reply through the outbox.

Only the gate's survivors get here (paired private chats; `/start` from any private chat, for pairing).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackContext, CommandHandler, ContextTypes, MessageHandler, filters

from realmail_desktop.bridges.telegram._bridge import BridgeCore, ComposeSteps, PendingReply
from realmail_desktop.bridges.telegram.bot_calls import call_api
from realmail_desktop.bridges.telegram.notifications import escaped, list_line
from realmail_desktop.bridges.telegram.replies import queue_new_message, queue_reply
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import TelegramPairingRequest
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import MessageQuery, MessageSummary, SortOrder, StoreReader
from realmail_desktop.store.search_query import parse_search

_log = get_logger("telegram")
PAGE = 5
MAX_MUTE_HOURS = 24 * 7

HELP = (
    "<b>RealMail on Telegram</b>\n"
    "New mail arrives here with buttons: Mark read, Star, Archive, Delete, Reply, Full text, Attachments.\n"
    "Reply to a mail's message to answer it by e-mail.\n\n"
    "/inbox — the latest unread mail\n"
    "/search <i>words</i> — search like on the desktop (from:, subject:, is:unread, before:…)\n"
    "/unread — how much is unread\n"
    "/mute <i>hours</i> — no notifications for a while (/mute 0 ends it)\n"
    "/compose — write a new message\n"
    "/help — this text"
)

Context = ContextTypes.DEFAULT_TYPE


def _page_markup(kind: str, offset: int, rows: list[MessageSummary], more: bool) -> InlineKeyboardMarkup | None:
    numbered = [
        InlineKeyboardButton(str(offset + i), callback_data=f"open:{row.id}") for i, row in enumerate(rows, start=1)
    ]
    paging = []
    if offset > 0:
        paging.append(InlineKeyboardButton("‹ Newer", callback_data=f"{kind}:{max(0, offset - PAGE)}"))
    if more:
        paging.append(InlineKeyboardButton("Older ›", callback_data=f"{kind}:{offset + PAGE}"))
    keyboard = [row for row in (numbered, paging) if row]
    return InlineKeyboardMarkup(keyboard) if keyboard else None


class Commands:
    """Handlers for commands and text; `handlers()` lists them for the Application (group 0)."""

    def __init__(self, core: BridgeCore) -> None:
        self._core = core

    def handlers(self) -> list[BaseHandler[Update, CallbackContext, None]]:  # type: ignore[type-arg]
        return [
            CommandHandler("start", self.on_start),
            CommandHandler("help", self.on_help),
            CommandHandler("inbox", self.on_inbox),
            CommandHandler("unread", self.on_unread),
            CommandHandler("search", self.on_search),
            CommandHandler("mute", self.on_mute),
            CommandHandler("compose", self.on_compose),
            CommandHandler("cancel", self.on_cancel),
            MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text),
        ]

    async def _say(self, update: Update, context: Context, text: str, **kwargs: object) -> None:
        chat = update.effective_chat
        if chat is not None:
            await self._core.send_text(context.bot, chat.id, text, **kwargs)  # type: ignore[arg-type]

    # --- pairing ------------------------------------------------------------------------------------
    async def on_start(self, update: Update, context: Context) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        if chat.id in self._core.paired:
            await self._say(update, context, "This chat is paired with RealMail. Send /help to see what I can do.")
            return
        code = (context.args or [""])[0]
        if not code:
            await self._say(update, context, "Send the pairing code shown in RealMail's Telegram bridge settings.")
            return
        if not await self._core.pairing.redeem(code):
            await self._say(
                update,
                context,
                "That code is not valid: it may have expired or been used. Make a new one in RealMail.",
            )
            return
        name = user.full_name
        await self._core.store.telegram.add_pending_chat(chat.id, name, user.username or "")
        self._core.bus.publish(TelegramPairingRequest(chat.id, name, user.username or ""))
        await self._say(update, context, "Code accepted. Confirm this chat on your computer to finish pairing.")

    # --- reading --------------------------------------------------------------------------------------
    async def on_help(self, update: Update, context: Context) -> None:
        await self._say(update, context, HELP, html=True)

    async def on_unread(self, update: Update, context: Context) -> None:
        def counts(reader: StoreReader) -> list[tuple[str, str, int]]:
            accounts = {a.id: a for a in reader.accounts()}
            found = []
            for folder_id in reader.inbox_ids():
                folder = reader.folder(folder_id)
                if folder is not None and folder.account_id in accounts:
                    account = accounts[folder.account_id]
                    found.append((account.name or account.address, folder.name, folder.unread_count))
            return found

        rows = await self._core.store.read(counts)
        total = sum(n for _, _, n in rows)
        lines = [f"📥 <b>{total} unread</b>"] + [f"{escaped(a)} · {escaped(f)}: {n}" for a, f, n in rows if n]
        await self._say(update, context, "\n".join(lines), html=True)

    async def show_inbox(self, context: Context, chat_id: int, offset: int, message_id: int | None = None) -> None:
        query = parse_search("is:unread")

        def page(reader: StoreReader) -> tuple[list[MessageSummary], int]:
            wanted = MessageQuery(reader.inbox_ids(), search=query, by_relevance=False)
            return reader.page(wanted, SortOrder(), offset, PAGE + 1), reader.count(wanted)

        rows, total = await self._core.store.read(page)
        await self._show_page(
            context,
            chat_id=chat_id,
            kind="inbox",
            head=f"📥 <b>{total} unread</b>",
            rows=rows,
            offset=offset,
            message_id=message_id,
        )

    async def show_search(self, context: Context, chat_id: int, offset: int, message_id: int | None = None) -> None:
        text = self._core.searches.get(chat_id, "")
        query = parse_search(text)

        def page(reader: StoreReader) -> tuple[list[MessageSummary], int]:
            folders = tuple(f.id for f in reader.folders())
            wanted = MessageQuery(folders, search=query, by_relevance=True)
            return reader.page(wanted, SortOrder(), offset, PAGE + 1), reader.count(wanted)

        rows, total = await self._core.store.read(page)
        head = f"🔎 <b>{total} found</b> for “{escaped(text)}”"
        await self._show_page(
            context, chat_id=chat_id, kind="search", head=head, rows=rows, offset=offset, message_id=message_id
        )

    async def _show_page(
        self,
        context: Context,
        *,
        chat_id: int,
        kind: str,
        head: str,
        rows: list[MessageSummary],
        offset: int,
        message_id: int | None,
    ) -> None:
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        lines = [head, *(list_line(offset + i, row) for i, row in enumerate(rows, start=1))]
        if not rows:
            lines.append("Nothing here.")
        text = "\n".join(lines)
        markup = _page_markup(kind, offset, rows, more)
        if message_id is None:
            await self._core.send_text(context.bot, chat_id, text, html=True, markup=markup)
        else:
            await call_api(
                "editMessageText",
                lambda: context.bot.edit_message_text(
                    text, chat_id, message_id, parse_mode="HTML", reply_markup=markup
                ),
            )

    async def on_inbox(self, update: Update, context: Context) -> None:
        if update.effective_chat is not None:
            await self.show_inbox(context, update.effective_chat.id, 0)

    async def on_search(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        text = " ".join(context.args or []).strip()
        if not text:
            await self._say(update, context, "Write what to look for: /search from:anna invoice")
            return
        self._core.searches[chat.id] = text[:500]
        await self.show_search(context, chat.id, 0)

    async def on_mute(self, update: Update, context: Context) -> None:
        raw = (context.args or ["1"])[0]
        try:
            hours = float(raw.replace(",", "."))
        except ValueError:
            await self._say(update, context, "Write how many hours: /mute 2 (or /mute 0 to hear from me again).")
            return
        if not 0 <= hours <= MAX_MUTE_HOURS:
            await self._say(update, context, f"Mute for 0 to {MAX_MUTE_HOURS} hours.")
            return
        until = self._core.clock() + hours * 3600 if hours else 0.0
        await self._core.store.telegram.set_values(mute_until=until)
        await self._core.reload_settings()
        message = f"Muted for {hours:g} h. New mail waits for a digest." if hours else "Notifications are back on."
        await self._say(update, context, message)

    # --- writing --------------------------------------------------------------------------------------
    async def on_compose(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        self._core.composing[chat.id] = ComposeSteps()
        await self._say(update, context, "New message. Who is it to? (an e-mail address; /cancel to stop)")

    async def on_cancel(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is not None and self._core.composing.pop(chat.id, None) is not None:
            await self._say(update, context, "Message dropped.")

    async def on_text(self, update: Update, context: Context) -> None:
        chat, message = update.effective_chat, update.message
        if chat is None or message is None or not message.text:
            return
        if message.reply_to_message is not None:
            await self._reply(update, context, message.reply_to_message.message_id, message.text)
            return
        steps = self._core.composing.get(chat.id)
        if steps is not None:
            await self._compose_step(update, context, steps, message.text)
            return
        await self._say(update, context, "Reply to a mail's message to answer it, or send /help.")

    async def _reply(self, update: Update, context: Context, replied_to: int, text: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        async with self._core.notifying:  # a notification being sent right now is recorded first
            record = await self._core.store.telegram.bot_message_in_chat(chat.id, replied_to)
        if record is None:
            await self._say(update, context, "Reply to a mail's notification to answer that mail.")
            return
        summary = await self._core.store.read(lambda r: r.message(record.message_row))
        try:
            outbox_id = await queue_reply(self._core.store, record.message_row, text, clock=self._core.clock)
        except KnownError as exc:
            await self._say(update, context, f"Not sent: {exc.message} {exc.hint}".strip())
            return
        subject = summary.subject if summary is not None else ""
        message_id = update.message.message_id if update.message is not None else replied_to
        self._core.pending_replies[outbox_id] = PendingReply(chat.id, message_id, subject)
        _log.info("reply from Telegram queued as outbox %s", outbox_id)
        await self._say(update, context, "Sending…")

    async def _compose_step(self, update: Update, context: Context, steps: ComposeSteps, text: str) -> None:
        chat = update.effective_chat
        assert chat is not None
        if not steps.to:
            if "@" not in text:
                await self._say(update, context, "That is not an e-mail address. Who is it to?")
                return
            steps.to = text.strip()
            await self._say(update, context, "Subject?")
            return
        if steps.subject is None:
            steps.subject = text.strip()
            await self._say(update, context, "And the message?")
            return
        self._core.composing.pop(chat.id, None)
        try:
            outbox_id = await queue_new_message(self._core.store, steps.to, steps.subject, text, clock=self._core.clock)
        except KnownError as exc:
            await self._say(update, context, f"Not sent: {exc.message} {exc.hint}".strip())
            return
        message_id = update.message.message_id if update.message is not None else 0
        self._core.pending_replies[outbox_id] = PendingReply(chat.id, message_id, steps.subject)
        await self._say(update, context, "Sending…")
