"""The explorer's count: for every filter combination it agrees with a plain COUNT of the rows
the explorer lists (``SearchFilter`` over ``Search``), exact where rollups or the per-day table
answer and a labelled lower bound past SEARCH_EXPLORER_COUNT_BOUND, and it reads the searches
table only where rollups cannot answer (and then with a LIMIT)."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from searches.filters import SearchFilter
from searches.models import Search, SearchFlag
from searches.selectors.explorer import ResultCount, bounded_count, explorer_count, search_explore
from tests.searches.factories import SearchFactory, audit_scenario, rebuild_rollups

pytestmark = pytest.mark.django_db

SEARCH_TABLE = '"searches_search"'
PD = "<the Prairie Junction PD's slug>"


@pytest.fixture
def scenario():
    data = audit_scenario()
    pd, sheriff = data["pd"], data["sheriff"]
    stolen = data["searches"][0].reason
    # Searches a second either side of UTC midnight at month ends: a date filter is a UTC day,
    # the rollups' months UTC months, so both sides must land where the rows do.
    for when in (
        dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 1, 0, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 5, 1, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 14, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 15, 0, 0, 0, tzinfo=dt.UTC),
    ):
        SearchFactory(
            source_agency=pd,
            searching_agency=sheriff,
            searched_at=when,
            reason=stolen,
            flags=stolen.flags | SearchFlag.OUT_OF_STATE,
            devices_searched=10,
        )
    rebuild_rollups()
    return data


def _count(params: dict, **kwargs) -> tuple[ResultCount, int, list[str]]:
    """(the explorer's count, a plain COUNT of the rows it lists, the SQL the count ran over
    the searches table) for these GET parameters."""
    slug = Search.objects.values_list("source_agency__slug", flat=True).earliest("searched_at")
    params = {k: slug if v == PD else v for k, v in params.items()}
    params = QueryDict(urlencode(params, doseq=True))
    filterset = search_explore(filters=params)
    assert filterset.is_valid(), filterset.errors
    plain = SearchFilter(params, queryset=Search.objects.all()).qs.count()
    with CaptureQueriesContext(connection) as queries:
        count = explorer_count(cleaned=filterset.form.cleaned_data, queryset=filterset.qs, **kwargs)
    return count, plain, [q["sql"] for q in queries.captured_queries if SEARCH_TABLE in q["sql"]]


# (parameters, whether the searches table may be read at all)
COMBINATIONS = [
    ({}, False),
    ({"source_agency": PD}, False),
    ({"city": "prairie-junction-il"}, False),
    ({"source_state": "CA"}, False),
    ({"category": "vague"}, False),
    ({"flag": ["immigration", "out_of_state"]}, False),
    ({"searching_state": "WI"}, False),
    ({"searching_agency_name": "kestrel"}, False),
    # Whole months, one and several, open at either end.
    ({"date_from": "2026-04-01", "date_to": "2026-04-30"}, False),
    ({"date_from": "2026-04-01"}, False),
    ({"date_to": "2026-04-30", "flag": "out_of_state"}, False),
    ({"date_from": "2026-03-01", "date_to": "2026-05-31", "category": "stolen-vehicle"}, False),
    # Mid-month dates with agency filters only: the per-day table.
    ({"date_from": "2026-04-15", "date_to": "2026-05-01"}, False),
    ({"source_agency": PD, "date_to": "2026-04-14"}, False),
    ({"city": "prairie-junction-il", "date_from": "2026-03-31", "date_to": "2026-04-01"}, False),
    ({"source_state": "IL", "date_from": "2026-04-15"}, False),
    # Mid-month dates with other filters: whole months from rollups, the ends by rows.
    ({"flag": "out_of_state", "date_from": "2026-03-31", "date_to": "2026-05-01"}, True),
    ({"category": "stolen-vehicle", "date_from": "2026-04-15"}, True),
    ({"category": "vague", "date_to": "2026-04-14"}, True),
    ({"searching_state": "IL", "date_from": "2026-04-15", "date_to": "2026-04-30"}, True),
    ({"flag": "immigration", "date_from": "2026-03-05", "date_to": "2026-03-20"}, True),
    ({"flag": "immigration", "date_from": "2026-05-20", "date_to": "2026-04-02"}, True),
    # Reason text and device counts: searches themselves.
    ({"reason": "ice"}, True),
    ({"reason": "stolen", "date_from": "2026-04-01", "date_to": "2026-04-30"}, True),
    ({"min_devices": "40000"}, True),
    ({"min_devices": "0"}, True),
    ({"min_devices": "100", "source_agency": PD, "flag": "vague"}, True),
]


@pytest.mark.parametrize(("params", "reads_searches"), COMBINATIONS)
def test_count_agrees_with_a_plain_count(scenario, params, reads_searches):
    count, plain, searches_sql = _count(params)
    assert count == ResultCount(value=plain, exact=True)
    # Every combination but the reversed range selects something, or agreeing proves little.
    assert plain > 0 or params.get("date_from", "") > params.get("date_to", "9")
    if reads_searches:
        # At most one bounded read of the rows the rollups cannot count.
        assert len(searches_sql) == 1 and "LIMIT" in searches_sql[0]
    else:
        assert searches_sql == []


def test_partial_months_read_only_their_own_days(scenario):
    params = {"flag": "out_of_state", "date_from": "2026-03-31", "date_to": "2026-05-01"}
    count, plain, searches_sql = _count(params)
    assert count == ResultCount(value=plain) and plain > 0
    # April, whole, came from the rollups: the row read is bounded to the days outside it.
    (sql,) = searches_sql
    assert "2026-04-01" in sql and "2026-05-01" in sql


@pytest.mark.parametrize(
    "params",
    [
        {"reason": "stolen"},
        {"min_devices": "1"},
        {"category": "stolen-vehicle", "date_from": "2026-03-02"},
        {"flag": "vague", "date_from": "2026-04-02", "date_to": "2026-04-29"},
    ],
)
def test_count_past_the_bound_is_a_lower_bound(scenario, settings, params):
    settings.SEARCH_EXPLORER_COUNT_BOUND = 3
    count, plain, _sql = _count(params)
    assert plain > 3
    assert not count.exact
    assert 3 <= count.value < plain


def test_count_with_whole_months_is_exact_past_the_bound(scenario, settings):
    settings.SEARCH_EXPLORER_COUNT_BOUND = 3
    count, plain, _sql = _count({"source_agency": PD, "date_from": "2026-04-02"})
    assert count == ResultCount(value=plain) and plain > 3
    count, plain, _sql = _count({"flag": "vague"})
    assert count == ResultCount(value=plain) and plain > 3


def test_count_adds_rollup_months_to_a_bounded_edge(scenario, settings):
    # March and April whole from rollups, plus more than the bound of May's first days.
    settings.SEARCH_EXPLORER_COUNT_BOUND = 1
    params = {"category": "blank", "date_from": "2026-03-01", "date_to": "2026-05-04"}
    count, plain, _sql = _count(params)
    assert plain == 3
    assert count == ResultCount(value=1, exact=False)


def test_bounded_count_stops_at_the_bound(scenario):
    assert bounded_count(Search.objects.all(), bound=5) == ResultCount(value=5, exact=False)
    total = Search.objects.count()
    assert bounded_count(Search.objects.all(), bound=total) == ResultCount(value=total)
