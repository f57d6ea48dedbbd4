"""mailto: links (RFC 6068) read into what a new message starts with: recipients, subject, body, In-Reply-To."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from realmail_desktop.mail.headers import Address, normalize_message_id, parse_addresses

# Headers a link may set; anything else (e.g. "from", "received") is ignored, as RFC 6068 §3 advises.
_ADDRESS_FIELDS = ("to", "cc", "bcc")


@dataclass(frozen=True, slots=True)
class MailtoLink:
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    body: str = ""
    in_reply_to: str = ""


def read_mailto(link: str) -> MailtoLink:
    """`mailto:ann@example.org,bob@x.org?cc=c@y.org&subject=Hi%20there&body=…`; never raises (junk → empty)."""
    text = link.strip()
    if text[:7].lower() != "mailto:":
        return MailtoLink()
    path, _, query = text[7:].partition("?")
    fields: dict[str, list[str]] = {"to": [unquote(path)] if path else []}
    for pair in query.split("&") if query else ():
        name, _, value = pair.partition("=")
        fields.setdefault(unquote(name).strip().lower(), []).append(unquote(value.replace("+", "%2B")))
    addresses = {
        name: tuple(a for value in fields.get(name, []) for a in parse_addresses(value) if a.address)
        for name in _ADDRESS_FIELDS
    }
    body = "\n".join(fields.get("body", [])).replace("\r\n", "\n")
    return MailtoLink(
        to=addresses["to"],
        cc=addresses["cc"],
        bcc=addresses["bcc"],
        subject=" ".join(" ".join(fields.get("subject", [])).split()),
        body=body,
        in_reply_to=normalize_message_id(" ".join(fields.get("in-reply-to", []))),
    )
