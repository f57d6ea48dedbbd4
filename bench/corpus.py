"""Generates a realistic, deterministic mail mix for benchmarks: plain, HTML, attachments, threads, charsets."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
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


# --- A whole mailbox for the sync benchmark -----------------------------------------------------------------------
# `generate` above stays as it is (bench/import.py's figures depend on its exact output); `mailbox` adds what a
# real account has on top: folders with their own flags, inline images, encoded sender names in several
# charsets, deeper threads, mailing lists, and a few very large messages.

FOLDER_SHARES = (("INBOX", 0.50), ("Archive", 0.25), ("Sent", 0.15), ("Lists", 0.10))
BIG_MESSAGE_EVERY = 5_000  # one message in 5,000 carries a ~5 MB attachment
BIG_MESSAGE_BYTES = 3_800_000  # before base64: ~5.1 MB on the wire
_ME = ("Alex Morgan", "alex@example.org")
_LISTS = [
    ("Project developers", "dev@lists.example.com", "dev.lists.example.com"),
    ("Release announcements", "announce@lists.example.com", "announce.lists.example.com"),
    ("Users' help", "users@lists.example.com", "users.lists.example.com"),
]
_MORE_SUBJECTS = [
    ("Zaproszenie na spotkanie - środa, żółw", "iso-8859-2"),
    ("Café – naïve façade, résumé", "windows-1252"),
    ("Καλημέρα από την Αθήνα", "iso-8859-7"),
    ("회의 일정 안내", "euc-kr"),
    ("Обновление сервера завтра", "windows-1251"),
    ("Grüße – 😀 und ✓ erledigt", "utf-8"),
]
_ENCODED_NAMES = [
    ("François Lefèvre", "iso-8859-1"),
    ("Łukasz Wróbel", "iso-8859-2"),
    ("Дмитрий Иванов", "koi8-r"),
    ("Νίκος Παππάς", "iso-8859-7"),
    ("山田 太郎", "iso-2022-jp"),
    ("王伟", "gb2312"),
    ("김민준", "euc-kr"),
    ("Zoë Ångström", "utf-8"),
]
_ZONES = [timedelta(hours=h) for h in (-8, -5, 0, 1, 2, 5.5, 9)]


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    """One generated message and where it belongs: the folder, its IMAP flags and its INTERNALDATE (Unix time)."""

    folder: str
    raw: bytes
    flags: str
    internaldate: int
    message_id: str


def _image(rng: random.Random, low: int, high: int) -> bytes:
    """PNG-looking bytes of a random length (random data: it does not compress, like a real photo)."""
    return _PNG[:16] + rng.randbytes(rng.randint(low, high))


def _b64(payload: bytes) -> str:
    return base64.encodebytes(payload).decode().replace("\n", "\r\n")


def _flags(rng: random.Random, folder: str) -> str:
    flags = []
    if folder in ("Sent", "Archive") or rng.random() < (0.85 if folder == "INBOX" else 0.6):
        flags.append(r"\Seen")
    if rng.random() < 0.03:
        flags.append(r"\Flagged")
    if folder == "INBOX" and rng.random() < 0.10:
        flags.append(r"\Answered")
    return " ".join(flags)


def _mailbox_body(rng: random.Random, index: int, name: str) -> str:
    """The MIME body (from Content-Type on) of message `index`."""
    paragraphs = _paragraphs(rng, rng.randint(1, 6))
    plain = "\r\n\r\n".join(paragraphs) + f"\r\n\r\n-- \r\n{name}\r\n"
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    if index % BIG_MESSAGE_EVERY == 1234:  # deterministic and present from --messages 1235 on
        return (
            'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
            f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
            '--mix\r\nContent-Type: video/mp4; name="holiday.mp4"\r\n'
            'Content-Disposition: attachment; filename="holiday.mp4"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(rng.randbytes(BIG_MESSAGE_BYTES))}\r\n--mix--\r\n"
        )
    kind = rng.random()
    if kind < 0.58:
        return f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{plain}"
    if kind < 0.81:
        return (
            'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
            f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
            f"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}</body></html>\r\n"
            "--alt--\r\n"
        )
    if kind < 0.88:  # HTML with inline images (a newsletter, a signature logo, a pasted screenshot)
        images = [_image(rng, 1_000, 15_000) for _ in range(rng.randint(1, 3))]
        tags = "".join(f'<img src="cid:img{n}.{index}@example.com" alt="">' for n in range(len(images)))
        parts = "".join(
            f'--rel\r\nContent-Type: image/png; name="image{n}.png"\r\nContent-Transfer-Encoding: base64\r\n'
            f"Content-ID: <img{n}.{index}@example.com>\r\n"
            f'Content-Disposition: inline; filename="image{n}.png"\r\n\r\n{_b64(image)}\r\n'
            for n, image in enumerate(images)
        )
        return (
            'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
            f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
            '--alt\r\nContent-Type: multipart/related; boundary="rel"; type="text/html"\r\n\r\n'
            f"--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}{tags}</body></html>\r\n"
            f"{parts}--rel--\r\n\r\n--alt--\r\n"
        )
    if rng.random() < 0.5:
        payload, filename, ctype = _image(rng, 2_000, 20_000), "photo.png", "image/png"
    else:
        payload, filename, ctype = rng.randbytes(rng.randint(2_000, 40_000)), "report.pdf", "application/pdf"
    disposition = f'attachment; filename="{filename}"'
    if rng.random() < 0.2:  # RFC 2231 non-ASCII file name
        disposition = "attachment; filename*=utf-8''%C3%9Cbersicht%20%E2%80%93%20Q3.pdf"
    return (
        'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
        f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
        f'--mix\r\nContent-Type: {ctype}; name="{filename}"\r\nContent-Disposition: {disposition}\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(payload)}\r\n--mix--\r\n"
    )


def mailbox(count: int, *, seed: int = 11, end: datetime | None = None) -> Iterator[MailboxMessage]:
    """`count` messages over the folders of FOLDER_SHARES, oldest first, the newest dated `end` (default: this
    hour). Plain 58 %, HTML 23 %, HTML with inline images 7 %, attachments 12 % (some with RFC 2231 names),
    one in BIG_MESSAGE_EVERY ~5 MB; ~10 % non-ASCII subjects and ~8 % non-ASCII sender names encoded in a dozen
    charsets; ~40 % replies (References chains up to 8 deep); Sent is from the owner, Lists carry List-Id."""
    rng = random.Random(seed)
    steps = [rng.randint(30, 3570) for _ in range(count)]
    end = end or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    when = end - timedelta(seconds=sum(steps))
    folders = [name for name, _ in FOLDER_SHARES]
    weights = [share for _, share in FOLDER_SHARES]
    threads: list[tuple[str, str, tuple[str, ...]]] = []  # (Message-ID, subject, References) of recent messages
    subjects = _NON_ASCII_SUBJECTS + _MORE_SUBJECTS
    for index, step in enumerate(steps):
        when += timedelta(seconds=step)
        folder = rng.choices(folders, weights)[0]
        message_id = f"<sync-{seed}-{index}@example.com>"
        if rng.random() < 0.08:
            name, charset = rng.choice(_ENCODED_NAMES)
            sender = f"{Header(name, charset).encode()} <user{index % 97}@example.net>"
        else:
            name, address = _person(rng)
            sender = _address_header(name, address)
        recipient = "Alex Morgan <alex@example.org>"
        extra = ""
        if folder == "Sent":
            name, recipient = _ME[0], sender
            sender = f"{_ME[0]} <{_ME[1]}>"
        elif folder == "Lists":
            list_name, list_address, list_id = rng.choice(_LISTS)
            recipient = f"{list_name} <{list_address}>"
            unsubscribe = f"<mailto:{list_address}?subject=unsubscribe>"
            extra = f"List-Id: {list_name} <{list_id}>\r\nList-Unsubscribe: {unsubscribe}\r\n"
        if threads and rng.random() < 0.4:
            parent_id, parent_subject, parent_refs = rng.choice(threads[-300:])
            refs = (*parent_refs[-7:], parent_id)
            subject = parent_subject if parent_subject.startswith("Re: ") else f"Re: {parent_subject}"
            extra += f"In-Reply-To: {parent_id}\r\nReferences: {' '.join(refs)}\r\n"
        else:
            subject, refs = _sentence(rng, rng.randint(3, 8))[:-1], ()
            if rng.random() < 0.10:
                text, charset = rng.choice(subjects)
                subject = Header(text, charset).encode()
        threads.append((message_id, subject, refs))
        zone = timezone(rng.choice(_ZONES))
        head = (
            f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
            f"Date: {format_datetime(when.astimezone(zone))}\r\nMessage-ID: {message_id}\r\n"
            f"{extra}MIME-Version: 1.0\r\n"
        )
        raw = (head + _mailbox_body(rng, index, name)).encode("utf-8")
        yield MailboxMessage(folder, raw, _flags(rng, folder), int(when.timestamp()), message_id)
