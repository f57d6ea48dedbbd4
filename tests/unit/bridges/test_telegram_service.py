"""The bridge's life and manners: flood control's digest, 429s honoured, reconnecting after network errors,
stopping cleanly, and the bot token never in a log (captured records and the log file)."""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from realmail_desktop.bridges.telegram import BridgeState, TelegramBridge
from realmail_desktop.bridges.telegram.flood import BURST, FloodControl, in_quiet_hours
from realmail_desktop.core import http_setup
from realmail_desktop.core.events import EventBus, TelegramStatus
from realmail_desktop.core.logs import ROOT, setup_logging
from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import Folder, Store
from realmail_desktop.store.telegram_bridge import BridgeSettings
from tests.servers.dovecot import free_port
from tests.servers.telegram import FakeBotApi, fake_bot_api
from tests.unit.bridges.conftest import OWNER, pair
from tests.unit.bridges.telegram_support import TOKEN, bot_call, deliver, next_event, raw_mail


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clocked(
    store: Store, bus: EventBus, bot_api: FakeBotApi, inbox: Folder
) -> AsyncIterator[tuple[TelegramBridge, Clock]]:
    clock = Clock()
    await store.telegram.set_values(enabled=True, per_hour=2)
    await store.telegram.set_watched([inbox.id], [])
    bridge = TelegramBridge(
        store,
        bus,
        lambda: TOKEN,
        base_url=bot_api.base_url,
        base_file_url=bot_api.base_file_url,
        clock=clock,
        poll_timeout=5,
    )
    await bridge.start()
    await asyncio.wait_for(bridge.wait_running(), 15)
    await pair(bridge, bot_api, bus, OWNER)
    try:
        yield bridge, clock
    finally:
        await bridge.stop()


def sends(api: FakeBotApi, needle: str) -> list[str]:
    return [c.text for c in api.bot_calls("sendMessage") if needle in c.text]


async def test_a_mail_storm_becomes_one_digest_and_the_rate_limit_holds_the_rest(
    clocked: tuple[TelegramBridge, Clock], bot_api: FakeBotApi, store: Store, inbox: Folder
) -> None:
    bridge, clock = clocked
    storm = [raw_mail(f"Storm {n}") for n in range(BURST + 3)]
    rows = [new_message(read_envelope(raw), raw, Flag.NONE) for raw in storm]
    await store.messages.add(inbox.id, rows)
    digest = await bot_call(bot_api, lambda c: "new messages" in c.text)
    assert f"{BURST + 3} new messages" in digest.text and "Storm 0" in digest.text
    assert sends(bot_api, "✉️") == []  # no one-by-one notification for the storm
    # The digest used one of the two an hour: one more mail is notified, the next is held.
    await deliver(store, inbox.id, raw_mail("Single one"))
    await bot_call(bot_api, lambda c: c.text.startswith("✉️") and "Single one" in c.text)
    await deliver(store, inbox.id, raw_mail("Held back"))
    await asyncio.wait_for(bridge.settled(), 10)
    assert bridge.core.flood.held
    assert sends(bot_api, "Held back") == []
    clock.now += 3601  # an hour later the budget is back: the held mail goes out as a digest
    await bridge.flush_digest()
    late = await bot_call(bot_api, lambda c: "1 new message" in c.text)
    assert "Held back" in late.text


def test_quiet_hours_and_mute_hold_mail_for_a_digest() -> None:
    flood = FloodControl()
    now = 1_800_000_000.0
    local = time.localtime(now)
    minute = local.tm_hour * 60 + local.tm_min
    flood.settings = BridgeSettings(enabled=True, quiet_start=minute, quiet_end=(minute + 60) % 1440)
    assert flood.sort([1, 2], now).held == (1, 2)
    assert flood.digest_due(now) == []
    assert flood.digest_due(now + 3600) == [1, 2]  # quiet hours over
    flood.settings = BridgeSettings(enabled=True, mute_until=now + 600)
    assert flood.sort([3], now).now == ()
    assert flood.digest_due(now + 601) == [3]
    flood.settings = BridgeSettings(enabled=True)
    assert flood.sort([4], now + 700).now == (4,)


def test_quiet_hours_may_cross_midnight() -> None:
    overnight = BridgeSettings(quiet_start=22 * 60, quiet_end=7 * 60)

    def at(hour: int, minute: int) -> float:
        return time.mktime((2026, 11, 21, hour, minute, 0, 0, 0, -1))

    assert in_quiet_hours(overnight, at(23, 30)) and in_quiet_hours(overnight, at(6, 59))
    assert not in_quiet_hours(overnight, at(7, 0)) and not in_quiet_hours(overnight, at(21, 59))
    assert not in_quiet_hours(BridgeSettings(), at(3, 0))


async def test_a_429_is_waited_out(paired: TelegramBridge, bot_api: FakeBotApi, store: Store, inbox: Folder) -> None:
    bot_api.too_many["sendMessage"] = [1]
    bot_api.too_many["getUpdates"] = [1]
    await deliver(store, inbox.id, raw_mail("After the flood"))
    await bot_call(bot_api, lambda c: c.result != "429" and "After the flood" in c.text)
    refused = [c for c in bot_api.bot_calls() if c.result == "429"]
    assert [c.method for c in refused if c.method == "sendMessage"] == ["sendMessage"]
    bot_api.say(OWNER, "/help")  # polling went on after its own 429
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "/inbox" in c.text)


async def test_reconnects_when_telegram_comes_back(store: Store, bus: EventBus, inbox: Folder) -> None:
    await store.telegram.set_values(enabled=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/bot"
    offline = next_event(
        bus, TelegramStatus, lambda e: isinstance(e, TelegramStatus) and e.state == BridgeState.OFFLINE
    )
    bridge = TelegramBridge(store, bus, lambda: TOKEN, base_url=api_url, poll_timeout=5)
    await bridge.start()
    try:
        await asyncio.wait_for(offline, 15)
        with fake_bot_api(TOKEN, port):
            await asyncio.wait_for(bridge.wait_running(), 20)
            assert bridge.state == BridgeState.RUNNING and bridge.bot_username == "realmail_test_bot"
    finally:
        await bridge.stop()
    assert bridge.state == BridgeState.STOPPED
    assert (await store.telegram.settings()).bot_username == "realmail_test_bot"


async def test_a_refused_token_is_an_error_not_a_retry_loop(store: Store, bus: EventBus, bot_api: FakeBotApi) -> None:
    await store.telegram.set_values(enabled=True)
    refused = next_event(bus, TelegramStatus, lambda e: isinstance(e, TelegramStatus) and e.state == BridgeState.ERROR)
    bridge = TelegramBridge(store, bus, lambda: "999999:WRONGwrongWRONGwrongWRONG", base_url=bot_api.base_url)
    await bridge.start()
    status = await asyncio.wait_for(refused, 15)
    assert isinstance(status, TelegramStatus) and "token" in status.message
    await bridge.stop()


async def test_disabled_or_tokenless_does_not_start(store: Store, bus: EventBus) -> None:
    bridge = TelegramBridge(store, bus, lambda: TOKEN)
    await bridge.start()
    assert bridge.state == BridgeState.STOPPED and bridge.bot is None
    await store.telegram.set_values(enabled=True)
    await bridge.start()
    await bridge.stop()
    tokenless = TelegramBridge(store, bus, lambda: None)
    await tokenless.start()
    assert tokenless.state == BridgeState.ERROR


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Callable[[], str]]:
    root = logging.getLogger(ROOT)
    level, propagate = root.level, root.propagate
    setup_logging(tmp_path / "logs", level="DEBUG", to_stderr=False)
    yield (tmp_path / "logs" / "realmail.log").read_text
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    root.propagate = propagate


async def test_the_token_never_reaches_a_log(
    caplog: pytest.LogCaptureFixture,
    log_file: Callable[[], str],
    store: Store,
    bus: EventBus,
    inbox: Folder,
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger(ROOT).propagate = True  # caplog listens at the root; the file handler stays too
    await store.telegram.set_values(enabled=True)
    await store.telegram.set_watched([inbox.id], [])
    port = free_port()
    offline = next_event(
        bus, TelegramStatus, lambda e: isinstance(e, TelegramStatus) and e.state == BridgeState.OFFLINE
    )
    bridge = TelegramBridge(
        store,
        bus,
        lambda: TOKEN,
        base_url=f"http://127.0.0.1:{port}/bot",
        base_file_url=f"http://127.0.0.1:{port}/file/bot",
        poll_timeout=5,
    )
    await bridge.start()
    try:
        await asyncio.wait_for(offline, 15)  # a connection error, logged
        with fake_bot_api(TOKEN, port) as api:
            await asyncio.wait_for(bridge.wait_running(), 20)
            await pair(bridge, api, bus, OWNER)
            api.too_many["sendMessage"] = [1]
            await deliver(store, inbox.id, raw_mail("Logged?"))
            await bot_call(api, lambda c: c.result != "429" and "Logged?" in c.text)
    finally:
        await bridge.stop()
    captured = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "Application started" in captured or "telegram" in captured  # the capture did see the library
    assert any(r.name.startswith("realmail.telegram") for r in caplog.records)
    secret = TOKEN.split(":")[1]
    assert secret not in captured
    assert secret not in log_file()
    assert not [r for r in caplog.records if r.name.startswith("httpx") and r.levelno < logging.WARNING]


async def test_polling_errors_show_offline_until_telegram_answers_again(store: Store, bus: EventBus) -> None:
    await store.telegram.set_values(enabled=True)
    port = free_port()
    bridge = TelegramBridge(
        store, bus, lambda: TOKEN, base_url=f"http://127.0.0.1:{port}/bot", poll_timeout=1, digest_every=0.2
    )
    try:
        with fake_bot_api(TOKEN, port):
            await bridge.start()
            await asyncio.wait_for(bridge.wait_running(), 15)
            offline = next_event(bus, TelegramStatus, lambda e: isinstance(e, TelegramStatus) and e.state == "offline")
        await asyncio.wait_for(offline, 20)  # the fake is gone: polling fails
        back = next_event(bus, TelegramStatus, lambda e: isinstance(e, TelegramStatus) and e.state == "running")
        with fake_bot_api(TOKEN, port) as api:
            await asyncio.wait_for(back, 20)
            api.say(OWNER, "/start")  # polling works again too
            await bot_call(api, lambda c: "pairing code" in c.text)
    finally:
        await bridge.stop()


async def test_a_failure_while_polling_starts_is_retried(store: Store, bus: EventBus, bot_api: FakeBotApi) -> None:
    await store.telegram.set_values(enabled=True)
    bot_api.too_many["deleteWebhook"] = [1]  # the bootstrap before polling is refused once
    offline = next_event(bus, TelegramStatus, lambda e: isinstance(e, TelegramStatus) and e.state == "offline")
    bridge = TelegramBridge(store, bus, lambda: TOKEN, base_url=bot_api.base_url, poll_timeout=5)
    await bridge.start()
    try:
        await asyncio.wait_for(offline, 15)
        await asyncio.wait_for(bridge.wait_running(), 15)
        assert [c.result for c in bot_api.bot_calls("deleteWebhook")] == ["429", True]
    finally:
        await bridge.stop()


async def test_the_bridge_loads_the_certificates_once_and_never_on_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, store: Store, bus: EventBus, bot_api: FakeBotApi
) -> None:
    loaded_on: list[int] = []
    real = ssl.create_default_context

    def watched(*args: object, **kwargs: object) -> ssl.SSLContext:
        loaded_on.append(threading.get_ident())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", watched)
    monkeypatch.setattr(http_setup, "_SETUP", http_setup.ClientSetup())  # as in a fresh process
    await store.telegram.set_values(enabled=True)
    bridge = TelegramBridge(
        store, bus, lambda: TOKEN, base_url=bot_api.base_url, base_file_url=bot_api.base_file_url, poll_timeout=5
    )
    await bridge.start()
    try:
        await asyncio.wait_for(bridge.wait_running(), 15)  # both HTTP clients made: the bot's and the poller's
    finally:
        await bridge.stop()
    assert len(loaded_on) == 1  # one shared context, not one per client
    assert loaded_on[0] != threading.get_ident()  # this test runs on the event loop's thread
