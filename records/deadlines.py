"""Response due dates: a number of calendar or business days after a request is received.

Business days skip Saturdays, Sundays and the US federal holidays of 5 U.S.C. § 6103 as they
are observed (a holiday on a Saturday is observed the Friday before, on a Sunday the Monday
after). State holidays differ from state to state and are not counted: the date is a reminder,
not legal advice. Counting starts the day after the request was sent, as the statutes do.
"""

from __future__ import annotations

import datetime as dt
from functools import cache


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The ``n``-th ``weekday`` (Monday 0) of a month; ``n = -1`` for the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@cache
def federal_holidays(year: int) -> frozenset[dt.date]:
    """The days federal offices are closed for a holiday in ``year`` (observed dates)."""
    fixed = [(1, 1), (7, 4), (11, 11), (12, 25)]
    if year >= 2021:
        fixed.append((6, 19))  # Juneteenth, from 2021
    days = {_observed(dt.date(year, month, day)) for month, day in fixed}
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
    }
    # New Year's Day on a Saturday is observed on Dec 31 of the year before.
    if dt.date(year + 1, 1, 1).weekday() == 5:
        days.add(dt.date(year, 12, 31))
    return frozenset(days)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def due_date(*, sent_on: dt.date, days: int, business_days: bool) -> dt.date:
    """The day ``days`` calendar or business days after ``sent_on``."""
    if days < 0:
        raise ValueError("days must not be negative")
    if not business_days:
        return sent_on + dt.timedelta(days=days)
    day, left = sent_on, days
    while left:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day
