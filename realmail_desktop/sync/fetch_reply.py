"""A fast reader of the untagged FETCH replies the sync asks for: UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ,
BODYSTRUCTURE and BODY[...] sections — about ten times cheaper per message than imapclient's general parser,
which was most of the CPU time of the initial header sync (docs/PERFORMANCE.md).

Input is what imaplib collected for FETCH: one entry per reply line, where a line that ends in a literal
`{n}` comes as the tuple (line, literal bytes). A message's reply ends at its first plain (non-tuple) entry,
because imaplib always reads one more line after a literal. Each reply is tokenised with one regular
expression (literals replaced by placeholders) and built into nested lists; nothing here raises on odd server
output: a reply that cannot be read is left out and reported in `FetchReplies.unreadable`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

# A parsed value: an atom or quoted string (bytes), a literal (bytes), NIL (None), or a parenthesised list.
Value: TypeAlias = bytes | list["Value"] | None
# What imaplib collected for a FETCH: reply lines, a line ending in a literal as (line, literal bytes).
FetchLines: TypeAlias = list[bytes | tuple[bytes, bytes]]

_TOKEN = re.compile(
    rb'\(|\)|"(?:[^"\\]|\\.)*"|\x00\d+\x00|(?:BODY|BINARY)(?:\.PEEK)?\[[^\]]*\](?:<\d+>)?|[^\s()"]+', re.IGNORECASE
)
_QUOTED_ESCAPE = re.compile(rb"\\(.)")
_NIL = frozenset({b"NIL", b"nil", b"Nil"})
_MONTHS = {
    name: number
    for number, name in enumerate(
        (b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV", b"DEC"), start=1
    )
}


@dataclass(slots=True)
class FetchReply:
    """One message's FETCH items (those the server sent; the others are None or empty)."""

    seq: int
    uid: int | None = None
    flags: tuple[str, ...] | None = None
    internaldate: int | None = None
    size: int | None = None
    modseq: int | None = None
    bodystructure: Value = None
    sections: dict[str, bytes] = field(default_factory=dict)  # "BODY[]", "BODY[HEADER.FIELDS (…)]" → bytes
    gmail_labels: tuple[str, ...] | None = None  # X-GM-LABELS (Gmail): "\\Inbox", "Work" …
    gmail_thread: int | None = None  # X-GM-THRID
    gmail_message: int | None = None  # X-GM-MSGID

    def section(self, prefix: str) -> bytes | None:
        """The first section whose name starts with `prefix` (e.g. "BODY[HEADER")."""
        return next((value for name, value in self.sections.items() if name.startswith(prefix)), None)


@dataclass(slots=True)
class FetchReplies:
    replies: dict[int, FetchReply]  # by UID; replies without a UID (unsolicited) are left out
    unreadable: int = 0


def parse_fetch_replies(data: Sequence[bytes | tuple[bytes, bytes]] | None) -> FetchReplies:
    """Every message of an untagged FETCH reply, by UID (several replies for one UID are merged)."""
    result = FetchReplies({})
    for text, literals in _messages(data or ()):
        reply = _parse_message(text, literals)
        if reply is None:
            result.unreadable += 1
        elif reply.uid is not None:
            earlier = result.replies.get(reply.uid)
            result.replies[reply.uid] = reply if earlier is None else _merged(earlier, reply)
    return result


def _messages(data: Sequence[bytes | tuple[bytes, bytes] | None]) -> list[tuple[bytes, list[bytes]]]:
    messages: list[tuple[bytes, list[bytes]]] = []
    parts: list[bytes] = []
    literals: list[bytes] = []
    for entry in data:
        if isinstance(entry, tuple):
            line, literal = entry
            opening = line.rfind(b"{")  # imaplib made a tuple because the line ends in "{n}" (or "~{n}")
            if opening > 0 and line[opening - 1 : opening] == b"~":
                opening -= 1
            parts.append((line[:opening] if opening >= 0 else line) + b"\x00%d\x00" % len(literals))
            literals.append(literal if isinstance(literal, bytes) else b"")
        elif isinstance(entry, bytes):
            parts.append(entry)
            messages.append((b"".join(parts), literals))
            parts, literals = [], []
    return messages


def _parse_message(text: bytes, literals: list[bytes]) -> FetchReply | None:
    head, _, rest = text.partition(b" ")
    if not head.isdigit():
        return None
    items = _nested(_TOKEN.findall(rest), literals)
    if len(items) != 1 or not isinstance(items[0], list):
        return None
    pairs = items[0]
    reply = FetchReply(seq=int(head))
    try:
        for index in range(0, len(pairs) - 1, 2):
            name, value = pairs[index], pairs[index + 1]
            if isinstance(name, bytes):
                _take(reply, name.upper(), value)
    except (ValueError, TypeError):
        return None
    return reply


def _take(reply: FetchReply, name: bytes, value: Value) -> None:
    if name == b"UID" and isinstance(value, bytes):
        reply.uid = int(value)
    elif name == b"FLAGS" and isinstance(value, list):
        reply.flags = tuple(flag.decode("utf-8", "replace") for flag in value if isinstance(flag, bytes))
    elif name == b"INTERNALDATE" and isinstance(value, bytes):
        reply.internaldate = internaldate_seconds(value)
    elif name == b"RFC822.SIZE" and isinstance(value, bytes):
        reply.size = int(value)
    elif name == b"MODSEQ" and isinstance(value, list) and value and isinstance(value[0], bytes):
        reply.modseq = int(value[0])
    elif name == b"BODYSTRUCTURE":
        reply.bodystructure = value
    elif name == b"X-GM-LABELS" and isinstance(value, list):
        reply.gmail_labels = tuple(label.decode("utf-8", "replace") for label in value if isinstance(label, bytes))
    elif name == b"X-GM-THRID" and isinstance(value, bytes):
        reply.gmail_thread = int(value)
    elif name == b"X-GM-MSGID" and isinstance(value, bytes):
        reply.gmail_message = int(value)
    elif name.startswith((b"BODY[", b"BINARY[", b"RFC822")):
        reply.sections[name.decode("ascii", "replace")] = value if isinstance(value, bytes) else b""


def _nested(tokens: list[bytes], literals: list[bytes]) -> list[Value]:
    """Tokens → nested lists; quoted strings unquoted, literals put back, NIL → None. Unbalanced input is
    closed or ignored rather than refused (the caller checks the shape it needs). The hot loop of the header
    sync: it compares first bytes as integers and binds `append` once per list."""
    root: list[Value] = []
    stack: list[list[Value]] = [root]
    current = root
    add = current.append
    for token in tokens:
        first = token[0]
        if first == 40:  # (
            inner: list[Value] = []
            add(inner)
            stack.append(inner)
            current, add = inner, inner.append
        elif first == 41:  # )
            if len(stack) > 1:
                stack.pop()
                current = stack[-1]
                add = current.append
        elif first == 34:  # "
            body = token[1:-1]
            add(_QUOTED_ESCAPE.sub(rb"\1", body) if b"\\" in body else body)
        elif first == 0:  # a literal's placeholder
            index = int(token[1:-1])
            add(literals[index] if index < len(literals) else b"")
        elif token in _NIL:
            add(None)
        else:
            add(token)
    return root


def internaldate_seconds(value: bytes) -> int | None:
    """'21-Nov-2026 22:35:51 +0100' → Unix seconds (None when it is not that shape)."""
    try:
        date, clock, zone = value.strip().split(b" ")
        day, month, year = date.split(b"-")
        hours, minutes, seconds = clock.split(b":")
        offset = (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60) * (-1 if zone[:1] == b"-" else 1)
        moment = (int(year), _MONTHS[month.upper()], int(day), int(hours), int(minutes), int(seconds))
    except (ValueError, KeyError):
        return None
    return calendar.timegm(moment) - offset


def _text(value: Value) -> str:
    return value.decode("utf-8", "replace").lower() if isinstance(value, bytes) else ""


def _params(value: Value) -> dict[str, str]:
    if not isinstance(value, list):
        return {}
    return {_text(value[i]): _text(value[i + 1]) for i in range(0, len(value) - 1, 2)}


def has_attachments(bodystructure: Value) -> bool | None:
    """Whether a BODYSTRUCTURE (RFC 3501 §7.4.2) has a part shown as an attachment, by the rule the full
    parser uses (mail/mime.py `attachment_for`): a leaf that is neither body text nor an inline image of a
    multipart/related. None when the structure cannot be read."""
    if not isinstance(bodystructure, list) or not bodystructure:
        return None
    return _any_attachment(bodystructure, "", depth=0)


def _any_attachment(part: list[Value], parent_type: str, depth: int) -> bool:
    if depth > 50:  # absurd nesting: stop looking, as the full parser does
        return False
    if isinstance(part[0], list):  # multipart: children first, then the subtype
        subtype = next((_text(item) for item in part if isinstance(item, bytes)), "mixed")
        return any(
            _any_attachment(child, f"multipart/{subtype}", depth + 1)
            for child in part
            if isinstance(child, list) and child
        )
    if len(part) < 7:
        return False
    content_type = f"{_text(part[0])}/{_text(part[1])}"
    params = _params(part[2])
    content_id = part[3]
    # Extension data follows 7 basic fields; text/* adds a line count, message/rfc822 envelope+body+lines.
    extra = 1 if content_type.startswith("text/") else 3 if content_type == "message/rfc822" else 0
    disposition_at = 7 + extra + 1  # after the MD5
    disposition, filename = "", params.get("name", "")
    raw = part[disposition_at] if len(part) > disposition_at else None
    if isinstance(raw, list) and raw:
        disposition = _text(raw[0])
        disposition_params = _params(raw[1] if len(raw) > 1 else None)
        filename = disposition_params.get("filename", filename)
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        return False
    inline = (content_id is not None and parent_type == "multipart/related") or (
        disposition == "inline" and not filename
    )
    return not inline


def _merged(earlier: FetchReply, later: FetchReply) -> FetchReply:
    for name in (
        "flags",
        "internaldate",
        "size",
        "modseq",
        "bodystructure",
        "gmail_labels",
        "gmail_thread",
        "gmail_message",
    ):
        if getattr(later, name) is None:
            setattr(later, name, getattr(earlier, name))
    later.sections = {**earlier.sections, **later.sections}
    return later
