"""The attachments bar's blocking work, Qt-free: check every attachment of a message, and save them all.

`check_parts` extracts each part once, sniffs and judges it (`attachment_safety`) and reads invitations
(`calendar`); `save_parts` writes a message's attachments into a folder without replacing anything.
Both block: the UI calls them with `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from realmail_desktop.mail.attachment_safety import SafetyVerdict, judge_attachment
from realmail_desktop.mail.calendar import Invitation, read_invitation
from realmail_desktop.mail.filenames import write_new_file
from realmail_desktop.mail.message import attachment_payloads
from realmail_desktop.mail.mime import AttachmentInfo

# Parts up to this size stay in memory after the check, so Open, Save and drag-out need no second read.
KEEP_IN_MEMORY = 32 * 1024 * 1024
UNNAMED = "Unnamed attachment"


@dataclass(frozen=True, slots=True)
class CheckedPart:
    """One attachment after the off-thread check (Qt-free): its verdict, and what it can show."""

    part_id: str
    payload: bytes | None  # None when too big to keep (read again on use) or missing from the message
    verdict: SafetyVerdict
    invitation: Invitation | None


def is_invitation(info: AttachmentInfo) -> bool:
    return info.content_type == "text/calendar" or info.filename.lower().endswith((".ics", ".ical", ".vcs"))


def save_parts(
    folder: Path, attachments: Sequence[AttachmentInfo], kept: dict[str, bytes], raw: bytes | None
) -> list[Path]:
    """Write each attachment into `folder` as a new file (blocking); parts not in `kept` are read from `raw`."""
    missing = [info.part_id for info in attachments if info.part_id not in kept]
    extracted = attachment_payloads(raw, missing) if raw is not None and missing else iter(())
    saved = []
    for info in attachments:
        data = kept.get(info.part_id)
        if data is None:
            data = next(extracted, ("", None))[1] or b""
        saved.append(write_new_file(folder, info.filename or UNNAMED, data))
    return saved


def check_parts(raw: bytes, attachments: Sequence[AttachmentInfo]) -> list[CheckedPart]:
    """Extract, sniff and judge each attachment; read invitations (blocking: call it in a worker thread)."""
    checked = []
    payloads = attachment_payloads(raw, [info.part_id for info in attachments])
    for info, (_part_id, found) in zip(attachments, payloads, strict=True):
        data = found or b""
        verdict = judge_attachment(data, info.filename, info.content_type)
        invitation = read_invitation(data) if is_invitation(info) else None
        kept = data if len(data) <= KEEP_IN_MEMORY else None
        checked.append(CheckedPart(info.part_id, kept, verdict, invitation))
    return checked
