"""Header values as people meant them: RFC 2047 words, addresses, dates, message ids and MIME parameters."""

from __future__ import annotations

import binascii
import datetime
import email.utils
import functools
import re
import urllib.parse
from dataclasses import dataclass

from realmail_desktop.mail.charsets import decode_bytes

# RFC 2047 encoded-word; the charset may carry an RFC 2231 language suffix (`utf-8*en`).
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROLS = {c: None for c in range(32)} | {0x7F: None, 0x09: " ", 0x0A: " ", 0x0D: " "}
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def unfold(raw: str) -> str:
    """The header value with RFC 5322 folding (CRLF before white space) removed."""
    if "\n" not in raw:
        return raw
    return _FOLD.sub("", raw)


def _clean(text: str) -> str:
    if text.isprintable():
        return text
    return text.translate(_CONTROLS)


def decode_base64(data: bytes) -> bytes:
    """Lenient base64 (bodies and encoded words): junk skipped, missing padding tolerated, never raises."""
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        clean = _B64_JUNK.sub(b"", data)
        rest = len(clean) % 4
        if rest == 1:
            clean = clean[:-1]
        elif rest:
            clean += b"=" * (4 - rest)
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            return b""


def _decode_word(encoding: str, data: str) -> bytes:
    if encoding in "bB":
        return decode_base64(data.encode("ascii", "replace"))
    return binascii.a2b_qp(data.encode("utf-8"), header=True)


def decode_header_value(raw: str | None) -> str:
    """Readable text of a header value: unfolded, RFC 2047 words decoded (broken ones leniently)."""
    if not raw:
        return ""
    text = unfold(raw)
    if "=?" not in text:
        return _clean(text).strip()
    out: list[str] = []
    pending_charset = ""
    pending: list[bytes] = []
    pos = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[pos : match.start()]
        # RFC 2047 §6.2: white space between adjacent encoded words is not displayed.
        if not (pending and (not between or between.isspace())):
            if pending:
                out.append(decode_bytes(b"".join(pending), pending_charset))
                pending = []
            out.append(between)
        charset = match.group(1).split("*", 1)[0].lower()
        word = _decode_word(match.group(2), match.group(3))
        # Words in one charset are joined before decoding: senders split multi-byte characters across them.
        if pending and charset != pending_charset:
            out.append(decode_bytes(b"".join(pending), pending_charset))
            pending = []
        pending_charset = charset
        pending.append(word)
        pos = match.end()
    if pending:
        out.append(decode_bytes(b"".join(pending), pending_charset))
    out.append(text[pos:])
    return _clean("".join(out)).strip()


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: display name (may be empty) and address (may be empty for a bare name)."""

    name: str
    address: str

    def display(self) -> str:
        if self.name and self.address and self.name != self.address:
            return f"{self.name} <{self.address}>"
        return self.address or self.name

    def __str__(self) -> str:
        return self.display()


_ADDRESS_SPECIALS = re.compile(r'[\\"(),:;<>]')
_SIMPLE_MAILBOX = re.compile(r"\s*([^<>]*?)\s*<([^<>]*)>\s*")
_QUOTED_STRING = re.compile(r'((?:[^"\\]|\\.)*)"?', re.S)
_QUOTED_PAIR = re.compile(r"\\(.)", re.S)


def _mailbox(words: list[str], quoted: bool, angle: str | None, comments: list[str]) -> Address | None:
    phrase = " ".join(" ".join(words).split())
    if angle is not None:
        address = "".join(angle.split())
        if address.lower().startswith("mailto:"):
            address = address[7:]
        if ":" in address and address.startswith("@"):  # obsolete source route (RFC 5322 §4.4)
            address = address.split(":", 1)[1]
        name = phrase or " ".join(comments)
    elif "@" in phrase or (phrase and not quoted and " " not in phrase):
        address = "".join(phrase.split())
        name = " ".join(comments)
    else:
        address, name = "", phrase or " ".join(comments)
    name = decode_header_value(name)
    if name.startswith('"') and name.endswith('"') and len(name) > 1:
        name = name[1:-1].strip()
    name = name.replace("<", "").replace(">", "").strip()
    address = _clean(address).replace("<", "").replace(">", "").strip("'\"")
    if not name and not address:
        return None
    return Address(name, address)


def _parse_address_list(text: str) -> list[Address]:
    result: list[Address] = []
    words: list[str] = []
    comments: list[str] = []
    angle: str | None = None
    quoted = False
    pos = 0
    n = len(text)

    def finish() -> None:
        nonlocal words, comments, angle, quoted
        mailbox = _mailbox(words, quoted, angle, comments)
        if mailbox is not None:
            result.append(mailbox)
        words, comments, angle, quoted = [], [], None, False

    while pos < n:
        match = _ADDRESS_SPECIALS.search(text, pos)
        if match is None:
            words.append(text[pos:])
            break
        start = match.start()
        if start > pos:
            words.append(text[pos:start])
        char = text[start]
        if char == '"':
            end, value = _read_quoted(text, start + 1)
            words.append(value)
            quoted = True
            pos = end
        elif char == "(":
            end, value = _read_comment(text, start + 1)
            comments.append(value.strip())
            pos = end
        elif char == "<":
            end = text.find(">", start + 1)
            if end < 0:
                end = n
            angle = text[start + 1 : end]
            pos = end + 1
        elif char in ",;":
            finish()
            pos = start + 1
        elif char == ":" and angle is None and "@" not in "".join(words):
            # group syntax: "Friends: a@x, b@y;" — the group name is not a mailbox
            words, comments, quoted = [], [], False
            pos = start + 1
        else:  # stray ">", "\", ")" or ":" — keep as text
            words.append(char)
            pos = start + 1
    finish()
    return result


def _read_quoted(text: str, pos: int) -> tuple[int, str]:
    match = _QUOTED_STRING.match(text, pos)
    if match is None:  # cannot happen: the pattern matches the empty string
        return len(text), text[pos:]
    value = match.group(1)
    if "\\" in value:
        value = _QUOTED_PAIR.sub(r"\1", value)
    return match.end(), value


def _read_comment(text: str, pos: int) -> tuple[int, str]:
    depth = 1
    start = pos
    n = len(text)
    while pos < n:
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pos + 1, text[start:pos]
        pos += 1
    return n, text[start:]


# A mailbox's senders and recipients repeat from message to message: the header sync reads each distinct
# address header once. Values up to _CACHED_LENGTH characters are remembered, 2048 of them (a few hundred kB
# for the usual one or two addresses a value, ~12 MB at worst); the result is an immutable tuple of frozen
# Addresses, so sharing it is safe.
_CACHED_LENGTH = 256


def parse_addresses(raw: str | None) -> tuple[Address, ...]:
    """Every mailbox in an address header (groups flattened); garbage yields what could be read."""
    if not raw:
        return ()
    if len(raw) <= _CACHED_LENGTH:
        return _parse_addresses_cached(raw)
    return _parse_addresses(raw)


@functools.lru_cache(maxsize=2048)
def _parse_addresses_cached(raw: str) -> tuple[Address, ...]:
    return _parse_addresses(raw)


def _parse_addresses(raw: str) -> tuple[Address, ...]:
    text = unfold(raw)
    if not _ADDRESS_SPECIALS.search(text.replace("<", "").replace(">", "").replace(",", "")):
        # Fast path for the common `Name <a@b>, c@d` shapes without quotes, comments or groups.
        fast: list[Address] = []
        for item in text.split(","):
            match = _SIMPLE_MAILBOX.fullmatch(item)
            if match:
                mailbox = _mailbox([match.group(1)], False, match.group(2), [])
            else:
                mailbox = _mailbox(item.replace("<", " ").replace(">", " ").split(), False, None, [])
            if mailbox is not None:
                fast.append(mailbox)
        return tuple(fast)
    return tuple(_parse_address_list(text))


_ISO_DATE = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)?\s*$", re.I
)


# The Date header as nearly every mailer writes it (RFC 5322 §3.3): "Sat, 31 Oct 2026 20:57:33 +0200". A year
# below 1000 is left to parsedate_tz (it reads two-digit years as 19xx/20xx).
_RFC5322_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" ([1-9]\d{3}) (\d\d:\d\d:\d\d) ([+-]\d{4})",
    re.ASCII,
)
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}


# A moment read from a Date header: year, month, day, hour, minute, second, and the zone's offset in seconds.
DateParts = tuple[int, int, int, int, int, int, int]


def parse_date(raw: str | None) -> int | None:
    """Unix seconds (UTC) of a Date header; None when it cannot be read. A missing zone counts as UTC."""
    if not raw:
        return None
    text = _clean(unfold(raw)).strip()
    parts = canonical_date_parts(text) or general_date_parts(text)
    return _parse_iso_date(text) if parts is None else date_seconds(parts)


def canonical_date_parts(text: str) -> DateParts | None:
    """The parts of a Date in the shape nearly every mailer writes (RFC 5322 §3.3), as `general_date_parts`
    reads them but without parsedate_tz's general search; None for any other shape."""
    canonical = _RFC5322_DATE.fullmatch(text)
    if canonical is None:
        return None
    day_text, month_name, year_text, clock, zone = canonical.groups()
    offset = (int(zone[1:3]) * 3600 + int(zone[3:]) * 60) * (-1 if zone[0] == "-" else 1)
    hour, minute, second = int(clock[:2]), int(clock[3:5]), int(clock[6:])
    return int(year_text), _MONTH_NUMBERS[month_name], int(day_text), hour, minute, second, offset


def general_date_parts(text: str) -> DateParts | None:
    """The parts of a Date as the stdlib's parsedate_tz reads them (None where it cannot)."""
    try:
        parsed = email.utils.parsedate_tz(text)
    except Exception:  # the stdlib has raised IndexError/ValueError on odd input in past releases
        return None
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return year, month, day, hour, minute, second, parsed[9] or 0


def date_seconds(parts: DateParts) -> int | None:
    """Unix seconds of a Date's parts; None when they are out of range."""
    year, month, day, hour, minute, second, offset = parts
    if not (1900 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    if not (0 <= hour <= 24 and 0 <= minute <= 59 and 0 <= second <= 61 and abs(offset) <= 24 * 3600):
        return None
    return utc_seconds((year, month, day, hour, minute, second)) - offset


def utc_seconds(moment: tuple[int, int, int, int, int, int]) -> int:
    """calendar.timegm of this moment, with the day count of each month looked up once (dates in a mailbox
    fall in few months; the header sync reads two dates a message). ValueError as timegm's for a year outside
    1…9999 or a month outside 1…12. `moment`: year, month, day, hour, minute, second."""
    year, month, day, hour, minute, second = moment
    return ((_days_before_month(year, month) + day - 1) * 24 + hour) * 3600 + minute * 60 + second


_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


@functools.lru_cache(maxsize=1024)  # months: 85 years of them
def _days_before_month(year: int, month: int) -> int:
    return datetime.date(year, month, 1).toordinal() - _EPOCH_ORDINAL


def _parse_iso_date(text: str) -> int | None:
    match = _ISO_DATE.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    zone = match.group(7) or "Z"
    offset = 0
    if zone.upper() != "Z":
        digits = zone[1:].replace(":", "")
        offset = (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * (-1 if zone[0] == "-" else 1)
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.UTC)
    except ValueError:
        return None
    return int(moment.timestamp()) - offset


_ANGLE_ID = re.compile(r"<([^<>]*)>")


def normalize_message_id(raw: str | None) -> str:
    """`<id@host>` from a Message-ID/In-Reply-To value (first id, white space and junk removed), or ''."""
    if not raw:
        return ""
    text = _clean(unfold(raw))
    bare = text.strip()
    # Nearly every header: one "<id>" without other brackets or any white space (printable and no " "): the
    # answer itself.
    if (
        bare[:1] == "<"
        and bare.find(">") == len(bare) - 1 > 1
        and bare.count("<") == 1
        and bare.isprintable()
        and " " not in bare
    ):
        return bare
    for match in _ANGLE_ID.finditer(text):
        inner = "".join(match.group(1).split())
        if inner:
            return f"<{inner}>"
    tokens = [t.strip("\"'()[],;") for t in text.replace("<", " ").replace(">", " ").split()]
    for token in tokens:
        if "@" in token:
            return f"<{token}>"
    return f"<{tokens[0]}>" if len(tokens) == 1 and tokens[0] else ""


def parse_references(raw: str | None) -> tuple[str, ...]:
    """Message ids of a References header in order, duplicates dropped."""
    if not raw:
        return ()
    text = _clean(unfold(raw))
    ids = ["".join(m.group(1).split()) for m in _ANGLE_ID.finditer(text)]
    if not ids:
        ids = [t.strip("\"'(),;") for t in text.split() if "@" in t]
    seen: dict[str, None] = {}
    for inner in ids:
        if inner:
            seen.setdefault(f"<{inner}>", None)
    return tuple(seen)


# Parameters of Content-Type / Content-Disposition (RFC 2045 §5.1, RFC 2183); a quoted value may hold ';'.
_PARAM = re.compile(r';\s*([^\s;=]*)\s*(?:=\s*("(?:[^"\\]|\\.)*"(?=\s*(?:;|$))|[^;]*))?', re.S)
_CONTINUATION = re.compile(r"(.+?)\*(\d+)(\*?)")


def _unquote(value: str) -> str:
    # Same rules as email.utils.unquote, so boundaries agree with the stdlib parser.
    if len(value) > 1:
        if value[0] == '"' and value[-1] == '"':
            return value[1:-1].replace("\\\\", "\\").replace('\\"', '"')
        if value[0] == "<" and value[-1] == ">":
            return value[1:-1]
    return value


def parse_mime_value(raw: str | None) -> tuple[str, dict[str, str]]:
    """Lower-cased main value and parameters (names lower-cased; RFC 2231 continuations and charsets joined)."""
    if not raw:
        return "", {}
    text = unfold(raw)
    head, sep, rest = text.partition(";")
    value = head.strip().lower()
    params: dict[str, str] = {}
    extended: dict[str, list[tuple[int, bool, str]]] = {}
    if not sep:
        return value, params
    for match in _PARAM.finditer(";" + rest):
        name = match.group(1).lower()
        raw_value = (match.group(2) or "").strip()
        if not name:
            continue
        if name.endswith("*") and "*" not in name[:-1]:
            extended.setdefault(name[:-1], []).append((0, True, _unquote(raw_value)))
            continue
        cont = _CONTINUATION.fullmatch(name)
        if cont is not None:
            extended.setdefault(cont.group(1), []).append(
                (int(cont.group(2)[:6]), bool(cont.group(3)), _unquote(raw_value))
            )
            continue
        params.setdefault(name, _unquote(raw_value))
    for name, pieces in extended.items():
        params[name] = _join_rfc2231(pieces)
    return value, params


def _join_rfc2231(pieces: list[tuple[int, bool, str]]) -> str:
    """RFC 2231 §3-4: `name*0*=utf-8''%E2%82%AC; name*1=.pdf` → one decoded value."""
    pieces.sort(key=lambda piece: piece[0])
    charset = ""
    chunks: list[bytes] = []
    for index, (_, encoded, value) in enumerate(pieces):
        if not encoded:
            chunks.append(value.encode("utf-8"))
            continue
        text = value
        if index == 0 and value.count("'") >= 2:
            charset, _, text = value.split("'", 2)
        chunks.append(urllib.parse.unquote_to_bytes(text))
    return decode_bytes(b"".join(chunks), charset or "utf-8")
