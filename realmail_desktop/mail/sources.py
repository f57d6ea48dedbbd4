"""What an import reads: `SourceMessage`/`SkippedItem`, the `MailSource` protocol and `open_source(path)`."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from realmail_desktop.core.errors import ImportFailedError

if TYPE_CHECKING:
    import logging

# One message above this size is skipped, not read: nobody's mail is that big, a corrupt archive can be.
MAX_MESSAGE_SIZE = 512 * 1024 * 1024

_KINDS_HINT = "RealMail can import mbox files, Maildir folders and .eml files (one file or a folder of them)."
_HEAD_SIZE = 64 * 1024
# RFC 5322 §3.6.8: a field name is printable US-ASCII except the colon.
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:", re.MULTILINE)


class Flag(enum.Flag):
    """The message flags every archive format can carry some of (IMAP's system flags plus $Forwarded)."""

    NONE = 0
    SEEN = enum.auto()
    FLAGGED = enum.auto()
    ANSWERED = enum.auto()
    DRAFT = enum.auto()
    DELETED = enum.auto()
    FORWARDED = enum.auto()


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """One message read from an archive: its RFC 5322 bytes exactly as stored, flags and arrival time."""

    raw: bytes
    flags: Flag
    received_at: int | None
    origin: str


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """Something in an archive that is not a usable message; `reason` is a plain sentence for the person."""

    origin: str
    reason: str


SourceItem = SourceMessage | SkippedItem


class MailSource(Protocol):
    """A mail archive read as a stream: one item per message, in a stable order, never raising per item."""

    def estimate_count(self) -> int | None:
        """How many items iterating will roughly give, found cheaply; None when that is unknown."""
        ...

    def __iter__(self) -> Iterator[SourceItem]: ...


def looks_like_message(head: bytes) -> bool:
    """Whether the start of a file reads as an RFC 5322 header block (and not, say, a PNG)."""
    head = head.lstrip(b"\r\n")
    end = head.find(b"\n\n")
    crlf_end = head.find(b"\r\n\r\n")
    if crlf_end >= 0 and (end < 0 or crlf_end < end):
        end = crlf_end
    header = head if end < 0 else head[:end]
    return b"\0" not in header and _HEADER_LINE.search(header) is not None


def skipped(logger: logging.Logger, origin: str, reason: str) -> SkippedItem:
    """Log a skipped item (its place and why, never its content) and return it."""
    logger.warning("skipped %s: %s", origin, reason)
    return SkippedItem(origin=origin, reason=reason)


def open_source(path: Path) -> MailSource:
    """The right reader for `path`: a Maildir, a folder of .eml files, one .eml file or an mbox file."""
    path = Path(path)
    shown = f"“{path.name or path}”"
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except OSError as exc:
        raise ImportFailedError(f"{shown} cannot be read ({exc.strerror}).", hint=_KINDS_HINT) from exc
    if is_dir:
        return _open_folder(path, shown)
    if is_file:
        return _open_file(path, shown)
    if path.is_symlink():
        raise ImportFailedError(f"{shown} is a link to something that no longer exists.")
    if not os.path.lexists(path):
        raise ImportFailedError(f"{shown} does not exist.", hint="It may have been moved or deleted.")
    raise ImportFailedError(f"{shown} is not a file or a folder.", hint=_KINDS_HINT)


def _open_folder(path: Path, shown: str) -> MailSource:
    from realmail_desktop.mail.eml_files import EmlSource, has_eml_files
    from realmail_desktop.mail.maildir import MaildirSource

    try:
        os.listdir(path)
        if (path / "cur").is_dir() or (path / "new").is_dir():
            return MaildirSource(path)
        has_eml = has_eml_files(path)
    except OSError as exc:
        raise ImportFailedError(f"The folder {shown} cannot be read ({exc.strerror}).") from exc
    if not has_eml:
        raise ImportFailedError(
            f"The folder {shown} holds no mail: it is not a Maildir and has no .eml files.", hint=_KINDS_HINT
        )
    return EmlSource(path)


def _open_file(path: Path, shown: str) -> MailSource:
    from realmail_desktop.mail.eml_files import EmlSource
    from realmail_desktop.mail.mbox import MboxSource, is_from_line

    try:
        with path.open("rb") as file:
            head = file.read(_HEAD_SIZE)
    except OSError as exc:
        raise ImportFailedError(f"{shown} cannot be read ({exc.strerror}).") from exc
    if not head.strip():
        raise ImportFailedError(f"{shown} is empty.", hint=_KINDS_HINT)
    first_line = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    if path.suffix.lower() == ".eml":
        if looks_like_message(head) or first_line.startswith(b"From "):
            return EmlSource(path)
        raise ImportFailedError(f"{shown} does not look like an e-mail message.", hint=_KINDS_HINT)
    # RFC 4155: an mbox starts with a From_ line; junk before it is tolerated when a real From_ line follows.
    if first_line.startswith(b"From ") or any(map(is_from_line, head.split(b"\n"))):
        return MboxSource(path)
    raise ImportFailedError(f"{shown} is not a mail archive.", hint=_KINDS_HINT)
