"""Test mail for the window and reader tests: raw RFC 5322 bytes plus the store row the importer would make."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from realmail_desktop.store import NewAttachment, NewMessage

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
HOSTILE_HTML = """<html><head><script>alert('pwned')</script>
<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"></head>
<body><p onclick="alert(2)">Hello <b>there</b></p>
<img src="http://127.0.0.1:9/x.png" alt="tracker">
<img src="cid:logo@example.test" alt="logo">
<a href="javascript:alert(3)">click me</a>
<a href="https://example.org/safe">a safe link</a>
</body></html>"""


def raw_mail(
    subject: str,
    *,
    sender: tuple[str, str] = ("Alice Smith", "alice@example.com"),
    to: str = "Bob <bob@example.org>",
    cc: str = "",
    date: int = 1_700_000_000,
    text: str | None = "Hello,\nsee you soon.",
    html: str | None = None,
    inline_png_cid: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender[0]} <{sender[1]}>" if sender[0] else sender[1]
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.fromtimestamp(date, UTC))
    msg["Message-ID"] = f"<{abs(hash((subject, date)))}@example.test>"
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
        if inline_png_cid is not None:
            html_part = msg.get_body(("html",))
            assert html_part is not None
            html_part.add_related(PNG, "image", "png", cid=f"<{inline_png_cid}>")
    if attachment is not None:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def stored(
    raw: bytes | None,
    subject: str,
    *,
    sender: tuple[str, str] = ("Alice Smith", "alice@example.com"),
    date: int = 1_700_000_000,
    seen: bool = False,
    flagged: bool = False,
    snippet: str = "",
    attachments: tuple[NewAttachment, ...] = (),
) -> NewMessage:
    """The store row for a message (what the importer computes, done by hand)."""
    return NewMessage(
        message_id=f"<{abs(hash((subject, date)))}@example.test>",
        date=date,
        sender_name=sender[0],
        sender_address=sender[1],
        sender_sort=(sender[0] or sender[1]).casefold(),
        recipients="Bob <bob@example.org>",
        subject=subject,
        subject_sort=subject.casefold(),
        snippet=snippet,
        size=len(raw or b""),
        is_seen=seen,
        is_flagged=flagged,
        attachments=attachments,
        raw=raw,
    )


def mail(subject: str, **kwargs: object) -> NewMessage:
    """A plain-text message stored with its body; `date`, `sender`, `seen`, `flagged` as in `stored`."""
    row_keys = {"seen", "flagged", "snippet", "attachments"}
    row_args = {k: v for k, v in kwargs.items() if k in row_keys}
    raw_args = {k: v for k, v in kwargs.items() if k not in row_keys}
    raw = raw_mail(subject, **raw_args)  # type: ignore[arg-type]
    shared = {k: v for k, v in kwargs.items() if k in {"date", "sender"}}
    return stored(raw, subject, **shared, **row_args)  # type: ignore[arg-type]
