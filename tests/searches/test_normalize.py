"""Normalizing audit values: reasons as written, keys, searcher hashes, times and counts."""

import datetime as dt

import pytest

from searches.importers.rows import RowError, parse_count, parse_timestamp
from searches.normalize import (
    is_redacted,
    offense_text,
    reason_key,
    reason_text,
    searcher_hash,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("raw", "url_encoded", "expected"),
    [
        ("  investigation ", False, "investigation"),
        ("Person+Crime", True, "Person Crime"),
        ("investigative+", True, "investigative"),
        ("felny+person+crime", True, "felny person crime"),
        ("ICE+ERO", False, "ICE+ERO"),  # a records request keeps what the officer typed
        ("stolen%20vehicle", False, "stolen vehicle"),
        ("50% of the time", False, "50% of the time"),
        ("multi\nline\treason", False, "multi line reason"),
        ("two  spaces", False, "two spaces"),
        ("", True, ""),
        (None, False, ""),
        ('=HYPERLINK("http://x","ICE")', False, '=HYPERLINK("http://x","ICE")'),
    ],
)
def test_reason_text(raw, url_encoded, expected):
    assert reason_text(raw, url_encoded=url_encoded) == expected


def test_reason_key_is_sha1_of_text_and_offense():
    key = reason_key("Stolen Vehicle", "Motor Vehicle Theft")
    assert len(key) == 40 and int(key, 16) >= 0
    assert key == reason_key("Stolen Vehicle", "Motor Vehicle Theft")
    assert key != reason_key("Stolen Vehicle", "")
    assert key != reason_key("stolen vehicle", "Motor Vehicle Theft")  # as written
    # The separator keeps ("a", "bc") and ("ab", "c") apart.
    assert reason_key("a", "bc") != reason_key("ab", "c")


def test_offense_text_collapses_and_drops_redactions():
    assert offense_text(" Wanted Person (Arrest Warrant/Fugitive),  Theft ") == (
        "Wanted Person (Arrest Warrant/Fugitive), Theft"
    )
    assert offense_text("***") == ""
    assert len(offense_text("x" * 900)) == 500


@pytest.mark.parametrize("value", ["", "   ", "***", "*", "[REDACTED]", "(redacted)", None])
def test_redactions(value):
    assert is_redacted(value)


def test_not_redacted():
    assert not is_redacted("Jane *** Roe")


def test_searcher_hash_is_keyed_folded_and_blank_for_redactions(settings):
    settings.HASH_KEY = "key-one"
    first = searcher_hash("Officer Jane Roe")
    assert len(first) == 32
    assert "jane" not in first.lower()
    assert searcher_hash("  officer   JANE roe ") == first
    assert searcher_hash("Officer John Roe") != first
    assert searcher_hash("***") == searcher_hash("") == searcher_hash(None) == ""
    settings.HASH_KEY = "key-two"
    assert searcher_hash("Officer Jane Roe") != first  # keyed: no key, no dictionary attack


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-18 00:02:04.789", dt.datetime(2025, 6, 18, 0, 2, 4, 789000, tzinfo=UTC)),
        ("2025-11-20T14:03:11.120Z", dt.datetime(2025, 11, 20, 14, 3, 11, 120000, tzinfo=UTC)),
        ("2025-11-20T09:03:11-05:00", dt.datetime(2025, 11, 20, 14, 3, 11, tzinfo=UTC)),
        ("2025-11-20 14:03:11 UTC", dt.datetime(2025, 11, 20, 14, 3, 11, tzinfo=UTC)),
        ("11/14/2025, 09:53:36 AM UTC", dt.datetime(2025, 11, 14, 9, 53, 36, tzinfo=UTC)),
        ("11/14/2025, 12:05:00 AM UTC", dt.datetime(2025, 11, 14, 0, 5, tzinfo=UTC)),
        ("11/14/2025, 12:05:00 PM UTC", dt.datetime(2025, 11, 14, 12, 5, tzinfo=UTC)),
        ("1/2/2025 9:05 pm", dt.datetime(2025, 1, 2, 21, 5, tzinfo=UTC)),
        ("11/14/2025 21:53:36", dt.datetime(2025, 11, 14, 21, 53, 36, tzinfo=UTC)),
        ("11/14/2025, 09:53:36 AM +02:00", dt.datetime(2025, 11, 14, 7, 53, 36, tzinfo=UTC)),
        ("11/14/2025", dt.datetime(2025, 11, 14, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "text",
    ["", "not-a-date", "13/45/2025, 09:00:00 AM UTC", "11/14/2025, 13:00:00 PM", "2025-13-01"],
)
def test_parse_timestamp_rejects(text):
    with pytest.raises(RowError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2510", 2510), (" 1,234 ", 1234), ("7.0", 7), ("", None), ("N/A", None), ("***", None)],
)
def test_parse_count(text, expected):
    assert parse_count(text, what="devices") == expected


@pytest.mark.parametrize("text", ["two", "-3", "1.5", "99999999999"])
def test_parse_count_rejects(text):
    with pytest.raises(RowError):
        parse_count(text, what="devices")
