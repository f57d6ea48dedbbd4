"""The header-only envelope (the IMAP header sync's fast path): for any header block it reads the same fields as
the full `read_envelope` of that block — only the defects may differ (the MIME walk it skips reports some)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from realmail_desktop.mail.envelope import Envelope, read_envelope, read_header_envelope

CONTENT_TYPES = [
    None,
    b"multipart/mixed; boundary=b1",
    b'Multipart/Alternative;\r\n boundary="=_x"',
    b"multipart/related",  # no boundary
    b"multipart/mixed/extra; boundary=a",  # malformed: reads as text/plain
    b"multipart/mixed/extra; name=x.pdf",  # … and with a file name, as an attachment
    b"text/plain; charset=utf-8",
    b'TEXT/HTML; charset="iso-8859-1"',
    b'text/plain; name="notes.txt"',  # a file: an attachment, read the full way
    b"text/plainx",
    b"text/calendar; method=REQUEST",
    b"application/pdf; name=report.pdf",
    b"image/png",
    b"message/rfc822",
    b"garbage",
    b"=?utf-8?q?multipart=2Fmixed?=",
]
OTHER_HEADERS = [
    b"From: Ann Lee <ann@example.com>",
    b"From: =?iso-8859-1?q?J=F6rg?= <joerg@example.de>",
    b"Sender: list@example.com",
    b"To: Bob <bob@example.org>, carl@example.net",
    b"Cc: team:;",
    b"Subject: =?utf-8?b?w5xiZXJzaWNodA==?=",
    b"Subject: caf\xe9",
    b"Date: Mon, 2 Nov 2026 09:15:00 +0100",
    b"Date: not a date",
    b"Message-ID: <q1@example.com>",
    b"In-Reply-To: <q0@example.com>",
    b"References: <a@x>\r\n <b@x>",
    b"List-Id: News <news.example.com>",
    b"List-Unsubscribe: <https://example.com/u>",
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    b"Precedence: bulk",
    b"Auto-Submitted: auto-generated",
    b"Content-Disposition: attachment; filename=x.pdf",
    b" continuation first",
    b"no colon here",
]


def same_fields(header: bytes, fallback: int | None = 1_700_000_000) -> tuple[Envelope, Envelope]:
    fast = read_header_envelope(header, fallback_date=fallback)
    full = read_envelope(header, fallback_date=fallback)
    return replace(fast, defects=()), replace(full, defects=())


def block(lines: list[bytes], content_type: bytes | None) -> bytes:
    if content_type is not None:
        lines = [*lines, b"Content-Type: " + content_type]
    return b"".join(line + b"\r\n" for line in lines) + b"\r\n"


def test_every_content_type_reads_as_the_full_reader_does() -> None:
    for content_type in CONTENT_TYPES:
        fast, full = same_fields(block(OTHER_HEADERS[:12], content_type))
        assert fast == full, content_type


def test_a_single_part_attachment_keeps_its_attachment() -> None:
    fast = read_header_envelope(block(OTHER_HEADERS[:3], b"application/pdf; name=report.pdf"))
    assert [(a.filename, a.content_type) for a in fast.attachments] == [("report.pdf", "application/pdf")]
    assert fast.has_attachments


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(OTHER_HEADERS), max_size=12),
    st.sampled_from(CONTENT_TYPES),
    st.sampled_from([b"\r\n", b"\n"]),
    st.booleans(),
)
def test_any_header_block_reads_as_the_full_reader_does(
    lines: list[bytes], content_type: bytes | None, newline: bytes, blank_line: bool
) -> None:
    header = block(lines, content_type).replace(b"\r\n", newline)
    if not blank_line:
        header = header[: -len(newline)]
    fast, full = same_fields(header)
    assert fast == full


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_read_as_the_full_reader_does(raw: bytes) -> None:
    fast, full = same_fields(raw, None)
    assert fast == full
