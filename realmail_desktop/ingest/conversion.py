"""Turns what the mail parser read (an Envelope) into the row the store keeps (a NewMessage)."""

from __future__ import annotations

from realmail_desktop.mail.categories import category_of
from realmail_desktop.mail.envelope import Envelope, sender_sort_key, subject_sort_key
from realmail_desktop.mail.sources import Flag
from realmail_desktop.mail.unsubscribe import is_one_click
from realmail_desktop.store import NewAttachment, NewMessage


def new_message(
    envelope: Envelope,
    raw: bytes | None,
    flags: Flag,
    *,
    uid: int | None = None,
    size: int | None = None,
    attachments_expected: bool = False,
) -> NewMessage:
    """The store row for a parsed message; `raw` None for a header-only row (IMAP headers first, body later).

    `size` overrides the envelope's (an IMAP RFC822.SIZE, when only the header was read); `uid` is the IMAP UID.
    A header-only row counts no defects (a header alone always "lacks" its body parts; they are counted when the
    body is read) and takes `attachments_expected` from the server's BODYSTRUCTURE.
    """
    sender = envelope.sender
    people = [a for a in (sender, *envelope.to, *envelope.cc) if a is not None]
    return NewMessage(
        message_id=envelope.message_id,
        in_reply_to=envelope.in_reply_to,
        references=envelope.references,
        date=envelope.date,
        sender_name=sender.name if sender else "",
        sender_address=sender.address if sender else "",
        sender_sort=sender_sort_key(sender),
        recipients=", ".join(a.display() for a in envelope.to),
        cc=", ".join(a.display() for a in envelope.cc),
        subject=envelope.subject,
        subject_sort=subject_sort_key(envelope.subject),
        snippet=envelope.snippet,
        list_id=envelope.list_id,
        category=category_of(
            sender.address if sender else "",
            list_id=envelope.list_id,
            list_unsubscribe=envelope.list_unsubscribe,
            precedence=envelope.precedence,
            auto_submitted=envelope.auto_submitted,
        ).value,
        unsubscribe=envelope.list_unsubscribe,
        unsubscribe_one_click=is_one_click(envelope.list_unsubscribe_post),
        size=envelope.size if size is None else size,
        is_seen=Flag.SEEN in flags,
        is_flagged=Flag.FLAGGED in flags,
        is_answered=Flag.ANSWERED in flags,
        is_forwarded=Flag.FORWARDED in flags,
        is_draft=Flag.DRAFT in flags,
        defects=len(envelope.defects) if raw is not None else 0,
        attachments=tuple(
            NewAttachment(
                part_id=a.part_id,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                content_id=a.content_id,
                inline=a.inline,
            )
            for a in envelope.attachments
        ),
        index_people=" ".join(f"{a.name} {a.address}" for a in people),
        index_body=envelope.body_text,
        raw=raw,
        uid=uid,
        attachments_expected=attachments_expected,
    )


def flags_of(is_seen: bool, is_flagged: bool, is_answered: bool, is_forwarded: bool, is_draft: bool) -> Flag:
    flags = Flag(0)
    for present, flag in (
        (is_seen, Flag.SEEN),
        (is_flagged, Flag.FLAGGED),
        (is_answered, Flag.ANSWERED),
        (is_forwarded, Flag.FORWARDED),
        (is_draft, Flag.DRAFT),
    ):
        if present:
            flags |= flag
    return flags
