"""Answering a message: who a reply goes to, its subject and thread headers, the quote; forwards; edit as new.

Rules (Thunderbird's where they differ among clients):
- Reply goes to Reply-To when the original has one, else to From; replying to one's own message goes to its To.
- Reply all adds the original's To and Cc, never one of the person's own addresses, never anyone twice.
- Reply to list goes to the List-Post address (RFC 2369), when the message came through a list.
- Subjects get one `Re: ` / `Fwd: `: `Re: Re: AW: x` → `Re: x`; a list tag stays in front (`Re: [dev] x`).
- In-Reply-To is the original's Message-ID; References its References (else In-Reply-To) plus that id.
- The identity to answer from is the own address the original was sent to (To, then Cc, then Delivered-To).
"""

from __future__ import annotations

import email.parser
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from enum import StrEnum

from realmail_desktop.mail.compose import FileAttachment, InlineImage
from realmail_desktop.mail.headers import (
    Address,
    decode_header_value,
    normalize_message_id,
    parse_addresses,
    parse_references,
)
from realmail_desktop.mail.html import html_to_text
from realmail_desktop.mail.message import attachment_payloads, inline_parts, parse_message


class AnswerKind(StrEnum):
    REPLY = "reply"
    REPLY_ALL = "reply_all"
    REPLY_LIST = "reply_list"
    FORWARD = "forward"  # inline: the original quoted under a header block, its files attached again
    FORWARD_AS_ATTACHMENT = "forward_attachment"  # the whole original as message/rfc822
    EDIT_AS_NEW = "edit_as_new"  # the same recipients, subject, text and files, as a new message


_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|antw|vs|odp|res|ref|r|回复|答复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.I)
_FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|wg|tr|rv|enc|doorst|vl|転送|转发)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.I)
_LIST_TAG = re.compile(r"^\s*(\[[^\]]{1,40}\])\s*")


def _prefixed(subject: str, prefix: str, pattern: re.Pattern[str]) -> str:
    text = " ".join(subject.split())
    tag = ""
    while True:
        stripped = pattern.sub("", text, count=1)
        tagged = _LIST_TAG.match(stripped)
        if tagged and not tag:
            tag = tagged.group(1) + " "
            stripped = stripped[tagged.end() :]
        if stripped == text:
            break
        text = stripped
    return f"{prefix}{tag}{text}".rstrip()


def reply_subject(subject: str) -> str:
    """`Re: ` once, whatever reply prefixes (any language, counted or not) the subject had."""
    return _prefixed(subject, "Re: ", _REPLY_PREFIX)


def forward_subject(subject: str) -> str:
    return _prefixed(subject, "Fwd: ", _FORWARD_PREFIX)


@dataclass(frozen=True, slots=True)
class Original:
    """What answering needs from a message, read once (off the GUI thread: a big message takes a while)."""

    raw: bytes
    message_id: str
    references: tuple[str, ...]
    subject: str
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    delivered_to: tuple[Address, ...]
    list_post: str
    date: int | None
    text: str
    html: str | None
    attachments: tuple[tuple[str, str, str], ...]  # (part id, file name, content type), not inline ones


def _list_post(value: str) -> str:
    """The mailto: address of a List-Post header (`<mailto:dev@lists.example.org>`), or '' (`NO`)."""
    match = re.search(r"<\s*mailto:([^>?\s]+)", value or "", re.I)
    return match.group(1) if match else ""


def read_original(raw: bytes) -> Original:
    """The answerable parts of a raw message; never raises (junk gives empty fields)."""
    parsed = parse_message(raw)
    head = email.parser.BytesHeaderParser(policy=policy.compat32).parsebytes(raw)

    def header(name: str) -> str:
        value = head.get(name)
        return str(value) if value is not None else ""

    in_reply_to = normalize_message_id(header("In-Reply-To"))
    references = parse_references(header("References")) or ((in_reply_to,) if in_reply_to else ())
    text = parsed.text if parsed.text is not None else html_to_text(parsed.html or "")
    return Original(
        raw=raw,
        message_id=normalize_message_id(header("Message-ID")),
        references=references,
        subject=parsed.subject,
        sender=parsed.sender,
        to=parsed.to,
        cc=parsed.cc,
        bcc=parse_addresses(decode_header_value(header("Bcc"))),
        reply_to=parsed.reply_to,
        delivered_to=parse_addresses(header("Delivered-To")) + parse_addresses(header("X-Original-To")),
        list_post=_list_post(header("List-Post")),
        date=parsed.date,
        text=text.replace("\r\n", "\n"),
        html=parsed.html,
        attachments=tuple((a.part_id, a.filename, a.content_type) for a in parsed.attachments if not a.inline),
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """How a composer starts: recipients, subject, thread headers, body text and what is attached."""

    kind: AnswerKind
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    subject: str
    in_reply_to: str
    references: tuple[str, ...]
    text: str  # plain text to start with (quote or forwarded block); the composer adds the signature
    attachments: tuple[FileAttachment, ...]
    forwarded: tuple[bytes, ...]
    from_address: str | None  # the own address the original was sent to (pick that identity), if any
    message_id: str = ""  # kept only when a draft is reopened
    html: str | None = None  # a reopened rich draft's HTML
    inline_images: tuple[InlineImage, ...] = ()


def _key(address: Address) -> str:
    return address.address.strip().lower()


def _without(addresses: Iterable[Address], excluded: set[str]) -> tuple[Address, ...]:
    kept: list[Address] = []
    for address in addresses:
        key = _key(address)
        if key and key not in excluded:
            excluded.add(key)
            kept.append(address)
    return tuple(kept)


def addressed_to(original: Original, own: Sequence[str]) -> str | None:
    """The first own address among the original's To, Cc, Bcc and Delivered-To (as the person wrote it)."""
    mine = {a.strip().lower(): a for a in own}
    for address in (*original.to, *original.cc, *original.bcc, *original.delivered_to):
        if _key(address) in mine:
            return mine[_key(address)]
    return None


def attribution(original: Original) -> str:
    who = original.sender.display() if original.sender else "someone"
    if original.date is None:
        return f"{who} wrote:"
    moment = datetime.fromtimestamp(original.date).astimezone().strftime("%d/%m/%Y %H:%M")
    return f"On {moment}, {who} wrote:"


MAX_QUOTE_CHARS = 100_000  # a longer original is quoted up to here: the reply stays light to write and send
SHORTENED = "[… the rest of the original message is not quoted]"


def quoted(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """Every line of `text` quoted once more (`> `; an already quoted line gets `>`, as mail clients do),
    cut at a line end after `limit` characters with a note saying so."""
    text = text.rstrip("\n")
    shortened = len(text) > limit
    if shortened:
        cut = text.rfind("\n", 0, limit)
        text = text[: cut if cut > 0 else limit]
    lines = text.split("\n") + ([SHORTENED] if shortened else [])
    return "\n".join((">" + line) if line.startswith(">") else ("> " + line).rstrip() for line in lines)


def _forward_block(original: Original) -> str:
    when = time.strftime("%a, %d %b %Y %H:%M:%S %z", time.localtime(original.date)) if original.date is not None else ""
    rows = [
        ("Subject", original.subject),
        ("Date", when),
        ("From", original.sender.display() if original.sender else ""),
        ("To", ", ".join(a.display() for a in original.to)),
        ("Cc", ", ".join(a.display() for a in original.cc)),
    ]
    head = "\n".join(f"{name}: {value}" for name, value in rows if value)
    return f"-------- Forwarded Message --------\n{head}\n\n{original.text.rstrip()}\n"


def _original_files(original: Original) -> tuple[FileAttachment, ...]:
    if not original.attachments:
        return ()
    wanted = {part_id: (name, kind) for part_id, name, kind in original.attachments}
    files = []
    for part_id, data in attachment_payloads(original.raw, list(wanted)):
        if data is not None:
            name, kind = wanted[part_id]
            files.append(FileAttachment(filename=name or "attachment", data=data, content_type=kind))
    return tuple(files)


def answer(original: Original, kind: AnswerKind, own: Sequence[str]) -> Answer:
    """How to start answering `original` in the way `kind` says, for a person whose addresses are `own`."""
    mine = {a.strip().lower() for a in own if a.strip()}
    from_address = addressed_to(original, own)
    thread_refs = (*original.references, original.message_id) if original.message_id else original.references
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    if kind in (AnswerKind.REPLY, AnswerKind.REPLY_ALL, AnswerKind.REPLY_LIST):
        from_me = original.sender is not None and _key(original.sender) in mine
        if kind is AnswerKind.REPLY_LIST and original.list_post:
            primary: tuple[Address, ...] = (Address("", original.list_post),)
        elif from_me:
            primary = original.to  # answering one's own sent message: to the people it went to
        else:
            primary = original.reply_to or ((original.sender,) if original.sender else ())
        seen = set() if from_me and kind is not AnswerKind.REPLY_LIST else set(mine)
        to = _without(primary, seen)
        if kind is AnswerKind.REPLY_ALL:
            seen |= mine
            cc = _without((*original.to, *original.cc), seen)
            if not to and cc:  # everyone else was on Cc
                to, cc = cc[:1], cc[1:]
        body = f"\n\n{attribution(original)}\n{quoted(original.text)}\n" if original.text.strip() else ""
        return Answer(
            kind,
            to,
            cc,
            bcc,
            reply_subject(original.subject),
            original.message_id,
            thread_refs,
            body,
            (),
            (),
            from_address,
        )
    if kind is AnswerKind.FORWARD:
        body = "\n\n" + _forward_block(original)
        return Answer(
            kind,
            (),
            (),
            (),
            forward_subject(original.subject),
            "",
            (),
            body,
            _original_files(original),
            (),
            from_address,
        )
    if kind is AnswerKind.FORWARD_AS_ATTACHMENT:
        return Answer(
            kind, (), (), (), forward_subject(original.subject), "", (), "", (), (original.raw,), from_address
        )
    # Edit as new: the message again, as the person's own new one (no thread headers, a new Message-ID).
    sender = original.sender.address if original.sender else None
    return Answer(
        kind,
        original.to,
        original.cc,
        original.bcc,
        original.subject,
        "",
        (),
        original.text,
        _original_files(original),
        (),
        sender if sender and sender.lower() in mine else from_address,
    )


def reopen_draft(original: Original) -> Answer:
    """A saved draft back in a composer: everything as it was, its Message-ID and thread headers too."""
    images = tuple(
        InlineImage(content_id=cid, data=data, content_type=kind)
        for cid, (kind, data) in inline_parts(original.raw).items()
    )
    head = email.parser.BytesHeaderParser(policy=policy.compat32).parsebytes(original.raw)
    in_reply_to = normalize_message_id(str(head.get("In-Reply-To") or ""))
    return Answer(
        AnswerKind.EDIT_AS_NEW,
        original.to,
        original.cc,
        original.bcc,
        original.subject,
        in_reply_to,
        original.references if in_reply_to else (),
        original.text,
        _original_files(original),
        (),
        original.sender.address if original.sender else None,
        message_id=original.message_id,
        html=original.html,
        inline_images=images,
    )
