"""The header sync's shortcuts in the header readers give what the general code gives: plain header blocks (one
pattern instead of the line-by-line reading), canonical Date headers (without parsedate_tz's search) and the
seconds of a date (timegm with remembered months), bare message ids, and remembered address lists. Each is
compared with the general code it stands in for (for dates: parse_date's own parsedate_tz reading)."""

from __future__ import annotations

import calendar
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realmail_desktop.mail.headers import (
    canonical_date_parts,
    date_seconds,
    general_date_parts,
    normalize_message_id,
    parse_addresses,
    parse_date,
    utc_seconds,
)
from realmail_desktop.mail.mime import read_header_block


def general_date(text: str) -> int | None:
    """The seconds parse_date gives a Date that does not take the shortcut (parsedate_tz's reading)."""
    parts = general_date_parts(text)
    return None if parts is None else date_seconds(parts)


@given(
    st.sampled_from(["", "Sat, ", "Mon, "]),
    st.integers(0, 39),
    st.sampled_from(["Jan", "Feb", "Oct", "Dec"]),
    st.integers(1000, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from(["+", "-"]),
    st.integers(0, 9999),
)
def test_canonical_dates_read_as_parsedate_tz_reads_them(
    weekday: str, day: int, month: str, year: int, hour: int, minute: int, second: int, sign: str, zone: int
) -> None:
    text = f"{weekday}{day} {month} {year} {hour:02d}:{minute:02d}:{second:02d} {sign}{zone:04d}"
    assert canonical_date_parts(text) is not None  # the shortcut's shape
    assert parse_date(text) == general_date(text)


def test_dates_outside_the_canonical_shape_still_read() -> None:
    assert parse_date("Sat, 31 Oct 2026 20:57:33 +0200 (CEST)") == general_date("Sat, 31 Oct 2026 20:57:33 +0200")
    assert parse_date("31 Oct 26 20:57 -0000") == calendar.timegm((2026, 10, 31, 20, 57, 0, 0, 0, 0))


@given(st.text(alphabet="<>@ab. \t\u00a0\x85", max_size=14))
def test_bare_message_ids_read_as_the_general_rule(raw: str) -> None:
    expected = ""
    for match in re.finditer(r"<([^<>]*)>", raw.strip()):
        inner = "".join(match.group(1).split())
        if inner:
            expected = f"<{inner}>"
            break
    if expected:
        assert normalize_message_id(raw) == expected


def test_address_lists_are_read_the_same_when_remembered_and_when_too_long_to_remember() -> None:
    one = "Ann <ann@example.com>, Bob <bob@example.com>"
    assert parse_addresses(one) == parse_addresses(one)  # the second read comes from the cache
    many = ", ".join(f"P{i} <p{i}@example.com>" for i in range(60))  # longer than what is remembered
    read = parse_addresses(many)
    assert len(read) == 60 and read[59].address == "p59@example.com"
    assert parse_addresses(many) == read


@given(
    st.integers(1, 9999),
    st.integers(1, 12),
    st.integers(-3, 40),
    st.integers(0, 30),
    st.integers(0, 70),
    st.integers(0, 70),
)
def test_utc_seconds_is_timegm(year: int, month: int, day: int, hour: int, minute: int, second: int) -> None:
    assert utc_seconds((year, month, day, hour, minute, second)) == calendar.timegm(
        (year, month, day, hour, minute, second, 0, 0, 0)
    )


def test_utc_seconds_refuses_what_timegm_refuses() -> None:
    for year, month in ((0, 1), (10_000, 1), (2026, 13)):
        with pytest.raises(ValueError):
            utc_seconds((year, month, 1, 0, 0, 0))


_NAMES = st.sampled_from(["From", "to", "SUBJECT", "Content-Type", "X-Other", "Date", "subject", "List-Id"])
_VALUES = st.text(alphabet=" aZ<>@:;.\t\u00e9=?", max_size=12).map(lambda text: text.encode())


@given(st.lists(st.tuples(_NAMES, _VALUES), min_size=1, max_size=8))
def test_plain_header_blocks_read_as_the_general_reader_reads_them(fields: list[tuple[str, bytes]]) -> None:
    """A CRLF block of plain fields takes the one-pattern shortcut; with LF line ends the general reader reads
    it: the same fields either way."""
    wanted = frozenset({b"from", b"to", b"subject", b"content-type", b"date"})
    lines = [name.encode() + b":" + value for name, value in fields]
    crlf, lf = b"\r\n".join([*lines, b"", b""]), b"\n".join([*lines, b"", b""])
    shortcut_defects: list[str] = []
    general_defects: list[str] = []
    shortcut = read_header_block(crlf, 0, len(crlf), wanted, shortcut_defects, top=True)
    general = read_header_block(lf, 0, len(lf), wanted, general_defects, top=True)
    assert shortcut == (general[0], len(crlf)) and general[1] == len(lf)
    assert list(shortcut[0]) == list(general[0]) and shortcut_defects == general_defects == []
