"""Pairing through the real bot against the fake Bot API: right, wrong, replayed and expired codes, the
attempt limit, group chats, and the desktop's confirmation."""

from __future__ import annotations

import asyncio

from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.bridges.telegram.pairing import Pairing, code_hash, deep_link
from realmail_desktop.core.events import EventBus, TelegramPairingRequest
from realmail_desktop.store import Store
from realmail_desktop.store.telegram_bridge import ChatState
from tests.servers.telegram import FakeBotApi, Person
from tests.unit.bridges.conftest import OWNER, STRANGER, pair
from tests.unit.bridges.telegram_support import bot_call, next_event


async def test_right_code_pairs_after_the_desktop_confirms(
    bridge: TelegramBridge, bot_api: FakeBotApi, bus: EventBus, store: Store
) -> None:
    code, link = await bridge.new_pairing_code()
    assert link == f"https://t.me/realmail_test_bot?start={code.code}"
    asked = next_event(bus, TelegramPairingRequest)
    bot_api.say(OWNER, f"/start {code.code}")
    request = await asyncio.wait_for(asked, 15)
    assert isinstance(request, TelegramPairingRequest)
    assert (request.chat_id, request.name, request.username) == (OWNER.user_id, "Bob", "bobstone")
    (chat,) = await store.telegram.chats()
    assert chat.state is ChatState.PENDING
    # Pending is not paired: /help still gets nothing.
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "Confirm" in c.text)
    bot_api.say(OWNER, "/help")
    bot_api.say(OWNER, "/start")  # answered in order: once this is, the /help before it was handled
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "Send the pairing code" in c.text)
    assert not [c for c in bot_api.bot_calls("sendMessage") if "/inbox" in c.text]
    await bridge.confirm_chat(OWNER.chat_id)
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "Paired" in c.text)
    assert [c.state for c in await store.telegram.chats()] == [ChatState.PAIRED]
    bot_api.say(OWNER, "/help")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "/inbox" in c.text)
    # No /help answer was sent while the chat was pending (only the one after confirming).
    assert len([c for c in bot_api.bot_calls("sendMessage") if "/inbox" in c.text]) == 1


async def test_the_code_is_stored_only_as_its_hash(bridge: TelegramBridge, store: Store) -> None:
    code, _ = await bridge.new_pairing_code()
    rows = await store.db.read_async(lambda c: c.execute("SELECT code_hash FROM telegram_pairing_codes").fetchall())
    assert rows == [(code_hash(code.code),)]
    assert code.code not in rows[0][0]


async def test_wrong_code_is_refused(bridge: TelegramBridge, bot_api: FakeBotApi, store: Store) -> None:
    await bridge.new_pairing_code()
    bot_api.say(STRANGER, "/start not-the-code")
    await bot_call(bot_api, lambda c: c.chat_id == STRANGER.chat_id and "not valid" in c.text)
    assert await store.telegram.chats() == []


async def test_a_code_works_once(bridge: TelegramBridge, bot_api: FakeBotApi, bus: EventBus, store: Store) -> None:
    code, _ = await bridge.new_pairing_code()
    bot_api.say(OWNER, f"/start {code.code}")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "Code accepted" in c.text)
    bot_api.say(STRANGER, f"/start {code.code}")
    await bot_call(bot_api, lambda c: c.chat_id == STRANGER.chat_id and "not valid" in c.text)
    assert [c.chat_id for c in await store.telegram.chats()] == [OWNER.chat_id]


async def test_an_expired_code_is_refused(store: Store) -> None:
    now = [1_000_000.0]
    pairing = Pairing(store.telegram, clock=lambda: now[0], lifetime=600)
    code = await pairing.new_code()
    now[0] += 601
    assert not await pairing.redeem(code.code)
    fresh = await pairing.new_code()
    now[0] += 599
    assert await pairing.redeem(fresh.code)


async def test_a_new_code_closes_the_old_one(store: Store) -> None:
    pairing = Pairing(store.telegram)
    first = await pairing.new_code()
    second = await pairing.new_code()
    assert not await pairing.redeem(first.code)
    assert await pairing.redeem(second.code)


async def test_too_many_wrong_codes_close_the_code(store: Store) -> None:
    pairing = Pairing(store.telegram, max_attempts=3)
    code = await pairing.new_code()
    for guess in ("a", "b", "c"):
        assert not await pairing.redeem(guess)
    assert not await pairing.redeem(code.code)


async def test_a_group_chat_cannot_pair(bridge: TelegramBridge, bot_api: FakeBotApi, store: Store) -> None:
    code, _ = await bridge.new_pairing_code()
    group = Person(OWNER.user_id, "Bob", "bobstone", group=-100123)
    update_id = bot_api.say(group, f"/start {code.code}")
    await asyncio.to_thread(bot_api.wait_for_offset, update_id)
    # The same code still pairs the private chat: the group's try never reached the pairing.
    bot_api.say(OWNER, f"/start {code.code}")
    await bot_call(bot_api, lambda c: c.chat_id == OWNER.chat_id and "Code accepted" in c.text)
    assert [c.chat_id for c in await store.telegram.chats()] == [OWNER.chat_id]
    assert not [c for c in bot_api.bot_calls() if c.chat_id == group.chat_id]


async def test_removing_a_chat_unpairs_it(paired: TelegramBridge, bot_api: FakeBotApi, store: Store) -> None:
    await paired.remove_chat(OWNER.chat_id)
    assert await store.telegram.chats() == []
    before = len(bot_api.bot_calls("sendMessage"))
    update_id = bot_api.say(OWNER, "/help")
    await asyncio.to_thread(bot_api.wait_for_offset, update_id)
    # Processing is in order: once a later update is answered, the earlier one was handled (and dropped).
    await pair(paired, bot_api, paired.core.bus, OWNER)
    assert not [c for c in bot_api.bot_calls("sendMessage")[before:] if "/inbox" in c.text]


def test_deep_link() -> None:
    assert deep_link("my_bot", "abc-_1") == "https://t.me/my_bot?start=abc-_1"
