"""Remote-content trust: the senders whose mail may load remote images and styles ("Always for this sender")."""

from __future__ import annotations

import time

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database


def normalize_sender(address: str) -> str:
    """The form addresses are stored and looked up in: trimmed, lower-cased ("" for no usable address)."""
    address = address.strip().lower()
    return address if "@" in address else ""


class RemoteContentTrust:
    """Writes of the `remote_content_trust` table; `StoreReader.trusts_remote_content` reads it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def trust(self, address: str, *, when: int | None = None) -> Changes:
        """Remember that `address`'s mail may load remote content (no-op for an address without "@")."""
        sender = normalize_sender(address)
        if sender:
            async with self._db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO remote_content_trust (address, trusted_at) VALUES (?, ?)"
                    " ON CONFLICT (address) DO NOTHING",
                    (sender, int(time.time()) if when is None else when),
                )
        return Changes()  # no list or count shows trust; the reader re-renders the message itself

    async def distrust(self, address: str) -> Changes:
        """Forget `address`: its remote content is blocked again."""
        sender = normalize_sender(address)
        if sender:
            async with self._db.transaction() as tx:
                await tx.execute("DELETE FROM remote_content_trust WHERE address = ?", (sender,))
        return Changes()
