"""Big attachments of an outgoing message as Drive links: `DriveAttachments.prepare(draft)` uploads every file
at or over the account's threshold (shared as its Drive settings say) and returns the draft with a link block
in place of those files — the one call the send path makes before it builds the message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from realmail_desktop.bridges.drive.service import DriveService
from realmail_desktop.bridges.drive.sources import BytesSource
from realmail_desktop.mail.compose import Draft
from realmail_desktop.mail.drive_links import DriveLink, large_attachments, replace_large_attachments
from realmail_desktop.store import DriveSettings, Store

SendProgress = Callable[[str, int, int], None]
"""(file name, bytes Drive has of all the big files, their total size)."""


class DriveAttachments:
    def __init__(self, store: Store, service: DriveService) -> None:
        self._store = store
        self._service = service

    async def settings(self, account_id: int) -> DriveSettings:
        return await self._store.drive.settings(account_id)

    async def links_needed(self, account_id: int, draft: Draft) -> list[int]:
        """Indexes of the draft's files that will go as links ("Will be sent as a Drive link")."""
        settings = await self.settings(account_id)
        return large_attachments(draft, settings.threshold) if settings.enabled else []

    async def prepare(self, account_id: int, draft: Draft, progress: SendProgress | None = None) -> Draft:
        """Upload the big files (resuming sessions kept from an earlier try) and return the draft to build.
        Cancelling stops the upload (its session is kept: sending again resumes it). Raises `DriveError`s."""
        settings = await self.settings(account_id)
        chosen = large_attachments(draft, settings.threshold) if settings.enabled else []
        if not chosen:
            return draft
        total = sum(len(draft.attachments[i].data) for i in chosen)
        recipients = [address.address for address in draft.recipients]
        links: dict[int, DriveLink] = {}
        before = 0
        for index in chosen:
            attachment = draft.attachments[index]
            source = await asyncio.to_thread(
                BytesSource, attachment.filename, attachment.data, mime_type=attachment.content_type
            )

            def on_progress(done: int, _size: int, name: str = attachment.filename, start: int = before) -> None:
                if progress is not None:
                    progress(name, start + done, total)

            links[index] = await self._service.upload(
                account_id, source, sharing=settings.sharing, recipients=recipients, progress=on_progress
            )
            before += len(attachment.data)
        return replace_large_attachments(draft, links)
