"""A stored message read into what rules and the junk filter look at (`MessageFacts`); CPU-bound, run in a
worker thread."""

from __future__ import annotations

import email.parser
import email.policy

from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.headers import decode_header_value
from realmail_desktop.store.rule_engine import REGEX_INPUT_LIMIT, MessageFacts
from realmail_desktop.store.rules import StoredMessage

_HEADER_BYTES_LIMIT = 200_000


def _all_headers(raw: bytes) -> dict[str, str]:
    end = raw.find(b"\r\n\r\n", 0, _HEADER_BYTES_LIMIT)
    if end < 0:
        end = raw.find(b"\n\n", 0, _HEADER_BYTES_LIMIT)
    head = raw[: end if end >= 0 else _HEADER_BYTES_LIMIT]
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    headers: dict[str, str] = {}
    for name, value in parsed.items():
        key = name.strip().lower()
        text = decode_header_value(str(value))
        headers[key] = f"{headers[key]}\n{text}" if key in headers else text
    return headers


def facts_of(message: StoredMessage, *, with_body: bool = True) -> MessageFacts:
    """What rules see of `message`: every header and the body text when the raw message is stored (and
    `with_body`), else the stored header fields only and no body."""
    sender = f"{message.sender_name} <{message.sender_address}>" if message.sender_name else message.sender_address
    headers = {
        "from": sender,
        "to": message.recipients,
        "cc": message.cc,
        "subject": message.subject,
        "list-id": message.list_id,
        "list-unsubscribe": message.unsubscribe,
    }
    body: str | None = None
    if message.raw is not None and with_body:
        headers |= _all_headers(message.raw)
        body = read_envelope(message.raw).body_text[:REGEX_INPUT_LIMIT]
    return MessageFacts(
        message_id=message.id,
        account_id=message.account_id,
        folder_id=message.folder_id,
        sender=sender,
        to=message.recipients,
        cc=message.cc,
        subject=message.subject,
        list_id=message.list_id,
        size=message.size,
        has_attachments=message.has_attachments,
        headers=headers,
        body=body,
    )
