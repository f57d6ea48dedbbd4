"""Mail written in Telegram: a reply to a notified message, or a guided new message, queued in the outbox.

A reply is a real one, as the desktop's composer makes it (mail/reply.py): To from Reply-To or From, `Re:`
once, In-Reply-To and References, the original quoted under an attribution, the identity the original was
sent to (else the account's default) with its signature. The outbox sends it (send/ service); the bridge hears
the outcome as `OutboxStatus` events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.ingest.outgoing import queue_draft
from realmail_desktop.mail.compose import Draft
from realmail_desktop.mail.headers import Address, parse_addresses
from realmail_desktop.mail.reply import AnswerKind, answer, read_original
from realmail_desktop.store import Identity, Store


class NoIdentityError(KnownError):
    """No account with an address to send from."""


def _signed(text: str, identity: Identity, quote: str) -> str:
    signature = identity.signature.strip("\n")
    body = text.rstrip()
    if signature:
        body = f"{body}\n\n-- \n{signature}"
    return f"{body}{quote}" if quote else body


async def _identities_of(store: Store, account_id: int) -> list[Identity]:
    await store.identities.ensure_default(account_id)
    return await store.read(lambda r: r.identities.of_account(account_id))


def _sender(identity: Identity) -> tuple[Address, tuple[Address, ...]]:
    return Address(identity.name, identity.address), parse_addresses(identity.reply_to)


async def _enqueue(store: Store, draft: Draft, identity: Identity, now: float, answers: int | None) -> int:
    outbox_id, _built = await queue_draft(store, draft, account_id=identity.account_id, send_at=now, answers=answers)
    return outbox_id


async def queue_reply(store: Store, message_row: int, text: str, *, clock: Callable[[], float] = time.time) -> int:
    """Queue `text` as the reply to stored message `message_row`; returns the outbox id."""
    summary = await store.read(lambda r: r.message(message_row))
    raw = await store.read(lambda r: r.raw_message(message_row))
    if summary is None:
        raise NotFoundError("That message is no longer in your mail.")
    if raw is None:
        raise KnownError("That message's text is not on this computer yet.", hint="Open it on the desktop first.")
    identities = await _identities_of(store, summary.account_id)
    if not identities:
        raise NoIdentityError("This account has no address to reply from.", hint="Set one up on the desktop.")
    original = await asyncio.to_thread(read_original, raw)
    own = [i.address for i in identities]
    answered = answer(original, AnswerKind.REPLY, own)
    wanted = (answered.from_address or "").lower()
    identity = next((i for i in identities if i.address.lower() == wanted), None)
    identity = identity or next((i for i in identities if i.is_default), identities[0])
    sender, reply_to = _sender(identity)
    draft = Draft(
        sender=sender,
        to=answered.to,
        cc=answered.cc,
        reply_to=reply_to,
        subject=answered.subject,
        text=_signed(text, identity, answered.text),
        in_reply_to=answered.in_reply_to,
        references=answered.references,
    )
    return await _enqueue(store, draft, identity, clock(), message_row)


async def queue_new_message(
    store: Store, to: str, subject: str, text: str, *, clock: Callable[[], float] = time.time
) -> int:
    """Queue a new message from the first account's default identity; returns the outbox id."""
    recipients = tuple(a for a in parse_addresses(to) if "@" in a.address)
    if not recipients:
        raise KnownError("That is not an e-mail address.", hint="Write it like name@example.org.")
    accounts = [a for a in await store.read(lambda r: r.accounts()) if "@" in a.address]
    for account in accounts:
        identities = await _identities_of(store, account.id)
        identity = next((i for i in identities if i.is_default), identities[0] if identities else None)
        if identity is not None:
            sender, reply_to = _sender(identity)
            draft = Draft(
                sender=sender, to=recipients, reply_to=reply_to, subject=subject, text=_signed(text, identity, "")
            )
            return await _enqueue(store, draft, identity, clock(), None)
    raise NoIdentityError("No account to send from.", hint="Add a mail account on the desktop.")
