"""Store rows from envelopes: the texts made from a message's people and its category are the same whether they
come from the conversion's caches or are made afresh (many recipients, long headers: not cached)."""

from __future__ import annotations

from realmail_desktop.ingest import new_message
from realmail_desktop.mail.envelope import read_header_envelope
from realmail_desktop.mail.sources import Flag


def header(to: str, extra: str = "") -> bytes:
    return (
        f"From: Ann Example <ann@example.com>\r\nTo: {to}\r\nSubject: Re: Plans\r\n"
        f"Date: Sat, 31 Oct 2026 20:57:33 +0200\r\n{extra}\r\n"
    ).encode()


def test_rows_of_repeated_people_are_equal_and_right() -> None:
    first = new_message(read_header_envelope(header("Bob <bob@example.com>")), None, Flag.SEEN, uid=1)
    again = new_message(read_header_envelope(header("Bob <bob@example.com>")), None, Flag.FLAGGED, uid=2)
    assert (first.recipients, first.index_people) == (
        "Bob <bob@example.com>",
        "Ann Example ann@example.com Bob bob@example.com",
    )
    assert (again.recipients, again.index_people, again.sender_sort) == (
        first.recipients,
        first.index_people,
        "ann example",
    )
    assert (first.is_seen, first.is_flagged, again.is_seen, again.is_flagged) == (True, False, False, True)
    assert first.category == again.category == "people"


def test_many_recipients_and_long_list_headers_are_made_afresh_the_same_way() -> None:
    many = ", ".join(f"P{i} <p{i}@example.com>" for i in range(30))
    long_unsubscribe = "List-Unsubscribe: <https://example.com/" + "u" * 2000 + ">\r\n"
    row = new_message(read_header_envelope(header(many, long_unsubscribe)), None, Flag(0), uid=3)
    assert row.recipients == many
    assert row.index_people.endswith("P29 p29@example.com")
    assert row.category == "updates" and row.unsubscribe.startswith("<https://example.com/uuu")
