"""How a composer opens (`ComposerStart`: new, answer, reopened draft) and what a send hands back (`SentMessage`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from realmail_desktop.mail.compose import BuiltMessage, FileAttachment, InlineImage
from realmail_desktop.mail.headers import Address
from realmail_desktop.store import Identity


@dataclass(frozen=True, slots=True)
class ComposerStart:
    """How a composer opens: a new message, an answer (mail/reply.py) or a reopened draft."""

    identities: tuple[Identity, ...]
    identity_id: int | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    text: str = ""
    html: str | None = None
    rich: bool = True
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    attachments: tuple[FileAttachment, ...] = ()
    inline_images: tuple[InlineImage, ...] = ()
    forwarded: tuple[bytes, ...] = ()
    message_id: str = ""
    answers: int | None = None
    forwards: tuple[int, ...] = ()
    draft_row: int | None = None
    add_signature: bool = True
    save_soon: bool = False  # kept nowhere yet (a message taken back from the outbox): saved at the next tick


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What was handed to the outbox, and how to reopen it should the person undo."""

    outbox_id: int
    send_at: float
    built: BuiltMessage
    start: ComposerStart = field(repr=False)


def with_signature(text: str, signature: str) -> str:
    """The body with the signature under "-- " (RFC 3676 §4.3): above a reply's quote, below a new text."""
    if not signature:
        return text
    if text.startswith("\n"):  # an answer: the cursor's empty lines, then the quote or forwarded block
        return f"\n\n-- \n{signature}{text}"
    return f"{text}\n\n-- \n{signature}"
