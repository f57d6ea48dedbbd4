"""Fixtures for the Telegram bridge: the fake Bot API, an IMAP-shaped account with folders, a running bridge,
and a paired phone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.core.events import EventBus, TelegramPairingRequest
from realmail_desktop.store import Account, Folder, FolderRole, ImapSecurity, ImapSettings, RemoteFolder, Store
from tests.servers.telegram import FakeBotApi, Person, fake_bot_api
from tests.unit.bridges.telegram_support import OWNER_ID, TOKEN, bot_call, next_event

OWNER = Person(OWNER_ID, "Bob", "bobstone")
STRANGER = Person(666, "Mallory", "mallory")


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with fake_bot_api(TOKEN) as api:
        yield api


@pytest.fixture
async def account(store: Store) -> Account:
    settings = ImapSettings(host="127.0.0.1", port=1, security=ImapSecurity.TLS, username="bob")
    created, _ = await store.accounts.create_imap("Work", "bob@example.org", settings)
    await store.accounts.reconcile_folders(
        created.id,
        [
            RemoteFolder(remote_name="INBOX", path="Inbox", delimiter=".", role=FolderRole.INBOX),
            RemoteFolder(remote_name="Archive", path="Archive", delimiter=".", role=FolderRole.ARCHIVE),
            RemoteFolder(remote_name="Trash", path="Trash", delimiter=".", role=FolderRole.TRASH),
            RemoteFolder(remote_name="Sent", path="Sent", delimiter=".", role=FolderRole.SENT),
        ],
    )
    return created


@pytest.fixture
def inbox(store: Store, account: Account) -> Folder:
    folder = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert folder is not None
    return folder


@pytest.fixture
async def bridge(store: Store, bus: EventBus, bot_api: FakeBotApi, inbox: Folder) -> AsyncIterator[TelegramBridge]:
    await store.telegram.set_values(enabled=True)
    await store.telegram.set_watched([inbox.id], [])
    running = TelegramBridge(
        store, bus, lambda: TOKEN, base_url=bot_api.base_url, base_file_url=bot_api.base_file_url, poll_timeout=5
    )
    await running.start()
    await asyncio.wait_for(running.wait_running(), 15)
    try:
        yield running
    finally:
        await running.stop()


async def pair(bridge: TelegramBridge, api: FakeBotApi, bus: EventBus, person: Person) -> None:
    code, _link = await bridge.new_pairing_code()
    asked = next_event(bus, TelegramPairingRequest)
    api.say(person, f"/start {code.code}")
    request = await asyncio.wait_for(asked, 15)
    assert isinstance(request, TelegramPairingRequest)
    await bridge.confirm_chat(request.chat_id)
    await bot_call(api, lambda c: c.method == "sendMessage" and c.chat_id == person.chat_id and "Paired" in c.text)


@pytest.fixture
async def paired(bridge: TelegramBridge, bot_api: FakeBotApi, bus: EventBus) -> TelegramBridge:
    await pair(bridge, bot_api, bus, OWNER)
    return bridge
