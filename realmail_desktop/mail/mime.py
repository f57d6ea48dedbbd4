"""MIME structure read straight from raw bytes: header blocks, multipart splitting, IMAP part ids, attachments.

The splitting rules copy the stdlib feedparser's (boundary lines, repeated boundaries, missing start or
close boundary, header/body separation), so the part ids stored from an envelope are the ones the stdlib
tree and an IMAP server would give; tests/unit/mail/test_mail_properties.py holds the two side by side.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from realmail_desktop.mail.charsets import decode_bytes
from realmail_desktop.mail.headers import (
    decode_base64,
    decode_header_value,
    normalize_message_id,
    parse_mime_value,
)

MAX_DEPTH = 50
MAX_PARTS = 5_000

# email.feedparser.headerRE: a line that can still belong to the header block.
_HEADER_LINE = re.compile(rb"From |[\x21-\x39\x3b-\x7e]*:|[\t ]")
# A line break followed by a line that is not a header line: the end of a header block.
_HEADER_BLOCK_END = re.compile(rb"(?:\r\n|\n|\r(?!\n))(?![\t ]|From |[\x21-\x39\x3b-\x7e]*:)")
# A header block of plain "Name: value" lines (no folding, no "From " line, CRLF) ended by a blank line, as IMAP
# servers send BODY[HEADER.FIELDS (…)]: its fields, read with one pattern (read_header_block's shortcut).
_PLAIN_BLOCK = re.compile(rb"(?:[\x21-\x39\x3b-\x7e]+:[^\r\n]*\r\n)+\r\n")
_PLAIN_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+):([^\r\n]*)\r\n")
_BLANKS = re.compile(rb"[ \t]*")
_LINE_BREAKS = re.compile(rb"\r\n|\r|\n")

PART_HEADERS = frozenset({b"content-type", b"content-disposition", b"content-transfer-encoding", b"content-id"})


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """A part shown as an attachment; `part_id` is its IMAP section number, `inline` when shown in the body."""

    part_id: str
    filename: str
    content_type: str
    size: int
    content_id: str
    inline: bool


@dataclass(frozen=True, slots=True)
class PartFields:
    """What a part's MIME headers say about it."""

    content_type: str
    params: dict[str, str]
    disposition: str
    filename: str
    transfer_encoding: str
    content_id: str
    boundary: bytes | None

    @property
    def is_body_text(self) -> bool:
        return (
            self.content_type in ("text/plain", "text/html") and self.disposition != "attachment" and not self.filename
        )

    @property
    def charset(self) -> str | None:
        return self.params.get("charset")


def header_text(value: bytes) -> str:
    """A raw header value as text: ASCII, else UTF-8, else cp1252 (8-bit headers without RFC 2047)."""
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        return decode_bytes(value, None)


def unfold_bytes(value: bytes) -> bytes:
    """A raw header value with its line breaks removed (the stdlib keeps them in folded values)."""
    return _LINE_BREAKS.sub(b"", value) if b"\n" in value or b"\r" in value else value


def part_fields(
    content_type: bytes | None,
    disposition: bytes | None,
    transfer_encoding: bytes | None,
    content_id: bytes | None,
    default_type: str,
) -> PartFields:
    """Read the four MIME headers of a part the way email.message.Message does (`get_content_type` …)."""
    ctype_text = header_text(content_type) if content_type is not None else None
    value, params = parse_mime_value(ctype_text)
    # email.message.Message.get_content_type: a malformed type reads as text/plain, not the default.
    ctype = value if value.count("/") == 1 else "text/plain"
    if ctype_text is None:
        ctype = default_type
    boundary: bytes | None = None
    if ctype.startswith("multipart/"):
        if content_type is not None and not content_type.isascii():
            # Latin-1 maps bytes 1:1, so a non-ASCII boundary still matches the body bytes exactly.
            raw_params = parse_mime_value(content_type.decode("latin-1"))[1]
            raw_boundary = raw_params.get("boundary")
            boundary = raw_boundary.rstrip().encode("latin-1", "replace") if raw_boundary is not None else None
        elif "boundary" in params:
            boundary = params["boundary"].rstrip().encode("ascii", "replace")
    disp_value, disp_params = parse_mime_value(header_text(disposition) if disposition is not None else None)
    filename = disp_params.get("filename") if "filename" in disp_params else params.get("name", "")
    return PartFields(
        content_type=ctype,
        params=params,
        disposition=disp_value,
        filename=decode_header_value(filename) if filename else "",
        transfer_encoding=header_text(transfer_encoding).strip().lower() if transfer_encoding else "",
        content_id=normalize_message_id(header_text(content_id))[1:-1] if content_id else "",
        boundary=boundary,
    )


def attachment_for(part_id: str, fields: PartFields, parent_type: str, size: int) -> AttachmentInfo | None:
    """The attachment a leaf part represents, or None when it is body text or a container."""
    if fields.content_type.startswith("multipart/") or fields.is_body_text:
        return None
    inline = (bool(fields.content_id) and parent_type == "multipart/related") or (
        fields.disposition == "inline" and not fields.filename
    )
    return AttachmentInfo(part_id, fields.filename, fields.content_type, size, fields.content_id, inline)


def attachments_in(raw: bytes, root: MimePart) -> tuple[AttachmentInfo, ...]:
    """Every attachment of a message tree, in part order."""
    found: list[AttachmentInfo] = []
    for part in root.walk():
        if not part.children:
            info = attachment_for(part.part_id, part.fields, part.parent_type, part.decoded_size(raw))
            if info is not None:
                found.append(info)
    return tuple(found)


def decode_transfer(data: bytes, transfer_encoding: str) -> bytes:
    """Body bytes with base64 / quoted-printable undone; other encodings pass through."""
    if transfer_encoding == "base64":
        return decode_base64(data)
    if transfer_encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return data


@dataclass(slots=True)
class MimePart:
    """One node of the MIME tree; `body_start:body_end` indexes the raw message. Containers have children."""

    part_id: str
    fields: PartFields
    body_start: int
    body_end: int
    parent_type: str
    children: list[MimePart] = field(default_factory=list)

    def walk(self) -> Iterator[MimePart]:
        yield self
        for child in self.children:
            yield from child.walk()

    def decoded_size(self, raw: bytes) -> int:
        """Size after transfer decoding, estimated from the encoded length for big base64 parts."""
        start, end = self.body_start, self.body_end
        encoding = self.fields.transfer_encoding
        if encoding == "base64":
            return base64_size(raw, start, end)
        if encoding == "quoted-printable" and end - start <= 1_000_000:
            return len(binascii.a2b_qp(raw[start:end]))
        return end - start


def base64_size(data: bytes, start: int = 0, end: int | None = None) -> int:
    """Decoded size of a base64 body from its encoded length (exact for line-wrapped base64 without junk)."""
    end = len(data) if end is None else end
    line_feeds = data.count(b"\n", start, end)
    first = data.find(b"\n", start, end)
    # One pass over a 50 MB body, not two: the first line says whether lines end in CRLF.
    line_breaks = line_feeds * 2 if first > start and data[first - 1] == 13 else line_feeds
    tail = data[max(start, end - 8) : end].rstrip()
    padding = min(2, len(tail) - len(tail.rstrip(b"=")))
    return max(0, (end - start - line_breaks) * 3 // 4 - padding)


def _header_block_end(raw: bytes, start: int, end: int) -> tuple[int, int, bool]:
    """(end of the last header line, start of the body, whether a blank line separated them)."""
    if start >= end or _HEADER_LINE.match(raw, start, end) is None:
        for blank in (b"\r\n", b"\n", b"\r"):
            if raw.startswith(blank, start, end):
                return start, start + len(blank), True
        return start, start, True
    stop = _HEADER_BLOCK_END.search(raw, start, end)
    if stop is None:
        return end, end, True
    after = stop.end()
    for blank in (b"\r\n", b"\n", b"\r"):
        if raw.startswith(blank, after, end):
            return stop.start(), after + len(blank), True
    return stop.start(), after, after >= end


def _header_lines(block: bytes) -> list[bytes]:
    if b"\r" not in block:
        return block.split(b"\n")
    if block.count(b"\r") == block.count(b"\r\n"):
        return block.replace(b"\r\n", b"\n").split(b"\n")
    return _LINE_BREAKS.split(block)  # a lone CR ends a line too (feedparser does the same)


def _plain_fields(raw: bytes, start: int, end: int, wanted: frozenset[bytes]) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for field_name, value in _PLAIN_FIELD.findall(raw, start, end):
        name = field_name.lower()
        if name in wanted and name not in found:
            found[name] = value
    return found


def read_header_block(
    raw: bytes, start: int, end: int, wanted: frozenset[bytes], defects: list[str], *, top: bool = False
) -> tuple[dict[bytes, bytes], int]:
    """First value of each `wanted` header (lower-case name → unfolded raw value) and where the body starts.

    Like the stdlib feedparser, the block ends at a blank line or at the first line that cannot be a header.
    """
    if _PLAIN_BLOCK.fullmatch(raw, start, end) is not None:  # what the general reading below gives, in one pass
        return _plain_fields(raw, start, end, wanted), end
    block_end, body_start, separated = _header_block_end(raw, start, end)
    if not separated:
        defects.append("header block not followed by a blank line")
    found: dict[bytes, bytes] = {}
    current: bytes | None = None
    chunks: list[bytes] = []
    lines = _header_lines(raw[start:block_end]) if block_end > start else []
    for index, line in enumerate(lines):
        first = line[:1]
        if first in (b" ", b"\t"):
            if current is not None:
                chunks.append(line)
            elif index == 0:
                defects.append("first header line is a continuation")
            continue
        if current is not None:
            found[current] = b"".join(chunks)
            current = None
        if line.startswith(b"From "):
            if not (top and index == 0):
                defects.append("misplaced 'From ' line in headers")
            continue
        colon = line.find(b":")
        if colon == 0:
            defects.append("header line without a name")
            continue
        name = line[:colon].lower()
        if name in wanted and name not in found:
            current = name
            chunks = [line[colon + 1 :]]
    if current is not None:
        found[current] = b"".join(chunks)
    return found, body_start


def _delimiters(raw: bytes, start: int, end: int, separator: bytes) -> Iterator[tuple[int, bool, int]]:
    """(line start, is close delimiter, next line start) of each boundary line between start and end."""
    pos = start
    blanks = _BLANKS.match
    while True:
        index = raw.find(separator, pos, end)
        if index < 0:
            return
        pos = index + 1
        if index > start and raw[index - 1] not in (10, 13):
            continue
        after = index + len(separator)
        close = raw.startswith(b"--", after, end)
        blank = blanks(raw, after + 2 if close else after, end)
        cursor = blank.end() if blank is not None else after
        if cursor < end:
            if raw[cursor] not in (10, 13):
                continue
            cursor += 2 if raw.startswith(b"\r\n", cursor, end) else 1
        yield index, close, cursor
        pos = cursor


def _strip_line_end(raw: bytes, start: int, end: int) -> int:
    if end - start >= 2 and raw.startswith(b"\r\n", end - 2, end):
        return end - 2
    if end > start and raw[end - 1] in (10, 13):
        return end - 1
    return end


class _StructureReader:
    """Builds the MIME tree of one raw message; collects defects and limits the number of parts."""

    def __init__(self, raw: bytes, defects: list[str]) -> None:
        self.raw = raw
        self.defects = defects
        self.budget = MAX_PARTS

    def split(self, start: int, end: int, boundary: bytes, label: str) -> list[tuple[int, int]] | None:
        """Byte ranges of the body parts of a multipart body (RFC 2046 §5.1.1); None without a start line."""
        raw = self.raw
        delimiters = _delimiters(raw, start, end, b"--" + boundary)
        current = next(delimiters, None)
        if current is None or current[1]:
            self.defects.append(f"{label}: start boundary not found")
            return None
        ranges: list[tuple[int, int]] = []
        while current is not None:
            part_start = current[2]
            following = next(delimiters, None)
            # Repeated boundary lines make one part, as in the stdlib parser.
            while following is not None and following[0] == part_start:
                part_start = following[2]
                following = next(delimiters, None)
            if following is None:
                part_end = _strip_line_end(raw, part_start, end) if end == len(raw) else end
                ranges.append((part_start, part_end))
                self.defects.append(f"{label}: close boundary not found (truncated message?)")
                return ranges
            ranges.append((part_start, _strip_line_end(raw, part_start, following[0])))
            if following[1]:
                return ranges
            current = following
        return ranges

    def build(
        self, headers: dict[bytes, bytes], span: tuple[int, int], part_id: str, parent: PartFields | None, depth: int
    ) -> MimePart:
        parent_type = parent.content_type if parent is not None else ""
        fields = part_fields(
            headers.get(b"content-type"),
            headers.get(b"content-disposition"),
            headers.get(b"content-transfer-encoding"),
            headers.get(b"content-id"),
            "message/rfc822" if parent_type == "multipart/digest" else "text/plain",
        )
        body_start, end = span
        part = MimePart(part_id or "1", fields, body_start, end, parent_type)
        if not fields.content_type.startswith("multipart/"):
            return part
        label = f"part {part_id or 'body'} ({fields.content_type})"
        if fields.boundary is None:
            self.defects.append(f"{label}: no boundary parameter")
            return part
        if depth >= MAX_DEPTH:
            self.defects.append(f"{label}: nested deeper than {MAX_DEPTH} levels; not read further")
            return part
        ranges = self.split(body_start, end, fields.boundary, label)
        for index, (start, stop) in enumerate(ranges or (), 1):
            if self.budget <= 0:
                self.defects.append(f"more than {MAX_PARTS} MIME parts; the rest were not read")
                break
            self.budget -= 1
            child_headers, child_body = read_header_block(self.raw, start, stop, PART_HEADERS, self.defects)
            child_id = f"{part_id}.{index}" if part_id else str(index)
            part.children.append(self.build(child_headers, (child_body, stop), child_id, fields, depth + 1))
        return part


def read_structure(
    raw: bytes, top_headers: frozenset[bytes], defects: list[str]
) -> tuple[dict[bytes, bytes], MimePart]:
    """The wanted top-level headers and the MIME tree of a whole message."""
    headers, body_start = read_header_block(raw, 0, len(raw), top_headers | PART_HEADERS, defects, top=True)
    root = _StructureReader(raw, defects).build(headers, (body_start, len(raw)), "", None, 0)
    return headers, root
