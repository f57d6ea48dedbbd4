"""Group commit of what the SMTP server acknowledged: each acknowledgement waits only for the write in
progress, then all that arrived meanwhile are recorded in one transaction (one fsync for many messages)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

from realmail_desktop.store import Acknowledged

Write = Callable[[Sequence[Acknowledged]], Awaitable[None]]


class AcknowledgementLog:
    """`await log.record(ack)` returns once `ack` is committed. Its write runs on a task of its own, so a
    sender cancelled while waiting (the app quits) never loses an acknowledgement: `drain()` waits for it."""

    def __init__(self, write: Write) -> None:
        self._write = write
        self._pending: list[tuple[Acknowledged, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, ack: Acknowledged) -> None:
        await asyncio.shield(self.submit(ack))

    def submit(self, ack: Acknowledged) -> asyncio.Future[None]:
        """Hand `ack` in without waiting: the returned future is done once it is committed (or its write
        failed). Await it through `asyncio.shield`: cancelling the waiter must not cancel the record."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((ack, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._flush(), name="outbox acknowledgements")
        return done

    async def drain(self) -> None:
        """Until every acknowledgement handed in so far is written (or its write failed)."""
        while self._writer is not None and not self._writer.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._writer)

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write([ack for ack, _ in batch])
            except Exception as exc:  # each waiting sender hears of it (a bug, or the store failing)
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                        done.exception()  # retrieved here too: a sender cancelled meanwhile no longer awaits it
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
