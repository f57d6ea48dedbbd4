"""Importing a mail source into one folder: batched, deduplicated by Message-ID, never aborted half-way.

Reading and parsing run in a worker thread one batch ahead of the store's writes, so the two overlap.
Each batch is one transaction: a crash or a full disk leaves whole messages or none, never half a row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from realmail_desktop.core.events import EventBus, TaskFinished, TaskProgress, new_task_id
from realmail_desktop.core.logs import get_logger
from realmail_desktop.ingest import new_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.sources import MailSource, SkippedItem, SourceItem
from realmail_desktop.store import NewMessage, Store

_log = get_logger("transfer")
BATCH_SIZE = 500
MAX_PROBLEMS_KEPT = 50


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    skipped: int
    duplicates: int
    problems: tuple[str, ...]

    def summary(self) -> str:
        parts = [f"{self.imported:,} imported"]
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already there")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped (see the log)")
        return ", ".join(parts)


@dataclass(slots=True)
class _Batch:
    messages: list[NewMessage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    items: int = 0
    exhausted: bool = False


def _read_batch(items: Iterator[SourceItem], size: int) -> _Batch:
    batch = _Batch()
    try:
        for item in islice(items, size):
            batch.items += 1
            if isinstance(item, SkippedItem):
                batch.problems.append(f"{item.origin}: {item.reason}")
                continue
            envelope = read_envelope(item.raw, fallback_date=item.received_at)
            batch.messages.append(new_message(envelope, item.raw, item.flags))
    except OSError as exc:  # the archive became unreadable mid-way: keep what was read
        _log.warning("import: reading stopped: %s", exc.strerror or exc)
        batch.problems.append(f"reading stopped: {exc.strerror or exc}")
        batch.exhausted = True
    if batch.items < size:
        batch.exhausted = True
    return batch


async def import_source(store: Store, bus: EventBus, source: MailSource, folder_id: int, label: str) -> ImportReport:
    """Import every readable message of `source` into `folder_id`, publishing progress as it goes."""
    task_id = new_task_id()
    total = source.estimate_count() or 0
    known = await store.read(lambda reader: reader.message_id_headers(folder_id))
    imported = skipped = duplicates = done = 0
    problems: list[str] = []
    items = iter(source)
    pending: asyncio.Future[_Batch] | None = asyncio.ensure_future(asyncio.to_thread(_read_batch, items, BATCH_SIZE))
    try:
        while pending is not None:
            batch = await pending
            pending = (
                None if batch.exhausted else asyncio.ensure_future(asyncio.to_thread(_read_batch, items, BATCH_SIZE))
            )
            fresh: list[NewMessage] = []
            for message in batch.messages:
                if message.message_id and message.message_id in known:
                    duplicates += 1
                    continue
                if message.message_id:
                    known.add(message.message_id)
                fresh.append(message)
            if fresh:
                await store.messages.add(folder_id, fresh)
                await store.contacts.learn(
                    ((m.sender_name, m.sender_address) for m in fresh if m.sender_address),
                    max(m.date for m in fresh),
                )
            imported += len(fresh)
            skipped += len(batch.problems)
            problems.extend(batch.problems[: max(0, MAX_PROBLEMS_KEPT - len(problems))])
            done += batch.items
            bus.publish(TaskProgress(task_id, f"Importing {label}", done, max(total, done)))
    finally:
        if pending is not None:
            pending.cancel()
    report = ImportReport(imported, skipped, duplicates, tuple(problems))
    _log.info("import %s: %s", label, report.summary())
    bus.publish(TaskFinished(task_id, f"Importing {label}", f"{label}: {report.summary()}", report.problems))
    return report
