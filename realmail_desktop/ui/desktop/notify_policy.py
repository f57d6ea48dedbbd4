"""Which new mail deserves a notification and what it says (Qt-free: tested without a tray host).

None for mail the person is already looking at (its folder is listed and the window is active), for Junk,
Trash, Sent and Drafts, for mail already read elsewhere, during quiet hours and while paused; several new
messages at once become one grouped notification ("12 new messages").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from realmail_desktop.store import FolderRole

SILENT_ROLES = frozenset({FolderRole.JUNK, FolderRole.TRASH, FolderRole.SENT, FolderRole.DRAFTS})


@dataclass(frozen=True, slots=True)
class NewMail:
    """One message that just arrived, as the notification decision needs it."""

    message_id: int
    folder_id: int
    folder_role: FolderRole | None
    sender: str
    subject: str
    is_seen: bool = False


@dataclass(frozen=True, slots=True)
class NotifyRules:
    """The person's notification settings (Settings ▸ Notifications)."""

    enabled: bool = True
    quiet_from: time | None = None  # quiet hours; they may wrap midnight (22:00 → 07:00)
    quiet_to: time | None = None
    group_above: int = 3  # more new messages than this at once: one "N new messages" notification


@dataclass(frozen=True, slots=True)
class Viewing:
    """What the person has on screen: the folders the list shows, and whether the window is active."""

    folder_ids: frozenset[int] = frozenset()
    window_active: bool = False


@dataclass(frozen=True, slots=True)
class Notification:
    """What to show: a click opens `message_id` (None for a group: the window opens on its Inbox)."""

    title: str
    body: str
    message_id: int | None
    count: int


def in_quiet_hours(now: time, start: time | None, end: time | None) -> bool:
    """Whether `now` lies in [start, end): a span that ends before it starts wraps midnight; equal ends: none."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def worth_notifying(mail: NewMail, viewing: Viewing) -> bool:
    """Unread mail outside Junk/Trash/Sent/Drafts, in a folder the person is not looking at right now."""
    if mail.is_seen or mail.folder_role in SILENT_ROLES:
        return False
    return not (viewing.window_active and mail.folder_id in viewing.folder_ids)


def notification_for(
    arrived: Sequence[NewMail],
    rules: NotifyRules,
    viewing: Viewing,
    *,
    now: datetime,
    paused_until: datetime | None = None,
) -> Notification | None:
    """The one notification for mail that arrived together, or None when nothing should be shown."""
    if not rules.enabled or (paused_until is not None and now < paused_until):
        return None
    if in_quiet_hours(now.time(), rules.quiet_from, rules.quiet_to):
        return None
    wanted = [mail for mail in arrived if worth_notifying(mail, viewing)]
    if not wanted:
        return None
    if len(wanted) == 1:
        mail = wanted[0]
        return Notification(mail.sender or "(unknown sender)", mail.subject or "(no subject)", mail.message_id, 1)
    if len(wanted) <= rules.group_above:  # a few: each on its line; a click opens the newest
        lines = "\n".join(f"{m.sender or '(unknown sender)'}: {m.subject or '(no subject)'}" for m in wanted)
        return Notification(f"{len(wanted)} new messages", lines, wanted[-1].message_id, len(wanted))
    senders = list(dict.fromkeys(m.sender for m in wanted if m.sender))
    shown = ", ".join(senders[:3]) + (" and others" if len(senders) > 3 else "")
    return Notification(f"{len(wanted)} new messages", f"From {shown}" if shown else "", None, len(wanted))


def badge_text(unread: int) -> str:
    """What the tray badge shows: nothing for 0, the count up to 99, then "99+"."""
    if unread <= 0:
        return ""
    return str(unread) if unread < 100 else "99+"
