"""Attachment file names made safe to save: one plain name inside the chosen folder, never an overwrite.

A name from a message is hostile input: `../../.bashrc`, `C:\\Windows\\win.ini`, `CON`, control characters,
a right-to-left override (U+202E) that makes `invoice<RLO>fdp.exe` read as `invoiceexe.pdf`, 600 characters.
What is left is a name for any of Windows, macOS and Linux. `write_new_file` never replaces a file: it picks
`name (2).ext`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from realmail_desktop.core.errors import KnownError
from realmail_desktop.mail.headers import decode_header_value

# Room under the common 255-byte limit for " (999)" and for file systems that count UTF-16 units.
MAX_NAME_BYTES = 200
MAX_EXTENSION_CHARS = 16
FALLBACK_NAME = "attachment"

# Characters Windows refuses in names (the separators among them), replaced rather than dropped so
# "a:b" stays readable as "a_b".
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]}
)
_MAX_COPIES = 10_000


class SaveAttachmentError(KnownError):
    """An attachment could not be written where the person asked (full disk, no permission, folder gone)."""


def _save_error(target: Path, exc: OSError) -> SaveAttachmentError:
    reason = exc.strerror or type(exc).__name__
    return SaveAttachmentError(
        f"RealMail could not save “{target.name}” in {target.parent}: {reason}.",
        hint="Choose another folder, or free some disk space, and try again.",
    )


def _visible(name: str) -> str:
    # Cc: control characters; Cf: invisible format characters (bidi overrides, zero-width joiners).
    return "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))


def split_extension(name: str) -> tuple[str, str]:
    """("report.final", ".pdf"); a dot-less, leading-dot or overlong suffix is not an extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext) > MAX_EXTENSION_CHARS or " " in ext:
        return name, ""
    return stem, f".{ext}"


def _truncate(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def safe_filename(name: str, *, fallback: str = FALLBACK_NAME, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A plain file name (no folder part) that saves the same on Windows, macOS and Linux; never empty."""
    if "=?" in name:  # a MIME encoded-word the sender's client left undecoded
        name = decode_header_value(name)
    name = unicodedata.normalize("NFC", _visible(name))
    # Only the last path component counts, whichever separator the sender's system used.
    name = re.split(r"[/\\]", name)[-1]
    name = _FORBIDDEN.sub("_", name)
    # Windows drops trailing dots and spaces (so "a.exe." is "a.exe"); leading dots hide files elsewhere.
    name = name.strip(" .\u00a0\t")
    stem, ext = split_extension(name)
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = _truncate(ext, max_bytes // 2)
    stem = _truncate(stem, max_bytes - len(ext.encode("utf-8"))).rstrip(" .")
    if not stem:
        stem = fallback
    return f"{stem}{ext}"


def copy_name(name: str, number: int) -> str:
    """The `number`th copy's name: "report (2).pdf"."""
    stem, ext = split_extension(name)
    return f"{stem} ({number}){ext}"


def write_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` as a new file in `folder` under the safe form of `name`, "(2)"… on a clash; its path.

    The file is created with O_EXCL, so a file that appears between the check and the write is not replaced.
    """
    safe = safe_filename(name)
    for number in range(1, _MAX_COPIES + 1):
        target = folder / (safe if number == 1 else copy_name(safe, number))
        try:
            with open(target, "xb") as out:
                out.write(data)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _save_error(target, exc) from exc
        return target
    raise _save_error(folder / safe, FileExistsError(0, "too many files of that name"))


def replace_file(target: Path, data: bytes) -> Path:
    """Write `data` over `target`, which the person chose explicitly (after confirming): atomically."""
    temporary = target.with_name(f".{target.name}.realmail-part")
    try:
        with open(temporary, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _save_error(target, exc) from exc
    return target
