"""Answering (mail/reply.py): subjects without piling up, reply / reply all / reply to list recipients, Reply-To,
thread headers, the identity addressed, forwards inline and attached, edit as new, drafts reopened, and the
"forgot the attachment?" check (mail/attachment_mentions.py) and recipient validation (mail/recipients.py)."""

from __future__ import annotations

import pytest

from realmail_desktop.mail.attachment_mentions import mentions_attachment
from realmail_desktop.mail.compose import Draft, FileAttachment, InlineImage, build_message
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.recipients import format_recipients, is_valid_address, read_recipients
from realmail_desktop.mail.reply import (
    SHORTENED,
    AnswerKind,
    answer,
    forward_subject,
    quoted,
    read_original,
    reopen_draft,
    reply_subject,
)

ME = ("me@example.org", "me.alias@work.example")


def original(headers: str, body: str = "Hello there\nsecond line\n") -> bytes:
    base = "From: Kim Lee <kim@example.com>\nDate: Tue, 14 Nov 2023 10:00:00 +0000\nMessage-ID: <orig@example.com>\n"
    return (base + headers.strip() + "\nContent-Type: text/plain; charset=utf-8\n\n" + body).encode()


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Re: AW: x", "Re: x"),
        ("x", "Re: x"),
        ("RE: re[2]: Sv: Antw: x", "Re: x"),
        ("[dev] Re: Re: plans", "Re: [dev] plans"),
        ("Re: [dev] Re: plans", "Re: [dev] plans"),
        ("  Re:   spaced   out ", "Re: spaced out"),
        ("", "Re:"),
        ("Fwd: x", "Re: Fwd: x"),
    ],
)
def test_reply_subject_collapses_prefixes(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [("Fwd: FW: WG: x", "Fwd: x"), ("x", "Fwd: x"), ("Re: x", "Fwd: Re: x"), ("TR: [list] x", "Fwd: [list] x")],
)
def test_forward_subject_collapses_prefixes(subject: str, expected: str) -> None:
    assert forward_subject(subject) == expected


def test_reply_goes_to_the_sender_with_thread_headers_and_a_quote() -> None:
    raw = original("To: me@example.org\nSubject: Lunch\nReferences: <a@x> <b@x>\nIn-Reply-To: <b@x>")
    got = answer(read_original(raw), AnswerKind.REPLY, ME)
    assert got.to == (Address("Kim Lee", "kim@example.com"),) and got.cc == ()
    assert got.subject == "Re: Lunch"
    assert got.in_reply_to == "<orig@example.com>"
    assert got.references == ("<a@x>", "<b@x>", "<orig@example.com>")
    assert "Kim Lee <kim@example.com> wrote:\n> Hello there\n> second line" in got.text
    assert got.from_address == "me@example.org"


def test_references_fall_back_to_in_reply_to() -> None:
    raw = original("To: me@example.org\nSubject: x\nIn-Reply-To: <parent@x>")
    assert answer(read_original(raw), AnswerKind.REPLY, ME).references == ("<parent@x>", "<orig@example.com>")


def test_reply_to_is_honoured() -> None:
    raw = original("To: me@example.org\nReply-To: Desk <desk@example.com>\nSubject: x")
    got = answer(read_original(raw), AnswerKind.REPLY, ME)
    assert got.to == (Address("Desk", "desk@example.com"),)


def test_reply_all_leaves_out_every_own_address_and_duplicates() -> None:
    raw = original(
        "To: Me <ME@example.org>, Ann <ann@example.org>\n"
        "Cc: me.alias@work.example, kim@example.com, ann@example.org, Bo <bo@example.net>\nSubject: x"
    )
    got = answer(read_original(raw), AnswerKind.REPLY_ALL, ME)
    assert got.to == (Address("Kim Lee", "kim@example.com"),)
    assert got.cc == (Address("Ann", "ann@example.org"), Address("Bo", "bo@example.net"))
    assert got.from_address == "me@example.org"


def test_replying_to_ones_own_sent_message_goes_to_its_recipients() -> None:
    raw = original("To: Ann <ann@example.org>\nSubject: x").replace(b"Kim Lee <kim@example.com>", b"me@example.org")
    got = answer(read_original(raw), AnswerKind.REPLY, ME)
    assert got.to == (Address("Ann", "ann@example.org"),)


def test_reply_to_list_uses_list_post() -> None:
    raw = original(
        "To: dev@lists.example.org\nSubject: [dev] release\nList-Post: <mailto:dev@lists.example.org?subject=x>\n"
        "List-Id: <dev.lists.example.org>"
    )
    parsed = read_original(raw)
    assert parsed.list_post == "dev@lists.example.org"
    got = answer(parsed, AnswerKind.REPLY_LIST, ME)
    assert got.to == (Address("", "dev@lists.example.org"),)
    assert got.subject == "Re: [dev] release"
    assert answer(parsed, AnswerKind.REPLY, ME).to == (Address("Kim Lee", "kim@example.com"),)
    all_ = answer(parsed, AnswerKind.REPLY_ALL, ME)
    assert Address("", "dev@lists.example.org") in all_.cc


def test_the_identity_is_the_address_the_original_was_sent_to() -> None:
    cc_alias = original("To: team@example.com\nCc: ME.ALIAS@work.example\nSubject: x")
    assert answer(read_original(cc_alias), AnswerKind.REPLY, ME).from_address == "me.alias@work.example"
    delivered = original("To: undisclosed-recipients:;\nDelivered-To: me.alias@work.example\nSubject: x")
    assert answer(read_original(delivered), AnswerKind.REPLY, ME).from_address == "me.alias@work.example"
    nobody = original("To: team@example.com\nSubject: x")
    assert answer(read_original(nobody), AnswerKind.REPLY, ME).from_address is None


def test_quoting_deepens_existing_quotes() -> None:
    assert quoted("a\n> b\n\nc") == "> a\n>> b\n>\n> c"


def test_a_huge_original_is_quoted_up_to_a_line_end_with_a_note() -> None:
    text = "\n".join(f"line {i:06d}" for i in range(100_000))
    got = quoted(text, limit=1_000)
    lines = got.split("\n")
    assert lines[-1] == f"> {SHORTENED}"
    assert all(line.startswith("> line ") for line in lines[:-1]) and len(got) < 1_300


def test_html_only_originals_are_quoted_as_text() -> None:
    raw = (
        b"From: kim@example.com\nTo: me@example.org\nSubject: h\nContent-Type: text/html\n\n"
        b"<p>Hi <b>you</b></p><ul><li>item</li></ul>"
    )
    got = answer(read_original(raw), AnswerKind.REPLY, ME)
    assert "> Hi you" in got.text and "item" in got.text


def sample_with_attachment() -> bytes:
    draft = Draft(
        sender=Address("Kim Lee", "kim@example.com"),
        to=(Address("", "me@example.org"),),
        cc=(Address("", "ann@example.org"),),
        subject="Report",
        text="Here it is.\n",
        attachments=(FileAttachment("Bericht März.pdf", b"%PDF-1.4 content"),),
    )
    return build_message(draft).raw


def test_forward_inline_quotes_a_header_block_and_keeps_the_files() -> None:
    got = answer(read_original(sample_with_attachment()), AnswerKind.FORWARD, ME)
    assert got.to == () and got.subject == "Fwd: Report"
    assert got.in_reply_to == "" and got.references == ()
    assert "-------- Forwarded Message --------\nSubject: Report\n" in got.text
    assert "From: Kim Lee <kim@example.com>" in got.text and "Here it is." in got.text
    assert got.attachments == (FileAttachment("Bericht März.pdf", b"%PDF-1.4 content", "application/pdf"),)


def test_forward_as_attachment_carries_the_whole_message() -> None:
    raw = sample_with_attachment()
    got = answer(read_original(raw), AnswerKind.FORWARD_AS_ATTACHMENT, ME)
    assert got.forwarded == (raw,) and got.text == "" and got.subject == "Fwd: Report"


def test_edit_as_new_keeps_recipients_subject_text_and_files_without_thread_headers() -> None:
    got = answer(read_original(sample_with_attachment()), AnswerKind.EDIT_AS_NEW, ME)
    assert got.to == (Address("", "me@example.org"),) and got.cc == (Address("", "ann@example.org"),)
    assert got.subject == "Report" and got.text.startswith("Here it is.")
    assert got.in_reply_to == "" and got.message_id == ""
    assert [a.filename for a in got.attachments] == ["Bericht März.pdf"]


def test_a_reopened_draft_keeps_bcc_ids_rich_text_and_pictures() -> None:
    picture = InlineImage("pic@x", b"\x89PNG\r\n\x1a\nrest", "image/png")
    draft = Draft(
        sender=Address("Me", "me@example.org"),
        to=(Address("", "ann@example.org"),),
        bcc=(Address("", "boss@example.org"),),
        subject="Re: plan",
        html='<p>Draft <b>text</b></p><p><img src="cid:pic@x"></p>',
        inline_images=(picture,),
        in_reply_to="<p@x>",
        references=("<r@x>", "<p@x>"),
        message_id="<draft@example.org>",
    )
    got = reopen_draft(read_original(build_message(draft, keep_bcc=True).raw))
    assert got.message_id == "<draft@example.org>"
    assert got.bcc == (Address("", "boss@example.org"),)
    assert got.in_reply_to == "<p@x>" and got.references == ("<r@x>", "<p@x>")
    assert got.html is not None and "<b>text</b>" in got.html
    assert got.inline_images == (InlineImage("pic@x", b"\x89PNG\r\n\x1a\nrest", "image/png"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please find the report attached.", True),
        ("The attachment is below", True),
        ("Anbei die Rechnung.", True),
        ("Voir le document ci-joint.", True),
        ("Te envío el adjunto.", True),
        ("She was reattached to the team", False),  # whole words only
        ("Nothing to see here", False),
        ("Thanks!\n\nOn Monday Kim wrote:\n> see the attached file", False),  # only in the quote
        ("Hi\n-- \nAttachments welcome", False),  # only in the signature
    ],
)
def test_forgot_attachment_check(text: str, expected: bool) -> None:
    assert mentions_attachment(text) is expected


def test_recipient_fields_are_read_and_checked() -> None:
    field = read_recipients('Ann <ann@example.org>; bob@example.com, "Lee, Kim" <kim@example.com>, oops, x@y')
    assert field.addresses == (
        Address("Ann", "ann@example.org"),
        Address("", "bob@example.com"),
        Address("Lee, Kim", "kim@example.com"),
    )
    assert field.invalid == ("oops", "x@y")
    assert (
        format_recipients(list(field.addresses))
        == 'Ann <ann@example.org>, bob@example.com, "Lee, Kim" <kim@example.com>'
    )
    assert read_recipients(format_recipients(list(field.addresses))).addresses == field.addresses
    assert is_valid_address("info@bücher.de") and not is_valid_address("a b@example.org")
    assert not is_valid_address("jürgen@example.org")  # no SMTPUTF8: the local part must be ASCII
    assert is_valid_address("root@[127.0.0.1]")
