"""Properties of the hearings' iCalendar (hearings/ical.py) for any text a clerk may type."""

import datetime as dt
import re
from types import SimpleNamespace

from hypothesis import example, given
from hypothesis import strategies as st

from hearings.ical import calendar_build
from hearings.models import Hearing

# An escaped TEXT value (RFC 5545 3.3.11): no bare backslash, semicolon, comma or line break.
ESCAPED_TEXT = re.compile(r"(?:[^\\;,\r\n]|\\[\\;,nN])*")
START = dt.datetime(2026, 3, 4, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-6)))


def _unescape(value: str) -> str:
    """An independent reading of TEXT escapes, not the library's own."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _as_typed(text: str) -> str:
    # iCalendar has one line break; CRLF and a lone CR arrive as it.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _hearing(*, title: str, location: str, body: str, agenda: list[str]):
    items = [SimpleNamespace(position=n, title=t) for n, t in enumerate(agenda, start=1)]
    return SimpleNamespace(
        pk=7,
        title=title,
        location=location,
        body_label=body,
        starts_at=START,
        updated_at=START - dt.timedelta(days=3),
        status=Hearing.Status.SCHEDULED,
        get_absolute_url=lambda: "/hearings/joliet-il/renewal/",
        items=SimpleNamespace(all=lambda: items),
    )


def _properties(body: str) -> dict[str, list[str]]:
    """Unfolded content lines by property name, each value as written (still escaped)."""
    assert body.endswith("\r\n")
    physical = body[:-2].split("\r\n")
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
        assert "\r" not in line and "\n" not in line
    unfolded = body[:-2].replace("\r\n ", "").split("\r\n")
    found: dict[str, list[str]] = {}
    for line in unfolded:
        name, _, value = line.partition(":")
        found.setdefault(name, []).append(value)
    return found


@given(st.text(), st.text(min_size=1), st.text(), st.lists(st.text(), max_size=3), st.text())
@example("C:\\New; a, b\\N", "Room 2, City Hall", "", [], "Hearings in Joliet, IL")
@example("€" * 80, "\U0001f4cd" * 30, "\r\nx\ry", ["é" * 100], "名" * 40)
def test_any_text_is_folded_to_75_octets_and_unfolds_to_what_was_typed(
    title, location, body, agenda, name
):
    hearing = _hearing(title=title, location=location, body=body, agenda=agenda)
    found = _properties(calendar_build([hearing], name=name))
    for prop, typed in (("SUMMARY", title), ("LOCATION", location), ("X-WR-CALNAME", name)):
        (value,) = found[prop]
        assert ESCAPED_TEXT.fullmatch(value), (prop, value)
        assert _unescape(value) == _as_typed(typed)
    (description,) = found["DESCRIPTION"]
    assert ESCAPED_TEXT.fullmatch(description)
    for n, item in enumerate(agenda, start=1):
        assert f"{n}. {_as_typed(item)}" in _unescape(description)
    assert len(found["UID"]) == 1 and found["UID"][0].startswith("hearing-7@")
    assert found["DTSTART"] == ["20260305T003000Z"]
    assert found["BEGIN"] == ["VCALENDAR", "VEVENT"] and found["END"] == ["VEVENT", "VCALENDAR"]


@given(st.lists(st.text(max_size=30), min_size=0, max_size=5))
def test_one_event_per_hearing_each_with_its_own_uid(titles):
    hearings = []
    for n, title in enumerate(titles):
        hearing = _hearing(title=title, location="", body="Council", agenda=[])
        hearing.pk = n + 1
        hearings.append(hearing)
    found = _properties(calendar_build(hearings, name="Hearings"))
    assert found["BEGIN"].count("VEVENT") == len(titles)
    uids = found.get("UID", [])
    assert len(set(uids)) == len(titles)
    assert [_unescape(v) for v in found.get("SUMMARY", [])] == [_as_typed(t) for t in titles]
    # An empty location is left out rather than written blank.
    assert "LOCATION" not in found
