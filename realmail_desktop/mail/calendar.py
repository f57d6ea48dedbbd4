"""Calendar invitations (.ics, RFC 5545 / iTIP RFC 5546) read into a summary the reader shows: what, when, where, who.

`read_invitation` takes the bytes of a text/calendar part or an .ics attachment and never raises: junk gives None.
Times are converted to the person's time zone (`local_zone`, default the system's); an all-day event stays a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from realmail_desktop.core.logs import get_logger

_log = get_logger("mail")

_STATUS_WORDS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "maybe",
    "DELEGATED": "delegated",
    "NEEDS-ACTION": "has not answered",
}
_METHOD_WORDS = {
    "REQUEST": "Invitation",
    "CANCEL": "Cancelled",
    "REPLY": "Reply",
    "PUBLISH": "Event",
    "COUNTER": "New time proposed",
    "REFRESH": "Update requested",
    "ADD": "Invitation",
    "DECLINECOUNTER": "Proposal declined",
}
_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday",
         "SU": "Sunday"}  # fmt: skip
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
# Parts of an RRULE we can say in words; anything else reads as "Repeats (custom rule)".
_SIMPLE_RULE = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"})
# A card, not a document: hostile invitations can carry megabytes in one field.
MAX_ATTENDEES = 200
MAX_FIELD = 500


@dataclass(frozen=True, slots=True)
class Participant:
    """An organizer or attendee; `status` in words ("accepted", "has not answered"…), "" for the organizer."""

    name: str
    address: str
    status: str = ""

    def display(self) -> str:
        if self.name and self.address and self.name != self.address:
            return f"{self.name} <{self.address}>"
        return self.name or self.address


@dataclass(frozen=True, slots=True)
class Invitation:
    """One event of an .ics: `start`/`end` are local datetimes, or dates for an all-day event."""

    method: str
    title: str
    start: datetime | date | None
    end: datetime | date | None
    location: str
    organizer: Participant | None
    attendees: tuple[Participant, ...]
    recurrence: str
    description: str = ""

    @property
    def all_day(self) -> bool:
        return isinstance(self.start, date) and not isinstance(self.start, datetime)

    @property
    def heading(self) -> str:
        """ "Invitation", "Cancelled", "Reply"…: what the message asks of the person."""
        return _METHOD_WORDS.get(self.method, "Event")

    @property
    def cancelled(self) -> bool:
        return self.method == "CANCEL"

    def when_text(self) -> str:
        """ "Tuesday 5 March 2024, 15:00 – 16:00 (CET)" or "Friday 1 March 2024 (all day)"."""
        start, end = self.start, self.end
        if start is None:
            return ""
        if not isinstance(start, datetime):
            last = end - timedelta(days=1) if isinstance(end, date) and not isinstance(end, datetime) else None
            text = _day(start)
            if last is not None and last > start:
                text = f"{text} – {_day(last)}"
            return f"{text} (all day)"
        zone = start.strftime("%Z")
        text = f"{_day(start.date())}, {start:%H:%M}"
        if isinstance(end, datetime):
            text += f" – {end:%H:%M}" if end.date() == start.date() else f" – {_day(end.date())}, {end:%H:%M}"
        return f"{text} ({zone})" if zone else text


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _participant(value: Any, *, with_status: bool) -> Participant:
    params = getattr(value, "params", {}) or {}
    address = str(value)
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:") :]
    status = _STATUS_WORDS.get(str(params.get("PARTSTAT", "NEEDS-ACTION")).upper(), "") if with_status else ""
    return Participant(str(params.get("CN", "")).strip().strip('"'), address.strip(), status)


def _local(moment: Any, zone: tzinfo | None) -> datetime | date | None:
    if isinstance(moment, datetime):
        # A floating time (no TZID, no Z) means "this time wherever you are" (RFC 5545 3.3.5).
        return moment.astimezone(zone) if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    if isinstance(moment, date):
        return moment
    return None


def _moment(component: Any, name: str) -> Any:
    prop = component.get(name)
    try:
        return getattr(prop, "dt", None)
    except Exception:  # icalendar keeps an unreadable value as a "broken" property that raises on access
        return None


def recurrence_words(rule: dict[str, list[Any]]) -> str:
    """An RRULE in words: "Every 2 weeks on Monday and Wednesday, 10 times"; "" when it does not repeat."""
    if not rule:
        return ""
    freq = str(rule.get("FREQ", [""])[0]).upper()
    if freq not in _UNITS or not set(rule) <= _SIMPLE_RULE:
        return "Repeats (custom rule)"
    interval = int(rule.get("INTERVAL", [1])[0] or 1)
    unit = _UNITS[freq]
    text = f"Every {unit}" if interval == 1 else f"Every {interval} {unit}s"
    days = [str(day).upper() for day in rule.get("BYDAY", [])]
    if days:
        if not all(day in _DAYS for day in days):
            return "Repeats (custom rule)"
        names = [_DAYS[day] for day in days]
        text += " on " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])
    if "COUNT" in rule:
        text += f", {int(rule['COUNT'][0])} times"
    elif "UNTIL" in rule:
        until = rule["UNTIL"][0]
        text += f", until {_day(until.date() if isinstance(until, datetime) else until)}"
    return text


def _invitation(calendar: Any, zone: tzinfo | None) -> Invitation | None:
    events = list(calendar.walk("VEVENT"))
    if not events:
        return None
    # The master event comes first; later ones with RECURRENCE-ID are exceptions to it.
    event = next((e for e in events if e.get("RECURRENCE-ID") is None), events[0])
    start = _local(_moment(event, "DTSTART"), zone)
    end = _local(_moment(event, "DTEND"), zone)
    if end is None and start is not None:
        duration = _moment(event, "DURATION")
        if isinstance(duration, timedelta):
            end = start + duration
    organizer = event.get("ORGANIZER")
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    rule = event.get("RRULE")
    return Invitation(
        method=_text(calendar.get("METHOD")).upper() or "PUBLISH",
        title=_text(event.get("SUMMARY"))[:MAX_FIELD] or "(no title)",
        start=start,
        end=end,
        location=_text(event.get("LOCATION"))[:MAX_FIELD],
        organizer=_participant(organizer, with_status=False) if organizer is not None else None,
        attendees=tuple(_participant(a, with_status=True) for a in attendees[:MAX_ATTENDEES]),
        recurrence=recurrence_words(dict(rule)) if rule is not None else "",
        description=_text(event.get("DESCRIPTION"))[:2000],
    )


def read_invitation(data: bytes, local_zone: tzinfo | None = None) -> Invitation | None:
    """The first event of an .ics as an `Invitation`, or None when the bytes are not a usable calendar."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
        if getattr(calendar, "name", "") != "VCALENDAR":
            return None
        return _invitation(calendar, local_zone)
    except Exception:  # icalendar raises ValueError, KeyError, TypeError… on hostile input
        _log.debug("could not read a %d-byte calendar", len(data), exc_info=True)
        return None
