"""Building outgoing mail (mail/compose.py): headers, encodings, format=flowed, alternative, related and
attachments — each message parsed back with the stdlib `email` parser and with our own `mail/message.py`."""

from __future__ import annotations

import email
import email.parser
from email import policy
from email.message import EmailMessage

import pytest

from realmail_desktop.mail.compose import (
    MAX_REFERENCES,
    Draft,
    FileAttachment,
    InlineImage,
    build_message,
    new_message_id,
    trimmed_references,
)
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.flowed import decode_flowed, encode_flowed
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.message import attachment_payload, parse_message

ANN = Address("Ann Example", "ann@example.org")
BOB = Address("Bob", "bob@example.com")
CAROL = Address("Carol", "carol@example.net")
SECRET = Address("", "hidden@example.net")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20


def parsed(raw: bytes) -> EmailMessage:
    message = email.parser.BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def content(part: EmailMessage) -> str:
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def test_headers_are_complete_and_bcc_stays_out_of_the_bytes() -> None:
    draft = Draft(sender=ANN, to=(BOB,), cc=(CAROL,), bcc=(SECRET,), subject="Plans", text="Hello\n")
    built = build_message(draft, now=1_700_000_000)
    message = parsed(built.raw)
    assert message["From"] == "Ann Example <ann@example.org>"
    assert message["To"] == "Bob <bob@example.com>"
    assert message["Cc"] == "Carol <carol@example.net>"
    assert message["Bcc"] is None and b"hidden@example.net" not in built.raw
    assert built.recipients == ("bob@example.com", "carol@example.net", "hidden@example.net")
    assert built.sender == "ann@example.org"
    assert message["Subject"] == "Plans"
    assert email.utils.parsedate_to_datetime(message["Date"]).timestamp() == 1_700_000_000
    assert message["Message-ID"] == built.message_id and built.message_id.endswith("@example.org>")
    assert message["MIME-Version"] == "1.0"
    assert b"\r\n" in built.raw and b"\n" not in built.raw.replace(b"\r\n", b"")  # CRLF only (policy SMTP)


def test_a_draft_keeps_bcc_when_asked() -> None:
    built = build_message(Draft(sender=ANN, to=(BOB,), bcc=(SECRET,), text="x"), keep_bcc=True)
    assert parsed(built.raw)["Bcc"] == "hidden@example.net"


def test_the_message_id_given_is_kept_and_new_ones_are_unique_on_the_sender_domain() -> None:
    built = build_message(Draft(sender=ANN, to=(BOB,), message_id="<fixed@example.org>"))
    assert built.message_id == "<fixed@example.org>"
    assert parsed(built.raw)["Message-ID"] == "<fixed@example.org>"
    ids = {new_message_id("ann@Example.ORG") for _ in range(100)}
    assert len(ids) == 100 and all(i.endswith("@example.org>") for i in ids)
    assert new_message_id("").endswith("@realmail.invalid>")
    assert new_message_id("jürgen@bücher.de").endswith("@xn--bcher-kva.de>")


def test_non_ascii_names_and_subjects_are_encoded_and_read_back() -> None:
    sender = Address("Jürgen Müller", "jm@example.de")
    draft = Draft(sender=sender, to=(Address("Zoë, the “boss”", "zoe@example.org"),), subject="Grüße — 你好 " * 8)
    built = build_message(draft)
    assert built.raw.isascii()  # RFC 2047 everywhere in the header
    message = parsed(built.raw)
    assert message["From"].addresses[0].display_name == "Jürgen Müller"
    assert message["To"].addresses[0].display_name == "Zoë, the “boss”"
    assert message["Subject"] == ("Grüße — 你好 " * 8).strip()
    ours = parse_message(built.raw)
    assert ours.subject == ("Grüße — 你好 " * 8).strip()
    assert ours.to == (Address("Zoë, the “boss”", "zoe@example.org"),)
    assert all(len(line) <= 78 for line in built.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"))


def test_an_international_domain_goes_out_as_idna() -> None:
    built = build_message(Draft(sender=ANN, to=(Address("", "info@bücher.de"),)))
    assert parsed(built.raw)["To"] == "info@xn--bcher-kva.de"
    assert built.recipients == ("info@xn--bcher-kva.de",)


def test_reply_headers_and_references_are_trimmed_keeping_root_and_newest() -> None:
    refs = tuple(f"<r{i}@example.org>" for i in range(40))
    built = build_message(Draft(sender=ANN, to=(BOB,), in_reply_to="<r39@example.org>", references=refs))
    message = parsed(built.raw)
    assert message["In-Reply-To"] == "<r39@example.org>"
    kept = str(message["References"]).split()
    assert len(kept) == MAX_REFERENCES
    assert kept[0] == "<r0@example.org>" and kept[-1] == "<r39@example.org>"
    assert kept[1:] == list(refs[-(MAX_REFERENCES - 1) :])
    assert read_envelope(built.raw).references == tuple(kept)
    assert trimmed_references(["<a@x>", "<a@x>", "<b@x>"]) == ("<a@x>", "<b@x>")


def test_plain_text_is_format_flowed_and_reads_back_as_typed() -> None:
    long_line = "This sentence is long enough that it has to be wrapped by the flowed encoder. " * 3
    text = f"Hi Bob,\n\n{long_line.strip()}\n> a quote\nFrom the start\n -- leading space\n\n-- \nAnn\n"
    built = build_message(Draft(sender=ANN, to=(BOB,), text=text))
    message = parsed(built.raw)
    assert message.get_content_type() == "text/plain"
    assert message.get_param("format") == "flowed" and message.get_param("delsp") == "no"
    body = message.get_content().replace("\r\n", "\n")
    assert all(len(line) <= 78 for line in body.split("\n"))
    assert "\n> a quote\n" in body  # quote depth 1, the space after ">" is its stuffing
    assert "\n From the start" in body and "\n  -- leading space" in body  # space-stuffed
    assert "\n-- \n" in body  # the signature separator keeps its space
    assert decode_flowed(body).rstrip("\n").split("\n")[2] == long_line.strip()
    assert parse_message(built.raw).text is not None


def test_flowed_quotes_keep_their_depth_on_every_wrapped_piece() -> None:
    quote = "> " + "word " * 40 + "\n> > deeper " + "x " * 40
    encoded = encode_flowed(quote)
    lines = encoded.rstrip("\n").split("\n")
    assert all(line.startswith(">") for line in lines)
    assert [line for line in lines if line.startswith(">>")] != []
    decoded = decode_flowed(encoded).split("\n")
    assert decoded[0] == "> " + ("word " * 40).strip()
    assert decoded[1] == "> > deeper " + ("x " * 40).strip()


def test_non_ascii_text_goes_quoted_printable() -> None:
    built = build_message(Draft(sender=ANN, to=(BOB,), text="Grüße aus Köln\n"))
    message = parsed(built.raw)
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content().replace("\r\n", "\n") == "Grüße aus Köln\n"
    assert parse_message(built.raw).text == "Grüße aus Köln\n"


RICH = (
    '<p>Hello <b>Bob</b>, see <a href="https://example.org/doc">the doc</a> and '
    '<a href="mailto:carol@example.net">carol@example.net</a>.</p>'
    "<ul><li>first</li><li>second</li></ul><ol><li>one</li><li>two</li></ol>"
    '<blockquote type="cite"><p>What you said</p></blockquote><p><img src="cid:pic1"></p>'
)


def test_rich_text_is_an_alternative_with_a_faithful_plain_part_and_related_images() -> None:
    image = InlineImage(content_id="pic1", data=PNG, content_type="image/png", filename="pic.png")
    unused = InlineImage(content_id="gone", data=PNG, content_type="image/png")
    built = build_message(Draft(sender=ANN, to=(BOB,), html=RICH, inline_images=(image, unused)))
    message = parsed(built.raw)
    assert message.get_content_type() == "multipart/alternative"
    plain_part, related = message.get_payload()  # type: ignore[misc]
    assert plain_part.get_content_type() == "text/plain"
    plain = content(plain_part)
    assert "Hello Bob, see the doc <https://example.org/doc> and carol@example.net." in plain
    assert "- first\n- second\n1. one\n2. two" in plain
    assert "> What you said" in plain
    assert related.get_content_type() == "multipart/related"
    html_part, picture = related.get_payload()
    assert "<b>Bob</b>" in content(html_part) and "<blockquote" in content(html_part)
    assert picture["Content-ID"] == "<pic1>" and picture.get_content() == PNG
    assert b"gone" not in built.raw  # an image no longer in the text is not sent
    ours = parse_message(built.raw)
    assert ours.html is not None and "cid:pic1" in ours.html
    assert ours.text is not None and "- first" in ours.text


def test_rich_text_from_qt_export_reads_bold_lists_and_quote_margins() -> None:
    qt_html = (
        '<html><head><style type="text/css">p, li { white-space: pre-wrap; }</style></head><body>'
        '<p style="margin-left:0px;">Hi <span style=" font-weight:700;">there</span></p>'
        '<p style=" margin-left:40px; margin-right:40px;">quoted</p>'
        '<p style=" margin-left:80px; margin-right:80px;">deeper</p>'
        '<ul style="-qt-list-indent: 1;"><li>one</li><li>two<ul style="-qt-list-indent: 2;"><li>sub</li></ul></li></ul>'
        '<p style="-qt-paragraph-type:empty;"><br /></p></body></html>'
    )
    built = build_message(Draft(sender=ANN, to=(BOB,), html=qt_html))
    plain, rich = parsed(built.raw).get_payload()  # type: ignore[misc]
    sent = content(plain)
    assert sent == "Hi there\n\n> quoted\n>\n>> deeper\n\n- one\n- two\n    - sub\n"  # flowed: ">>", stuffed
    assert decode_flowed(sent) == "Hi there\n\n> quoted\n>\n> > deeper\n\n- one\n- two\n   - sub\n"
    html = content(rich)
    assert "<b>there</b>" in html and html.count("<blockquote") == 2 and "white-space" not in html


def test_attachments_with_non_ascii_names_use_rfc2231_and_right_types() -> None:
    files = (
        FileAttachment("Übersicht März.pdf", b"%PDF-1.4 data"),
        FileAttachment("データ.csv", b"a,b\n1,2\n"),
        FileAttachment("noext", PNG),
        FileAttachment("blob.weird", b"\x00\x01\x02", content_type="application/x-custom"),
    )
    built = build_message(Draft(sender=ANN, to=(BOB,), text="see files", attachments=files))
    assert b"filename*=utf-8''%C3%9Cbersicht%20M%C3%A4rz.pdf" in built.raw
    message = parsed(built.raw)
    assert message.get_content_type() == "multipart/mixed"
    parts = list(message.iter_attachments())
    assert [p.get_filename() for p in parts] == ["Übersicht März.pdf", "データ.csv", "noext", "blob.weird"]
    assert [p.get_content_type() for p in parts] == ["application/pdf", "text/csv", "image/png", "application/x-custom"]
    assert parts[0].get_content() == b"%PDF-1.4 data"
    ours = parse_message(built.raw)
    assert [a.filename for a in ours.attachments] == ["Übersicht März.pdf", "データ.csv", "noext", "blob.weird"]
    assert attachment_payload(built.raw, ours.attachments[1].part_id) == b"a,b\n1,2\n"


def test_forward_as_attachment_keeps_the_original_bytes() -> None:
    original = b"From: x@example.org\nSubject: Caf\xc3\xa9\nMessage-ID: <o@example.org>\n\nbody \xc3\xa9\n"
    built = build_message(Draft(sender=ANN, to=(BOB,), text="FYI", forwarded=(original,)))
    message = parsed(built.raw)
    attached = next(message.iter_attachments())
    assert attached.get_content_type() == "message/rfc822"
    assert attached["Content-Transfer-Encoding"] == "8bit"
    assert attached.get_filename() == "Café.eml"
    assert original.replace(b"\n", b"\r\n") in built.raw
    ours = parse_message(built.raw)
    [info] = [a for a in ours.attachments if a.content_type == "message/rfc822"]
    inner = attachment_payload(built.raw, info.part_id)
    assert inner is not None and parse_message(inner).subject == "Café"


def test_an_attached_eml_file_goes_as_a_message_not_base64() -> None:
    eml = FileAttachment("old.eml", b"From: a@example.org\r\nSubject: Old\r\n\r\nhi\r\n", "message/rfc822")
    built = build_message(Draft(sender=ANN, to=(BOB,), attachments=(eml,)))
    attached = next(parsed(built.raw).iter_attachments())
    assert attached.get_content_type() == "message/rfc822" and attached["Content-Transfer-Encoding"] == "7bit"
    assert b"Subject: Old\r\n\r\nhi" in built.raw


@pytest.mark.parametrize("text", ["", "\n\n", "only one line"])
def test_odd_bodies_still_build(text: str) -> None:
    built = build_message(Draft(sender=ANN, to=(BOB,), text=text))
    assert parse_message(built.raw).defects == ()
