"""iCalendar (RFC 5545) for hearings: CRLF line ends, escaped text, lines folded at 75 octets,
a stable UID per hearing, DTSTAMP and DTSTART in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from hearings.models import Hearing

MAX_OCTETS = 75
STATUS = {
    Hearing.Status.SCHEDULED: "CONFIRMED",
    Hearing.Status.HELD: "CONFIRMED",
    Hearing.Status.POSTPONED: "TENTATIVE",
    Hearing.Status.CANCELLED: "CANCELLED",
}


def ical_escape(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ical_fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never inside a UTF-8 character;
    continuation lines start with one space (which counts toward their 75)."""
    out: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, MAX_OCTETS
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(hearing: Hearing, *, stamp: dt.datetime) -> list[str]:
    url = settings.PORTAL_SITE_URL + hearing.get_absolute_url()
    agenda = "\n".join(f"{item.position}. {item.title}" for item in hearing.items.all())
    description = f"{hearing.body_label}\n\n{agenda}\n\n{url}".strip()
    host = settings.PORTAL_SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    lines = [
        "BEGIN:VEVENT",
        f"UID:hearing-{hearing.pk}@{host}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(hearing.starts_at)}",
        f"LAST-MODIFIED:{_utc(hearing.updated_at)}",
        f"SUMMARY:{ical_escape(hearing.title)}",
        f"DESCRIPTION:{ical_escape(description)}",
        f"URL:{url}",
        f"STATUS:{STATUS.get(hearing.status, 'CONFIRMED')}",
    ]
    if hearing.location:
        lines.append(f"LOCATION:{ical_escape(hearing.location)}")
    lines.append("END:VEVENT")
    return lines


def calendar_build(
    hearings: Iterable[Hearing], *, name: str, now: dt.datetime | None = None
) -> str:
    """A VCALENDAR with one VEVENT per hearing."""
    stamp = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ALPR Transparency Portal//Hearings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(name)}",
    ]
    for hearing in hearings:
        lines.extend(_event(hearing, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)
