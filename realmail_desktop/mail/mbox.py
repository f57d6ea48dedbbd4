"""mbox archives (RFC 4155): the streaming reader `MboxSource` and the atomic mboxrd writer `write_mbox`."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from realmail_desktop.core.errors import ExportFailedError
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.sources import MAX_MESSAGE_SIZE, Flag, SourceItem, SourceMessage, skipped

_log = get_logger("mail")

_MONTHS = {m: i for i, m in enumerate(b"jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# The date of a From_ line is asctime(3) (RFC 4155 §2), with variants seen in the wild: no seconds,
# a zone name before the year ("PDT"), a numeric offset after it.
_ASCTIME = re.compile(
    rb" (?:mon|tue|wed|thu|fri|sat|sun) +(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) +(\d{1,2})"
    rb" +(\d{1,2}):(\d{2})(?::(\d{2}))?(?: +[a-z]{1,5})? +(\d{4})(?: +([+-])(\d{2})(\d{2}))?",
    re.IGNORECASE,
)
# A From_ line longer than this is body text that happens to start with "From ".
_MAX_FROM_LINE = 1000
_UNESCAPE = re.compile(rb"^>(>*From )", re.MULTILINE)
_ESCAPE = re.compile(rb"^(>*From )", re.MULTILINE)
_LINE = re.compile(rb"[^\n]*\n|[^\n]+")

# Status: R(ead) O(ld); X-Status: A(nswered) F(lagged) T (draft) D(eleted) — the mutt/pine convention.
_LETTER_FLAGS = {ord("R"): Flag.SEEN, ord("F"): Flag.FLAGGED, ord("A"): Flag.ANSWERED}
_LETTER_FLAGS |= {ord("D"): Flag.DELETED, ord("T"): Flag.DRAFT}
_X_STATUS_ORDER = ((Flag.ANSWERED, b"A"), (Flag.FLAGGED, b"F"), (Flag.DRAFT, b"T"), (Flag.DELETED, b"D"))
# Spelled out case by case with a leading newline: a literal first byte lets the regex engine skip ahead.
_STATUS = re.compile(rb"\n(?:[Xx]-)?[Ss][Tt][Aa][Tt][Uu][Ss]:[ \t]*([^\r\n]*)")
# Thunderbird keeps flags in X-Mozilla-Status (nsMsgMessageFlags): read, replied, marked, expunged, forwarded.
_MOZ_STATUS = re.compile(rb"\n[Xx]-[Mm][Oo][Zz][Ii][Ll][Ll][Aa]-[Ss][Tt][Aa][Tt][Uu][Ss]:[ \t]*([0-9a-fA-F]{1,8})")
_MOZ_BITS = ((0x1, Flag.SEEN), (0x2, Flag.ANSWERED), (0x4, Flag.FLAGGED), (0x8, Flag.DELETED), (0x1000, Flag.FORWARDED))
_MOZ_MASK = sum(bit for bit, _ in _MOZ_BITS)


def is_from_line(line: bytes) -> bool:
    """Whether `line` is a complete From_ line: `From <sender> <asctime date>`."""
    return line.startswith(b"From ") and _ASCTIME.search(line, 4, _MAX_FROM_LINE) is not None


def from_line_date(line: bytes) -> int | None:
    """The unix time in a From_ line (UTC unless an offset follows the year), or None if it has none."""
    match = _ASCTIME.search(line, 4, _MAX_FROM_LINE)
    if match is None:
        return None
    month, day, hour, minute, second, year, sign, off_h, off_m = match.groups()
    try:
        day_start = dt.datetime(int(year), _MONTHS[month.lower()], int(day), tzinfo=dt.UTC)
        when = day_start.replace(hour=int(hour), minute=int(minute), second=int(second or 0))
    except ValueError:
        return None
    offset = 0 if sign is None else (int(off_h) * 3600 + int(off_m) * 60) * (-1 if sign == b"-" else 1)
    return int(when.timestamp()) - offset


def header_end(raw: bytes) -> int:
    """Where the header block ends (just after its last line's newline); len(raw) if there is no body."""
    if raw.startswith((b"\n", b"\r\n")):
        return 0
    end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\n\r\n", 0, len(raw) if end < 0 else end)
    if crlf_end >= 0:
        return crlf_end + 1
    return len(raw) if end < 0 else end + 1


def status_flags(raw: bytes) -> Flag:
    """Flags from a message's Status, X-Status and X-Mozilla-Status headers."""
    header = b"\n" + raw[: header_end(raw)]
    flags = Flag.NONE
    for match in _STATUS.finditer(header):
        for letter in match.group(1):
            flags |= _LETTER_FLAGS.get(letter, Flag.NONE)
    for match in _MOZ_STATUS.finditer(header):
        value = int(match.group(1), 16)
        for bit, flag in _MOZ_BITS:
            if value & bit:
                flags |= flag
    return flags


def _letter_flags(value: bytes) -> Flag:
    flags = Flag.NONE
    for letter in value:
        flags |= _LETTER_FLAGS.get(letter, Flag.NONE)
    return flags


def _header_fields(header: bytes) -> list[bytes]:
    fields: list[bytes] = []
    for line in _LINE.findall(header):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def _mozilla_status(field: bytes, flags: Flag, eol: bytes) -> bytes:
    name, _, value = field.partition(b":")
    try:
        old = int(value.strip(), 16)
    except ValueError:
        return field
    new = (old & ~_MOZ_MASK) | sum(bit for bit, flag in _MOZ_BITS if flag in flags)
    return field if new == old else name + b": " + b"%04x" % new + eol


def with_status(raw: bytes, flags: Flag) -> bytes:
    """`raw` whose Status, X-Status (and any X-Mozilla-Status) say `flags`; right fields stay as they are."""
    end = header_end(raw)
    fields = _header_fields(raw[:end])
    eol = b"\r\n" if fields and fields[0].endswith(b"\r\n") else b"\n"
    wanted = {
        b"status": b"RO" if Flag.SEEN in flags else b"",
        b"x-status": b"".join(letter for flag, letter in _X_STATUS_ORDER if flag in flags),
    }
    names = {b"status": b"Status", b"x-status": b"X-Status"}
    placed: set[bytes] = set()
    out: list[bytes] = []
    for field in fields:
        name, colon, value = field.partition(b":")
        key = name.strip().lower() if colon else b""
        if key == b"x-mozilla-status":
            out.append(_mozilla_status(field, flags, eol))
        elif key not in wanted:
            out.append(field)
        elif key in placed:
            pass  # a second Status field would only contradict the first
        elif _letter_flags(value.strip()) == _letter_flags(wanted[key]):
            out.append(field)  # already right (e.g. "Status: O", "Status: OR"): keep its bytes
            placed.add(key)
        elif wanted[key]:
            out.append(names[key] + b": " + wanted[key] + eol)
            placed.add(key)
    missing = [names[key] + b": " + wanted[key] + eol for key in wanted if wanted[key] and key not in placed]
    if missing and out and not out[-1].endswith(b"\n"):
        out[-1] += eol
    return b"".join(out + missing) + raw[end:]


@dataclass(frozen=True, slots=True)
class _Separator:
    line: bytes
    line_no: int


def _blank_before(buf: bytes, i: int, mid_line: bool) -> bool:
    """Whether the line ending just before `buf[i]` is empty (buf[i - 1] must be a newline)."""
    if i == 1:
        return not mid_line
    if buf[i - 2] == 0x0A:
        return True
    if buf[i - 2] == 0x0D:
        return (i == 2 and not mid_line) or (i > 2 and buf[i - 3] == 0x0A)
    return False


class _Splitter:
    """Cuts a file into message bytes and the From_ lines between them, holding back only an undecided tail.

    `buf` always starts where a line does, except after a line longer than _MAX_FROM_LINE was passed on
    in pieces (`mid_line`); `blank` says whether the line before `buf` is empty (or `buf` starts the file).
    """

    def __init__(self, file: BinaryIO, chunk_size: int) -> None:
        self._file = file
        self._chunk_size = chunk_size
        self._buf = b""
        self._mid_line = False
        self._blank = True  # RFC 4155 §2: the start of the file is where the first From_ line is
        self._lines_before = 0

    def __iter__(self) -> Iterator[bytes | _Separator]:
        eof = False
        while not eof:
            chunk = self._file.read(self._chunk_size)
            eof = not chunk
            self._buf = self._buf + chunk if self._buf else chunk
            yield from self._cut(eof)

    def _cut(self, eof: bool) -> Iterator[bytes | _Separator]:
        buf = self._buf
        pos = counted = newlines = search = 0
        cand = 0 if not self._mid_line and buf.startswith(b"From ") else -1
        while True:
            if cand < 0:
                found = buf.find(b"\nFrom ", search)
                if found < 0:
                    break
                cand = found + 1
            line_end = self._separator_end(cand, eof)
            if line_end < 0:
                yield from self._advance(pos, cand)  # the line is cut by the chunk: decide when whole
                return
            if line_end > 0:
                if cand > pos:
                    yield buf[pos:cand]
                newlines += buf.count(b"\n", counted, cand)
                counted = cand
                yield _Separator(buf[cand:line_end], self._lines_before + newlines + 1)
                pos, search = line_end, line_end - 1
            else:
                search = cand
            cand = -1
        if eof:
            if pos < len(buf):
                yield buf[pos:]
            self._buf = b""
            return
        last_newline = buf.rfind(b"\n", pos)
        if last_newline >= 0:
            yield from self._advance(pos, last_newline + 1)
        elif len(buf) - pos >= _MAX_FROM_LINE:
            yield from self._advance(pos, len(buf))  # a long line without end: pass it on, do not hold it
        else:
            yield from self._advance(pos, pos)

    def _separator_end(self, cand: int, eof: bool) -> int:
        """Where the From_ line at `cand` ends if it separates messages; 0 if it does not; -1 if unknown."""
        buf = self._buf
        eol = buf.find(b"\n", cand, cand + _MAX_FROM_LINE)
        if eol < 0 and len(buf) - cand >= _MAX_FROM_LINE:
            return 0
        if eol < 0 and not eof:
            return -1
        line_end = len(buf) if eol < 0 else eol + 1
        after_blank = self._blank if cand == 0 else _blank_before(buf, cand, self._mid_line)
        # mboxo writers leave "From " unescaped in bodies; a full From_ line separates even without the
        # blank line before it, a bare "From " line only after one.
        return line_end if after_blank or is_from_line(buf[cand:line_end]) else 0

    def _advance(self, pos: int, keep: int) -> Iterator[bytes]:
        """Pass on buf[pos:keep] and hold back buf[keep:]."""
        buf = self._buf
        if keep > pos:
            yield buf[pos:keep]
        if keep > 0:
            self._lines_before += buf.count(b"\n", 0, keep)
            if buf[keep - 1] == 0x0A:
                self._blank, self._mid_line = _blank_before(buf, keep, self._mid_line), False
            else:
                self._blank, self._mid_line = False, True
        self._buf = buf[keep:]


class MboxSource:
    """Streams the messages of an mbox file, `chunk_size` bytes at a time; reads mboxo and mboxrd alike."""

    def __init__(self, path: Path, *, chunk_size: int = 1 << 20, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        self._path = Path(path)
        self._chunk_size = max(1, chunk_size)
        self._max_size = max_message_size

    def estimate_count(self) -> int | None:
        """The number of lines starting with "From " (a message count that may include a few body lines)."""
        count = 0
        tail = b"\n"  # the start of the file counts as a line start
        try:
            with self._path.open("rb") as file:
                while chunk := file.read(self._chunk_size):
                    data = tail + chunk
                    count += data.count(b"\nFrom ")
                    tail = data[-5:]  # shorter than the pattern: no match is counted twice
        except OSError:
            return None
        return count

    def __iter__(self) -> Iterator[SourceItem]:
        name = self._path.name
        try:
            file = self._path.open("rb")
        except OSError as exc:
            yield skipped(_log, name, f"The file cannot be read ({exc.strerror}).")
            return
        with file:
            parts: list[bytes] = []
            size = 0
            separator: _Separator | None = None
            index = 0
            try:
                for piece in _Splitter(file, self._chunk_size):
                    if isinstance(piece, _Separator):
                        item = self._finish(separator, index, parts, size)
                        if item is not None:
                            yield item
                        parts, size, separator, index = [], 0, piece, index + 1
                    else:
                        size += len(piece)
                        if size <= self._max_size:
                            parts.append(piece)
                        else:
                            parts.clear()
            except OSError as exc:
                where = f"{name} #{index}" if separator else name
                yield skipped(_log, where, f"The rest of the file could not be read ({exc.strerror}).")
                return
            item = self._finish(separator, index, parts, size)
            if item is not None:
                yield item

    def _finish(self, separator: _Separator | None, index: int, parts: list[bytes], size: int) -> SourceItem | None:
        name = self._path.name
        if separator is None:
            if size <= self._max_size and all(part.isspace() for part in parts):
                return None
            return skipped(
                _log,
                f"{name} (before the first message)",
                f"{size} bytes before the first “From ” line are not part of any message.",
            )
        origin = f"{name} #{index} (line {separator.line_no})"
        if size > self._max_size:
            limit = f"{self._max_size >> 20} MiB" if self._max_size >= 1 << 20 else f"{self._max_size} bytes"
            return skipped(_log, origin, f"The message is larger than {limit}.")
        raw = b"".join(parts)
        parts.clear()
        # The blank line before the next From_ line belongs to the mbox format, not to the message.
        if raw.endswith(b"\n"):
            cut = raw.rfind(b"\n", 0, len(raw) - 1) + 1
            if raw[cut:] in (b"\n", b"\r\n"):
                raw = raw[:cut]
        if not raw or raw.isspace():
            return skipped(_log, origin, "The message is empty.")
        if b">From " in raw:
            raw = _UNESCAPE.sub(rb"\1", raw)
        return SourceMessage(
            raw=raw, flags=status_flags(raw), received_at=from_line_date(separator.line), origin=origin
        )


def _from_line(received_at: int | None) -> bytes:
    try:
        stamp = time.gmtime(time.time() if received_at is None else received_at)
    except (OverflowError, OSError, ValueError):
        stamp = time.gmtime()
    return b"From MAILER-DAEMON " + time.asctime(stamp).encode("ascii") + b"\n"


def write_mbox(path: Path, messages: Iterable[SourceMessage]) -> int:
    """Write `messages` as an mboxrd file at `path`, replacing it atomically; returns how many were written.

    Bytes are kept as they are (CRLF stays CRLF) except: lines matching `>*From ` get one more `>`,
    Status/X-Status/X-Mozilla-Status are set from the flags, and a message not ending in a newline gets one.
    """
    path = Path(path)
    shown = f"“{path.name}”"
    hint = "Check that the folder exists, that you may write there and that the disk is not full."
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ExportFailedError(f"Could not create {shown} ({exc.strerror}).", hint=hint) from exc
    tmp = Path(tmp_name)
    count = 0
    done = False
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as out:
            for message in messages:
                body = with_status(message.raw, message.flags)
                if b"From " in body:
                    body = _ESCAPE.sub(rb">\1", body)
                out.write(_from_line(message.received_at))
                out.write(body)
                out.write(b"\n" if body.endswith(b"\n") else b"\n\n")
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        done = True
    except OSError as exc:
        raise ExportFailedError(f"Could not write {shown} ({exc.strerror}).", hint=hint) from exc
    finally:
        if not done:
            with contextlib.suppress(OSError):
                tmp.unlink()
    _fsync_folder(path.parent)
    return count


def _fsync_folder(folder: Path) -> None:
    # POSIX: the rename is durable only once the folder entry is on disk; Windows cannot open folders.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
