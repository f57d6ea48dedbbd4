"""Building outgoing mail: a `Draft` (what the composer holds) → RFC 5322 bytes, with stdlib `email`.

The shape: text/plain (format=flowed) alone, or multipart/alternative of that plain twin and the HTML (with
its inline images in multipart/related, referenced by cid:), inside multipart/mixed when files or forwarded
messages are attached (message/rfc822, the original bytes kept). Headers are RFC 2047-encoded where they are
not ASCII and attachment names RFC 2231-encoded, so any SMTP server takes the result (policy SMTP: CRLF).
Bcc is never written into the sent bytes: `BuiltMessage.recipients` carries it for the envelope (a draft
keeps it, so reopening the draft keeps it too).
"""

from __future__ import annotations

import email.parser
import email.utils
import mimetypes
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage, Message, MIMEPart

from realmail_desktop.mail.flowed import encode_flowed
from realmail_desktop.mail.headers import Address, decode_header_value
from realmail_desktop.mail.recipients import idna_address
from realmail_desktop.mail.rich_text import read_rich_text

USER_AGENT = "RealMail Desktop"
MAX_REFERENCES = 20  # RFC 5322 §3.6.4 allows trimming; keep the thread's root and the newest ids
_POLICY = policy.SMTP


@dataclass(frozen=True, slots=True)
class FileAttachment:
    """A file attached by the person. `content_type` empty: guessed from the name, else sniffed."""

    filename: str
    data: bytes
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class InlineImage:
    """A picture inside the rich text, referenced from the HTML as `cid:<content_id>`."""

    content_id: str
    data: bytes
    content_type: str
    filename: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """Everything the composer holds; `html` None means plain text (`text` is the body). In rich mode the
    plain part is derived from `html` (mail/rich_text.py) and `text` is ignored."""

    sender: Address
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    subject: str = ""
    text: str = ""
    html: str | None = None
    attachments: tuple[FileAttachment, ...] = ()
    inline_images: tuple[InlineImage, ...] = ()
    forwarded: tuple[bytes, ...] = ()  # whole messages attached as message/rfc822
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    message_id: str = ""  # given once, when the composer opens; new_message_id() otherwise
    extra_headers: tuple[tuple[str, str], ...] = field(default=())

    @property
    def recipients(self) -> tuple[Address, ...]:
        return (*self.to, *self.cc, *self.bcc)


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    """The bytes to send and the SMTP envelope: `sender` (MAIL FROM) and every recipient (RCPT TO), Bcc too."""

    raw: bytes
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    date: int


def new_message_id(sender_address: str) -> str:
    """A fresh, globally unique Message-ID on the sender's domain (RFC 5322 §3.6.4)."""
    domain = sender_address.rpartition("@")[2].strip().lower()
    domain = idna_address(f"x@{domain}").rpartition("@")[2] if domain else ""
    if not domain or not all(c.isalnum() or c in "-." for c in domain):
        domain = "realmail.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def trimmed_references(references: Sequence[str], limit: int = MAX_REFERENCES) -> tuple[str, ...]:
    """At most `limit` ids: the first (the thread's root) and the newest ones, order kept."""
    unique = tuple(dict.fromkeys(r for r in references if r))
    if len(unique) <= limit:
        return unique
    return (unique[0], *unique[len(unique) - limit + 1 :])


def guess_content_type(filename: str, data: bytes) -> str:
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    if guessed:
        return guessed
    from realmail_desktop.mail.attachment_safety import sniff_type  # libmagic only when a name says nothing

    sniffed = sniff_type(data)
    return sniffed if sniffed and "/" in sniffed else "application/octet-stream"


def _header_address(address: Address) -> HeaderAddress:
    plain = idna_address(address.address)
    local, _, domain = plain.rpartition("@")
    return HeaderAddress(display_name=address.name, username=local, domain=domain)


def _set_addresses(message: EmailMessage, name: str, addresses: Sequence[Address]) -> None:
    if addresses:
        message[name] = [_header_address(a) for a in addresses]


FLOWED = {"format": "flowed", "delsp": "no"}
"""The Content-Type parameters of a format=flowed text part (RFC 3676), as every text part we write has."""


def text_part(text: str, subtype: str, params: dict[str, str] | None = None) -> MIMEPart:
    """A UTF-8 text part as RealMail writes them: 7bit when it can be, else quoted-printable."""
    part = MIMEPart(policy=_POLICY)
    ascii_only = text.isascii() and all(len(line) <= 998 for line in text.splitlines())
    part.set_content(
        text,
        subtype=subtype,
        charset="utf-8",
        cte="7bit" if ascii_only else "quoted-printable",
        params=params or {},
    )
    return part


def _multipart(subtype: str, parts: Sequence[Message]) -> MIMEPart:
    container = MIMEPart(policy=_POLICY)
    container["Content-Type"] = f"multipart/{subtype}"
    container.set_payload(list(parts))
    return container


def _file_part(attachment: FileAttachment) -> MIMEPart:
    content_type = attachment.content_type or guess_content_type(attachment.filename, attachment.data)
    if content_type.lower() == "message/rfc822":  # RFC 2046 §5.2.1: never base64; attach it as a message
        return _forwarded_part(attachment.data)
    maintype, _, subtype = content_type.partition("/")
    part = MIMEPart(policy=_POLICY)
    part.set_content(
        attachment.data,
        maintype=maintype or "application",
        subtype=subtype or "octet-stream",
        disposition="attachment",
        filename=attachment.filename or "attachment",
    )
    return part


def _image_part(image: InlineImage) -> MIMEPart:
    maintype, _, subtype = image.content_type.partition("/")
    part = MIMEPart(policy=_POLICY)
    part.set_content(
        image.data,
        maintype=maintype or "image",
        subtype=subtype or "png",
        disposition="inline",
        filename=image.filename or None,
        cid=f"<{image.content_id}>",
    )
    return part


def _forwarded_part(raw: bytes) -> MIMEPart:
    # Parsed with compat32 so the original's headers and 8-bit bytes come out as they went in (CRLF only).
    normalized = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    inner = email.parser.BytesParser(policy=policy.compat32).parsebytes(normalized)
    raw_subject = next((str(v) for k, v in inner.raw_items() if k.lower() == "subject"), "")
    subject = decode_header_value(raw_subject.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    name = "".join(c for c in subject[:60] if c not in '\\/:*?"<>|').strip() or "message"
    part = MIMEPart(policy=_POLICY)
    part["Content-Type"] = "message/rfc822"
    part.add_header("Content-Disposition", "attachment", filename=f"{name}.eml")
    part["Content-Transfer-Encoding"] = "7bit" if normalized.isascii() else "8bit"
    part.set_payload([inner])
    return part


def _body(draft: Draft) -> MIMEPart:
    if draft.html is None:
        return text_part(encode_flowed(draft.text), "plain", FLOWED)
    rich = read_rich_text(draft.html)
    plain = text_part(encode_flowed(rich.text), "plain", FLOWED)
    html_part = text_part(rich.html, "html")
    used = {src.removeprefix("cid:") for src in rich.image_sources if src.startswith("cid:")}
    images = [_image_part(image) for image in draft.inline_images if image.content_id in used]
    if images:
        html_part = _multipart("related", [html_part, *images])
    return _multipart("alternative", [plain, html_part])


def build_message(draft: Draft, *, now: float | None = None, keep_bcc: bool = False) -> BuiltMessage:
    """The message as bytes. `keep_bcc` writes Bcc into them: for a saved draft, never for sending."""
    moment = time.time() if now is None else now
    message_id = draft.message_id or new_message_id(draft.sender.address)
    message = EmailMessage(policy=_POLICY)
    message["Date"] = email.utils.formatdate(moment, localtime=True)
    _set_addresses(message, "From", [draft.sender])
    _set_addresses(message, "To", draft.to)
    _set_addresses(message, "Cc", draft.cc)
    if keep_bcc:
        _set_addresses(message, "Bcc", draft.bcc)
    _set_addresses(message, "Reply-To", draft.reply_to)
    message["Subject"] = " ".join(draft.subject.split())
    message["Message-ID"] = message_id
    if draft.in_reply_to:
        message["In-Reply-To"] = draft.in_reply_to
    references = trimmed_references(draft.references)
    if references:
        message["References"] = " ".join(references)
    for name, value in draft.extra_headers:
        message[name] = value
    message["User-Agent"] = USER_AGENT
    message["MIME-Version"] = "1.0"

    body = _body(draft)
    extras = [_file_part(a) for a in draft.attachments] + [_forwarded_part(raw) for raw in draft.forwarded]
    root = _multipart("mixed", [body, *extras]) if extras else body
    for name, value in root.items():
        message[name] = value
    message.set_payload(root.get_payload())

    recipients = tuple(dict.fromkeys(idna_address(a.address).lower() for a in draft.recipients if a.address))
    return BuiltMessage(
        raw=message.as_bytes(),
        message_id=message_id,
        sender=idna_address(draft.sender.address),
        recipients=recipients,
        date=int(moment),
    )
