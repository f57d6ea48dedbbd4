"""Which new mail gets a notification, and what it says — decided without Qt, so without a tray host."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, time, timedelta

from realmail_desktop.store import FolderRole
from realmail_desktop.ui.desktop.notify_policy import (
    NewMail,
    NotifyRules,
    Viewing,
    badge_text,
    in_quiet_hours,
    notification_for,
)

NOON = datetime(2026, 3, 5, 12, 0)
INBOX, JUNK, OTHER = 1, 2, 3


def arrived(n: int, folder: int = INBOX, role: FolderRole | None = FolderRole.INBOX, **kw: object) -> list[NewMail]:
    return [
        NewMail(
            message_id=100 + i, folder_id=folder, folder_role=role, sender=f"Sender {i}", subject=f"Subject {i}", **kw
        )  # type: ignore[arg-type]
        for i in range(n)
    ]


def test_policy_and_settings_stay_free_of_qt() -> None:
    # In a fresh interpreter: pytest-qt has loaded PySide6 in this one.
    check = (
        "import sys, realmail_desktop.ui.desktop.notify_policy, realmail_desktop.ui.desktop.desktop_settings;"
        "sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", check], check=False).returncode == 0


def test_one_message_names_its_sender_and_subject_and_opens_it() -> None:
    note = notification_for(arrived(1), NotifyRules(), Viewing(), now=NOON)
    assert note is not None
    assert (note.title, note.body, note.message_id, note.count) == ("Sender 0", "Subject 0", 100, 1)


def test_a_few_are_listed_and_many_are_grouped() -> None:
    few = notification_for(arrived(3), NotifyRules(group_above=3), Viewing(), now=NOON)
    assert few is not None and few.title == "3 new messages" and few.count == 3
    assert few.body.splitlines() == ["Sender 0: Subject 0", "Sender 1: Subject 1", "Sender 2: Subject 2"]
    assert few.message_id == 102  # the newest
    many = notification_for(arrived(12), NotifyRules(group_above=3), Viewing(), now=NOON)
    assert many is not None and many.title == "12 new messages" and many.count == 12
    assert many.message_id is None  # a click opens the Inbox, not one of twelve
    assert many.body == "From Sender 0, Sender 1, Sender 2 and others"


def test_none_for_junk_trash_sent_drafts_and_mail_already_read() -> None:
    for role in (FolderRole.JUNK, FolderRole.TRASH, FolderRole.SENT, FolderRole.DRAFTS):
        assert notification_for(arrived(2, JUNK, role), NotifyRules(), Viewing(), now=NOON) is None
    assert notification_for(arrived(2, is_seen=True), NotifyRules(), Viewing(), now=NOON) is None
    mixed = arrived(1) + arrived(1, JUNK, FolderRole.JUNK)
    note = notification_for(mixed, NotifyRules(), Viewing(), now=NOON)
    assert note is not None and note.count == 1  # the junk one does not count


def test_none_for_the_folder_the_person_is_looking_at() -> None:
    looking = Viewing(frozenset({INBOX}), window_active=True)
    assert notification_for(arrived(2), NotifyRules(), looking, now=NOON) is None
    # Listed but the window is in the background: they are not looking.
    assert notification_for(arrived(2), NotifyRules(), Viewing(frozenset({INBOX}), False), now=NOON) is not None
    # Looking at another folder.
    assert notification_for(arrived(2), NotifyRules(), Viewing(frozenset({OTHER}), True), now=NOON) is not None


def test_quiet_hours_including_across_midnight() -> None:
    night = NotifyRules(quiet_from=time(22, 0), quiet_to=time(7, 0))
    assert notification_for(arrived(1), night, Viewing(), now=NOON) is not None
    assert notification_for(arrived(1), night, Viewing(), now=NOON.replace(hour=23)) is None
    assert notification_for(arrived(1), night, Viewing(), now=NOON.replace(hour=6, minute=59)) is None
    assert notification_for(arrived(1), night, Viewing(), now=NOON.replace(hour=7)) is not None
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(14, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(3, 0), time(5, 0), time(5, 0))  # equal ends: no quiet hours
    assert not in_quiet_hours(time(3, 0), None, time(5, 0))


def test_paused_and_switched_off() -> None:
    assert (
        notification_for(arrived(1), NotifyRules(), Viewing(), now=NOON, paused_until=NOON + timedelta(hours=1)) is None
    )
    assert notification_for(arrived(1), NotifyRules(), Viewing(), now=NOON, paused_until=NOON) is not None  # over
    assert notification_for(arrived(1), NotifyRules(enabled=False), Viewing(), now=NOON) is None
    assert notification_for([], NotifyRules(), Viewing(), now=NOON) is None


def test_badge_text() -> None:
    assert [badge_text(n) for n in (-1, 0, 1, 99, 100, 5000)] == ["", "", "1", "99", "99+", "99+"]
