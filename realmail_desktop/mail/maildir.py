"""Maildir folders and Maildir++ trees: the reader `MaildirSource`, `list_maildir_folders` and `write_maildir`."""

from __future__ import annotations

import base64
import contextlib
import itertools
import os
import re
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from realmail_desktop.core.errors import ExportFailedError, ImportFailedError
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.sources import MAX_MESSAGE_SIZE, Flag, SourceItem, SourceMessage, skipped

_log = get_logger("mail")

# D. J. Bernstein's Maildir spec: "<unique>:2,<flags>"; Windows tools write ";" or "!" since ":" is illegal there.
_INFO = re.compile(r"[:;!]2,([^:;!]*)$")
_INFO_SEPARATOR = ";" if os.name == "nt" else ":"
# Flags are single upper-case letters in ASCII order; Dovecot's lower-case letters are keywords (not ours).
_LETTERS = {"D": Flag.DRAFT, "F": Flag.FLAGGED, "P": Flag.FORWARDED, "R": Flag.ANSWERED, "S": Flag.SEEN}
_LETTERS["T"] = Flag.DELETED
# Unique names start with the delivery time in seconds; 9 to 11 digits covers 1973 to 5138.
_NAME_TIME = re.compile(r"^(\d{9,11})\.")
_MUTF7_WORD = re.compile(r"&([A-Za-z0-9+,]*)-")
_MAX_DEPTH = 16
_sequence = itertools.count(1)


def _flags_from_name(name: str) -> Flag:
    match = _INFO.search(name)
    flags = Flag.NONE
    if match:
        for letter in match.group(1):
            flags |= _LETTERS.get(letter, Flag.NONE)
    return flags


def _decode_mutf7(name: str) -> str:
    """IMAP's modified UTF-7 (RFC 3501 §5.1.3), which Dovecot and Courier use for Maildir++ folder names."""

    def word(match: re.Match[str]) -> str:
        if not match.group(1):
            return "&"
        encoded = match.group(1).replace(",", "/")
        try:
            return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return match.group(0)

    return _MUTF7_WORD.sub(word, name)


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() or (path / "new").is_dir()


def _subfolders(root: Path, prefix: str, depth: int) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    with os.scandir(root) as entries:
        children = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    for child in children:
        path = root / child
        if child in ("cur", "new", "tmp"):
            continue
        if child.startswith("."):
            # Maildir++: ".Work.Projects" is the folder Work/Projects, all of them flat in the root.
            if depth == 0 and _is_maildir(path):
                found.append(("/".join(_decode_mutf7(part) for part in child[1:].split(".")), path))
        elif depth < _MAX_DEPTH:
            # mbsync's "SubFolders Verbatim" and Dovecot's LAYOUT=fs nest real folders instead.
            label = f"{prefix}{_decode_mutf7(child)}"
            if _is_maildir(path):
                found.append((label, path))
            found.extend(_subfolders(path, f"{label}/", depth + 1))
    return found


def list_maildir_folders(path: Path) -> list[tuple[str, Path]]:
    """Every Maildir in a Maildir++ (or nested) tree as (display name, path); the root itself is "Inbox"."""
    path = Path(path)
    try:
        if not path.is_dir():
            raise ImportFailedError(f"“{path.name}” is not a folder.", hint="Choose the Maildir folder itself.")
        folders = [("Inbox", path)] if _is_maildir(path) else []
        return folders + _subfolders(path, "", 0)
    except OSError as exc:
        raise ImportFailedError(f"The folder “{path.name}” cannot be read ({exc.strerror}).") from exc


class MaildirSource:
    """Reads the messages in a Maildir's cur/ and new/ (and, if asked, every folder below it) in arrival order."""

    def __init__(self, path: Path, recursive_folders: bool = False) -> None:
        self._path = Path(path)
        self._recursive = recursive_folders

    def _folders(self) -> list[tuple[str, Path]]:
        if not self._recursive:
            return [(self._path.name, self._path)]
        return list_maildir_folders(self._path)

    def estimate_count(self) -> int | None:
        """The number of files in cur/ and new/ of every folder read."""
        count = 0
        try:
            for _, folder in self._folders():
                for sub in ("cur", "new"):
                    with contextlib.suppress(FileNotFoundError), os.scandir(folder / sub) as entries:
                        count += sum(1 for entry in entries if not entry.name.startswith("."))
        except (OSError, ImportFailedError):
            return None
        return count

    def __iter__(self) -> Iterator[SourceItem]:
        try:
            folders = self._folders()
        except ImportFailedError as exc:
            yield skipped(_log, self._path.name, exc.message)
            return
        for label, folder in folders:
            yield from self._read_folder(label, folder)

    def _read_folder(self, label: str, folder: Path) -> Iterator[SourceItem]:
        found: list[tuple[int | None, str, str, Path]] = []
        for sub in ("new", "cur"):
            try:
                with os.scandir(folder / sub) as entries:
                    names = sorted(entry.name for entry in entries if not entry.name.startswith("."))
            except FileNotFoundError:
                continue
            except OSError as exc:
                yield skipped(_log, f"{label}/{sub}", f"The folder cannot be read ({exc.strerror}).")
                continue
            for name in names:
                path = folder / sub / name
                match = _NAME_TIME.match(name)
                stamp: int | None = int(match.group(1)) if match else None
                if stamp is None:
                    with contextlib.suppress(OSError):
                        stamp = int(path.stat().st_mtime)
                found.append((stamp, name, sub, path))
        found.sort(key=lambda item: (item[0] is None, item[0] or 0, item[1], item[2]))
        for stamp, name, sub, path in found:
            yield _read_message(path, f"{label}/{sub}/{name}", stamp, new=sub == "new")


def _read_message(path: Path, origin: str, stamp: int | None, *, new: bool) -> SourceItem:
    try:
        with path.open("rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_MESSAGE_SIZE:
                return skipped(_log, origin, f"The message is larger than {MAX_MESSAGE_SIZE >> 20} MiB.")
            raw = file.read()
    except IsADirectoryError:
        return skipped(_log, origin, "This is a folder, not a message.")
    except OSError as exc:
        return skipped(_log, origin, f"The file cannot be read ({exc.strerror}).")
    if not raw or raw.isspace():
        return skipped(_log, origin, "The message is empty.")
    flags = _flags_from_name(path.name)
    if new:
        flags &= ~Flag.SEEN  # new/ holds mail no client has seen yet
    return SourceMessage(raw=raw, flags=flags, received_at=stamp, origin=origin)


def _host_name() -> str:
    # The spec escapes "/" and ":" in the host part; dropping everything unusual also keeps Windows happy.
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "localhost"


def _deliver(root: Path, message: SourceMessage, host: str) -> Path:
    now = time.time_ns()
    stamp = message.received_at if message.received_at is not None and message.received_at >= 0 else now // 10**9
    letters = "".join(sorted(letter for letter, flag in _LETTERS.items() if flag in message.flags))
    while True:
        unique = f"{stamp}.M{now // 1000 % 1_000_000}P{os.getpid()}Q{next(_sequence)}.{host}"
        tmp = root / "tmp" / unique
        target = root / "cur" / f"{unique}{_INFO_SEPARATOR}2,{letters}"
        if not os.path.lexists(target):
            break
    done = False
    try:
        with tmp.open("xb") as file:
            file.write(message.raw)
            file.flush()
            os.fsync(file.fileno())
        if message.received_at is not None:
            os.utime(tmp, (message.received_at, message.received_at))
        # The spec: a message appears in cur/ whole or not at all, so it is written in tmp/ and moved.
        os.rename(tmp, target)
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return target


def write_maildir(path: Path, messages: Iterable[SourceMessage]) -> int:
    """Deliver `messages` into the Maildir at `path` (created if needed) under cur/; returns how many."""
    path = Path(path)
    hint = "Check that the folder exists, that you may write there and that the disk is not full."
    try:
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportFailedError(f"Could not create the Maildir “{path.name}” ({exc.strerror}).", hint=hint) from exc
    host = _host_name()
    count = 0
    for message in messages:
        try:
            _deliver(path, message, host)
        except OSError as exc:
            raise ExportFailedError(
                f"Could not write message {count + 1} to the Maildir “{path.name}” ({exc.strerror}).", hint=hint
            ) from exc
        count += 1
    return count
