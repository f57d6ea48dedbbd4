"""Calendar invitations read into what the reader shows: when (in the person's zone), where, who, how often."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from realmail_desktop.mail.calendar import Participant, read_invitation, recurrence_words

BERLIN = ZoneInfo("Europe/Berlin")

REQUEST = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example Corp//Outlook//EN\r
METHOD:REQUEST\r
BEGIN:VEVENT\r
UID:budget-review@example.com\r
SUMMARY:Budget review\r
DTSTART;TZID=America/New_York:20240305T090000\r
DTEND;TZID=America/New_York:20240305T100000\r
RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10\r
LOCATION:Room 4\\, second floor\r
ORGANIZER;CN=Alice Smith:mailto:alice@example.com\r
ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bob@example.org\r
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:carol@example.net\r
ATTENDEE;CN="Dave D";PARTSTAT=DECLINED:mailto:dave@example.net\r
END:VEVENT\r
END:VCALENDAR\r
"""

ALL_DAY = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:offsite@example.com\r
SUMMARY:Team offsite\r
DTSTART;VALUE=DATE:20240301\r
DTEND;VALUE=DATE:20240303\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_request_with_a_time_zone_is_shown_in_local_time() -> None:
    invitation = read_invitation(REQUEST, BERLIN)
    assert invitation is not None
    assert (invitation.method, invitation.heading, invitation.title) == ("REQUEST", "Invitation", "Budget review")
    # 09:00 in New York on 5 March 2024 (EST, UTC-5) is 15:00 in Berlin (CET, UTC+1).
    assert invitation.start == datetime(2024, 3, 5, 15, 0, tzinfo=BERLIN)
    assert invitation.when_text() == "Tuesday 5 March 2024, 15:00 – 16:00 (CET)"
    assert invitation.location == "Room 4, second floor"
    assert invitation.organizer == Participant("Alice Smith", "alice@example.com")
    assert [(a.display(), a.status) for a in invitation.attendees] == [
        ("Bob <bob@example.org>", "accepted"),
        ("carol@example.net", "has not answered"),
        ("Dave D <dave@example.net>", "declined"),
    ]
    assert invitation.recurrence == "Every week on Tuesday and Thursday, 10 times"
    assert not invitation.all_day and not invitation.cancelled


def test_an_all_day_event_stays_a_date() -> None:
    invitation = read_invitation(ALL_DAY, BERLIN)
    assert invitation is not None
    assert invitation.all_day and invitation.start == date(2024, 3, 1)
    # DTEND of an all-day event is exclusive: the offsite is on the 1st and the 2nd.
    assert invitation.when_text() == "Friday 1 March 2024 – Saturday 2 March 2024 (all day)"
    assert invitation.method == "PUBLISH" and invitation.recurrence == "" and invitation.attendees == ()


def test_a_cancellation_says_so() -> None:
    invitation = read_invitation(REQUEST.replace(b"METHOD:REQUEST", b"METHOD:CANCEL"), BERLIN)
    assert invitation is not None and invitation.cancelled and invitation.heading == "Cancelled"


def test_a_utc_time_and_a_duration() -> None:
    data = ALL_DAY.replace(
        b"DTSTART;VALUE=DATE:20240301\r\nDTEND;VALUE=DATE:20240303", b"DTSTART:20240701T080000Z\r\nDURATION:PT90M"
    )
    invitation = read_invitation(data, BERLIN)
    assert invitation is not None
    assert invitation.when_text() == "Monday 1 July 2024, 10:00 – 11:30 (CEST)"


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({"FREQ": ["DAILY"]}, "Every day"),
        ({"FREQ": ["WEEKLY"], "INTERVAL": [2], "BYDAY": ["MO"]}, "Every 2 weeks on Monday"),
        ({"FREQ": ["MONTHLY"], "UNTIL": [date(2024, 12, 31)]}, "Every month, until Tuesday 31 December 2024"),
        ({"FREQ": ["MONTHLY"], "BYSETPOS": [-1], "BYDAY": ["FR"]}, "Repeats (custom rule)"),
        ({"FREQ": ["WEEKLY"], "BYDAY": ["1MO"]}, "Repeats (custom rule)"),
    ],
)
def test_recurrence_in_words(rule: dict[str, list[object]], words: str) -> None:
    assert recurrence_words(rule) == words


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"garbage",
        b"\xff\xfe\x00B\x00E",
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",  # no event
        b"BEGIN:VCARD\r\nFN:Bob\r\nEND:VCARD\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" * 50,
    ],
)
def test_junk_gives_none(junk: bytes) -> None:
    assert read_invitation(junk, BERLIN) is None


def test_broken_dates_still_give_a_summary_without_a_time() -> None:
    data = ALL_DAY.replace(b"DTSTART;VALUE=DATE:20240301", b"DTSTART:notadate")
    invitation = read_invitation(data, BERLIN)
    assert invitation is not None and invitation.title == "Team offsite" and invitation.when_text() == ""
