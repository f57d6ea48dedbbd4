"""Big attachments as Drive links (mail/drive_links.py): in a message built by mail.compose, the files go and a
link block comes into both body parts; the header stays byte for byte; parsed back with the stdlib parser."""

from __future__ import annotations

import email.parser
from email import policy
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from realmail_desktop.mail.compose import Draft, FileAttachment, InlineImage, build_message
from realmail_desktop.mail.drive_links import (
    DriveLink,
    drive_attachment_parts,
    human_size,
    link_block_html,
    replace_parts_with_links,
    sha256_of,
)
from realmail_desktop.mail.flowed import decode_flowed
from realmail_desktop.mail.headers import Address

ANN = Address("Ann Example", "ann@example.org")
BOB = Address("Bob", "bob@example.com")
BIG = FileAttachment("holiday <film>.mov", bytes(range(256)) * 12, "video/quicktime")
SMALL = FileAttachment("notes.txt", b"small notes", "text/plain")
LINK = DriveLink(
    "holiday <film>.mov", 52_428_800, "https://drive.google.com/file/d/abc123/view?usp=drivesdk&x=1", "abc123"
)
PNG = InlineImage("logo@realmail", b"\x89PNG\r\n\x1a\nfake", "image/png", "logo.png")


def parsed(raw: bytes) -> EmailMessage:
    message = email.parser.BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def parts_of(message: EmailMessage) -> tuple[str, str, dict[str, bytes]]:
    plain = html = ""
    files: dict[str, bytes] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            payload = part.get_payload(decode=True)
            files[part.get_filename() or ""] = payload if isinstance(payload, bytes) else b""
        elif part.get_content_type() == "text/plain":
            plain = decode_flowed(part.get_content())
        elif part.get_content_type() == "text/html":
            html = part.get_content()
    return plain, html, files


def header_of(raw: bytes) -> list[bytes]:
    """The top-level header fields other than the MIME content ones, as bytes."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    fields = head.replace(b"\r\n ", b" ").replace(b"\r\n\t", b"\t").split(b"\r\n")
    return [f for f in fields if not f.lower().startswith(b"content-")]


def test_the_link_replaces_the_file_in_a_rich_message() -> None:
    draft = Draft(
        sender=ANN,
        to=(BOB,),
        subject="Film",
        html='<p>Here it is. <img src="cid:logo@realmail"></p>',
        attachments=(SMALL, BIG),
        inline_images=(PNG,),
        in_reply_to="<earlier@example.com>",
        references=("<root@example.com>", "<earlier@example.com>"),
    )
    raw = build_message(draft).raw
    out = replace_parts_with_links(raw, {sha256_of(BIG.data): LINK})

    assert out.split(b"\r\n\r\n", 1)[0] == raw.split(b"\r\n\r\n", 1)[0]  # still multipart/mixed: the same header
    message = parsed(out)
    plain, html, files = parts_of(message)
    assert files == {"notes.txt": b"small notes"}
    assert 'href="https://drive.google.com/file/d/abc123/view?usp=drivesdk&amp;x=1"' in html
    assert "\N{PAPERCLIP}" in html and "holiday &lt;film&gt;.mov" in html and "50.0 MB" in html
    assert html.index("Here it is.") < html.index("Shared with Google Drive:") < html.index("</body>")
    assert plain.startswith("Here it is.")
    assert "\N{PAPERCLIP} holiday <film>.mov (50.0 MB)" in plain
    assert "https://drive.google.com/file/d/abc123/view?usp=drivesdk&x=1" in plain
    related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1  # the inline picture stays with its HTML
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert image.get_payload(decode=True) == PNG.data and image["Content-ID"] == "<logo@realmail>"
    assert not any(p.defects for p in message.walk())


def test_a_plain_message_left_with_its_text_becomes_that_text() -> None:
    draft = Draft(sender=ANN, to=(BOB,), subject="Film", text="Here it is.\n-- \nAnn", attachments=(BIG,))
    raw = build_message(draft).raw
    out = replace_parts_with_links(raw, {sha256_of(BIG.data): LINK})
    message = parsed(out)
    plain, html, files = parts_of(message)
    assert files == {} and html == "" and not message.is_multipart()
    assert message.get_content_type() == "text/plain" and message.get_param("format") == "flowed"
    assert plain == (
        "Here it is.\n\nShared with Google Drive:\n\N{PAPERCLIP} holiday <film>.mov (50.0 MB)\n"
        f"  {LINK.url}\n\n-- \nAnn\n"
    )  # the block goes before the signature
    assert header_of(out) == header_of(raw)
    assert out.count(b"MIME-Version") == 1


def test_several_files_and_a_name_that_is_not_ascii() -> None:
    second = FileAttachment("Überweisung März.pdf", b"%PDF-1.7 " * 100, "application/pdf")
    draft = Draft(sender=ANN, to=(BOB,), subject="Fotos aus Köln", html="<p>Grüße</p>", attachments=(BIG, second))
    raw = build_message(draft).raw
    links = {
        sha256_of(BIG.data): LINK,
        sha256_of(second.data): DriveLink("Überweisung März.pdf", len(second.data), "https://drive.example/2", "2"),
    }
    assert set(drive_attachment_parts(raw, list(links))) == set(links)
    out = replace_parts_with_links(raw, links)
    message = parsed(out)
    plain, html, files = parts_of(message)
    assert files == {}
    assert message.get_content_type() == "multipart/alternative"  # the body alone, hoisted
    assert plain.startswith("Grüße")
    for text in (plain, html):
        assert "Überweisung März.pdf" in text and "https://drive.example/2" in text and "holiday" in text
    assert str(message["Subject"]) == "Fotos aus Köln"
    assert header_of(out) == header_of(raw)


def test_files_are_found_by_their_decoded_bytes() -> None:
    raw = build_message(Draft(sender=ANN, to=(BOB,), text="Hi", attachments=(SMALL, BIG))).raw
    found = drive_attachment_parts(raw, [sha256_of(BIG.data), "0" * 64])
    assert list(found) == [sha256_of(BIG.data)]
    assert found[sha256_of(BIG.data)].data == BIG.data
    assert found[sha256_of(BIG.data)].name == BIG.filename
    assert found[sha256_of(BIG.data)].content_type == "video/quicktime"


def test_no_matching_file_no_change() -> None:
    raw = build_message(Draft(sender=ANN, to=(BOB,), text="Hi", attachments=(SMALL,))).raw
    assert replace_parts_with_links(raw, {sha256_of(BIG.data): LINK}) == raw
    assert replace_parts_with_links(raw, {}) == raw
    plain_only = build_message(Draft(sender=ANN, to=(BOB,), text="Hi")).raw
    assert replace_parts_with_links(plain_only, {sha256_of(b"Hi"): LINK}) == plain_only


def test_a_forwarded_message_keeps_its_own_attachments() -> None:
    inner = build_message(Draft(sender=BOB, to=(ANN,), subject="Inner", text="x", attachments=(BIG,))).raw
    raw = build_message(Draft(sender=ANN, to=(BOB,), text="See below", forwarded=(inner,))).raw
    assert drive_attachment_parts(raw, [sha256_of(BIG.data)]) == {}
    assert replace_parts_with_links(raw, {sha256_of(BIG.data): LINK}) == raw


def test_the_html_block_escapes_and_the_sizes_read_well() -> None:
    assert link_block_html([LINK]).startswith("<p>Shared with Google Drive:</p><ul><li>\N{PAPERCLIP} <a href=")
    assert human_size(0) == "0 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(26_214_400) == "25.0 MB"
    assert human_size(3 * 1024**4) == "3072.0 GB"


_NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() != ""
)


@settings(max_examples=40, deadline=None)
@given(
    rich=st.booleans(),
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=200),
    big_names=st.lists(_NAMES, min_size=1, max_size=3),
    small_count=st.integers(0, 2),
)
def test_any_draft_keeps_its_header_and_small_files_and_links_every_big_one(
    rich: bool, text: str, big_names: list[str], small_count: int
) -> None:
    bigs = [
        FileAttachment(name, f"{i}:".encode() * 700, "application/octet-stream") for i, name in enumerate(big_names)
    ]
    smalls = [FileAttachment(f"small{i}.txt", f"tiny {i}".encode(), "text/plain") for i in range(small_count)]
    draft = Draft(
        sender=ANN,
        to=(BOB,),
        subject="Files",
        text=text,
        html=None if not rich else f"<p>{text.replace('<', '')}</p>",
        attachments=(*smalls, *bigs),
    )
    raw = build_message(draft).raw
    links = {
        sha256_of(big.data): DriveLink(big.filename, len(big.data), f"https://d/{i}") for i, big in enumerate(bigs)
    }
    out = replace_parts_with_links(raw, links)
    message = parsed(out)
    plain, html, files = parts_of(message)
    assert header_of(out) == header_of(raw)
    assert files == {small.filename: small.data for small in smalls}
    for link in links.values():
        assert link.url in plain
        assert f"{link.name} ({human_size(link.size)})" in plain
        if rich:
            assert f'href="{link.url}"' in html
    assert (html != "") is rich
    assert not any(p.defects for p in message.walk())
    assert out.isascii()  # 7bit, quoted-printable or base64: any SMTP server takes it
