"""Header values: RFC 2047 words, addresses, dates, message ids, MIME parameters."""

from __future__ import annotations

import calendar
from email.header import Header

import pytest

from realmail_desktop.mail.headers import (
    Address,
    decode_header_value,
    normalize_message_id,
    parse_addresses,
    parse_date,
    parse_mime_value,
    parse_references,
)


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Grüße aus Köln", "utf-8"),
        ("Café crème brûlée", "iso-8859-1"),
        ("Привет из Москвы", "koi8-r"),
        ("会議の議事録について", "iso-2022-jp"),
        ("会議の議事録について", "shift_jis"),
        ("关于会议纪要的通知", "gb2312"),
    ],
)
def test_encoded_subjects_in_many_charsets(text: str, charset: str) -> None:
    assert decode_header_value(Header(text, charset).encode()) == text


def test_whitespace_between_adjacent_encoded_words_is_dropped() -> None:
    assert decode_header_value("=?utf-8?q?a?= =?utf-8?q?b?=\r\n =?utf-8?q?c?=") == "abc"


def test_whitespace_between_word_and_text_is_kept() -> None:
    assert decode_header_value("=?utf-8?q?Caf=C3=A9?= au lait") == "Café au lait"


def test_multibyte_character_split_across_words() -> None:
    # "€" is E2 82 AC; some mailers cut encoded words mid-character.
    assert decode_header_value("=?utf-8?b?4oI=?= =?utf-8?b?rA==?=") == "€"


def test_broken_encoded_words_are_decoded_leniently() -> None:
    assert decode_header_value("=?utf-8?b?w7Y?=") == "ö"  # missing padding
    assert decode_header_value("x=?utf-8?q?=C3=B6?=y") == "xöy"  # glued to text
    assert decode_header_value("=?utf-8*en?q?hi?=") == "hi"  # RFC 2231 language
    assert decode_header_value("=?utf-8?q?unterminated") == "=?utf-8?q?unterminated"


def test_unknown_charset_in_encoded_word_falls_back() -> None:
    assert decode_header_value("=?x-foobar?q?Gr=C3=BC=C3=9Fe?=") == "Grüße"
    assert decode_header_value("=?x-unknown?q?caf=E9?=") == "café"


def test_folded_lines_are_unfolded_and_controls_removed() -> None:
    assert decode_header_value("A long\r\n subject\x00 with\tTAB") == "A long subject with TAB"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("john@example.org", [("", "john@example.org")]),
        ("John Doe <john@example.org>", [("John Doe", "john@example.org")]),
        (
            '"Doe, John" <john@example.org>, jane@example.net',
            [("Doe, John", "john@example.org"), ("", "jane@example.net")],
        ),
        ("jane@example.net (Jane Roe)", [("Jane Roe", "jane@example.net")]),
        ("=?utf-8?q?J=C3=B6rg?= <jorg@example.com>", [("Jörg", "jorg@example.com")]),
        ('"=?utf-8?q?J=C3=B6rg?=" <jorg@example.com>', [("Jörg", "jorg@example.com")]),
        ("Friends: a@x.org, b@y.org;, c@z.org", [("", "a@x.org"), ("", "b@y.org"), ("", "c@z.org")]),
        ("undisclosed-recipients:;", []),
        ("<mailto:bob@example.com>", [("", "bob@example.com")]),
        ('"Quote \\"Q\\" Person" <q@example.com>', [('Quote "Q" Person', "q@example.com")]),
        ("Jörg Müller <jorg@example.com>", [("Jörg Müller", "jorg@example.com")]),
    ],
)
def test_parse_addresses(raw: str, expected: list[tuple[str, str]]) -> None:
    assert [(a.name, a.address) for a in parse_addresses(raw)] == expected


@pytest.mark.parametrize("raw", ["<<<>>>", ',,,;;;"', '"unterminated <a@b', "(((", "\\", ":::", ">", "a <b> <c>"])
def test_parse_addresses_survives_garbage(raw: str) -> None:
    for address in parse_addresses(raw):
        assert address.name or address.address
        assert "<" not in address.address and ">" not in address.address


def test_address_display() -> None:
    assert Address("Jane Roe", "jane@example.net").display() == "Jane Roe <jane@example.net>"
    assert str(Address("", "jane@example.net")) == "jane@example.net"
    assert Address("Bare Name", "").display() == "Bare Name"


def _utc(*fields: int) -> int:
    return calendar.timegm((*fields, 0, 0, 0))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 1 Jul 2003 10:52:37 +0200", _utc(2003, 7, 1, 8, 52, 37)),
        ("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", _utc(2003, 7, 1, 8, 52, 37)),
        ("1 Jul 03 10:52 EST", _utc(2003, 7, 1, 15, 52, 0)),
        ("Tue, 1 Jul 99 10:52:37 GMT", _utc(1999, 7, 1, 10, 52, 37)),
        ("Tue, 1 Jul 2003 10:52:37", _utc(2003, 7, 1, 10, 52, 37)),  # no zone: UTC
        ("Tue Jul  1 10:52:37 2003", _utc(2003, 7, 1, 10, 52, 37)),  # ctime
        ("2003-07-01T10:52:37+02:00", _utc(2003, 7, 1, 8, 52, 37)),  # ISO 8601
        ("2003-07-01 10:52:37Z", _utc(2003, 7, 1, 10, 52, 37)),
        ("Tue,\r\n 1 Jul 2003 10:52:37 +0000", _utc(2003, 7, 1, 10, 52, 37)),
    ],
)
def test_parse_date(raw: str, expected: int) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "garbage", "Mon, 32 Foo 2024 99:99:99 +9999", "2003-13-45", "Tue, 1 Jul 12345 10:00:00", "\x00"]
)
def test_unreadable_dates_are_none(raw: str | None) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<abc@example.com>", "<abc@example.com>"),
        ("  <abc@ex ample.com> (comment)", "<abc@example.com>"),
        ("abc@example.com", "<abc@example.com>"),
        ("<abc@example.com> <def@example.com>", "<abc@example.com>"),
        ("Your message of Monday <id@x>", "<id@x>"),
        ("<>", ""),
        ("", ""),
        (None, ""),
        ("two words", ""),
    ],
)
def test_normalize_message_id(raw: str | None, expected: str) -> None:
    assert normalize_message_id(raw) == expected


def test_parse_references_keeps_order_and_drops_duplicates() -> None:
    raw = "<a@x> <b@y>\r\n\t<a@x> junk <c@z>"
    assert parse_references(raw) == ("<a@x>", "<b@y>", "<c@z>")
    assert parse_references("a@x b@y") == ("<a@x>", "<b@y>")
    assert parse_references(None) == ()


def test_parse_mime_value_rfc2231_and_quotes() -> None:
    assert parse_mime_value("attachment; filename*=UTF-8''%E2%82%AC.pdf") == ("attachment", {"filename": "€.pdf"})
    value, params = parse_mime_value('Multipart/Mixed; boundary="a;b\\"c"; CHARSET=utf-8')
    assert value == "multipart/mixed"
    assert params == {"boundary": 'a;b"c', "charset": "utf-8"}


def test_parse_mime_value_rfc2231_continuations_win_over_plain() -> None:
    raw = "attachment; filename=old.pdf; filename*0*=iso-8859-1''caf%E9; filename*1=.pdf"
    assert parse_mime_value(raw)[1]["filename"] == "café.pdf"
