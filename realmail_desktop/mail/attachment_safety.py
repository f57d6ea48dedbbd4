"""Attachment safety: what an attachment's bytes really are (python-magic), against its name and declared type.

A verdict is `SAFE`, `RISKY` (a program, script or web page: it can act on the computer even when it is what it
says it is) or `MISMATCH` (the bytes are something else than the name or the Content-Type says, the classic
`invoice.pdf` that is a Windows program). Anything but `SAFE` carries a reason in plain words, shown before opening.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from realmail_desktop.core.logs import get_logger

_log = get_logger("mail")

# libmagic reads at most this much of a buffer anyway (its `bytes_max`); slicing avoids a copy of a big part.
_SNIFF_BYTES = 1 << 20
UNKNOWN_TYPE = "application/octet-stream"


class Verdict(enum.Enum):
    SAFE = "safe"
    RISKY = "risky"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class SafetyVerdict:
    """What RealMail thinks of one attachment; `reason` is empty when `SAFE`."""

    verdict: Verdict
    sniffed_type: str
    reason: str = ""

    @property
    def needs_confirmation(self) -> bool:
        return self.verdict is not Verdict.SAFE


# Kinds of file, by what they can do and how a person would call them.
_PROGRAM, _SCRIPT, _WEB = "program", "script", "web page"
_RISKY_KINDS = frozenset({_PROGRAM, _SCRIPT, _WEB})

_KIND_WORDS = {
    "picture": "a picture",
    "pdf": "a PDF",
    "archive": "a compressed archive",
    "document": "an office document",
    _PROGRAM: "a program",
    _SCRIPT: "a script",
    _WEB: "a web page",
    "text": "a text file",
    "audio": "a sound file",
    "video": "a video",
    "calendar": "a calendar invitation",
    "message": "an e-mail message",
}

_PROGRAM_TYPES = {
    "application/x-dosexec": "a Windows program (.exe)",
    "application/vnd.microsoft.portable-executable": "a Windows program (.exe)",
    "application/x-msdownload": "a Windows program (.exe)",
    "application/x-msi": "a Windows installer (.msi)",
    "application/x-executable": "a program",
    "application/x-pie-executable": "a program",
    "application/x-sharedlib": "a program library",
    "application/x-mach-binary": "a macOS program",
    "application/java-archive": "a Java program (.jar)",
    "application/vnd.android.package-archive": "an Android app (.apk)",
}
_SCRIPT_TYPES = frozenset(
    {
        "text/x-shellscript",
        "text/x-python",
        "text/x-script.python",
        "text/x-perl",
        "text/x-ruby",
        "text/x-php",
        "text/x-msdos-batch",
        "application/javascript",
        "text/javascript",
        "application/x-shellscript",
        "application/hta",
    }
)
_ARCHIVE_TYPES = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/zstd",
    }
)
_DOCUMENT_PREFIXES = (
    "application/msword",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
    "application/rtf",
    "text/rtf",
    "application/epub",
    "application/cdfv2",
)

_EXTENSION_KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("jpg", "jpeg", "jpe", "png", "gif", "bmp", "webp", "tif", "tiff", "heic", "heif", "avif", "ico"), "picture"
    ),
    "pdf": "pdf",
    **dict.fromkeys(("zip", "gz", "tgz", "tar", "bz2", "xz", "7z", "rar", "zst"), "archive"),
    **dict.fromkeys(
        ("doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "epub", "pages", "key"),
        "document",
    ),
    **dict.fromkeys(
        (
            "exe",
            "com",
            "scr",
            "pif",
            "msi",
            "msp",
            "dll",
            "cpl",
            "jar",
            "apk",
            "app",
            "dmg",
            "pkg",
            "deb",
            "rpm",
            "appimage",
            "lnk",
            "elf",
            "bin",
            "run",
        ),
        _PROGRAM,
    ),
    **dict.fromkeys(
        (
            "bat",
            "cmd",
            "ps1",
            "psm1",
            "vbs",
            "vbe",
            "js",
            "jse",
            "wsf",
            "wsh",
            "hta",
            "sh",
            "bash",
            "zsh",
            "py",
            "pyw",
            "pl",
            "rb",
            "php",
            "reg",
            "scpt",
            "command",
            "desktop",
        ),
        _SCRIPT,
    ),
    **dict.fromkeys(("html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg"), _WEB),
    **dict.fromkeys(("txt", "text", "csv", "tsv", "log", "md", "json", "xml", "yaml", "yml", "ini", "cfg"), "text"),
    **dict.fromkeys(("mp3", "wav", "ogg", "oga", "flac", "m4a", "aac", "opus", "amr"), "audio"),
    **dict.fromkeys(("mp4", "m4v", "mov", "avi", "mkv", "webm", "wmv", "mpg", "mpeg", "3gp"), "video"),
    **dict.fromkeys(("ics", "ical", "ifb", "vcs"), "calendar"),
    **dict.fromkeys(("eml", "msg"), "message"),
}

# Kinds the same bytes may honestly be named as: libmagic calls a CSV or an HTML fragment `text/plain`,
# office documents are zip archives, an invitation is text.
_COMPATIBLE = {
    frozenset({"archive", "document"}),
    frozenset({"text", "calendar"}),
    frozenset({"text", "message"}),
    frozenset({"text", _WEB}),
    frozenset({"text", _SCRIPT}),
    frozenset({"archive", _PROGRAM}),  # .jar, .apk, .appimage are archives to libmagic
    frozenset({"picture", _WEB}),  # SVG
}


_EXACT_KINDS: dict[str, str] = {
    **dict.fromkeys(_PROGRAM_TYPES, _PROGRAM),
    **dict.fromkeys(_SCRIPT_TYPES, _SCRIPT),
    **dict.fromkeys(("text/html", "application/xhtml+xml", "image/svg+xml"), _WEB),
    **dict.fromkeys(_ARCHIVE_TYPES, "archive"),
    "application/pdf": "pdf",
    "text/calendar": "calendar",
    "message/rfc822": "message",
    "message/global": "message",
    "application/json": "text",
    "application/xml": "text",
}
_FAMILY_KINDS = {"image": "picture", "audio": "audio", "video": "video", "text": "text"}


def kind_of_type(mime_type: str) -> str | None:
    """The kind of file a MIME type names, or None when it says nothing (octet-stream, unknown)."""
    mime_type = mime_type.lower().split(";")[0].strip()
    if mime_type in _EXACT_KINDS:
        return _EXACT_KINDS[mime_type]
    if mime_type.startswith(_DOCUMENT_PREFIXES):
        return "document"
    return _FAMILY_KINDS.get(mime_type.partition("/")[0])


def extension_of(filename: str) -> str:
    """The last extension of a file name, lower case, without the dot ("" when none)."""
    suffix = PurePosixPath(filename.replace("\\", "/").strip().rstrip(". ")).suffix
    return suffix[1:].lower()


def kind_of_name(filename: str) -> str | None:
    return _EXTENSION_KINDS.get(extension_of(filename))


class _Sniffer:
    """One shared libmagic handle: opening one costs milliseconds (FIELD-NOTES), a lookup microseconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._magic: Any = None

    def sniff(self, data: bytes) -> str:
        if not data:
            return "application/x-empty"
        with self._lock:
            try:
                if self._magic is None:
                    import magic

                    self._magic = magic.Magic(mime=True)
                found = self._magic.from_buffer(data[:_SNIFF_BYTES])
            except Exception:  # libmagic missing or failing on a buffer: the type stays unknown
                _log.warning("could not sniff an attachment's type", exc_info=True)
                return UNKNOWN_TYPE
        return str(found) if found else UNKNOWN_TYPE


_sniffer = _Sniffer()


def sniff_type(data: bytes) -> str:
    """The MIME type the bytes themselves show (python-magic), e.g. "application/x-dosexec"."""
    return _sniffer.sniff(data)


def _compatible(real: str, claimed: str) -> bool:
    return real == claimed or frozenset({real, claimed}) in _COMPATIBLE


def _real_words(sniffed: str, kind: str) -> str:
    return _PROGRAM_TYPES.get(sniffed.lower(), _KIND_WORDS[kind])


def judge_attachment(data: bytes, filename: str, declared_type: str) -> SafetyVerdict:
    """Compare what the bytes are with the file name's extension and the declared Content-Type."""
    sniffed = sniff_type(data)
    real = kind_of_type(sniffed)
    by_name = kind_of_name(filename)
    by_header = kind_of_type(declared_type)
    ext = extension_of(filename)
    if real is not None and by_name is not None and not _compatible(real, by_name):
        return SafetyVerdict(
            Verdict.MISMATCH,
            sniffed,
            f"This file is {_real_words(sniffed, real)} named like {_KIND_WORDS[by_name]} (.{ext}).",
        )
    if real is not None and by_header is not None and not _compatible(real, by_header):
        return SafetyVerdict(
            Verdict.MISMATCH,
            sniffed,
            f"This file is {_real_words(sniffed, real)}, but the message says it is {_KIND_WORDS[by_header]}.",
        )
    risky = next((kind for kind in (real, by_name) if kind in _RISKY_KINDS), None)
    if risky == _PROGRAM:
        what = _real_words(sniffed, _PROGRAM) if real == _PROGRAM else f"a program (.{ext})"
        return SafetyVerdict(
            Verdict.RISKY, sniffed, f"This file is {what}. Opening it runs it: do so only if you expected it."
        )
    if risky == _SCRIPT:
        return SafetyVerdict(
            Verdict.RISKY, sniffed, "This file is a script. Opening it may run it: do so only if you expected it."
        )
    if risky == _WEB:
        return SafetyVerdict(
            Verdict.RISKY,
            sniffed,
            "This file is a web page. It opens in your browser, where it can run scripts or imitate a sign-in "
            "page: never type a password into it.",
        )
    return SafetyVerdict(Verdict.SAFE, sniffed)
