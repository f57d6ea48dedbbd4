"""Big attachments as Drive links (mail/drive_links.py): the link block replaces the file in both parts of
the built message, parsed back with the stdlib parser."""

from __future__ import annotations

import email.parser
from email import policy
from email.message import EmailMessage

from realmail_desktop.mail.compose import Draft, FileAttachment, build_message
from realmail_desktop.mail.drive_links import (
    DriveLink,
    human_size,
    large_attachments,
    link_block_html,
    replace_large_attachments,
)
from realmail_desktop.mail.flowed import decode_flowed
from realmail_desktop.mail.headers import Address

ANN = Address("Ann Example", "ann@example.org")
BOB = Address("Bob", "bob@example.com")
BIG = FileAttachment("holiday <film>.mov", b"\x00" * 3000, "video/quicktime")
SMALL = FileAttachment("notes.txt", b"small notes", "text/plain")
LINK = DriveLink(
    "holiday <film>.mov", 52_428_800, "https://drive.google.com/file/d/abc123/view?usp=drivesdk&x=1", "abc123"
)


def parsed(raw: bytes) -> EmailMessage:
    message = email.parser.BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def parts_of(message: EmailMessage) -> tuple[str, str, list[str]]:
    plain = html = ""
    files: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            files.append(part.get_filename() or "")
        elif part.get_content_type() == "text/plain":
            plain = decode_flowed(part.get_content())
        elif part.get_content_type() == "text/html":
            html = part.get_content()
    return plain, html, files


def test_the_link_replaces_the_file_in_a_rich_message() -> None:
    draft = Draft(sender=ANN, to=(BOB,), subject="Film", html="<p>Here it is.</p>", attachments=(SMALL, BIG))
    assert large_attachments(draft, 2000) == [1]
    sent = replace_large_attachments(draft, {1: LINK})
    plain, html, files = parts_of(parsed(build_message(sent).raw))
    assert files == ["notes.txt"]
    assert 'href="https://drive.google.com/file/d/abc123/view?usp=drivesdk&amp;x=1"' in html
    assert "holiday &lt;film&gt;.mov" in html and "50.0 MB" in html
    assert "Here it is." in plain
    assert "holiday <film>.mov" in plain and "https://drive.google.com/file/d/abc123/view?usp=drivesdk&x=1" in plain
    assert "50.0 MB" in plain


def test_the_link_replaces_the_file_in_a_plain_message() -> None:
    draft = Draft(sender=ANN, to=(BOB,), subject="Film", text="Here it is.\n\n", attachments=(BIG,))
    sent = replace_large_attachments(draft, {0: LINK})
    message = parsed(build_message(sent).raw)
    plain, html, files = parts_of(message)
    assert files == [] and html == "" and not message.is_multipart()
    assert plain.startswith("Here it is.\n\nShared with Google Drive:\n- holiday <film>.mov (50.0 MB)\n")
    assert LINK.url in plain


def test_no_links_no_change_and_unknown_indexes_are_ignored() -> None:
    draft = Draft(sender=ANN, text="Hi", attachments=(SMALL,))
    assert replace_large_attachments(draft, {}) is draft
    assert replace_large_attachments(draft, {5: LINK}) is draft


def test_the_block_goes_before_the_end_of_a_whole_document() -> None:
    document = "<html><body><p>Hello</p></body></html>"
    draft = Draft(sender=ANN, html=document, attachments=(BIG,))
    sent = replace_large_attachments(draft, {0: LINK})
    assert sent.html is not None and sent.html.endswith(link_block_html([LINK]) + "</body></html>")


def test_human_sizes() -> None:
    assert human_size(0) == "0 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(26_214_400) == "25.0 MB"
    assert human_size(3 * 1024**4) == "3072.0 GB"
