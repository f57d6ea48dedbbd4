"""Big attachments sent as Google Drive links: the link block (icon, name, size, link) and the rewrite of a
queued message's bytes that takes the uploaded files out and puts the block into its text and HTML parts.

`drive_attachment_parts` finds a message's files by the SHA-256 of their decoded bytes (how the outbox marks
them, migrations/0014); `replace_parts_with_links` removes those parts and appends the block to the body's
text/plain part (format=flowed kept) and to its text/html part, so both parts carry every link. The message's
own header (Message-ID, Date, From, References …) is kept byte for byte; only the MIME tree below it changes
(a multipart/mixed left with its body alone becomes that body). Parsed and written with the stdlib's compat32
policy, which keeps the other parts (forwarded messages' 8-bit headers too) as they were.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.generator import BytesGenerator
from email.message import Message, MIMEPart
from email.parser import BytesParser
from io import BytesIO
from typing import cast

from realmail_desktop.mail.compose import FLOWED, text_part
from realmail_desktop.mail.flowed import encode_flowed

BLOCK_TITLE = "Shared with Google Drive:"
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True, slots=True)
class DriveLink:
    """A file put in Drive and the link that opens it."""

    name: str
    size: int
    url: str
    file_id: str = ""


@dataclass(frozen=True, slots=True)
class AttachmentPart:
    """A file found in a message's bytes: its name, declared type and decoded bytes."""

    name: str
    content_type: str
    data: bytes


def human_size(size: int) -> str:
    """Bytes in the units a person reads (1 KB = 1024 bytes, as file managers on most systems show)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def sha256_of(data: bytes) -> str:
    """How the outbox names a file that goes as a link (hex SHA-256 of its decoded bytes)."""
    return hashlib.sha256(data).hexdigest()


def link_block_text(links: Sequence[DriveLink]) -> str:
    lines = [BLOCK_TITLE]
    for link in links:
        lines.append(f"\N{PAPERCLIP} {link.name} ({human_size(link.size)})")
        lines.append(f"  {link.url}")
    return "\n".join(lines)


def link_block_html(links: Sequence[DriveLink]) -> str:
    # A glyph, not an image: a remote icon would be blocked by careful readers (and track them).
    items = "".join(
        f'<li>\N{PAPERCLIP} <a href="{html.escape(link.url)}">{html.escape(link.name)}</a>'
        f" ({html.escape(human_size(link.size))})</li>"
        for link in links
    )
    return f"<p>{html.escape(BLOCK_TITLE)}</p><ul>{items}</ul>"


def drive_attachment_parts(raw: bytes, hashes: Sequence[str]) -> dict[str, AttachmentPart]:
    """The attached files of `raw` whose decoded bytes have one of `hashes` (SHA-256, hex), by hash."""
    wanted = set(hashes)
    found: dict[str, AttachmentPart] = {}
    for _parent, part in _attachments(_parse(raw)):
        data = _decoded(part)
        digest = sha256_of(data)
        if digest in wanted and digest not in found:
            found[digest] = AttachmentPart(part.get_filename() or "attachment", part.get_content_type(), data)
    return found


def replace_parts_with_links(raw: bytes, links: Mapping[str, DriveLink]) -> bytes:
    """`raw` without the attached files whose SHA-256 is a key of `links`, with a link block for them at the
    end of its text and HTML bodies. No such file: `raw` unchanged."""
    message = _parse(raw)
    removed: list[DriveLink] = []
    for parent, part in list(_attachments(message)):
        link = links.get(sha256_of(_decoded(part)))
        if link is None:
            continue
        _children(parent).remove(part)
        if link not in removed:
            removed.append(link)
    if not removed:
        return raw
    _add_block(message, removed)
    root = _collapsed(message)
    linesep = "\r\n" if b"\r\n" in raw[:4096] else "\n"
    header_end = _HEADER_END.search(raw)
    original_header = raw[: header_end.start()] if header_end else raw
    head, body = _split(_generate(root, linesep))
    if root is message:  # same top-level type and boundary: the original header as it was
        return original_header + (linesep * 2).encode() + body
    kept = [field for field in _fields(original_header) if not _is_content_field(field)]
    content = [field for field in _fields(head) if _is_content_field(field)]
    return (linesep.encode()).join([*kept, *content]) + (linesep * 2).encode() + body


# --- the MIME tree ---------------------------------------------------------------------------------------------
def _parse(raw: bytes) -> Message:
    return BytesParser(policy=policy.compat32).parsebytes(raw)


def _decoded(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _attachments(container: Message) -> Iterator[tuple[Message, Message]]:
    """(parent, part) for every attached file below multipart containers (a forwarded message's own
    attachments are part of that message and stay)."""
    for child in _children(container):
        if child.get_content_maintype() == "multipart":
            yield from _attachments(child)
        elif child.get_content_type() != "message/rfc822" and child.get_content_disposition() == "attachment":
            yield container, child


def _body_part(container: Message, subtype: str) -> tuple[Message | None, int]:
    """The body's text/`subtype` part (not an attached text file) and its index in its parent."""
    for index, child in enumerate(_children(container)):
        if child.get_content_disposition() == "attachment":
            continue
        if child.get_content_type() == f"text/{subtype}":
            return container, index
        if child.get_content_maintype() == "multipart":
            found = _body_part(child, subtype)
            if found[0] is not None:
                return found
        if container.get_content_subtype() in ("mixed", "related"):
            break  # the body is the first part of a mixed / related container
    return None, -1


def _add_block(message: Message, links: Sequence[DriveLink]) -> None:
    if message.get_content_maintype() != "multipart":
        return  # nothing was attached, so nothing was removed
    plain_parent, plain_at = _body_part(message, "plain")
    html_parent, html_at = _body_part(message, "html")
    if plain_parent is not None:
        _replace_child(plain_parent, plain_at, _with_text_block(_children(plain_parent)[plain_at], links))
    if html_parent is not None:
        _replace_child(html_parent, html_at, _with_html_block(_children(html_parent)[html_at], links))
    if plain_parent is None and html_parent is None:  # a message of files only: the block becomes its text
        _children(message).insert(0, text_part(encode_flowed(link_block_text(links)), "plain", FLOWED))


def _children(container: Message) -> list[Message]:
    """The parts of a multipart container, as the list the message holds (edited in place); else none."""
    if container.get_content_maintype() != "multipart":
        return []
    children = container.get_payload()
    return cast(list[Message], children) if isinstance(children, list) else []


def _replace_child(parent: Message, index: int, part: Message) -> None:
    _children(parent)[index] = part


def _text_of(part: Message) -> str:
    return _decoded(part).decode(part.get_content_charset() or "utf-8", "replace").replace("\r\n", "\n")


def _with_text_block(part: Message, links: Sequence[DriveLink]) -> MIMEPart:
    flowed = str(part.get_param("format") or "").lower() == "flowed"
    text = _text_of(part).rstrip("\n")
    block = encode_flowed(link_block_text(links)) if flowed else link_block_text(links) + "\n"
    body, separator, signature = text.rpartition("\n-- \n") if "\n-- \n" in text else (text, "", "")
    if flowed and body.endswith(" "):
        body = body.rstrip(" ")  # a soft break at the end would join the block to the last paragraph
    lead = f"{body}\n\n" if body.strip() else ""
    # Before the signature: readers grey out (or hide) what follows "-- ".
    tail = f"\n-- \n{signature}\n" if separator else ""
    return text_part(lead + block + tail, "plain", FLOWED if flowed else None)


def _with_html_block(part: Message, links: Sequence[DriveLink]) -> MIMEPart:
    document = _text_of(part)
    block = link_block_html(links)
    at = document.lower().rfind("</body>")
    return text_part(document + block if at < 0 else document[:at] + block + document[at:], "html")


def _collapsed(message: Message) -> Message:
    """A multipart/mixed left with one part is that part (the body alone, once the files went to Drive)."""
    children = _children(message)
    return children[0] if message.get_content_type() == "multipart/mixed" and len(children) == 1 else message


# --- bytes -----------------------------------------------------------------------------------------------------
def _generate(part: Message, linesep: str) -> bytes:
    out = BytesIO()
    # maxheaderlen=0: headers are written as they were folded, never re-wrapped.
    BytesGenerator(out, mangle_from_=False, maxheaderlen=0, policy=policy.compat32.clone(linesep=linesep)).flatten(
        part, linesep=linesep
    )
    return out.getvalue()


def _split(generated: bytes) -> tuple[bytes, bytes]:
    found = _HEADER_END.search(generated)
    if found is None:
        return generated, b""
    return generated[: found.start()], generated[found.end() :]


def _fields(header: bytes) -> list[bytes]:
    """A header block's fields, each with its folded continuation lines."""
    fields: list[bytes] = []
    for line in re.split(rb"(?<=\n)", header):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    return [field.rstrip(b"\r\n") for field in fields]


def _is_content_field(field: bytes) -> bool:
    return field.split(b":", 1)[0].strip().lower().startswith(b"content-")
