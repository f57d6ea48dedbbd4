"""The fast FETCH reply reader: the items the sync asks for, literals, odd replies, and the attachment rule
read from BODYSTRUCTURE (checked against imapclient's own parser on the same bytes)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from imapclient.response_parser import parse_fetch_response

from realmail_desktop.sync.fetch_reply import (
    has_attachments,
    internaldate_seconds,
    parse_fetch_replies,
)

HEADER = b"From: Ann <ann@example.com>\r\nSubject: Hello\r\n\r\n"
PLAIN = b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)'
PDF_ATTACHED = (
    b'(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 40 2 NIL NIL NIL NIL)'
    b'("APPLICATION" "PDF" NIL NIL NIL "BASE64" 14 NIL ("ATTACHMENT" ("FILENAME" "r1.pdf")) NIL NIL)'
    b' "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)'
)
INLINE_IMAGE = (
    b'(("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 40 2 NIL NIL NIL NIL)'
    b'("IMAGE" "PNG" ("NAME" "logo.png") "<logo@x>" NIL "BASE64" 100 NIL ("INLINE" ("FILENAME" "logo.png")) NIL NIL)'
    b' "RELATED" ("BOUNDARY" "b2") NIL NIL NIL)'
)
ALTERNATIVE = (
    b'(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 4 1 NIL NIL NIL NIL)'
    b'("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 9 1 NIL NIL NIL NIL)'
    b' "ALTERNATIVE" ("BOUNDARY" "a") NIL NIL NIL)'
)
FORWARDED = (
    b'(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 4 1 NIL NIL NIL NIL)'
    b'("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 ("Mon, 1 Jan 2024 00:00:00 +0000" "x" NIL NIL NIL NIL NIL NIL NIL NIL)'
    b' ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 4 1 NIL NIL NIL NIL) 9 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "f") NIL NIL NIL)'
)


def reply_lines(uid: int, structure: bytes, flags: bytes = rb"\Seen $Label1") -> list[bytes | tuple[bytes, bytes]]:
    """One message as imaplib hands it over: the line up to the literal with the literal, then the rest."""
    return [
        (
            b'%d (UID %d FLAGS (%s) INTERNALDATE "21-Nov-2026 22:35:51 +0100" RFC822.SIZE 1234 '
            b"BODY[HEADER.FIELDS (FROM SUBJECT)] {%d}" % (uid, uid, flags, len(HEADER)),
            HEADER,
        ),
        b" BODYSTRUCTURE " + structure + b")",
    ]


def test_reads_every_item_as_imapclient_does() -> None:
    data = reply_lines(7, PLAIN) + reply_lines(9, PDF_ATTACHED, flags=b"")
    ours = parse_fetch_replies(data).replies
    theirs = parse_fetch_response(data, False, True)
    assert set(ours) == set(theirs) == {7, 9}
    for uid, reply in ours.items():
        expected = theirs[uid]
        assert reply.flags == tuple(f.decode() for f in expected[b"FLAGS"])
        assert reply.size == expected[b"RFC822.SIZE"]
        assert reply.internaldate == int(expected[b"INTERNALDATE"].timestamp())
        assert reply.section("BODY[HEADER") == HEADER == expected[b"BODY[HEADER.FIELDS (FROM SUBJECT)]"]
    assert ours[7].flags == ("\\Seen", "$Label1")


def test_merges_replies_of_one_uid_and_skips_unsolicited_ones() -> None:
    data: list[bytes | tuple[bytes, bytes]] = [
        b"3 (FLAGS (\\Deleted))",  # unsolicited: no UID, so it names no message we asked for
        b"4 (UID 10 FLAGS (\\Flagged))",
        b"4 (UID 10 RFC822.SIZE 77 MODSEQ (12345))",
    ]
    replies = parse_fetch_replies(data)
    assert list(replies.replies) == [10]
    assert replies.replies[10].flags == ("\\Flagged",) and replies.replies[10].size == 77
    assert replies.replies[10].modseq == 12345


def test_body_literal_with_quoted_strings_and_nil() -> None:
    body = b'Subject: x\r\n\r\n(not a list) "quoted" {5}\r\n'
    data = [(b"1 (UID 2 BODY[] {%d}" % len(body), body), b' INTERNALDATE NIL FLAGS ("odd flag"))']
    reply = parse_fetch_replies(data).replies[2]
    assert reply.sections["BODY[]"] == body
    assert reply.internaldate is None and reply.flags == ("odd flag",)


def test_unreadable_replies_are_counted_not_raised() -> None:
    replies = parse_fetch_replies([b"garbage", b"5 (UID notanumber)", b"6 (UID 8 RFC822.SIZE 1)"])
    assert list(replies.replies) == [8]
    assert replies.unreadable == 2


@given(st.lists(st.one_of(st.binary(max_size=60), st.tuples(st.binary(max_size=40), st.binary(max_size=20)))))
def test_never_raises_on_any_reply(data: list[bytes | tuple[bytes, bytes]]) -> None:
    replies = parse_fetch_replies(data)
    for reply in replies.replies.values():
        has_attachments(reply.bodystructure)


def test_internaldate() -> None:
    expected = int(datetime(2026, 11, 21, 21, 35, 51, tzinfo=UTC).timestamp())
    assert internaldate_seconds(b"21-Nov-2026 22:35:51 +0100") == expected
    assert internaldate_seconds(b" 1-Jan-2024 00:00:00 -0130") == int(
        datetime(2024, 1, 1, 1, 30, tzinfo=UTC).timestamp()
    )
    assert internaldate_seconds(b"yesterday") is None
    assert internaldate_seconds(b"21-Foo-2026 22:35:51 +0100") is None


def structure(raw: bytes) -> object:
    return parse_fetch_replies([b"1 (UID 1 BODYSTRUCTURE " + raw + b")"]).replies[1].bodystructure


def test_attachment_rule_from_bodystructure() -> None:
    assert has_attachments(structure(PLAIN)) is False
    assert has_attachments(structure(PDF_ATTACHED)) is True
    assert has_attachments(structure(INLINE_IMAGE)) is False  # a cid: image of an HTML body
    assert has_attachments(structure(ALTERNATIVE)) is False
    assert has_attachments(structure(FORWARDED)) is True
    named_text = b'("TEXT" "PLAIN" ("NAME" "notes.txt") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)'
    assert has_attachments(structure(named_text)) is True
    assert has_attachments(None) is None
    assert has_attachments(structure(b'("TEXT")')) is False  # too short to be a part: nothing to show
    deep = b"(" * 200 + PLAIN + b' "MIXED")' * 200
    assert has_attachments(structure(deep)) is False
