"""Exporting a folder as an mbox file, a Maildir or a folder of .eml files, from a worker thread."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from realmail_desktop.core.errors import ExportFailedError, NotFoundError
from realmail_desktop.core.events import EventBus, TaskFinished, TaskProgress, new_task_id
from realmail_desktop.core.logs import get_logger
from realmail_desktop.ingest import flags_of
from realmail_desktop.mail.eml_files import write_eml_files
from realmail_desktop.mail.maildir import write_maildir
from realmail_desktop.mail.mbox import write_mbox
from realmail_desktop.mail.sources import SourceMessage
from realmail_desktop.store import Store, StoreReader

_log = get_logger("transfer")
_PROGRESS_EVERY = 200


class ExportFormat(StrEnum):
    MBOX = "mbox"
    MAILDIR = "maildir"
    EML = "eml"


@dataclass(frozen=True, slots=True)
class ExportReport:
    exported: int
    skipped: int
    destination: Path


def export_target(destination: Path, folder_name: str, fmt: ExportFormat) -> Path:
    """Where the export goes: an mbox into an existing directory becomes `<dir>/<folder>.mbox`."""
    if fmt is ExportFormat.MBOX and destination.is_dir():
        safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in folder_name).strip() or "folder"
        return destination / f"{safe}.mbox"
    return destination


async def export_folder(
    store: Store, bus: EventBus, folder_id: int, destination: Path, fmt: ExportFormat
) -> ExportReport:
    folder = store.reader.folder(folder_id)
    if folder is None:
        raise NotFoundError("That folder no longer exists.")
    target = export_target(destination, folder.name, fmt)
    task_id = new_task_id()
    label = f"Exporting {folder.path}"
    total = folder.total_count
    skipped = 0

    def messages(reader: StoreReader) -> Iterator[SourceMessage]:
        nonlocal skipped
        for done, message_id in enumerate(reader.folder_message_ids(folder_id), start=1):
            summary = reader.message(message_id)
            raw = reader.raw_message(message_id)
            if summary is None or raw is None:  # headers-only message (body never downloaded)
                skipped += 1
                continue
            flags = flags_of(
                summary.is_seen,
                summary.is_flagged,
                summary.is_answered,
                summary.is_forwarded,
                summary.is_draft,
            )
            yield SourceMessage(raw=raw, flags=flags, received_at=summary.date, origin=f"message {message_id}")
            if done % _PROGRESS_EVERY == 0:
                bus.publish(TaskProgress(task_id, label, done, total))

    def write(reader: StoreReader) -> int:
        if fmt is ExportFormat.MBOX:
            return write_mbox(target, messages(reader))
        if fmt is ExportFormat.MAILDIR:
            return write_maildir(target, messages(reader))
        return write_eml_files(target, messages(reader))

    try:
        exported = await store.read(write)
    except OSError as exc:
        raise ExportFailedError(
            f"Could not write to {target}: {exc.strerror or exc}.",
            hint="Choose another place or free some space.",
        ) from exc
    report = ExportReport(exported, skipped, target)
    summary = f"{folder.path}: {exported:,} exported to {target}"
    if skipped:
        summary += f" ({skipped:,} without a local body skipped)"
    _log.info("export: %s", summary)
    bus.publish(TaskFinished(task_id, label, summary))
    return report
