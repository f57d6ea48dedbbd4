"""The fast FETCH reply reader: the items the sync asks for, literals, odd replies, and the attachment rule
read from BODYSTRUCTURE (checked against imapclient's own parser on the same bytes)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from imapclient.response_parser import parse_fetch_response

from realmail_desktop.sync.fetch_reply import (
    Bodystructure,
    has_attachments,
    internaldate_seconds,
    only_body_text,
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


# --- The header sync's shortcuts: one match for the usual reply, a scan for text-only BODYSTRUCTUREs ---------

_FLAG = st.sampled_from([rb"\Seen", rb"\Recent", rb"\Flagged", b"$Label1", b"NIL", b"Junk", rb"\*"])
_DATE = st.sampled_from([b"21-Nov-2026 22:35:51 +0100", b" 1-Jan-2024 00:00:00 -0130", b"soon"])


@given(st.lists(_FLAG, max_size=4), _DATE, st.integers(0, 10**9), st.one_of(st.none(), st.just(PDF_ATTACHED)))
def test_the_usual_header_reply_reads_as_the_general_reader_reads_it(
    flags: list[bytes], date: bytes, size: int, structure: bytes | None
) -> None:
    """The same items in another order are read by the general reader: both readings must agree."""
    section = b"BODY[HEADER.FIELDS (FROM SUBJECT)] {%d}" % len(HEADER)
    flag_text, tail = b" ".join(flags), b" BODYSTRUCTURE " + structure + b")" if structure else b")"
    usual = b'1 (UID 5 FLAGS (%s) INTERNALDATE "%s" RFC822.SIZE %d ' % (flag_text, date, size)
    reordered = b'1 (UID 5 RFC822.SIZE %d INTERNALDATE "%s" FLAGS (%s) ' % (size, date, flag_text)
    fast = parse_fetch_replies([(usual + section, HEADER), tail]).replies[5]
    general = parse_fetch_replies([(reordered + section, HEADER), tail]).replies[5]
    assert fast == general
    assert fast.section("BODY[HEADER") == HEADER
    assert fast.flags == tuple(f.decode() for f in flags if f != b"NIL")


def test_a_reply_the_general_reader_refuses_is_refused_in_the_usual_shape_too() -> None:
    section = b"BODY[HEADER.FIELDS (FROM)] {%d}" % len(HEADER)
    year_zero = b'INTERNALDATE "01-Jan-0000 00:00:00 +0000"'
    usual = b"1 (UID 5 FLAGS () %s RFC822.SIZE 9 %s" % (year_zero, section)
    reordered = b"1 (UID 5 RFC822.SIZE 9 FLAGS () %s %s" % (year_zero, section)
    for first in (usual, reordered):
        replies = parse_fetch_replies([(first, HEADER), b")"])
        assert replies.replies == {} and replies.unreadable == 1


def _quoted(words: list[str]) -> st.SearchStrategy[bytes]:
    return st.sampled_from([b'"%s"' % word.encode() for word in words])


_PARAMS = st.one_of(
    st.just(b"NIL"),
    st.lists(
        st.tuples(_quoted(["CHARSET", "charset", "NAME", "name", "FORMAT", "boundary"]), _quoted(["utf-8", "a.pdf"])),
        min_size=1,
        max_size=2,
    ).map(lambda pairs: b"(" + b" ".join(b"%s %s" % pair for pair in pairs) + b")"),
)
_DISPOSITION = st.sampled_from(
    [b"NIL", b'("INLINE" NIL)', b'("inline" ("FILENAME" "i.png"))', b'("ATTACHMENT" ("FILENAME" "a.pdf"))']
)


@st.composite
def _leaf(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from([b'"TEXT" "PLAIN"', b'"text" "html"', b'"IMAGE" "PNG"', b'"APPLICATION" "PDF"']))
    fields = [kind, draw(_PARAMS), draw(st.sampled_from([b"NIL", b'"<cid@x>"'])), b"NIL", b'"7BIT"', b"12"]
    if kind.lower().startswith(b'"text"'):
        fields.append(b"3")
    fields += [b"NIL", draw(_DISPOSITION), draw(st.sampled_from([b"NIL", b'"en"', b'("en" "de")'])), b"NIL"]
    return b"(" + b" ".join(fields[: draw(st.integers(2, len(fields)))]) + b")"


def _multipart(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    subtype = st.sampled_from([b'"MIXED"', b'"alternative"', b'"RELATED"'])
    extension = st.sampled_from([b"", b' ("BOUNDARY" "b") NIL NIL NIL', b' NIL ("INLINE" NIL)'])
    return st.tuples(st.lists(children, min_size=1, max_size=3), subtype, extension).map(
        lambda parts: b"(" + b"".join(parts[0]) + b" " + parts[1] + parts[2] + b")"
    )


_STRUCTURES = st.recursive(_leaf(), _multipart, max_leaves=6)


@given(_STRUCTURES)
def test_the_text_only_scan_agrees_with_the_attachment_rule(raw: bytes) -> None:
    structure = parse_fetch_replies([b"1 (UID 1 FLAGS () BODYSTRUCTURE " + raw + b")"]).replies[1].bodystructure
    assert structure is not None
    full = has_attachments(structure.value())
    assert has_attachments(structure) is full
    if only_body_text(structure.tokens):
        assert full is False


def test_the_text_only_scan_decides_the_usual_structures() -> None:
    for raw, text_only in ((PLAIN, True), (ALTERNATIVE, True), (PDF_ATTACHED, False), (INLINE_IMAGE, False)):
        structure = structure_of(raw)
        assert only_body_text(structure.tokens) is text_only
    lower_case = parse_fetch_replies([b"1 (UID 1 bodystructure " + PDF_ATTACHED + b")"]).replies[1].bodystructure
    assert lower_case is not None and has_attachments(lower_case) is True  # read by the general reader


def structure_of(raw: bytes) -> Bodystructure:
    found = parse_fetch_replies([b"1 (UID 1 BODYSTRUCTURE " + raw + b" FLAGS ())"]).replies[1].bodystructure
    assert found is not None
    return found
