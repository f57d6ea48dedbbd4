"""Turns what the mail parser read (an Envelope) into the row the store keeps (a NewMessage)."""

from __future__ import annotations

import functools
from typing import NamedTuple

from realmail_desktop.mail.categories import category_of
from realmail_desktop.mail.envelope import Envelope, sender_sort_key, subject_sort_key
from realmail_desktop.mail.headers import Address
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
    sender_address = sender.address if sender else ""
    people = _people_of(sender, envelope.to, envelope.cc)
    marks = _marks(flags)
    return NewMessage(
        message_id=envelope.message_id,
        in_reply_to=envelope.in_reply_to,
        references=envelope.references,
        date=envelope.date,
        sender_name=sender.name if sender else "",
        sender_address=sender_address,
        sender_sort=people.sender_sort,
        recipients=people.recipients,
        cc=people.cc,
        subject=envelope.subject,
        subject_sort=subject_sort_key(envelope.subject),
        snippet=envelope.snippet,
        list_id=envelope.list_id,
        category=_category_of(
            sender_address, envelope.list_id, envelope.list_unsubscribe, envelope.precedence, envelope.auto_submitted
        ),
        unsubscribe=envelope.list_unsubscribe,
        unsubscribe_one_click=bool(envelope.list_unsubscribe_post) and is_one_click(envelope.list_unsubscribe_post),
        size=envelope.size if size is None else size,
        is_seen=marks[0],
        is_flagged=marks[1],
        is_answered=marks[2],
        is_forwarded=marks[3],
        is_draft=marks[4],
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
        )
        if envelope.attachments
        else (),
        index_people=people.index_text,
        index_body=envelope.body_text,
        raw=raw,
        uid=uid,
        attachments_expected=attachments_expected,
    )


class _People(NamedTuple):
    """The row's texts made from a message's sender and recipients."""

    sender_sort: str
    recipients: str
    cc: str
    index_text: str


# Senders and recipients, and the headers that decide a category, repeat across a mailbox (the header sync
# builds thousands of rows a second): each combination's results are made once. The caches hold immutable
# values and are bounded in entries and in size: messages with more people, or longer headers, than below are
# computed every time (at most ~2048 × 20 addresses' texts and 1024 × 1 kB of headers).
_CACHED_PEOPLE = 20
_CACHED_CATEGORY_TEXT = 1024


def _people_of(sender: Address | None, to: tuple[Address, ...], cc: tuple[Address, ...]) -> _People:
    if len(to) + len(cc) < _CACHED_PEOPLE:
        return _people(sender, to, cc)
    return _people.__wrapped__(sender, to, cc)


def _category_of(sender_address: str, list_id: str, list_unsubscribe: str, precedence: str, auto_submitted: str) -> str:
    texts = (sender_address, list_id, list_unsubscribe, precedence, auto_submitted)
    if sum(map(len, texts)) <= _CACHED_CATEGORY_TEXT:
        return _category(*texts)
    return _category.__wrapped__(*texts)


@functools.lru_cache(maxsize=2048)
def _people(sender: Address | None, to: tuple[Address, ...], cc: tuple[Address, ...]) -> _People:
    people = [a for a in (sender, *to, *cc) if a is not None]
    return _People(
        sender_sort_key(sender),
        ", ".join(a.display() for a in to),
        ", ".join(a.display() for a in cc),
        " ".join(f"{a.name} {a.address}" for a in people),
    )


@functools.lru_cache(maxsize=64)  # every combination of the six flags
def _marks(flags: Flag) -> tuple[bool, bool, bool, bool, bool]:
    """Seen, flagged, answered, forwarded, draft (enum arithmetic is slow: once per combination)."""
    return (
        Flag.SEEN in flags,
        Flag.FLAGGED in flags,
        Flag.ANSWERED in flags,
        Flag.FORWARDED in flags,
        Flag.DRAFT in flags,
    )


@functools.lru_cache(maxsize=1024)
def _category(sender_address: str, list_id: str, list_unsubscribe: str, precedence: str, auto_submitted: str) -> str:
    return category_of(
        sender_address,
        list_id=list_id,
        list_unsubscribe=list_unsubscribe,
        precedence=precedence,
        auto_submitted=auto_submitted,
    ).value


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
