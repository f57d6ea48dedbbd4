"""read_envelope on real-world shaped messages, broken ones included, and the sort keys."""

from __future__ import annotations

import base64
import logging
import random

import pytest

from realmail_desktop.mail.envelope import (
    BODY_TEXT_LIMIT,
    SNIPPET_LENGTH,
    read_envelope,
    sender_sort_key,
    subject_sort_key,
)
from realmail_desktop.mail.headers import Address


def crlf(text: bytes) -> bytes:
    return text.replace(b"\n", b"\r\n")


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"

ALTERNATIVE = crlf(b"""\
Return-Path: <alice@example.org>
Received: from mx.example.org (mx.example.org [192.0.2.1])
\tby mail.example.com with ESMTPS id 123; Tue, 01 Jul 2003 10:52:40 +0200
From: =?utf-8?q?Alice_M=C3=BCller?= <alice@example.org>
To: "Doe, John" <john@example.com>, jane@example.com
Cc: Team <team@example.com>
Reply-To: replies@example.org
Subject: =?UTF-8?B?UmU6IFF1YXJ0YWxzYmVyaWNodCDigqwgMjAwMw==?=
Date: Tue, 1 Jul 2003 10:52:37 +0200
Message-ID: <20030701105237.1234@example.org>
In-Reply-To: <parent@example.com> (John's message)
References: <root@example.com>
 <parent@example.com>
List-Id: Quarterly reports <reports.example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_alt_1"

This is a multi-part message in MIME format.
--=_alt_1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hallo John,

die Zahlen f=C3=BCr Q2 sind da.

On Mon, 30 Jun 2003, John wrote:
> Wann kommen die Zahlen?

--=20
Alice
--=_alt_1
Content-Type: text/html; charset=utf-8

<html><body><p>Hallo John,</p><p>die Zahlen f\xc3\xbcr Q2 sind da.</p></body></html>
--=_alt_1--
""")

MIXED = crlf(
    b"""\
From: Bob <bob@example.net>
To: alice@example.org
Subject: Report and chart
Date: Wed, 2 Jul 2003 09:00:00 -0000
Message-ID: <mixed@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=iso-8859-1

<p>See the chart: <img src="cid:chart@example.net"> Gr\xfc\xdfe</p>
--rel
Content-Type: image/png
Content-ID: <chart@example.net>
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes(PNG)
    + b"""--rel--

--outer
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC-report.pdf
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes(PDF)
    + b"""--outer
Content-Type: image/png; name="photo.png"
Content-Disposition: attachment; filename="photo.png"
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes(PNG)
    + b"""--outer--
"""
)


def test_alternative_message_envelope() -> None:
    envelope = read_envelope(ALTERNATIVE)
    assert envelope.message_id == "<20030701105237.1234@example.org>"
    assert envelope.in_reply_to == "<parent@example.com>"
    assert envelope.references == ("<root@example.com>", "<parent@example.com>")
    assert envelope.date == 1057049557
    assert envelope.date_valid
    assert envelope.sender == Address("Alice Müller", "alice@example.org")
    assert envelope.to == (Address("Doe, John", "john@example.com"), Address("", "jane@example.com"))
    assert envelope.cc == (Address("Team", "team@example.com"),)
    assert envelope.reply_to == (Address("", "replies@example.org"),)
    assert envelope.subject == "Re: Quartalsbericht € 2003"
    assert envelope.list_id == "reports.example.org"
    assert envelope.size == len(ALTERNATIVE)
    assert envelope.attachments == ()
    assert not envelope.has_attachments
    assert envelope.defects == ()


def test_alternative_prefers_plain_text_and_snippet_skips_quote_and_signature() -> None:
    envelope = read_envelope(ALTERNATIVE)
    assert envelope.body_text.startswith("Hallo John,\n\ndie Zahlen für Q2 sind da.")
    assert "<p>" not in envelope.body_text
    assert envelope.snippet == "Hallo John, die Zahlen für Q2 sind da."


def test_mixed_message_attachments_and_part_ids() -> None:
    envelope = read_envelope(MIXED)
    assert [(a.part_id, a.content_type, a.filename, a.inline) for a in envelope.attachments] == [
        ("1.2", "image/png", "", True),
        ("2", "application/pdf", "€-report.pdf", False),
        ("3", "image/png", "photo.png", False),
    ]
    inline, pdf, photo = envelope.attachments
    assert inline.content_id == "chart@example.net"
    assert pdf.size == len(PDF)
    assert photo.size == len(PNG)
    assert envelope.has_attachments
    assert envelope.body_text == "See the chart: Grüße"


def test_inline_images_alone_do_not_count_as_attachments() -> None:
    raw = MIXED.split(b"--outer\r\nContent-Type: application/pdf")[0] + b"--outer--\r\n"
    envelope = read_envelope(raw)
    assert [a.inline for a in envelope.attachments] == [True]
    assert not envelope.has_attachments


def test_html_only_message_is_indexed_as_text() -> None:
    raw = crlf(
        b"From: news@example.com\nSubject: News\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><head><title>T</title><style>p{color:red}</style></head><body>"
        b"<h1>Weekly&nbsp;news</h1><p>First &amp; foremost</p><script>track()</script></body></html>\n"
    )
    envelope = read_envelope(raw)
    assert envelope.body_text == "Weekly news\n\nFirst & foremost"
    assert envelope.snippet == "Weekly news First & foremost"


def test_non_mime_eight_bit_headers() -> None:
    # Raw UTF-8 in two headers and a cp1252 one (\xe9 = é) in the third, none of them RFC 2047 encoded.
    raw = (
        "From: Jörg Müller <jorg@example.com>\nSubject: Grüße aus Köln\n".encode()
        + b"To: \xe9t\xe9@example.fr\n\nBody\n"
    )
    envelope = read_envelope(raw)
    assert envelope.subject == "Grüße aus Köln"
    assert envelope.sender == Address("Jörg Müller", "jorg@example.com")
    assert envelope.to == (Address("", "été@example.fr"),)


def test_missing_headers() -> None:
    envelope = read_envelope(b"\r\nJust a body, no headers at all.\r\n", fallback_date=1_000_000)
    assert envelope.message_id == ""
    assert envelope.sender is None
    assert envelope.subject == ""
    assert envelope.date == 1_000_000
    assert not envelope.date_valid
    assert envelope.snippet == "Just a body, no headers at all."
    assert "no headers" in envelope.defects


@pytest.mark.parametrize("date", [b"Date: someday soon\n", b"Date: \n", b""])
def test_bad_or_missing_date_uses_fallback_then_zero(date: bytes) -> None:
    raw = b"Subject: x\n" + date + b"\nbody"
    assert read_envelope(raw, fallback_date=1234).date == 1234
    assert read_envelope(raw).date == 0
    assert not read_envelope(raw).date_valid


def test_nul_bytes_are_dropped_from_headers_and_body() -> None:
    raw = b"Subject: a\x00b\r\nFrom: x\x00@example.com\r\n\r\nhel\x00lo\x00\r\n"
    envelope = read_envelope(raw)
    assert envelope.subject == "ab"
    assert envelope.body_text == "hello"
    assert envelope.size == len(raw)


def test_truncated_multipart_keeps_what_arrived() -> None:
    cut = MIXED[: MIXED.index(b"--outer\r\nContent-Type: image/png; name=") + 60]
    envelope = read_envelope(cut)
    assert [a.part_id for a in envelope.attachments] == ["1.2", "2", "3"]
    assert envelope.body_text == "See the chart: Grüße"
    assert any("close boundary not found" in d for d in envelope.defects)


def test_multipart_without_boundary_or_without_start_line() -> None:
    no_param = read_envelope(b"Content-Type: multipart/mixed\n\n--x\n\nhi\n--x--\n")
    assert any("no boundary" in d for d in no_param.defects)
    no_start = read_envelope(b'Content-Type: multipart/mixed; boundary="x"\n\nno parts here\n')
    assert any("start boundary not found" in d for d in no_start.defects)
    assert no_param.attachments == no_start.attachments == ()


def test_attached_message_is_an_attachment() -> None:
    raw = crlf(
        b"Subject: Fwd: hello\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        b"See below.\n--b\nContent-Type: message/rfc822\n\nSubject: hello\nFrom: c@example.com\n\nInner body\n--b--\n"
    )
    envelope = read_envelope(raw)
    assert [(a.part_id, a.content_type) for a in envelope.attachments] == [("2", "message/rfc822")]
    assert envelope.body_text == "See below."


def test_digest_parts_default_to_messages() -> None:
    raw = (
        b"Content-Type: multipart/digest; boundary=d\n\n"
        b"--d\n\nSubject: one\n\nfirst\n--d\n\nSubject: two\n\nsecond\n--d--\n"
    )
    envelope = read_envelope(raw)
    assert [(a.part_id, a.content_type) for a in envelope.attachments] == [
        ("1", "message/rfc822"),
        ("2", "message/rfc822"),
    ]


@pytest.mark.timeout(10)
def test_ten_thousand_header_lines() -> None:
    raw = b"".join(b"X-Spam-Line-%d: value %d\r\n" % (i, i) for i in range(10_000))
    raw += b"Subject: still found\r\nReceived: x\r\n" + b"\tfolded\r\n" * 10_000 + b"\r\nbody\r\n"
    envelope = read_envelope(raw)
    assert envelope.subject == "still found"
    assert envelope.body_text == "body"


@pytest.mark.timeout(20)
def test_fifty_megabyte_attachment_is_not_decoded() -> None:
    payload = base64.encodebytes(bytes(range(256)) * (37_500_000 // 256)).replace(b"\n", b"\r\n")
    assert len(payload) > 50_000_000
    raw = (
        b"From: a@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
        b"--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + payload + b"--XX--\r\n"
    )
    envelope = read_envelope(raw)
    assert envelope.snippet == "see attachment"
    assert [(a.filename, a.size) for a in envelope.attachments] == [("big.bin", 37_500_000 // 256 * 256)]


def test_long_utf8_body_is_cut_without_falling_back_to_cp1252() -> None:
    # Only the first ~600 kB of a text part are read; the cut must not break the UTF-8 decoding.
    envelope = read_envelope(b"Content-Type: text/plain; charset=utf-8\n\n" + "é".encode() * 400_000)
    assert envelope.body_text == "é" * BODY_TEXT_LIMIT


def test_body_text_is_capped() -> None:
    raw = b"Subject: long\n\n" + b"word " * 100_000
    envelope = read_envelope(raw)
    assert len(envelope.body_text) == BODY_TEXT_LIMIT
    assert len(envelope.snippet) <= SNIPPET_LENGTH


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        random.Random(1).randbytes(4096),
        b"\r\n\r\n\r\n",
        b":::\n::\n\n",
        b"From nobody Mon Jan  1 00:00:00 2024\nSubject: mbox line first\n\nbody",
    ],
)
def test_non_mail_bytes_never_raise(raw: bytes) -> None:
    envelope = read_envelope(raw)
    assert envelope.size == len(raw)
    assert len(envelope.snippet) <= SNIPPET_LENGTH


def test_binary_garbage_is_not_indexed() -> None:
    envelope = read_envelope(random.Random(2).randbytes(4096))
    assert envelope.body_text == ""
    assert any("binary" in d for d in envelope.defects)


def test_unix_from_line_is_skipped() -> None:
    envelope = read_envelope(b"From nobody Mon Jan  1 00:00:00 2024\nSubject: mbox line first\n\nbody")
    assert envelope.subject == "mbox line first"
    assert envelope.defects == ()


def test_defects_are_logged_without_body_content(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="realmail.mail"):
        read_envelope(b'Content-Type: multipart/mixed; boundary="x"\n\nsecret body text\n')
    messages = [r.getMessage() for r in caplog.records if r.name == "realmail.mail"]
    assert any("start boundary not found" in m for m in messages)
    assert not any("secret" in m for m in messages)


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("Re: Hello", "hello"),
        ("RE: Re: Fwd: FW: hello", "hello"),
        ("AW: WG: SV: VS: Antw: Hallo  Welt", "hallo welt"),
        ("Re[2]: [dev-list] Re: Patch", "patch"),
        ("[PATCH 1/3] Fix it", "fix it"),
        ("回复：会议", "会议"),
        ("  Reply about Re: things  ", "reply about re: things"),
        ("", ""),
    ],
)
def test_subject_sort_key(subject: str, key: str) -> None:
    assert subject_sort_key(subject) == key


def test_sender_sort_key() -> None:
    assert sender_sort_key(Address("Élodie  Martin", "e@example.fr")) == "élodie martin"
    assert sender_sort_key(Address("", "Bob@Example.COM")) == "bob@example.com"
    assert sender_sort_key(None) == ""


def test_a_bug_inside_becomes_a_defect_not_an_exception(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("realmail_desktop.mail.envelope.read_structure", broken)
    with caplog.at_level(logging.ERROR, logger="realmail.mail"):
        envelope = read_envelope(ALTERNATIVE, fallback_date=7)
    assert envelope.defects == ("message could not be read",)
    assert (envelope.size, envelope.date, envelope.date_valid) == (len(ALTERNATIVE), 7, False)
    assert any(record.exc_info for record in caplog.records)
