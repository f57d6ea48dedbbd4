"""A fast reader of the untagged FETCH replies the sync asks for: UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ,
BODYSTRUCTURE and BODY[...] sections — about ten times cheaper per message than imapclient's general parser,
which was most of the CPU time of the initial header sync (docs/PERFORMANCE.md).

Input is what imaplib collected for FETCH: one entry per reply line, where a line that ends in a literal
`{n}` comes as the tuple (line, literal bytes). A message's reply ends at its first plain (non-tuple) entry,
because imaplib always reads one more line after a literal. Each reply is tokenised with one regular
expression (literals replaced by placeholders) and built into nested lists; nothing here raises on odd server
output: a reply that cannot be read is left out and reported in `FetchReplies.unreadable`.

A BODYSTRUCTURE is kept as its tokens (`Bodystructure`) and built into lists only when a caller needs them: the
attachment mark (`has_attachments`) first tries a scan of the tokens that proves "only body text" for the common
structures, which costs a fraction of building and walking the lists (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, islice, repeat
from operator import indexOf
from typing import TypeAlias

from realmail_desktop.mail.headers import utc_seconds

# A parsed value: an atom or quoted string (bytes), a literal (bytes), NIL (None), or a parenthesised list.
Value: TypeAlias = bytes | list["Value"] | None
# What imaplib collected for a FETCH: reply lines, a line ending in a literal as (line, literal bytes).
FetchLines: TypeAlias = list[bytes | tuple[bytes, bytes]]

_TOKEN = re.compile(
    rb'\(|\)|"(?:[^"\\]|\\.)*"|\x00\d+\x00|(?:BODY|BINARY)(?:\.PEEK)?\[[^\]]*\](?:<\d+>)?|[^\s()"]+', re.IGNORECASE
)
_QUOTED_ESCAPE = re.compile(rb"\\(.)")
_NIL = frozenset({b"NIL", b"nil", b"Nil"})
# The reply of the header sync's FETCH as Dovecot and most servers send it (items in the order asked), read with
# one match; any other reply (more items, another order, odd characters) goes through the general reader.
_HEADER_REPLY = re.compile(
    rb'\(UID (\d+) FLAGS \(([^()"\[\]{}\x00]*)\) INTERNALDATE "([^"\\]*)" RFC822\.SIZE (\d+)'
    rb" (BODY\[HEADER\.FIELDS \([^()\]]*\)\]) \x00(\d+)\x00(?: BODYSTRUCTURE (\(.*\)))?\)",
    re.DOTALL,
)
_DEPTH = {b"(": 1, b")": -1}  # a token's effect on the nesting depth (others: 0)
_MONTHS = {
    name: number
    for number, name in enumerate(
        (b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV", b"DEC"), start=1
    )
}


@dataclass(frozen=True, slots=True)
class Bodystructure:
    """A BODYSTRUCTURE (RFC 3501 §7.4.2) as the reply's tokens, from its opening to its closing parenthesis, with
    the reply's literals their placeholders point to; `value()` builds the nested lists (or gives `built`, where
    the reader had to build them already: an odd reply)."""

    tokens: tuple[bytes, ...]
    literals: tuple[bytes, ...] = ()
    built: Value = None

    def value(self) -> Value:
        if not self.tokens:
            return self.built
        root = _nested(list(self.tokens), list(self.literals))
        return root[0] if root else None


@dataclass(slots=True)
class FetchReply:
    """One message's FETCH items (those the server sent; the others are None or empty)."""

    seq: int
    uid: int | None = None
    flags: tuple[str, ...] | None = None
    internaldate: int | None = None
    size: int | None = None
    modseq: int | None = None
    bodystructure: Bodystructure | None = None
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
    header_reply = _HEADER_REPLY.fullmatch(rest)
    if header_reply is not None:
        try:
            reply = _header_reply(int(head), header_reply, literals)
        except (ValueError, TypeError):  # as the general reader fails on it (an INTERNALDATE in year 0 …)
            return None
        if reply is not None:
            return reply
    tokens = _TOKEN.findall(rest)
    structure = _cut_bodystructure(tokens, literals) if b"BODYSTRUCTURE" in tokens else None
    items = _nested(tokens, literals)
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
    if structure is not None:
        reply.bodystructure = structure
    return reply


def _header_reply(seq: int, match: re.Match[bytes], literals: list[bytes]) -> FetchReply | None:
    """What the general reader makes of a reply `_HEADER_REPLY` matched (None: one it must read itself)."""
    uid, flags, date, size, section, literal, structure = match.groups()
    reply = FetchReply(
        seq=seq,
        uid=int(uid),
        flags=tuple(flag.decode("utf-8", "replace") for flag in flags.split() if flag not in _NIL),
        internaldate=internaldate_seconds(date),
        size=int(size),
    )
    index = int(literal)
    reply.sections[section.upper().decode("ascii", "replace")] = literals[index] if index < len(literals) else b""
    if structure is not None:
        tokens = _TOKEN.findall(structure)
        try:  # one balanced list, or the general reader decides
            if indexOf(accumulate(map(_DEPTH.get, tokens, repeat(0))), 0) != len(tokens) - 1:
                return None
        except ValueError:
            return None
        reply.bodystructure = Bodystructure(tuple(tokens), tuple(literals))
    return reply


def _cut_bodystructure(tokens: list[bytes], literals: list[bytes]) -> Bodystructure | None:
    """The tokens of the list that follows a top-level BODYSTRUCTURE, replaced in `tokens` by NIL (so the item
    pairs stay as they were); None, `tokens` untouched, when there is no such balanced list."""
    at = tokens.index(b"BODYSTRUCTURE") + 1
    if at >= len(tokens) or tokens[at] != b"(" or sum(map(_DEPTH.get, islice(tokens, at), repeat(0))) != 1:
        return None
    try:  # the closing parenthesis: where the running depth from the opening one first comes back to 0
        end = at + indexOf(accumulate(map(_DEPTH.get, islice(tokens, at, None), repeat(0))), 0)
    except ValueError:
        return None
    structure = Bodystructure(tuple(tokens[at : end + 1]), tuple(literals))
    tokens[at : end + 1] = [b"NIL"]
    return structure


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
        reply.bodystructure = Bodystructure((), built=value) if value is not None else None
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
    return utc_seconds(moment) - offset


def _text(value: Value) -> str:
    return value.decode("utf-8", "replace").lower() if isinstance(value, bytes) else ""


def _params(value: Value) -> dict[str, str]:
    if not isinstance(value, list):
        return {}
    return {_text(value[i]): _text(value[i + 1]) for i in range(0, len(value) - 1, 2)}


def has_attachments(bodystructure: Bodystructure | Value) -> bool | None:
    """Whether a BODYSTRUCTURE (RFC 3501 §7.4.2) has a part shown as an attachment, by the rule the full
    parser uses (mail/mime.py `attachment_for`): a leaf that is neither body text nor an inline image of a
    multipart/related. None when the structure cannot be read."""
    if isinstance(bodystructure, Bodystructure):
        if bodystructure.tokens and only_body_text(bodystructure.tokens):
            return False
        bodystructure = bodystructure.value()
    if not isinstance(bodystructure, list) or not bodystructure:
        return None
    return _any_attachment(bodystructure, "", depth=0)


# The scan behind `only_body_text`, on the tokens joined by single spaces and lower-cased: a text/plain or
# text/html leaf without a "name" parameter and with no disposition but inline (RFC 3501's basic fields and at
# most its four extension fields) becomes "x"; then, again and again, a multipart of x's (its extension data of
# the plain shapes only) becomes "x". A bare atom x of the server's is harmless: the rule ignores atoms as parts.
_QUOTED = rb'"[^"\\]*"'  # a quoted string without escapes
_STRING = b"(?:nil|%s)" % _QUOTED
_PAIRS = rb"\( (?:%s %s )+\)" % (_QUOTED, _QUOTED)  # ("name" "value" …)
_LANGUAGE = rb"(?:%s|\( (?:%s )+\))" % (_STRING, _QUOTED)
_TEXT_LEAF = re.compile(
    b"".join(
        [
            rb'\( "text" "(?:plain|html)" ',
            rb'(?:nil|\( (?:"(?!name")[^"\\]*" %s )+\))' % _QUOTED,  # parameters, no "name"
            b" %s %s %s" % (_STRING, _STRING, _STRING),  # id, description, encoding
            rb" \d+ \d+",  # size, lines
            b"(?: %s" % _STRING,  # MD5
            rb'(?: (?:nil|\( "inline" nil \))',  # disposition
            b"(?: %s(?: %s)?)?)?)?" % (_LANGUAGE, _STRING),  # language, location
            rb" \)",
        ]
    )
)
_TEXT_MULTIPART = re.compile(
    b"".join(
        [
            rb"\( (?:x )+%s" % _QUOTED,  # the parts, the subtype
            rb"(?: (?:nil|%s)" % _PAIRS,  # parameters
            rb"(?: (?:nil|\( %s (?:nil|%s) \))" % (_QUOTED, _PAIRS),  # disposition
            b"(?: %s(?: %s)?)?)?)?" % (_LANGUAGE, _STRING),  # language, location
            rb" \)",
        ]
    )
)


def only_body_text(tokens: Sequence[bytes]) -> bool:
    """Whether a BODYSTRUCTURE's tokens are, provably, text/plain and text/html parts alone (in multiparts), which
    `has_attachments` rules "no attachment". False means not sure: ask `has_attachments`. Cheap enough for the
    header sync, where most messages are such text."""
    text = _TEXT_LEAF.sub(b"x", b" ".join(tokens).lower())
    for _level in range(_SCANNED_LEVELS):  # one nesting level a round; deeper (a hostile server): not sure
        if text == b"x":
            return True
        reduced = _TEXT_MULTIPART.sub(b"x", text)
        if reduced == text:
            return False
        text = reduced
    return text == b"x"


_SCANNED_LEVELS = 50  # as deep as the full rule looks (_any_attachment)


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
