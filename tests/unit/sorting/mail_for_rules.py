"""Raw messages for the sorting tests, and a way to store them as new mail arrives."""

from __future__ import annotations

import time
from email.utils import formatdate

from realmail_desktop.ingest import new_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import Store


def raw_mail(
    *,
    sender: str = "Ann <ann@example.org>",
    to: str = "me@example.net",
    subject: str = "Hello",
    body: str = "Just a note.",
    extra: str = "",
    date: float | None = None,
    message_id: str = "",
) -> bytes:
    mid = message_id or f"<{abs(hash((sender, subject, body, extra)))}@test.example>"
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {mid}\r\n"
        f"Date: {formatdate(time.time() if date is None else date)}\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return head.encode() + body.encode() + b"\r\n"


async def store_mail(store: Store, folder_id: int, *raws: bytes, headers_only: bool = False) -> list[int]:
    rows = [
        new_message(read_envelope(raw), None if headers_only else raw, Flag(0), size=len(raw) if headers_only else None)
        for raw in raws
    ]
    ids, _changes = await store.messages.add(folder_id, rows)
    return ids
