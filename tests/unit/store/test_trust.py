"""Remote-content trust: senders remembered lower-cased, forgotten on request, kept across a reopen."""

from __future__ import annotations

from pathlib import Path

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Store


async def test_trust_is_remembered_across_a_reopen_and_can_be_withdrawn(tmp_path: Path, bus: EventBus) -> None:
    path = tmp_path / "trust.sqlite3"
    store = await Store.open(path, bus)
    try:
        assert not store.reader.trusts_remote_content("news@shop.example")
        changes = await store.trust.trust(" News@Shop.Example ")
        assert changes.empty
        await store.trust.trust("news@shop.example")  # twice is once
        await store.trust.trust("not an address")
        assert store.reader.trusts_remote_content("NEWS@shop.example")
    finally:
        await store.close()

    store = await Store.open(path, bus)
    try:
        assert store.reader.trusts_remote_content("news@shop.example")
        assert not store.reader.trusts_remote_content("not an address")
        await store.trust.distrust("NEWS@SHOP.EXAMPLE")
        assert not store.reader.trusts_remote_content("news@shop.example")
    finally:
        await store.close()
