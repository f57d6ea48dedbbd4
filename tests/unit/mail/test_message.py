"""parse_message, attachment_payload and inline_parts: the reader's view of one message."""

from __future__ import annotations

import base64

import pytest

from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.message import attachment_payload, inline_parts, parse_message
from tests.unit.mail.test_envelope import ALTERNATIVE, MIXED, PDF, PNG, crlf


def test_parse_alternative_message() -> None:
    message = parse_message(ALTERNATIVE)
    assert message.subject == "Re: Quartalsbericht € 2003"
    assert message.sender == Address("Alice Müller", "alice@example.org")
    assert message.to[0] == Address("Doe, John", "john@example.com")
    assert message.cc == (Address("Team", "team@example.com"),)
    assert message.reply_to == (Address("", "replies@example.org"),)
    assert message.date == 1057049557
    assert message.text is not None and message.text.startswith("Hallo John,\n\ndie Zahlen für Q2")
    assert message.html == "<html><body><p>Hallo John,</p><p>die Zahlen für Q2 sind da.</p></body></html>"
    assert message.attachments == ()


def test_headers_are_all_there_decoded_and_in_order() -> None:
    headers = parse_message(ALTERNATIVE).headers
    assert [name for name, _ in headers][:4] == ["Return-Path", "Received", "From", "To"]
    assert ("From", "Alice Müller <alice@example.org>") in headers
    assert ("References", "<root@example.com> <parent@example.com>") in headers
    received = dict(headers)["Received"]
    assert "\n" not in received and "by mail.example.com" in received


def test_parse_mixed_message_matches_the_envelope() -> None:
    message = parse_message(MIXED)
    assert message.attachments == read_envelope(MIXED).attachments
    assert message.text is None
    assert message.html is not None and "Grüße" in message.html and 'src="cid:chart@example.net"' in message.html


def test_attachment_payload_by_part_id() -> None:
    assert attachment_payload(MIXED, "2") == PDF
    assert attachment_payload(MIXED, "3") == PNG
    assert attachment_payload(MIXED, "1.2") == PNG
    assert attachment_payload(MIXED, "9") is None
    assert attachment_payload(MIXED, "1") is None  # a container, not a part with a payload
    assert attachment_payload(b"", "1") == b""


def test_attached_message_comes_back_byte_for_byte() -> None:
    inner = b"Subject: hello\r\nFrom: c@example.com\r\nX-Odd:   spacing kept\r\n\r\nInner body\r\n"
    raw = (
        b"Subject: Fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        b"See below.\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"--b--\r\n"
    )
    assert attachment_payload(raw, "2") == inner.removesuffix(b"\r\n")


def test_inline_parts_for_cid_images() -> None:
    assert inline_parts(MIXED) == {"chart@example.net": ("image/png", PNG)}
    assert inline_parts(ALTERNATIVE) == {}


def test_unknown_charset_and_broken_base64_body() -> None:
    raw = crlf(
        b"Subject: =?x-foobar?q?odd?=\nContent-Type: text/plain; charset=x-foobar\n"
        b"Content-Transfer-Encoding: base64\n\nR3L8w59l!!!\n"
    )
    message = parse_message(raw)
    assert message.subject == "odd"
    assert message.text is not None


def test_rfc2231_filename_and_quoted_printable_attachment() -> None:
    raw = crlf(
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nbody\n--b\n"
        b"Content-Type: text/plain; charset=utf-8\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC.txt\n"
        b"Content-Transfer-Encoding: quoted-printable\n\n=E2=82=AC 100\n--b--\n"
    )
    message = parse_message(raw)
    assert [(a.part_id, a.filename, a.content_type) for a in message.attachments] == [("2", "€.txt", "text/plain")]
    assert message.text == "body"
    assert attachment_payload(raw, "2") == "€ 100".encode()


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02", b"\x89PNG\r\n\x1a\n", b"Subject: only\r\n"])
def test_parse_message_never_raises_on_non_mail(raw: bytes) -> None:
    message = parse_message(raw)
    assert message.attachments == ()
    assert message.html is None


def test_truncated_message_still_reads() -> None:
    cut = MIXED[: len(MIXED) // 2]
    message = parse_message(cut)
    assert message.subject == "Report and chart"
    assert message.attachments == read_envelope(cut).attachments
    assert message.defects


def test_fifty_megabyte_payload_round_trip() -> None:
    data = bytes(range(256)) * 40_000
    raw = (
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: application/zip\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data) + b"--XX--\r\n"
    )
    assert attachment_payload(raw, "1") == data
    assert parse_message(raw).attachments[0].size == len(data)


def test_stdlib_parser_failure_becomes_a_defect(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise IndexError("stdlib bug")

    monkeypatch.setattr("email.parser.BytesParser.parsebytes", broken)
    message = parse_message(MIXED)
    assert "parser failed (IndexError)" in message.defects
    assert message.text is None and message.html is None
    assert [a.part_id for a in message.attachments] == ["1.2", "2", "3"]  # read without the stdlib
