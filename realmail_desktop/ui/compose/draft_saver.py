"""DraftSaver: one composer's draft in the store — saves replace the previous one, never two at once.

A save builds the bytes (Bcc kept) and the store row in a worker thread, then `store.drafts.save` swaps the
rows (store/drafts.py). While a save runs, a new request only marks the draft `dirty`: the composer's next
autosave tick saves what changed meanwhile, so saves never overlap and the last one always wins.

Signals: saved(int message row).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal

from realmail_desktop.ingest.outgoing import row_of_built
from realmail_desktop.mail.compose import BuiltMessage, Draft, build_message
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import DraftOrigin, Identity, NewMessage, Store
from realmail_desktop.ui.ops import Ops


def draft_row_of(built: BuiltMessage) -> NewMessage:
    """The store row of a saved draft (read back like any message; flagged \\Draft and seen)."""
    return row_of_built(built, Flag.SEEN | Flag.DRAFT)


class DraftSaver(QObject):
    saved = Signal(int)

    def __init__(
        self,
        store: Store,
        ops: Ops,
        *,
        row: int | None,
        answers: int | None,
        forwards: tuple[int, ...],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._ops = ops
        self._answers = answers
        self._forwards = forwards
        self.row = row  # the draft's current row in Drafts (None: never saved)
        self.dirty = False  # changed since the last save started
        self._task: asyncio.Task[None] | None = None

    @property
    def saving(self) -> bool:
        return self._task is not None

    def save(self, draft: Draft, identity: Identity) -> asyncio.Task[None]:
        """Save `draft` now, or — while a save runs — mark it to be saved at the next request."""
        if self._task is not None:
            self.dirty = True
            return self._task
        self.dirty = False
        task = self._ops.run(self._save(draft, identity), label="Save draft")
        self._task = task
        task.add_done_callback(lambda _t: setattr(self, "_task", None))
        return task

    async def settle(self) -> None:
        """Until the save in progress (if any) has ended."""
        if self._task is not None:
            await asyncio.wait({self._task})

    async def save_last(self, draft: Draft, identity: Identity) -> None:
        """On close: after the running save, save once more if anything changed meanwhile."""
        await self.settle()
        if self.dirty:
            self.dirty = False
            await self._save(draft, identity)

    async def discard(self) -> None:
        """Delete the saved draft (sent, or thrown away); the server's copy follows."""
        await self.settle()
        if self.row is not None:
            row, self.row = self.row, None
            await self._store.drafts.discard(row)

    async def _save(self, draft: Draft, identity: Identity) -> None:
        folder = self._store.reader.drafts.drafts_folder(identity.account_id)
        if folder is None:
            return
        built = await asyncio.to_thread(build_message, draft, keep_bcc=True)
        message = await asyncio.to_thread(draft_row_of, built)
        origin = DraftOrigin(answers=self._answers, forwards=self._forwards, identity_id=identity.id)
        self.row, _changes = await self._store.drafts.save(folder, message, origin, replaces=self.row)
        self.saved.emit(self.row)
