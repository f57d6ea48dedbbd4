"""Generates a realistic, deterministic mail mix for benchmarks: plain, HTML, attachments, threads, charsets."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime

FIRST_NAMES = ["Alex", "Maria", "Jürgen", "Søren", "Chloé", "Ivan", "Yuki", "Wei", "Fatima", "Noah", "Olivia", "Mateo"]
LAST_NAMES = ["Morgan", "García", "Müller", "Kristensen", "Dubois", "Petrov", "Tanaka", "Zhang", "Haddad", "Smith"]
WORDS = [
    "meeting",
    "budget",
    "report",
    "quarterly",
    "invoice",
    "travel",
    "schedule",
    "review",
    "draft",
    "proposal",
    "contract",
    "design",
    "release",
    "server",
    "backup",
    "holiday",
    "dinner",
    "project",
    "deadline",
    "update",
    "question",
    "feedback",
    "agenda",
    "notes",
    "weekend",
    "photos",
    "plan",
    "customer",
    "order",
    "shipping",
    "delivery",
    "account",
    "payment",
    "receipt",
    "conference",
    "slides",
    "workshop",
    "training",
    "roadmap",
]
_NON_ASCII_SUBJECTS = [
    ("Grüße aus München – Übersicht", "utf-8"),
    ("Réunion de l'équipe à 15 h", "iso-8859-1"),
    ("Отчёт за квартал", "koi8-r"),
    ("会議の議事録", "iso-2022-jp"),
    ("项目进度更新", "gb2312"),
    ("お知らせ: システム更新", "shift_jis"),
]
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    return [" ".join(_sentence(rng, rng.randint(6, 16)) for _ in range(rng.randint(2, 5))) for _ in range(count)]


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    address = f"{first.lower()}.{last.lower()}@example.com".encode("ascii", "ignore").decode()
    return f"{first} {last}", address


def _address_header(name: str, address: str) -> str:
    if name.isascii():
        return f'"{name}" <{address}>'
    return f"{Header(name, 'utf-8').encode()} <{address}>"


def generate(count: int, *, seed: int = 7, start: datetime | None = None) -> Iterator[bytes]:
    """`count` RFC 5322 messages, oldest first: ~55% plain, 25% HTML alternative, 15% with an attachment,
    5% non-ASCII subjects in legacy charsets; a third are replies in threads."""
    rng = random.Random(seed)
    when = start or datetime(2025, 1, 1, tzinfo=UTC)
    roots: list[tuple[str, str]] = []
    for i in range(count):
        when += timedelta(seconds=rng.randint(30, 3600))
        name, address = _person(rng)
        message_id = f"<bench-{seed}-{i}@example.com>"
        kind = rng.random()
        if roots and rng.random() < 0.33:
            parent_id, parent_subject = rng.choice(roots[-200:])
            subject, thread = f"Re: {parent_subject}", f"In-Reply-To: {parent_id}\r\nReferences: {parent_id}\r\n"
        else:
            subject, thread = _sentence(rng, rng.randint(3, 8))[:-1], ""
            roots.append((message_id, subject))
        if kind > 0.95:
            text, charset = rng.choice(_NON_ASCII_SUBJECTS)
            subject_header = Header(text, charset).encode()
        else:
            subject_header = subject
        head = (
            f"From: {_address_header(name, address)}\r\nTo: Alex Morgan <alex@example.org>\r\n"
            f"Subject: {subject_header}\r\nDate: {format_datetime(when)}\r\nMessage-ID: {message_id}\r\n{thread}"
            "MIME-Version: 1.0\r\n"
        )
        paragraphs = _paragraphs(rng, rng.randint(1, 6))
        plain = "\r\n\r\n".join(paragraphs) + f"\r\n\r\n-- \r\n{name}\r\n"
        if kind < 0.55:
            body = f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{plain}"
        elif kind < 0.80:
            html = "".join(f"<p>{p}</p>" for p in paragraphs)
            body = (
                'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
                f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
                f"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}</body></html>\r\n"
                "--alt--\r\n"
            )
        else:
            payload = _PNG if rng.random() < 0.5 else rng.randbytes(rng.randint(2_000, 60_000))
            filename, ctype = ("photo.png", "image/png") if payload is _PNG else ("report.pdf", "application/pdf")
            encoded = base64.encodebytes(payload).decode().replace("\n", "\r\n")
            body = (
                'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
                f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
                f'--mix\r\nContent-Type: {ctype}; name="{filename}"\r\n'
                f'Content-Disposition: attachment; filename="{filename}"\r\n'
                f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--mix--\r\n"
            )
        yield (head + body).encode("utf-8")


def write_mbox(path: str, count: int, *, seed: int = 7) -> int:
    """Write `count` generated messages as an mbox file; returns its size in bytes."""
    size = 0
    with open(path, "wb") as out:
        for raw in generate(count, seed=seed):
            chunk = b"From bench@example.com Thu Jan  1 00:00:00 2025\n" + raw.replace(b"\r\n", b"\n") + b"\n"
            out.write(chunk)
            size += len(chunk)
    return size
