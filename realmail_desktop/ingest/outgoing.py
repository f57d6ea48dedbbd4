"""A composed draft (mail.compose.Draft) into the outbox (store.outbox), for everything that sends mail: the
composer, rules that forward, unsubscribing by mail, replies typed in Telegram."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from realmail_desktop.mail.compose import BuiltMessage, Draft, build_message
from realmail_desktop.store import OutgoingMessage, Store


async def queue_draft(
    store: Store,
    draft: Draft,
    *,
    account_id: int,
    send_at: float,
    answers: int | None = None,
    forwards: Sequence[int] = (),
) -> tuple[int, BuiltMessage]:
    """Build the draft's bytes in a worker thread (its Message-ID is final from here on) and queue them to go
    at `send_at`; `answers`/`forwards` name the originals that get \\Answered / $Forwarded once it is sent.
    Returns the outbox id and the built message."""
    built = await asyncio.to_thread(build_message, draft)
    outbox_id, _changes = await store.outbox.enqueue(
        OutgoingMessage(
            account_id=account_id,
            raw=built.raw,
            message_id=built.message_id,
            mail_from=built.sender,
            recipients=built.recipients,
            send_at=send_at,
            answers=answers,
            forwards=tuple(forwards),
        )
    )
    return outbox_id, built
