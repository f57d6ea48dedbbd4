"""A composed draft (mail.compose.Draft) into the outbox (store.outbox), for everything that sends mail: the
composer, rules that forward, unsubscribing by mail, replies typed in Telegram. Files at or over the account's
Google Drive threshold are marked there to go as Drive links (the Drive stage uploads them before SMTP)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.compose import BuiltMessage, Draft, build_message, guess_content_type
from realmail_desktop.mail.drive_links import sha256_of
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import DriveSettings, NewMessage, OutboxDriveFile, OutgoingMessage, Store


def drive_files(draft: Draft, settings: DriveSettings) -> tuple[OutboxDriveFile, ...]:
    """The draft's files that go as Drive links under `settings` (a message attached as a file stays one:
    it is sent as message/rfc822, not as its bytes). Hashing a big file takes a while: call on a worker."""
    chosen: dict[str, OutboxDriveFile] = {}
    for attachment in draft.attachments:
        if not settings.sends_as_link(len(attachment.data)):
            continue
        content_type = attachment.content_type or guess_content_type(attachment.filename, attachment.data)
        if content_type.lower() == "message/rfc822":
            continue
        digest = sha256_of(attachment.data)
        chosen.setdefault(digest, OutboxDriveFile(name=attachment.filename, size=len(attachment.data), sha256=digest))
    return tuple(chosen.values())


def row_of_built(built: BuiltMessage, flags: Flag) -> NewMessage:
    """The store row of a message we built (queued to send, or a saved draft), read back from its bytes as any
    stored message is: its snippet, attachment mark and words for search. Call on a worker thread."""
    return new_message(read_envelope(built.raw), built.raw, flags)


def built_with_row(draft: Draft) -> tuple[BuiltMessage, NewMessage]:
    """The draft's bytes and their list row (`row_of_built`: it goes to the Outbox and then to Sent). Call on a
    worker thread."""
    built = build_message(draft)
    return built, row_of_built(built, Flag.SEEN)


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
    The stored bytes keep every file; those marked for Drive are replaced by links just before sending.
    Returns the outbox id and the built message."""
    settings = await store.drive.settings(account_id)
    built, row = await asyncio.to_thread(built_with_row, draft)
    marked = await asyncio.to_thread(drive_files, draft, settings) if settings.enabled else ()
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
            drive_files=marked,
            row=row,
        )
    )
    return outbox_id, built
