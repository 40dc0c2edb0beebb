import datetime as dt

import pytest

from records.deadlines import due_date, federal_holidays, is_business_day


def test_federal_holidays_of_2026_with_observed_days():
    days = federal_holidays(2026)
    assert dt.date(2026, 1, 19) in days  # MLK Day, third Monday of January
    assert dt.date(2026, 5, 25) in days  # Memorial Day, last Monday of May
    assert dt.date(2026, 7, 3) in days  # July 4 is a Saturday: observed Friday
    assert dt.date(2026, 7, 4) not in days
    assert dt.date(2026, 11, 26) in days  # Thanksgiving, fourth Thursday
    assert dt.date(2026, 6, 19) in days  # Juneteenth
    assert len(days) == 11
    # New Year's Day 2028 is a Saturday: observed on Friday Dec 31, 2027.
    assert dt.date(2027, 12, 31) in federal_holidays(2027)
    assert not is_business_day(dt.date(2026, 11, 28))  # a Saturday


@pytest.mark.parametrize(
    ("sent_on", "days", "business", "expected"),
    [
        # Thursday before Thanksgiving week: Fri, Mon, Tue, Wed, (Thu holiday), Fri.
        (dt.date(2026, 11, 19), 5, True, dt.date(2026, 11, 27)),
        # Sent on a Friday: counting starts Monday.
        (dt.date(2026, 10, 9), 5, True, dt.date(2026, 10, 19)),  # Columbus Day Oct 12 skipped
        (dt.date(2026, 12, 22), 3, True, dt.date(2026, 12, 28)),  # Christmas Friday skipped
        (dt.date(2026, 10, 28), 10, False, dt.date(2026, 11, 7)),  # calendar days
        (dt.date(2026, 10, 28), 0, True, dt.date(2026, 10, 28)),
    ],
)
def test_due_date(sent_on, days, business, expected):
    assert due_date(sent_on=sent_on, days=days, business_days=business) == expected
