"""RenderedBody: one message's body made safe to show — parsed, sanitised, links checked — off the GUI thread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP

from realmail_desktop.mail import ParsedMessage, inline_parts, parse_message, sanitize_html
from realmail_desktop.mail.html import html_to_text
from realmail_desktop.mail.links import DeceptiveLink, deceptive_links
from realmail_desktop.ui.views.mail_browser import plain_text_html

# Chromium needs ~1 s per 1-2 MB of HTML on a slow machine (20 MB: half a minute): longer bodies show their
# beginning, with a note; "Message source" shows all of it.
MAX_SHOWN_HTML = 2_000_000
TOO_LONG = str(  # marked for pyside6-lupdate; translated where shown
    QT_TRANSLATE_NOOP(
        "RenderedBody",
        "This message is very long: RealMail shows its first 2 MB. View ▸ Message source shows all of it.",
    )
)


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """What the body view shows for one message, prepared off the GUI thread."""

    message_id: int
    parsed: ParsedMessage | None  # None: no body stored locally
    html: str
    remote_blocked: int
    inline: Mapping[str, tuple[str, bytes]]
    remote_allowed: bool = False
    text_html: str = ""  # the plain-text alternative as HTML (or the HTML's text), for "Plain text"
    deceptive: tuple[DeceptiveLink, ...] = ()
    trusted: bool = False  # the sender is trusted for remote content (so it is allowed)
    sender: str = ""  # the From address, for "Always for this sender"
    shortened: bool = False  # html is the beginning of a longer body (MAX_SHOWN_HTML)


def render_body(
    message_id: int, raw: bytes | None, *, allow_remote: bool = False, trusted: bool = False
) -> RenderedBody:
    """Parse and sanitise one message (blocking: call it in a worker thread); `trusted` allows remote content."""
    if raw is None:
        return RenderedBody(message_id, None, "", 0, {})
    parsed = parse_message(raw)
    return sanitize_parsed(message_id, parsed, raw, allow_remote=allow_remote or trusted, trusted=trusted)


def sanitize_parsed(
    message_id: int, parsed: ParsedMessage, raw: bytes | None, *, allow_remote: bool, trusted: bool = False
) -> RenderedBody:
    """The body of a parsed message made safe to show (blocking: call it in a worker thread)."""
    sender = parsed.sender.address if parsed.sender is not None else ""
    if parsed.html is not None:
        clean = sanitize_html(parsed.html, allow_remote=allow_remote)
        inline = inline_parts(raw) if raw is not None and "cid:" in parsed.html.lower() else {}
        text = parsed.text if parsed.text is not None else html_to_text(parsed.html)
        shown = clean.html
        if len(shown) > MAX_SHOWN_HTML:
            shown = shown[: shown.rfind(">", 0, MAX_SHOWN_HTML) + 1]  # end on a tag, never inside one
        return RenderedBody(
            message_id,
            parsed,
            shown,
            clean.remote_blocked,
            inline,
            allow_remote,
            plain_text_html(text),
            deceptive_links(shown),
            trusted,
            sender,
            len(shown) < len(clean.html),
        )
    text_html = plain_text_html(parsed.text if parsed.text is not None else "")
    return RenderedBody(message_id, parsed, text_html, 0, {}, text_html=text_html, sender=sender)
