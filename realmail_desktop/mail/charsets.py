"""Bytes to text for mail: charset labels as mailers really write them, with a fallback that never fails."""

from __future__ import annotations

import codecs
import functools

# Labels seen in real mail that Python does not know, or knows under a narrower codec than the one
# senders actually used (WHATWG Encoding Standard maps most of these the same way).
_ALIASES: dict[str, str] = {
    "unicode-1-1-utf-7": "utf-7",
    "unicode-2-0-utf-7": "utf-7",
    "unicode-1-1-utf-8": "utf-8",
    "unicode-2-0-utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "logical": "iso-8859-8",
    "visual": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "euc-kr": "cp949",
    "korean": "cp949",
    "windows-949": "cp949",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ce": "mac-latin2",
    "x-mac-greek": "mac-greek",
    "x-mac-turkish": "mac-turkish",
    "x-mac-icelandic": "mac-iceland",
}

# Labels that say "no idea" (or name a transfer encoding instead of a charset): guess instead.
_UNKNOWN = frozenset(
    {
        "",
        "x-unknown",
        "unknown",
        "unknown-8bit",
        "x-user-defined",
        "default",
        "none",
        "charset",
        "8bit",
        "7bit",
        "binary",
    }
)

_NOT_CHARSETS = frozenset({"undefined", "mbcs", "oem", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})

_FALLBACK_ERRORS = "realmail-latin1"


def _latin1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; browsers show them as the C1 controls.
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return bytes(error.object[error.start : error.end]).decode("latin-1"), error.end


codecs.register_error(_FALLBACK_ERRORS, _latin1_for_undefined)


@functools.lru_cache(maxsize=512)
def codec_for(charset: str | None) -> str | None:
    """Python codec name for a charset label from a mail header, or None when it names nothing usable."""
    if charset is None:
        return None
    label = charset.strip().strip("\"'").strip().lower()
    if label in _UNKNOWN:
        return None
    label = _ALIASES.get(label, _ALIASES.get(label.replace("_", "-"), label))
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return None
    # Binary-to-binary codecs (base64, zlib, rot13 …) carry this flag; bytes.decode() would refuse them.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _guess(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors=_FALLBACK_ERRORS)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text of `data` in `charset`; unknown or wrong labels fall back to UTF-8, then cp1252. NULs removed."""
    if not data:
        return ""
    codec = codec_for(charset)
    text: str
    if codec is None or codec == "utf-8":
        text = _guess(data)
    else:
        try:
            text = data.decode(codec)
        except Exception:  # codecs raise more than UnicodeDecodeError on garbage (utf-7: ValueError)
            text = _decode_lossy(data, codec)
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


def _decode_lossy(data: bytes, codec: str) -> str:
    if codec == "cp1252":
        return data.decode("cp1252", errors=_FALLBACK_ERRORS)
    # Mislabelled UTF-8 is the most common reason a declared charset fails.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode(codec, errors="replace")
        except Exception:  # a codec that cannot even replace: treat the label as unknown
            return _guess(data)
