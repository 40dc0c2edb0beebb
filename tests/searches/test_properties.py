"""Properties of audit times and the "Time Frame" column (searches/importers/rows.py)."""

import datetime as dt
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.imports import ImportReport
from searches.importers.layouts import RECORDS_NETWORK
from searches.importers.rows import RowError, RowParser, parse_timestamp
from searches.scrub import default_scrubber

UTC = dt.UTC
SEARCHED_AT = "2025-11-14T09:53:36Z"
# Inside the plausible window (settings.SEARCH_TIME_EARLIEST is 2000-01-01, the end is now).
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2025, 12, 31), timezones=st.just(UTC)
).map(lambda t: t.replace(microsecond=0))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)


def _iso(t: dt.datetime, zone: dt.timezone) -> str:
    return t.astimezone(zone).isoformat()


def _iso_z(t: dt.datetime, zone: dt.timezone) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_naive(t: dt.datetime, zone: dt.timezone) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")  # a time without a zone is UTC


def _records(t: dt.datetime, zone: dt.timezone) -> str:
    return t.strftime("%m/%d/%Y, %I:%M:%S %p UTC")  # records-request exports


FORMATS = [_iso, _iso_z, _iso_naive, _records]
formats = st.sampled_from(FORMATS)
separators = st.sampled_from(["\n", "\r\n", " - ", " to ", "\u2013", " \u2014 ", "\n\n"])


def _parse_time_frame(cell: str) -> tuple[dt.datetime | None, dt.datetime | None, ImportReport]:
    report = ImportReport()
    # Scrub patterns play no part in a time frame; the defaults keep the parser off the database.
    with mock.patch("searches.importers.rows.scrubber_current", default_scrubber):
        parser = RowParser(
            layout=RECORDS_NETWORK, columns={"searched_at": 0, "time_frame": 1}, report=report
        )
    row = parser.parse(2, [SEARCHED_AT, cell])
    assert row.searched_at == dt.datetime(2025, 11, 14, 9, 53, 36, tzinfo=UTC)
    return row.time_frame_start, row.time_frame_end, report


@given(moments, formats, offsets)
def test_a_formatted_time_parses_back_to_the_same_utc_moment(moment, fmt, zone):
    parsed = parse_timestamp(fmt(moment, zone))
    assert parsed == moment and parsed.utcoffset() == dt.timedelta(0)


@given(st.text())
# Far dates with a zone once escaped as OverflowError instead of a row error.
@example("0001-01-01T00:00:00+05:00")
@example("9999-12-31T23:00:00-05:00")
@example("01/01/0001 00:00 +05:00")
def test_any_text_is_a_utc_time_or_a_row_error(text):
    try:
        parsed = parse_timestamp(text)
    except RowError as exc:
        assert str(exc)
    else:
        assert parsed.utcoffset() == dt.timedelta(0)


@given(moments, moments, formats, formats, offsets, separators)
def test_a_formatted_range_parses_back_to_the_same_start_and_end(a, b, fmt1, fmt2, zone, sep):
    start, end = min(a, b), max(a, b)
    got_start, got_end, report = _parse_time_frame(fmt1(start, zone) + sep + fmt2(end, zone))
    assert (got_start, got_end) == (start, end)
    assert report.issues == []


@given(moments, moments, formats, separators)
def test_a_range_ending_before_it_starts_is_left_empty_with_a_note(a, b, fmt, sep):
    if a == b:
        return
    start, end = max(a, b), min(a, b)
    got_start, got_end, report = _parse_time_frame(fmt(start, UTC) + sep + fmt(end, UTC))
    assert (got_start, got_end) == (None, None)
    assert [i.message for i in report.issues] == ["time frame left empty: it ends before it starts"]


@given(st.text())
@example("0001-01-01T00:00:00+05:00 - 2025-01-01T00:00:00Z")
def test_any_time_frame_cell_keeps_the_search_and_gives_an_ordered_range_or_none(cell):
    start, end, report = _parse_time_frame(cell)
    if start is not None and end is not None:
        assert start <= end
    for issue in report.issues:
        assert issue.message.startswith("time frame left empty: ")


@pytest.mark.parametrize("cell", ["soon", "last week - next week", "11/31/2025 to 12/01/2025"])
def test_a_time_frame_that_is_not_a_time_is_left_empty_with_a_clear_note(cell):
    start, end, report = _parse_time_frame(cell)
    assert (start, end) == (None, None)
    assert [i.message for i in report.issues] == [
        "time frame left empty: the time is not a date and time in a known format"
    ]
