"""Fixtures of the UI model tests: a deterministic mix of test mail and a fast way to store lots of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from realmail_desktop.store import NewAttachment, NewMessage, Store

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
def sample() -> Callable[..., NewMessage]:
    """`sample(i, **overrides)`: message number `i` of the deterministic test mix (what `fill` adds)."""
    return sample_message


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
