"""decode_bytes: charset labels as mailers write them, and the fallback for labels that lie."""

from __future__ import annotations

import pytest

from realmail_desktop.mail.charsets import codec_for, decode_bytes


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("unicode-1-1-utf-7", "utf-7"),
        ("ks_c_5601-1987", "cp949"),
        ("gb2312", "gb18030"),
        ("GB2312", "gb18030"),
        ("iso-8859-8-i", "iso8859-8"),
        ("windows-874", "cp874"),
        ("iso-8859-1", "cp1252"),
        ("Shift_JIS", "cp932"),
        ("koi8-r", "koi8-r"),
    ],
)
def test_known_and_aliased_labels_resolve(label: str, codec: str) -> None:
    assert codec_for(label) == codec


@pytest.mark.parametrize("label", ["x-unknown", "x-foobar", "", None, "base64", "zlib", "rot13", "idna", "8bit"])
def test_unknown_or_non_text_labels_are_not_codecs(label: str | None) -> None:
    assert codec_for(label) is None


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Привет, мир", "koi8-r"),
        ("日本語のメール", "iso-2022-jp"),
        ("日本語のメール", "shift_jis"),
        ("中文邮件", "gb2312"),
        ("한국어 메일", "ks_c_5601-1987"),
        ("שלום", "iso-8859-8-i"),
        ("สวัสดี", "windows-874"),
        ("café €", "windows-1252"),
    ],
)
def test_declared_charsets_decode(text: str, charset: str) -> None:
    encoding = {"ks_c_5601-1987": "cp949", "iso-8859-8-i": "iso-8859-8", "windows-874": "cp874"}.get(charset, charset)
    assert decode_bytes(text.encode(encoding), charset) == text


def test_utf7_alias() -> None:
    assert decode_bytes(b"Hi Mom -+Jjo--!", "unicode-1-1-utf-7") == "Hi Mom -☺-!"


def test_unknown_charset_tries_utf8_first() -> None:
    assert decode_bytes("Grüße".encode(), "x-foobar") == "Grüße"


def test_unknown_charset_falls_back_to_cp1252() -> None:
    assert decode_bytes(b"caf\xe9 \x80", "x-unknown") == "café €"


def test_latin1_label_reads_cp1252_and_keeps_undefined_bytes() -> None:
    # 0x81 is undefined in cp1252: shown as the C1 control rather than failing or vanishing.
    assert decode_bytes(b"\x93quoted\x94 \x81", "iso-8859-1") == "“quoted” \x81"


def test_mislabelled_utf8_is_rescued() -> None:
    assert decode_bytes("Grüße".encode(), "koi8-u\x00bogus") == "Grüße"


def test_wrong_multibyte_label_decodes_with_replacement_instead_of_raising() -> None:
    text = decode_bytes(b"\x81\x82\xff\xfe plain", "shift_jis")
    assert text.endswith(" plain")


def test_nul_bytes_are_removed() -> None:
    assert decode_bytes(b"a\x00b\x00", "utf-8") == "ab"
    assert decode_bytes("a\x00b".encode("utf-16-le"), "utf-16-le") == "ab"


def test_empty_input() -> None:
    assert decode_bytes(b"", "utf-8") == ""
