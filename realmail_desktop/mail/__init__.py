"""Mail foundations (Qt-free): parse raw RFC 5322/MIME messages into envelopes and reader views, sanitise HTML.

Attachment safety, file names, thumbnails and invitations (`attachment_safety`, `filenames`, `thumbnails`,
`calendar`) are imported from their modules, so Pillow, libmagic and icalendar load only when used.
"""

from realmail_desktop.mail.charsets import decode_bytes
from realmail_desktop.mail.envelope import Envelope, read_envelope, sender_sort_key, subject_sort_key
from realmail_desktop.mail.headers import (
    Address,
    decode_header_value,
    normalize_message_id,
    parse_addresses,
    parse_date,
    parse_references,
)
from realmail_desktop.mail.html import SanitizedHtml, html_to_text, sanitize_html
from realmail_desktop.mail.message import (
    ParsedMessage,
    attachment_payload,
    attachment_payloads,
    inline_parts,
    parse_message,
)
from realmail_desktop.mail.mime import AttachmentInfo

__all__ = [
    "Address",
    "AttachmentInfo",
    "Envelope",
    "ParsedMessage",
    "SanitizedHtml",
    "attachment_payload",
    "attachment_payloads",
    "decode_bytes",
    "decode_header_value",
    "html_to_text",
    "inline_parts",
    "normalize_message_id",
    "parse_addresses",
    "parse_date",
    "parse_message",
    "parse_references",
    "read_envelope",
    "sanitize_html",
    "sender_sort_key",
    "subject_sort_key",
]
