"""TelegramBridge: the bot, run on our event loop while the bridge is enabled — pairing, notifications of new
mail (through flood control), actions, replies and commands; Telegram follows what happens on the desktop.

Life (FIELD-NOTES: never `run_polling()` inside a loop we own): `initialize` (getMe) → `updater.start_polling`
→ `start`; on stop `updater.stop` → `stop` → `shutdown`. A network error at start retries with back-off;
polling retries by itself (the library backs off on network errors and honours 429's retry_after); sends go
through `bot_calls.call_api`. The token comes from the keyring via `token_for` and is never logged: the HTTP
client's request log (which prints URLs, token included) is held at WARNING.

Publishes `TelegramStatus` and `TelegramPairingRequest`; listens to `Changes` (new mail, read/moved/deleted
elsewhere → re-drawn buttons) and `OutboxStatus` (a reply from Telegram went out, or why not).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

from realmail_desktop.bridges.telegram._bridge import BridgeCore
from realmail_desktop.bridges.telegram.bot_calls import use_timedelta_periods
from realmail_desktop.bridges.telegram.buttons import Buttons
from realmail_desktop.bridges.telegram.commands import Commands
from realmail_desktop.bridges.telegram.gate import GATE_GROUP, gate_handler
from realmail_desktop.bridges.telegram.notifications import digest_text
from realmail_desktop.bridges.telegram.pairing import Pairing, PairingCode, deep_link
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes, EventBus, OutboxStatus, TelegramStatus
from realmail_desktop.core.http_setup import shared_tls_context
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import MessageSummary, OutboxState, Store
from realmail_desktop.store.telegram_bridge import BridgeSettings, TelegramChat

_log = get_logger("telegram")
TokenFor = Callable[[], str | None]
MAX_BACKOFF = 60.0
RECENT = 3 * 86_400.0  # mail dated older than this is not notified
KEEP_BOT_MESSAGES = 30 * 86_400.0  # which Telegram message spoke of which mail: forgotten after this


def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and a Bot API URL contains the token (FIELD-NOTES);
    python-telegram-bot logs that URL at DEBUG ("Set Bot API URL"), and update contents too."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)


class BridgeState:
    STOPPED = "stopped"
    CONNECTING = "connecting"
    RUNNING = "running"
    OFFLINE = "offline"
    ERROR = "error"


class TelegramBridge:
    """`start()` runs the bot if the bridge is enabled and a token is stored; `stop()` ends it; `restart()`
    after a settings change. The settings dialog also calls `new_pairing_code`, `confirm_chat`, `remove_chat`."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        token_for: TokenFor,
        *,
        base_url: str | None = None,
        base_file_url: str | None = None,
        clock: Callable[[], float] = time.time,
        poll_timeout: float = 10.0,
        digest_every: float = 60.0,
    ) -> None:
        self._store = store
        self._bus = bus
        self._token_for = token_for
        self._base_url = base_url
        self._base_file_url = base_file_url
        self._poll_timeout = poll_timeout
        self._digest_every = digest_every
        self.core = BridgeCore(store, bus, Pairing(store.telegram, clock=clock), clock=clock)
        self._commands = Commands(self.core)
        self._buttons = Buttons(self.core, self._commands)
        self._app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._started = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self.state = BridgeState.STOPPED
        self.bot_username = ""

    # --- life -----------------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._runner is not None:
            return
        settings = await self.core.reload_settings()
        await self.core.reload_paired()
        await self._store.telegram.forget_bot_messages_before(self.core.clock() - KEEP_BOT_MESSAGES)
        if not settings.enabled:
            self._status(BridgeState.STOPPED)
            return
        try:
            token = await asyncio.to_thread(self._token_for)
        except KnownError as exc:  # no usable keyring
            self._status(BridgeState.ERROR, f"{exc.message} {exc.hint}".strip())
            return
        if not token:
            self._status(BridgeState.ERROR, "No bot token is stored. Paste the token from @BotFather.")
            return
        quiet_http_logs()
        use_timedelta_periods()
        self._stopping = asyncio.Event()
        self._started = asyncio.Event()
        self._runner = asyncio.create_task(self._run(token), name="telegram-bridge")

    async def wait_running(self) -> None:
        """Until the bot answered and polls (tests, and the dialog's Enable)."""
        await self._started.wait()

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping.set()
        await runner
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._status(BridgeState.STOPPED)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _run(self, token: str) -> None:
        app = await self._connect(token)
        if app is None:
            return
        self._app = app
        self.bot_username = app.bot.username or ""
        if self.bot_username and self.bot_username != self.core.flood.settings.bot_username:
            await self._store.telegram.set_values(bot_username=self.bot_username)
        await app.start()
        self._unsubscribe = [
            self._bus.subscribe(Changes, self.on_changes),
            self._bus.subscribe(OutboxStatus, self.on_outbox_status),
        ]
        self._status(BridgeState.RUNNING)
        self._started.set()
        try:
            while not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._digest_every)
                if self.state == BridgeState.OFFLINE:
                    await self._probe(app.bot)
                await self.flush_digest()
        finally:
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self._unsubscribe = []
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()
            await app.shutdown()
            self._app = None

    async def _connect(self, token: str) -> Application[Any, Any, Any, Any, Any, Any] | None:
        """An initialized, polling Application; retried with back-off while Telegram cannot be reached; None
        when the token is refused or the bridge was stopped meanwhile."""
        delay = 1.0
        while not self._stopping.is_set():
            self._status(BridgeState.CONNECTING)
            app = self._build(token, await shared_tls_context())
            try:
                await app.initialize()  # getMe
                assert app.updater is not None
                await app.updater.start_polling(  # deleteWebhook, then the polling task
                    timeout=dtm.timedelta(seconds=self._poll_timeout),
                    allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
                    error_callback=self._on_poll_error,
                )
                return app
            except InvalidToken:  # its message quotes the token: never logged
                await app.bot.shutdown()
                self._status(BridgeState.ERROR, "Telegram refused the bot token. Paste it again from @BotFather.")
                return None
            except TelegramError as exc:  # NetworkError, TimedOut, a 5xx…
                await app.bot.shutdown()  # its HTTP clients; the next try builds new ones
                self._status(BridgeState.OFFLINE, f"Telegram cannot be reached ({type(exc).__name__}); retrying.")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(MAX_BACKOFF, delay * 2)
        return None

    async def _probe(self, bot: Bot) -> None:
        """After polling failed: back to "running" once Telegram answers again (polling retries by itself)."""
        try:
            await bot.get_me()
        except TelegramError:
            return
        self._status(BridgeState.RUNNING)

    def _build(self, token: str, tls: ssl.SSLContext) -> Application[Any, Any, Any, Any, Any, Any]:
        # The library's own defaults (connection pools of 256 and 1), but with the app's shared TLS context: made
        # by each HTTP client, it loaded the CA certificates on the event loop (30-60 ms, twice, every start).
        verify = {"verify": tls}
        builder = (
            ApplicationBuilder()
            .token(token)
            .request(HTTPXRequest(connection_pool_size=256, httpx_kwargs=verify))
            .get_updates_request(
                HTTPXRequest(connection_pool_size=1, read_timeout=self._poll_timeout + 10, httpx_kwargs=verify)
            )
        )
        if self._base_url:
            builder = builder.base_url(self._base_url)
        if self._base_file_url:
            builder = builder.base_file_url(self._base_file_url)
        app = builder.build()
        app.add_handler(gate_handler(self.core.paired), group=GATE_GROUP)
        for handler in self._commands.handlers():
            app.add_handler(handler)
        app.add_handler(self._buttons.handler())
        app.add_error_handler(self._on_handler_error)
        return app

    def _status(self, state: str, message: str = "") -> None:
        self.state = state
        if message:
            _log.info("Telegram bridge %s: %s", state, message)
        self._bus.publish(TelegramStatus(state, self.bot_username, message))

    def _on_poll_error(self, exc: TelegramError) -> None:
        # The library retries with back-off; the person sees that we are offline meanwhile.
        _log.info("polling Telegram failed: %s", type(exc).__name__)
        if self.state == BridgeState.RUNNING:
            self._status(BridgeState.OFFLINE, "Telegram cannot be reached; retrying.")

    async def _on_handler_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        _log.error("a Telegram handler failed: %s", type(error).__name__, exc_info=error)

    @property
    def bot(self) -> Bot | None:
        return self._app.bot if self._app is not None else None

    # --- what the settings dialog asks ----------------------------------------------------------------
    async def new_pairing_code(self) -> tuple[PairingCode, str]:
        """A new one-time code and its t.me link (the bot's name is known once it ran once)."""
        code = await self.core.pairing.new_code()
        username = self.bot_username or (await self._store.telegram.settings()).bot_username
        return code, deep_link(username or "your_bot", code.code)

    async def confirm_chat(self, chat_id: int) -> None:
        await self._store.telegram.confirm_chat(chat_id)
        await self.core.reload_paired()
        bot = self.bot
        if bot is not None:
            await self.core.send_text(bot, chat_id, "Paired with RealMail ✓ New mail will arrive here. Send /help.")

    async def remove_chat(self, chat_id: int) -> None:
        await self._store.telegram.remove_chat(chat_id)
        await self.core.reload_paired()

    async def chats(self) -> list[TelegramChat]:
        return await self._store.telegram.chats()

    async def settings_changed(self) -> BridgeSettings:
        return await self.core.reload_settings()

    # --- the desktop's news ---------------------------------------------------------------------------
    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Until every store change heard so far has been handled (notified, held or re-drawn)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def on_changes(self, changes: Changes) -> None:
        if changes.messages_added or changes.messages_updated or changes.messages_removed:
            self._spawn(self._handle_changes(changes))

    async def _handle_changes(self, changes: Changes) -> None:
        async with self.core.notifying:
            bot = self.bot
            if bot is None:
                return
            touched = set(changes.messages_updated | changes.messages_removed)
            if touched:
                await self.core.refresh_buttons(bot, touched)
                held = touched & set(self.core.flood.held)
                if held:  # read or deleted before its digest went out: left out of it
                    gone = await self._store.read(
                        lambda r: [m for m in held if (s := r.message(m)) is None or s.is_seen]
                    )
                    self.core.flood.forget(gone)
            if changes.messages_added:
                await self._notify_new(bot, sorted(changes.messages_added))

    def _wanted(self, summary: MessageSummary, settings: BridgeSettings) -> bool:
        # Old mail a first sync (or an import) brings in is not news, even unread.
        if summary.is_seen or summary.is_draft or summary.date < self.core.clock() - RECENT:
            return False
        return summary.folder_id in settings.folders or summary.sender_address.lower() in settings.vip_senders

    async def _notify_new(self, bot: Bot, message_ids: list[int]) -> None:
        settings = self.core.flood.settings
        if not self.core.paired.ids or not (settings.folders or settings.vip_senders):
            return
        summaries = await self._store.read(lambda r: [s for m in message_ids if (s := r.message(m)) is not None])
        wanted = {s.id: s for s in summaries if self._wanted(s, settings)}
        if not wanted:
            return
        sorted_ids = self.core.flood.sort(list(wanted), self.core.clock())
        for chat_id in sorted(self.core.paired.ids):
            for message_id in sorted_ids.now:
                await self.core.notify(bot, chat_id, wanted[message_id])
        await self._send_digest(bot)

    async def flush_digest(self) -> None:
        bot = self.bot
        if bot is not None:
            async with self.core.notifying:
                await self._send_digest(bot)

    async def _send_digest(self, bot: Bot) -> None:
        due = self.core.flood.digest_due(self.core.clock())
        if not due:
            return
        summaries = await self._store.read(lambda r: [s for m in due if (s := r.message(m)) is not None])
        summaries = [s for s in summaries if not s.is_seen]
        if not summaries:
            return
        text = digest_text(summaries)
        for chat_id in sorted(self.core.paired.ids):
            await self.core.send_text(bot, chat_id, text, html=True)

    def on_outbox_status(self, status: OutboxStatus) -> None:
        pending = self.core.pending_replies.get(status.outbox_id)
        bot = self.bot
        if pending is None or bot is None:
            return
        if status.state == OutboxState.SENT.value:
            del self.core.pending_replies[status.outbox_id]
            text = f"✅ Sent: {pending.subject}" if pending.subject else "✅ Sent"
        elif status.state == OutboxState.FAILED.value:
            del self.core.pending_replies[status.outbox_id]
            text = f"❌ Not sent: {status.error} {status.hint}".strip()
        elif status.state == OutboxState.QUEUED.value and status.error:
            text = f"⏳ Not sent yet: {status.error} RealMail will try again."
        else:
            return
        self._spawn(self.core.send_text(bot, pending.chat_id, text, reply_to=pending.telegram_message_id))
