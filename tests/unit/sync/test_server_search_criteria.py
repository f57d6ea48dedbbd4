"""The search box's query as IMAP SEARCH keys: fields, OR, exclusion, flags, dates, and nothing unsafe typed."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from realmail_desktop.store.search_query import parse_search
from realmail_desktop.sync.server_search import search_criteria


def test_fields_flags_and_dates() -> None:
    now = datetime(2025, 6, 15, 12).timestamp()
    search = parse_search('from:ann to:bob subject:"big plan" report is:unread is:starred after:2025-01-02 ', now=now)
    assert search_criteria(search) == [
        "FROM", "ann", "OR", "TO", "bob", "CC", "bob", "SUBJECT", "big plan", "TEXT", "report",
        "UNSEEN", "FLAGGED", "SINCE", date(2025, 1, 2),
    ]  # fmt: skip


def test_or_and_exclusion() -> None:
    assert search_criteria(parse_search("a1 OR b2 OR c3 -spam ")) == [
        "OR", ["OR", ["TEXT", "a1"], ["TEXT", "b2"]], ["TEXT", "c3"], "NOT", ["TEXT", "spam"],
    ]  # fmt: skip


def test_nothing_searchable_is_all() -> None:
    assert search_criteria(parse_search("has:attachment")) == ["ALL"]


@given(st.text())
def test_values_never_carry_imap_syntax(text: str) -> None:
    def values(criteria: list[object]) -> list[str]:
        out: list[str] = []
        for item in criteria:
            out.extend(values(item) if isinstance(item, list) else [item] if isinstance(item, str) else [])
        return out

    for value in values(search_criteria(parse_search(text))):
        assert not any(c in value for c in '(){}"\\*%]\r\n')
