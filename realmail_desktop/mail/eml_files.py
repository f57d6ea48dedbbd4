""".eml files (one RFC 5322 message each): the reader `EmlSource` and the writer `write_eml_files`."""

from __future__ import annotations

import contextlib
import email.errors
import email.header
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from realmail_desktop.core.errors import ExportFailedError
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.mbox import from_line_date, header_end, status_flags
from realmail_desktop.mail.sources import (
    MAX_MESSAGE_SIZE,
    SourceItem,
    SourceMessage,
    looks_like_message,
    skipped,
)

_log = get_logger("mail")

_MAX_NAME = 120  # characters, ".eml" and " (2)" included
_MAX_NAME_BYTES = 240  # most file systems stop at 255 bytes; UTF-8 can take 4 per character
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')  # Windows forbids these; "/" and "\\" would also leave the folder
# Windows refuses these names with any extension, even "nul.eml"; ¹²³ count as digits there.
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789¹²³"}
_SUBJECT = re.compile(rb"^subject:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.IGNORECASE | re.MULTILINE)


class EmlSource:
    """Reads one .eml file, or every *.eml below a folder in path order; flags come from Status headers."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)

    def _files(self, errors: list[OSError] | None = None) -> list[Path]:
        if not self._path.is_dir():
            return [self._path]
        found = ((path.relative_to(self._path).parts, path) for path in _walk(self._path, errors))
        return [path for _, path in sorted(found)]

    def estimate_count(self) -> int | None:
        """The number of .eml files."""
        try:
            return len(self._files())
        except OSError:
            return None

    def __iter__(self) -> Iterator[SourceItem]:
        errors: list[OSError] = []
        files = self._files(errors)
        for error in errors:
            where = Path(error.filename).name if error.filename else self._path.name
            yield skipped(_log, where, f"The folder cannot be read ({error.strerror}).")
        for path in files:
            origin = path.name if path == self._path else path.relative_to(self._path).as_posix()
            yield _read_file(path, origin)


def _walk(folder: Path, errors: list[OSError] | None = None) -> Iterator[Path]:
    for parent, _, names in os.walk(folder, onerror=errors.append if errors is not None else None):
        for name in names:
            if name.lower().endswith(".eml") and not name.startswith("."):
                yield Path(parent, name)


def has_eml_files(folder: Path) -> bool:
    """Whether any .eml file lies in or below `folder` (stops at the first one found)."""
    return next(_walk(Path(folder)), None) is not None


def _read_file(path: Path, origin: str) -> SourceItem:
    try:
        with path.open("rb") as file:
            status = os.fstat(file.fileno())
            if status.st_size > MAX_MESSAGE_SIZE:
                return skipped(_log, origin, f"The message is larger than {MAX_MESSAGE_SIZE >> 20} MiB.")
            raw = file.read()
    except OSError as exc:
        return skipped(_log, origin, f"The file cannot be read ({exc.strerror}).")
    received_at: int | None = int(status.st_mtime)
    if raw.startswith(b"From "):
        # A From_ line saved along with the message (mbox habit) is not RFC 5322: drop it, keep its date.
        first_end = raw.find(b"\n") + 1 or len(raw)
        received_at = from_line_date(raw[:first_end]) or received_at
        raw = raw[first_end:]
    if not raw or raw.isspace():
        return skipped(_log, origin, "The file is empty.")
    if not looks_like_message(raw[:65536]):
        return skipped(_log, origin, "The file does not look like an e-mail message.")
    return SourceMessage(raw=raw, flags=status_flags(raw), received_at=received_at, origin=origin)


def message_subject(raw: bytes) -> str:
    """The Subject of `raw`, decoded from RFC 2047 words as well as can be; "" if there is none."""
    match = _SUBJECT.search(raw, 0, header_end(raw))
    if match is None:
        return ""
    text = re.sub(rb"\r?\n", b"", match.group(1)[:2000]).decode("utf-8", errors="replace")
    try:
        parts = email.header.decode_header(text)
    except email.errors.HeaderParseError:
        return text
    decoded: list[str] = []
    for part, charset in parts:
        if isinstance(part, str):
            decoded.append(part)
            continue
        try:
            # decode_header hands back the plain-text parts as raw-unicode-escape bytes without a charset
            decoded.append(part.decode(charset or "raw-unicode-escape", errors="replace"))
        except LookupError:  # a charset Python does not know
            decoded.append(part.decode("utf-8", errors="replace"))
    return "".join(decoded)


def safe_file_name(name: str) -> str:
    """`name` made safe as a file name on every desktop OS (without ".eml"); "message" if nothing is left."""
    if name.lower().endswith(".eml"):
        name = name[:-4]
    # Category C: control characters, bidi overrides that disguise names, surrogates from bad bytes.
    name = "".join(" " if unicodedata.category(char).startswith("C") else char for char in name)
    name = " ".join(_FORBIDDEN.sub("_", name).split()).strip(" .")
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        name = f"_{name}"
    return name or "message"


def default_eml_name(message: SourceMessage, index: int) -> str:
    """`0001 Subject` — the number keeps the written order when the files are listed by name."""
    return f"{index:04d} {message_subject(message.raw) or 'no subject'}"


def _fit(stem: str, suffix: str) -> str:
    stem = stem[: _MAX_NAME - len(".eml") - len(suffix)]
    while len(f"{stem}{suffix}.eml".encode("utf-8", errors="surrogatepass")) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem.rstrip(' .') or 'message'}{suffix}.eml"


def _write_new_file(folder: Path, stem: str, message: SourceMessage) -> Path:
    number = 0
    while True:
        number += 1
        target = folder / _fit(stem, "" if number == 1 else f" ({number})")
        try:
            file = target.open("xb")  # never overwrite, not even a file created a moment ago
        except FileExistsError:
            continue
        done = False
        try:
            with file:
                file.write(message.raw)
            if message.received_at is not None:
                os.utime(target, (message.received_at, message.received_at))
            done = True
        finally:
            if not done:
                with contextlib.suppress(OSError):
                    target.unlink()
        return target


def write_eml_files(
    folder: Path,
    messages: Iterable[SourceMessage],
    name_for: Callable[[SourceMessage, int], str] | None = None,
) -> int:
    """Write each message to its own .eml file in `folder`, never replacing a file; returns how many.

    `name_for(message, index)` (index from 1) proposes a name; it is made safe and unique either way.
    The file's modification time is set to the message's `received_at`.
    """
    folder = Path(folder)
    hint = "Check that the folder exists, that you may write there and that the disk is not full."
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportFailedError(f"Could not create the folder “{folder.name}” ({exc.strerror}).", hint=hint) from exc
    count = 0
    for index, message in enumerate(messages, 1):
        stem = safe_file_name(name_for(message, index) if name_for else default_eml_name(message, index))
        try:
            _write_new_file(folder, stem, message)
        except OSError as exc:
            raise ExportFailedError(
                f"Could not write message {index} to “{folder.name}” ({exc.strerror}).", hint=hint
            ) from exc
        count += 1
    return count
