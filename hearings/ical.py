"""iCalendar (RFC 5545) for hearings, written by the icalendar library: CRLF line ends, escaped
text, lines folded at 75 octets, a stable UID per hearing, DTSTAMP and DTSTART in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from hearings.models import Hearing

# Keyed by str: a hearing's status field reads back as plain text.
STATUS: dict[str, str] = {
    Hearing.Status.SCHEDULED: "CONFIRMED",
    Hearing.Status.HELD: "CONFIRMED",
    Hearing.Status.POSTPONED: "TENTATIVE",
    Hearing.Status.CANCELLED: "CANCELLED",
}


class _Text(vText):
    """TEXT that keeps a typed backslash-N as typed."""

    def to_ical(self) -> bytes:
        # icalendar's escaping takes a literal "\N" for an already escaped line break, so
        # "C:\New" would arrive as "C:" and a new line "ew"; escaping around it keeps it.
        parts = str(self).split("\\N")
        return "\\\\N".join(vText(part).to_ical().decode() for part in parts).encode()


def _utc(value: dt.datetime) -> dt.datetime:
    # UTC times need no VTIMEZONE; seconds are what RFC 5545 DATE-TIME carries.
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _event(hearing: Hearing, *, stamp: dt.datetime, host: str) -> Event:
    url = settings.PORTAL_SITE_URL + hearing.get_absolute_url()
    agenda = "\n".join(f"{item.position}. {item.title}" for item in hearing.items.all())
    description = f"{hearing.body_label}\n\n{agenda}\n\n{url}".strip()
    event = Event()
    event.add("uid", f"hearing-{hearing.pk}@{host}")
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(hearing.starts_at))
    event.add("last-modified", _utc(hearing.updated_at))
    event.add("summary", _Text(hearing.title))
    event.add("description", _Text(description))
    event.add("url", url)
    event.add("status", STATUS.get(hearing.status, "CONFIRMED"))
    if hearing.location:
        event.add("location", _Text(hearing.location))
    return event


def calendar_build(
    hearings: Iterable[Hearing], *, name: str, now: dt.datetime | None = None
) -> str:
    """A VCALENDAR with one VEVENT per hearing."""
    stamp = now or timezone.now()
    host = settings.PORTAL_SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//ALPR Transparency Portal//Hearings//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar writes unknown X- properties raw: the calendar's name is TEXT, so escape it.
    calendar.add("x-wr-calname", _Text(name))
    for hearing in hearings:
        calendar.add_component(_event(hearing, stamp=stamp, host=host))
    # Properties in the order written (the library would sort them otherwise).
    return calendar.to_ical(sorted=False).decode("utf-8")
