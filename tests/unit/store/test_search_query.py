"""The search query language: operators, phrases, exclusion, OR, dates, prefixes, and odd input."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realmail_desktop.store.search import match_expression
from realmail_desktop.store.search_query import SearchQuery, Term, TextField, parse_search

NOW = datetime(2025, 6, 15, 12, 0).timestamp()


def test_plain_words_are_clauses_and_the_last_one_is_a_prefix_while_typed() -> None:
    query = parse_search("budget repo", now=NOW)
    assert query.clauses == ((Term("budget"),), (Term("repo", prefix=True),))
    assert parse_search("budget repo ", now=NOW).clauses[-1] == (Term("repo"),)


def test_a_single_letter_is_not_a_prefix() -> None:
    assert parse_search("r", now=NOW).clauses == ((Term("r"),),)


def test_field_operators() -> None:
    query = parse_search('from:ann to:bob cc:carl subject:"quarterly report" ', now=NOW)
    assert query.clauses == (
        (Term("ann", TextField.FROM),),
        (Term("bob", TextField.TO),),
        (Term("carl", TextField.CC),),
        (Term("quarterly report", TextField.SUBJECT, phrase=True),),
    )


def test_phrase_exclusion_and_or() -> None:
    query = parse_search('"exact phrase" -spam -"not this" travel OR holiday ', now=NOW)
    assert query.clauses == ((Term("exact phrase", phrase=True),), (Term("travel"), Term("holiday")))
    assert query.excluded == (Term("spam"), Term("not this", phrase=True))


def test_filters() -> None:
    query = parse_search('has:attachment is:unread is:starred in:Archive in:"Project X"', now=NOW)
    assert (query.has_attachment, query.unread, query.starred) == (True, True, True)
    assert query.folders == ("Archive", "Project X")
    assert not query.has_text
    assert parse_search("is:read -is:starred -has:attachment").unread is False
    assert parse_search("-is:starred").starred is False


def test_dates_absolute_and_relative() -> None:
    query = parse_search("after:2025-01-01 before:2025/02", now=NOW)
    assert query.after == int(datetime(2025, 1, 1).timestamp())
    assert query.before == int(datetime(2025, 2, 1).timestamp())
    assert parse_search("after:7d", now=NOW).after == int(NOW) - 7 * 86_400
    assert parse_search("before:2w", now=NOW).before == int(NOW) - 14 * 86_400


@pytest.mark.parametrize("text", ["before:soon", "after:2025-13-45", "after:", "foo:bar", "in:"])
def test_bad_or_unknown_values_become_text_or_nothing(text: str) -> None:
    query = parse_search(text, now=NOW)
    assert query.after is None and query.before is None and not query.folders
    words = [t.text for clause in query.clauses for t in clause]
    assert all(":" in w for w in words)  # kept as the text typed, never as a broken filter


def test_fts_syntax_typed_by_a_person_is_quoted() -> None:
    expression = match_expression(parse_search('NEAR(a b) AND c* ^d "e', now=NOW).clauses)
    assert expression == '"NEAR(a" AND "b)" AND "AND" AND "c*" AND "^d" AND "e"'


def test_empty_and_punctuation_only() -> None:
    assert parse_search("").empty
    assert parse_search('  " - : * ').empty


def test_highlight_terms_skip_excluded() -> None:
    assert parse_search('budget "big plan" -spam from:ann').highlight_terms() == ("budget", "big plan", "ann")


@given(st.text())
def test_any_text_parses(text: str) -> None:
    query = parse_search(text, now=NOW)
    assert isinstance(query, SearchQuery)
    match_expression(query.clauses)
