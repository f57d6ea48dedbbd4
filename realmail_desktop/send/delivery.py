"""One message handed to an SMTP session: envelope options, the DATA, and the server's acknowledgement."""

from __future__ import annotations

import asyncio

import aiosmtplib

from realmail_desktop.send.smtp_errors import reply_text, translate
from realmail_desktop.store import OutboxItem


async def transmit(smtp: aiosmtplib.SMTP, item: OutboxItem, raw: bytes) -> tuple[str, str]:
    """Send `raw` to `item`'s envelope recipients; returns (the server's reply to DATA, a note naming the
    recipients it refused while taking the others). Raises our KnownError subclasses."""
    options = []
    if not raw.isascii() and smtp.supports_extension("8bitmime"):
        options.append("BODY=8BITMIME")
    if not all(a.isascii() for a in (item.mail_from, *item.recipients)) and smtp.supports_extension("smtputf8"):
        options.append("SMTPUTF8")  # RFC 6531: non-ASCII addresses
    try:
        refused, reply = await smtp.sendmail(item.mail_from, list(item.recipients), raw, mail_options=options)
    except asyncio.CancelledError:
        smtp.close()  # mid-transaction: the session cannot be reused
        raise
    except BaseException as exc:
        raise translate(exc, smtp.hostname or "", smtp.port or 0) from exc
    note = "; ".join(f"Not delivered to {to}: {reply_text(r.code, r.message)}" for to, r in refused.items())
    return f"250 {reply}".strip() if not reply[:3].isdigit() else reply, note
