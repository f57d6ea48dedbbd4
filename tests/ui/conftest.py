"""Fixtures of the UI model tests: a real Store in tmp_path, its bus, and a generator of test mail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, NewAttachment, NewMessage, Store

SENDERS = (
    ("Alice Smith", "alice@example.com"),
    ("", "bob@example.org"),
    ("Émile Zola", "emile@example.fr"),
    ("carol", "carol@example.net"),
    ("alice smith", "alice2@example.com"),
)
SUBJECTS = ("Lunch?", "", "Re: budget", "Ärger im Büro", "zebra crossing", "Budget")
BASE_DATE = 1_700_000_000
PDF = NewAttachment(part_id="2", filename="report.pdf", content_type="application/pdf", size=1000)

Fill = Callable[..., Awaitable[list[int]]]


def sample_message(i: int, **overrides: Any) -> NewMessage:
    """Message number `i` of a deterministic mix: repeated senders and subjects, and dates that repeat
    every 400 messages, so every sort order needs its (date, id) tie-breaks."""
    name, address = SENDERS[i % len(SENDERS)]
    subject = SUBJECTS[(i * 7) % len(SUBJECTS)]
    fields: dict[str, Any] = {
        "message_id": f"<m{i}@example.test>",
        "date": BASE_DATE + (i * 37) % 400 * 60,
        "sender_name": name,
        "sender_address": address,
        "sender_sort": (name or address).casefold(),
        "subject": subject,
        "subject_sort": subject.casefold(),
        "is_seen": i % 3 != 0,
        "is_flagged": i % 5 == 0,
        "attachments": (PDF,) if i % 4 == 0 else (),
    }
    fields.update(overrides)
    return NewMessage(**fields)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def store(tmp_path: Path, bus: EventBus) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "mail.sqlite", bus)
    yield store
    await store.close()


@pytest.fixture
def fill(store: Store) -> Fill:
    """`await fill(folder_id, n, first=0, **overrides)`: add test messages first…first+n-1 in batches."""

    async def fill(folder_id: int, n: int, first: int = 0, **overrides: Any) -> list[int]:
        ids: list[int] = []
        for start in range(first, first + n, 1000):
            batch = [sample_message(i, **overrides) for i in range(start, min(start + 1000, first + n))]
            ids.extend((await store.messages.add(folder_id, batch))[0])
        return ids

    return fill


@pytest.fixture
async def local_folders(store: Store) -> dict[FolderRole, int]:
    """A local account's standard folders by role."""
    account, _ = await store.accounts.create_local()
    folders = store.reader.folders(account.id)
    return {folder.role: folder.id for folder in folders if folder.role is not None}
