"""attachment_payloads: several parts' decoded bytes from one structure read, matching attachment_payload."""

from __future__ import annotations

from email.message import EmailMessage

from realmail_desktop.mail import attachment_payload, attachment_payloads, parse_message


def test_payloads_match_one_by_one_reads_in_the_asked_order() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Files"
    msg.set_content("body")
    msg.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="a.bin")
    msg.add_attachment("caf\u00e9\n", subtype="plain", filename="b.txt", cte="quoted-printable")
    raw = msg.as_bytes()
    ids = [a.part_id for a in parse_message(raw).attachments]
    assert ids == ["2", "3"]
    asked = [*reversed(ids), "9", "1.2"]
    assert list(attachment_payloads(raw, asked)) == [(i, attachment_payload(raw, i)) for i in asked]
    assert dict(attachment_payloads(raw, ids)) == {"2": b"\x00\x01binary", "3": "caf\u00e9\n".encode()}


def test_junk_gives_nothing_rather_than_an_error() -> None:
    assert list(attachment_payloads(b"\xff\x00 not mail", ["1", "2"])) == [("1", b"\xff\x00 not mail"), ("2", None)]
