"""The import fast path: `read_envelope` turns raw message bytes into the fields the store and index need."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.charsets import decode_bytes
from realmail_desktop.mail.headers import (
    Address,
    decode_header_value,
    normalize_message_id,
    parse_addresses,
    parse_date,
    parse_references,
)
from realmail_desktop.mail.html import html_to_text
from realmail_desktop.mail.mime import (
    PART_HEADERS,
    AttachmentInfo,
    MimePart,
    attachments_in,
    decode_transfer,
    header_text,
    read_header_block,
    read_structure,
)

_log = get_logger("mail")

BODY_TEXT_LIMIT = 100_000
SNIPPET_LENGTH = 200
# Encoded bytes read per body part: enough for BODY_TEXT_LIMIT characters of text, not a 50 MB dump.
_PLAIN_BYTES_LIMIT = 600_000
_HTML_BYTES_LIMIT = 2_000_000

_TOP_HEADERS = frozenset(
    {
        b"from",
        b"sender",
        b"to",
        b"cc",
        b"reply-to",
        b"subject",
        b"date",
        b"message-id",
        b"in-reply-to",
        b"references",
        b"list-id",
        # Categories and unsubscribe (mail/categories.py, mail/unsubscribe.py)
        b"list-unsubscribe",
        b"list-unsubscribe-post",
        b"precedence",
        b"auto-submitted",
    }
)
_BINARY_NOISE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]+")
_ATTRIBUTION = re.compile(r"(?:wrote|schrieb|a écrit|escribió|scrisse|skrev|kirjoitti|napisał|写道)\s*[:：]$", re.I)
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|rif|odp|res|enc|回复|答复|转发)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]"
    r"|\[[^\]]*\])\s*",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the store keeps about a message without parsing it again (see `read_envelope`)."""

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    date: int
    date_valid: bool
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    subject: str
    snippet: str
    body_text: str
    attachments: tuple[AttachmentInfo, ...]
    size: int
    list_id: str
    defects: tuple[str, ...]
    # Headers of bulk and automated mail (RFC 2369, RFC 8058, RFC 3834; Precedence is de facto)
    list_unsubscribe: str = ""
    list_unsubscribe_post: str = ""
    precedence: str = ""
    auto_submitted: str = ""

    @property
    def has_attachments(self) -> bool:
        return any(not attachment.inline for attachment in self.attachments)


def _readable_parts(part: MimePart) -> list[MimePart]:
    """Leaves whose text a person reads: all of a mixed body, one choice of each alternative (plain first)."""
    if not part.children:
        return [part] if part.fields.is_body_text else []
    if part.fields.content_type == "multipart/alternative":
        choices = [_readable_parts(child) for child in part.children]
        for choice in choices:
            if any(leaf.fields.content_type == "text/plain" for leaf in choice):
                return choice
        return next((choice for choice in reversed(choices) if choice), [])
    return [leaf for child in part.children for leaf in _readable_parts(child)]


def _without_partial_character(data: bytes) -> bytes:
    """`data` cut before a UTF-8 sequence that the read limit split (else the whole text reads as cp1252)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # lead byte: keep it only if its sequence is complete
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= length else data[:-back]
    return data


def _leaf_text(raw: bytes, part: MimePart) -> str:
    is_html = part.fields.content_type == "text/html"
    limit = _HTML_BYTES_LIMIT if is_html else _PLAIN_BYTES_LIMIT
    end = min(part.body_end, part.body_start + limit)
    data = decode_transfer(raw[part.body_start : end], part.fields.transfer_encoding)
    if end < part.body_end:
        data = _without_partial_character(data)
    text = decode_bytes(data, part.fields.charset)
    return html_to_text(text) if is_html else text.replace("\r\n", "\n")


def _body_text(raw: bytes, root: MimePart, defects: list[str]) -> str:
    texts: list[str] = []
    total = 0
    for leaf in _readable_parts(root):
        text = _leaf_text(raw, leaf)
        sample = text[:512]
        if len(_BINARY_NOISE.findall(sample)) > len(sample) // 50 + 1:
            defects.append(f"part {leaf.part_id}: body looks binary; not indexed")
            continue
        texts.append(text)
        total += len(text)
        if total >= BODY_TEXT_LIMIT:
            break
    return "\n\n".join(t.strip() for t in texts)[:BODY_TEXT_LIMIT]


def _snippet(body: str) -> str:
    lines = body[: SNIPPET_LENGTH * 40].splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped in ("--", "-- ", "__"):  # RFC 3676 §4.3 signature separator (and lookalikes)
            break
        if stripped.startswith(">"):
            continue
        if (
            stripped.endswith((":", "："))
            and _ATTRIBUTION.search(stripped)
            and any(later.strip().startswith(">") for later in lines[index + 1 : index + 3])
        ):
            continue
        kept.append(stripped)
        if sum(len(k) for k in kept) > SNIPPET_LENGTH:
            break
    text = " ".join(" ".join(kept).split()) or " ".join(body[: SNIPPET_LENGTH * 4].split())
    return _CONTROL.sub("", text[: SNIPPET_LENGTH * 2])[:SNIPPET_LENGTH].rstrip()


def read_envelope(raw: bytes, *, fallback_date: int | None = None) -> Envelope:
    """The envelope of one raw message (RFC 5322 + MIME). Never raises: problems become `defects`."""
    defects: list[str] = []
    try:
        envelope = _read(raw, fallback_date, defects)
    except Exception:  # a bug of ours must not stop an import of 100,000 messages
        _log.exception("read_envelope failed on a %d-byte message", len(raw))
        envelope = _empty_envelope(raw, fallback_date, (*defects, "message could not be read"))
    if envelope.defects:
        _log.debug("message with %d defects: %s", len(envelope.defects), "; ".join(envelope.defects[:10]))
    return envelope


def read_header_envelope(raw: bytes, *, fallback_date: int | None = None) -> Envelope:
    """`read_envelope` of a header block alone (IMAP's BODY[HEADER.FIELDS …]: the header sync's fast path), the
    same fields without the MIME walk where the Content-Type leaves nothing to find in a header: a multipart
    (its parts are in the body) or body text. Anything else (a message that is one attachment) goes through
    `read_envelope`, as does a block with anything after it. Its body text, snippet and attachments are empty and
    its defects are the header block's."""
    defects: list[str] = []
    try:
        headers, body_start = read_header_block(raw, 0, len(raw), _TOP_HEADERS | PART_HEADERS, defects, top=True)
        if body_start < len(raw) or not _nothing_below(headers):
            return read_envelope(raw, fallback_date=fallback_date)  # there is more than a header to read
        envelope = _from_headers(headers, len(raw), fallback_date, defects, _no_body)
    except Exception:
        _log.exception("read_header_envelope failed on a %d-byte header", len(raw))
        envelope = _empty_envelope(raw, fallback_date, (*defects, "message could not be read"))
    return envelope


def _no_body() -> tuple[str, tuple[AttachmentInfo, ...]]:
    return "", ()


def _nothing_below(headers: dict[bytes, bytes]) -> bool:
    """Whether a message with these headers, read without its body, has no attachment: a multipart's are in its
    body, and plain or HTML text without a file name or disposition is body text (mime.attachment_for's rule)."""
    if b"content-disposition" in headers:
        return False
    content_type = headers.get(b"content-type")
    if content_type is None:
        return True  # text/plain
    if b"name" in content_type.lower():  # a file name: perhaps an attachment (even "multipart/x/y" reads as text)
        return False
    value = content_type.split(b";", 1)[0].strip().lower()
    return value.startswith(b"multipart/") or value in (b"text/plain", b"text/html")


def _read(raw: bytes, fallback_date: int | None, defects: list[str]) -> Envelope:
    headers, root = read_structure(raw, _TOP_HEADERS, defects)
    return _from_headers(
        headers, len(raw), fallback_date, defects, lambda: (_body_text(raw, root, defects), attachments_in(raw, root))
    )


def _from_headers(
    headers: dict[bytes, bytes],
    size: int,
    fallback_date: int | None,
    defects: list[str],
    body_and_attachments: Callable[[], tuple[str, tuple[AttachmentInfo, ...]]],
) -> Envelope:
    # Each header decoded once (ASCII inline: nearly all of them).
    texts = {name: value.decode("ascii") if value.isascii() else header_text(value) for name, value in headers.items()}
    text = texts.get
    if not headers:
        defects.append("no headers")
    date = parse_date(text(b"date"))
    if date is None and b"date" in headers:
        defects.append("unreadable Date header")
    senders = parse_addresses(text(b"from")) or parse_addresses(text(b"sender"))
    list_id = decode_header_value(text(b"list-id"))
    if "<" in list_id:
        list_id = list_id[list_id.rfind("<") + 1 :].split(">", 1)[0].strip()
    body, attachments = body_and_attachments()
    return Envelope(
        message_id=normalize_message_id(text(b"message-id")),
        in_reply_to=normalize_message_id(text(b"in-reply-to")),
        references=parse_references(text(b"references")),
        date=date if date is not None else (fallback_date or 0),
        date_valid=date is not None,
        sender=senders[0] if senders else None,
        to=parse_addresses(text(b"to")),
        cc=parse_addresses(text(b"cc")),
        reply_to=parse_addresses(text(b"reply-to")),
        subject=decode_header_value(text(b"subject")),
        snippet=_snippet(body) if body else "",
        body_text=body,
        attachments=attachments,
        size=size,
        list_id=list_id,
        defects=tuple(defects),
        list_unsubscribe=" ".join(text(b"list-unsubscribe", "").split()),
        list_unsubscribe_post=text(b"list-unsubscribe-post", "").strip(),
        precedence=text(b"precedence", "").strip().lower(),
        auto_submitted=text(b"auto-submitted", "").strip().lower(),
    )


def _empty_envelope(raw: bytes, fallback_date: int | None, defects: tuple[str, ...]) -> Envelope:
    return Envelope("", "", (), fallback_date or 0, False, None, (), (), (), "", "", "", (), len(raw), "", defects)


def subject_sort_key(subject: str) -> str:
    """Subject for sorting and threading: reply/forward prefixes and [list] tags gone, case-folded."""
    key = " ".join(subject.casefold().split())
    while True:
        stripped = _SUBJECT_PREFIX.sub("", key, count=1)
        if stripped == key:
            return key.strip()
        key = stripped


def sender_sort_key(sender: Address | None) -> str:
    """Sender for sorting: case-folded display name, else address; '' without a sender."""
    if sender is None:
        return ""
    return " ".join((sender.name or sender.address).casefold().split())
