"""What the bot writes about mail: the compact notification, its buttons, digests, full texts, list lines.

Everything a sender wrote (name, address, subject, first lines) is HTML-escaped before it reaches Telegram's
HTML parse mode, so a subject like `<b>x</b>` or `<a href=…>` stays text; buttons come only from here, and
their callback data is `m<short id>:<action>`, checked by `parse_callback` against a fixed set.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from realmail_desktop.store import MessageSummary

MESSAGE_LIMIT = 4096  # Telegram's limit for one text message, in characters
_CHUNK = 3500  # what a full text is cut into (room for a header)
_SNIPPET = 280


class Action(StrEnum):
    READ = "read"
    UNREAD = "unread"
    STAR = "star"
    UNSTAR = "unstar"
    ARCHIVE = "archive"
    DELETE = "delete"
    REPLY = "reply"
    TEXT = "text"
    FILES = "files"


_CALLBACK = re.compile(r"^m(\d{1,12}):([a-z]{1,8})$")


@dataclass(frozen=True, slots=True)
class Callback:
    short_id: int
    action: Action


def callback_data(short_id: int, action: Action) -> str:
    return f"m{short_id}:{action.value}"


def parse_callback(data: str | None) -> Callback | None:
    """The button's short id and action, or None for anything we did not send."""
    match = _CALLBACK.match(data or "")
    if match is None:
        return None
    try:
        return Callback(int(match.group(1)), Action(match.group(2)))
    except ValueError:
        return None


def escaped(text: str) -> str:
    return html.escape(text, quote=True)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def sender_line(summary: MessageSummary) -> str:
    if summary.sender_name and summary.sender_address:
        return f"{summary.sender_name} <{summary.sender_address}>"
    return summary.sender_display or "(unknown sender)"


def notification_text(summary: MessageSummary, *, folder: str = "") -> str:
    """The notification, in Telegram HTML: sender in bold, subject, the first lines in italics."""
    lines = [f"✉️ <b>{escaped(_one_line(sender_line(summary), 200))}</b>"]
    lines.append(escaped(_one_line(summary.subject or "(no subject)", 300)))
    if summary.snippet.strip():
        lines.append(f"<i>{escaped(_one_line(summary.snippet, _SNIPPET))}</i>")
    if folder:
        lines.append(f"📁 {escaped(folder)}")
    return "\n".join(lines)


def notification_keyboard(short_id: int, summary: MessageSummary | None) -> InlineKeyboardMarkup | None:
    """Buttons for a notification in the message's present state; None when the message is gone."""
    if summary is None:
        return None

    def button(label: str, action: Action) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callback_data(short_id, action))

    first = [
        button("Mark unread", Action.UNREAD) if summary.is_seen else button("Mark read", Action.READ),
        button("Unstar", Action.UNSTAR) if summary.is_flagged else button("Star", Action.STAR),
    ]
    second = [button("Archive", Action.ARCHIVE), button("Delete", Action.DELETE)]
    third = [button("Reply", Action.REPLY), button("Full text", Action.TEXT)]
    if summary.has_attachments:
        third.append(button("Attachments", Action.FILES))
    return InlineKeyboardMarkup([first, second, third])


def list_line(index: int, summary: MessageSummary) -> str:
    seen = "" if summary.is_seen else "• "
    who = escaped(_one_line(summary.sender_display or "(unknown)", 60))
    subject = escaped(_one_line(summary.subject or "(no subject)", 120))
    return f"{index}. {seen}<b>{who}</b> — {subject}"


def digest_text(summaries: Sequence[MessageSummary], *, shown: int = 10) -> str:
    """One message instead of many: how many arrived, the first `shown` of them in a line each."""
    count = len(summaries)
    head = f"📬 <b>{count} new message{'s' if count != 1 else ''}</b>"
    lines = [head, *(list_line(i, s) for i, s in enumerate(summaries[:shown], start=1))]
    if count > shown:
        lines.append(f"…and {count - shown} more. Send /inbox to see them.")
    return "\n".join(lines)


def text_chunks(text: str, limit: int = _CHUNK) -> list[str]:
    """Plain text cut into Telegram-sized pieces, at line ends where possible (never inside a character)."""
    body = text.replace("\r\n", "\n").strip() or "(no text)"
    chunks: list[str] = []
    while len(body) > limit:
        cut = body.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = body.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        chunks.append(body[:cut].rstrip())
        body = body[cut:].lstrip("\n ")
    chunks.append(body)
    return chunks
