"""One audit row in, one normalized search out, or a ``RowError`` saying why not.

The parser reads only the columns the portal keeps. Plates, text prompts and filters are never
read, and the officer name or user id is turned into a keyed hash on the spot, so none of them
reaches the database, the staging tables or a row error's excerpt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.imports import ImportReport
from searches.importers.layouts import Layout
from searches.normalize import (
    is_redacted,
    offense_text,
    reason_key,
    reason_text,
    searcher_hash,
)
from searches.services.scrubbing import scrubber_current

UTC = dt.UTC
REASON_MAX_CHARS = 10_000
SHORT_TEXT_MAX = 40  # Search.search_type and Search.moderation
EXTERNAL_ID_MAX = 64
INT_MAX = 2**31 - 1  # PositiveIntegerField on every backend
NETWORKS = gettext_noop("networks")
DEVICES = gettext_noop("devices")
NULL_COUNTS = frozenset({"", "na", "n/a", "null", "none", "-", "--"})

US_TIME = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4}),?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"\s*([AaPp]\.?[Mm]\.?)?)?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?"
)
ZONE_SUFFIX = re.compile(r"\s*(UTC|GMT)$", re.I)
TIME_FRAME_SPLIT = re.compile(r"\s*(?:\r\n|\n|\r|\s+-\s+|\s+to\s+|\s*\u2013\s*|\s*\u2014\s*)\s*")


class RowError(ValueError):
    """The row cannot be imported; the message says why.

    Messages never quote the row's cells: in a misaligned or garbled row any cell can hold a
    plate or a name, so row errors name the column and the problem only (the line number
    finds the row in the clerk's own copy of the file).
    """


NOT_A_TIME = gettext_lazy("the time is not a date and time in a known format")


def search_time_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(earliest, latest) plausible search time: ``SEARCH_TIME_EARLIEST`` to
    ``SEARCH_TIME_FUTURE_HOURS`` after ``now`` (the import)."""
    earliest = dt.datetime.combine(
        dt.date.fromisoformat(settings.SEARCH_TIME_EARLIEST), dt.time(), tzinfo=UTC
    )
    latest = (now or timezone.now()) + dt.timedelta(hours=settings.SEARCH_TIME_FUTURE_HOURS)
    return earliest, latest


class AuditRow(NamedTuple):
    line: int
    searching_name: str | None  # None: the source agency searched its own data
    searched_at: dt.datetime
    reason: str
    offense: str
    reason_key: str
    case_number_present: bool | None
    networks: int | None
    devices: int | None
    time_frame_start: dt.datetime | None
    time_frame_end: dt.datetime | None
    search_type: str
    moderation: str
    external_id: str
    dedupe_key: str
    searcher_hash: str


def _offset(text: str) -> dt.timezone:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# "MM/DD/YYYY, " of records-request times -> (year, month, day); a month of audits has ~31.
_US_DATES: dict[str, tuple[int, int, int]] = {}


def _fast_us_time(text: str) -> dt.datetime | None:
    """``11/14/2025, 09:53:36 AM UTC``, the one shape of millions of records-request cells,
    read by position; None for any other shape (the general parser then decides)."""
    if len(text) != 27 or text[23:] != " UTC" or text[10:12] != ", " or text[22] != "M":
        return None
    date = _US_DATES.get(text[:10])
    if date is None:
        try:
            date = dt.date(int(text[6:10]), int(text[:2]), int(text[3:5])).timetuple()[:3]
        except ValueError:
            return None
        if len(_US_DATES) > 10_000:
            _US_DATES.clear()
        _US_DATES[text[:10]] = date
    clock = _US_CLOCKS.get(text[12:22])
    if clock is None:
        clock = _us_clock(text[12:22])
        if clock is None:
            return None
        _US_CLOCKS[text[12:22]] = clock  # at most 86,400 of them
    return dt.datetime(*date, *clock, tzinfo=UTC)


# "HH:MM:SS AM" -> (hour, minute, second) on the 24-hour clock.
_US_CLOCKS: dict[str, tuple[int, int, int]] = {}


def _us_clock(text: str) -> tuple[int, int, int] | None:
    hour, minute, second, ampm = text[0:2], text[3:5], text[6:8], text[9]
    if not (hour.isdigit() and minute.isdigit() and second.isdigit()) or text[2] != ":":
        return None
    h, m, sec = int(hour), int(minute), int(second)
    if not 1 <= h <= 12 or m > 59 or sec > 59 or text[5] != ":" or text[8] != " ":
        return None
    if ampm == "P":
        return h % 12 + 12, m, sec
    if ampm == "A":
        return h % 12, m, sec
    return None


def parse_timestamp(value: str) -> dt.datetime:
    """An aware UTC datetime from the ways audits write times; a time without a zone is UTC.

    ``2025-06-18T00:02:04.789Z``, ``2025-06-18 00:02:04.789``, ``11/14/2025, 09:53:36 AM UTC``,
    ``11/14/2025 21:53``. Raises ``RowError`` for anything else.
    """
    fast = _fast_us_time(value)
    if fast is not None:
        return fast
    text = value.strip()
    if not text:
        raise RowError(_("the time is blank"))
    if text[:1].isdigit() and text[4:5] == "-":
        iso = ZONE_SUFFIX.sub("", text) if text[-1:] in "CcTt" else text
        try:
            parsed = dt.datetime.fromisoformat(iso)
        except ValueError:
            raise RowError(NOT_A_TIME) from None
    else:
        match = US_TIME.fullmatch(text)
        if match is None:
            raise RowError(NOT_A_TIME)
        month, day, year, hour, minute, second, fraction, ampm, zone = match.groups()
        hour_n = int(hour or 0)
        if ampm:
            if not 1 <= hour_n <= 12:
                raise RowError(NOT_A_TIME)
            hour_n = hour_n % 12 + (12 if ampm[0] in "Pp" else 0)
        try:
            parsed = dt.datetime(
                int(year),
                int(month),
                int(day),
                hour_n,
                int(minute or 0),
                int(second or 0),
                int((fraction or "0").ljust(6, "0")),
                tzinfo=_offset(zone) if zone and zone[0] in "+-" else UTC,
            )
        except ValueError:
            raise RowError(NOT_A_TIME) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # 0001-01-01 east of UTC or 9999-12-31 west of it has no UTC date: a bad cell, not a
        # failed import.
        raise RowError(NOT_A_TIME) from None


def parse_count(value: str, *, what: str) -> int | None:
    """A whole number (``1,234``, ``7.0``), None when blank or redacted. ``what`` names the
    column in the error message (translated only then)."""
    if value.isdigit():
        number = int(value)
        if number > INT_MAX:
            raise RowError(
                _("%(what)s %(value)s is too large") % {"what": _(what), "value": number}
            )
        return number
    text = value.strip()
    if text.isdigit():
        number = int(text)
    elif text.lower() in NULL_COUNTS or is_redacted(text):
        return None
    else:
        cleaned = text.replace(",", "")
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]
        if not cleaned.isdigit():
            raise RowError(_("%(what)s is not a whole number") % {"what": _(what)})
        number = int(cleaned)
    if number > INT_MAX:
        raise RowError(_("%(what)s %(value)s is too large") % {"what": _(what), "value": number})
    return number


def _short(value: str) -> str:
    if value.isalnum():
        return value[:SHORT_TEXT_MAX]
    text = " ".join(value.split())
    return "" if is_redacted(text) else text[:SHORT_TEXT_MAX]


class RowParser:
    """Turns the values of one row of a given layout into an :class:`AuditRow`."""

    def __init__(self, *, layout: Layout, columns: dict[str, int], report: ImportReport):
        self.layout = layout
        self.report = report
        self.col = columns
        self.url_encoded = layout.url_encoded_reasons
        self.has_org = "org" in columns and not layout.searcher_is_source
        # Reasons repeat a lot; their normalized text and key are computed once per file (the
        # cache is bounded so that memory stays flat on files with millions of distinct ones).
        self._reasons: dict[tuple[str, str], tuple[str, str, str]] = {}
        self._searchers: dict[str, str] = {}
        # Plates, phones, emails and DOBs go before the reason is keyed (the patterns of now).
        self.scrubber = scrubber_current()
        self.earliest, self.latest = search_time_window()
        col = columns.get
        self.i_searched_at = columns["searched_at"]
        self.i_reason = col("reason")  # portal files without a reason column: all blank
        self.i_org = col("org") if self.has_org else None
        self.i_offense = col("offense")
        self.i_networks = col("networks")
        self.i_devices = col("devices")
        self.i_case = col("case_number")
        self.i_search_type = col("search_type")
        self.i_moderation = col("moderation")
        self.i_id = col("external_id")
        self.i_searcher = col("searcher")
        self.has_time_frame = any(
            f in columns for f in ("time_frame", "time_frame_start", "time_frame_end")
        )

    def _get(self, values: list[str], field: str) -> str | None:
        index = self.col.get(field)
        return None if index is None else values[index]

    def _reason(self, raw: str, raw_offense: str) -> tuple[str, str, str]:
        cached = self._reasons.get((raw, raw_offense))
        if cached is not None:
            return cached
        if len(raw) > REASON_MAX_CHARS:
            raise RowError(
                _("the reason is longer than %(n)s characters") % {"n": f"{REASON_MAX_CHARS:,}"}
            )
        text = reason_text(raw, url_encoded=self.url_encoded, scrubber=self.scrubber)
        offense = offense_text(raw_offense)
        result = (text, offense, reason_key(text, offense))
        if len(self._reasons) >= 100_000:
            self._reasons.clear()
        self._reasons[(raw, raw_offense)] = result
        return result

    def _time_frame(
        self, values: list[str], line: int
    ) -> tuple[dt.datetime | None, dt.datetime | None]:
        start_text = self._get(values, "time_frame_start")
        end_text = self._get(values, "time_frame_end")
        if start_text is None and end_text is None:
            cell = self._get(values, "time_frame")
            if cell is None or is_redacted(cell):
                return None, None
            parts = cell.split("\n")
            if len(parts) != 2 or not parts[0] or not parts[1]:
                parts = [p for p in TIME_FRAME_SPLIT.split(cell.strip()) if p]
            if len(parts) > 2:
                parts = self._rejoin(parts)
            start_text = parts[0] if parts else ""
            end_text = parts[1] if len(parts) > 1 else ""
        start = end = None
        try:
            if start_text and not is_redacted(start_text):
                start = parse_timestamp(start_text)
            if end_text and not is_redacted(end_text):
                end = parse_timestamp(end_text)
        except RowError as exc:
            self.report.note(line=line, message=_("time frame left empty: %s") % exc)
            return None, None
        # A bound outside the window drops the time frame, not the search: the search itself
        # happened at a plausible time, and its time frame is a detail of it.
        if any(t is not None and not self.earliest <= t <= self.latest for t in (start, end)):
            self.report.note(
                line=line, message=_("time frame left empty: %s") % self._outside_message()
            )
            return None, None
        if start and end and start > end:
            self.report.note(
                line=line,
                message=_("time frame left empty: it ends before it starts"),
            )
            return None, None
        return start, end

    @staticmethod
    def _rejoin(parts: list[str]) -> list[str]:
        """``11/07/2025, 09:53 AM - 11/14/2025, 09:53 AM`` splits on the comma-free dash only,
        but a zone such as ``- 05:00`` may split too: keep the first and last timestamps."""
        return [parts[0], parts[-1]]

    def parse(self, line: int, values: list[str]) -> AuditRow:
        """The search in one row; raises ``RowError`` when the row cannot be imported."""
        # Hot path (millions of rows): column positions are read once in __init__.
        searched_at = parse_timestamp(values[self.i_searched_at])
        if not self.earliest <= searched_at <= self.latest:
            raise RowError(self._outside_message())
        searching_name = None
        if self.i_org is not None:
            org = values[self.i_org]
            if is_redacted(org):
                raise RowError(_("the searching organization (Org Name) is blank or redacted"))
            searching_name = org.strip()
        reason, offense, key = self._reason(
            "" if self.i_reason is None else values[self.i_reason],
            "" if self.i_offense is None else values[self.i_offense],
        )
        networks = (
            None if self.i_networks is None else parse_count(values[self.i_networks], what=NETWORKS)
        )
        devices = (
            None if self.i_devices is None else parse_count(values[self.i_devices], what=DEVICES)
        )
        case_present = None if self.i_case is None else bool(values[self.i_case].strip())
        start, end = self._time_frame(values, line) if self.has_time_frame else (None, None)
        search_type = "" if self.i_search_type is None else _short(values[self.i_search_type])
        moderation = "" if self.i_moderation is None else _short(values[self.i_moderation])
        external_id = "" if self.i_id is None else values[self.i_id].strip()
        if is_redacted(external_id):
            external_id = ""
        searcher = "" if self.i_searcher is None else self._searcher(values[self.i_searcher])
        if external_id:
            dedupe_key = (
                external_id
                if len(external_id) <= EXTERNAL_ID_MAX
                else "x:" + hashlib.sha1(external_id.encode(), usedforsecurity=False).hexdigest()
            )
        else:
            # No id: the same search in two overlapping files has the same content.
            content = "\x1f".join(
                (
                    searched_at.isoformat(),
                    (searching_name or "").casefold(),
                    searcher,
                    key,
                    "" if case_present is None else str(int(case_present)),
                    "" if networks is None else str(networks),
                    "" if devices is None else str(devices),
                    start.isoformat() if start else "",
                    end.isoformat() if end else "",
                    search_type,
                    moderation,
                )
            )
            dedupe_key = "h:" + hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()
        return AuditRow(
            line,
            searching_name,
            searched_at,
            reason,
            offense,
            key,
            case_present,
            networks,
            devices,
            start,
            end,
            search_type,
            moderation,
            external_id[:EXTERNAL_ID_MAX],
            dedupe_key,
            searcher,
        )

    def _outside_message(self) -> str:
        return _(
            "the time is outside the plausible window (from %(earliest)s to %(hours)s hours "
            "after the import)"
        ) % {
            "earliest": self.earliest.date().isoformat(),
            "hours": settings.SEARCH_TIME_FUTURE_HOURS,
        }

    def _searcher(self, raw: str) -> str:
        cached = self._searchers.get(raw)
        if cached is None:
            cached = searcher_hash(raw)
            if len(self._searchers) >= 100_000:
                self._searchers.clear()
            self._searchers[raw] = cached
        return cached
