"""Search-audit selectors: aggregates read from rollups agree with counts made by hand and
with direct counts over the searches; raw-row reads are bounded and page without gaps."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from searches.models import (
    DRILL_DOWN_FLAGS,
    Search,
    SearcherCount,
    SearchFlag,
    SearchMonthTotal,
    SearchNationalTotal,
    SearchRollup,
)
from searches.selectors.coverage import has_search_data, search_coverage
from searches.selectors.explorer import flagged_searches, keyset_page, largest_searches, stats_count
from searches.selectors.rules import law_for_flags
from searches.selectors.stats import (
    distinct_searchers,
    flag_names,
    flagged_by,
    rollup_table,
    searcher_stats,
    source_stats,
    stats_grouped,
    top_searched_sources,
    top_searchers,
    top_searching_agencies,
)
from tests.searches.factories import (
    IL_CITATION,
    SearchFactory,
    audit_scenario,
    rebuild_rollups,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return audit_scenario()


def test_source_stats_match_the_hand_counts(scenario):
    stats = source_stats(source_ids=[scenario["pd"].pk])
    assert stats.total == 22
    assert stats.by_flag["vague"] == 5
    assert stats.by_flag["blank"] == 3
    assert stats.by_flag["immigration"] == 3
    assert stats.by_flag["reproductive_care"] == 1
    assert stats.by_flag["forbidden_use"] == 4
    assert stats.by_flag["out_of_state"] == 3
    assert stats.by_flag["federal"] == 1
    assert stats.by_flag["forbidden_sharing"] == 0
    assert round(stats.vague_percent, 2) == round(100 * 5 / 22, 2)
    assert stats.months == [dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)]
    by_slug = {c.slug: c.searches for c in stats.categories}
    assert by_slug == {
        "stolen-vehicle": 8,
        "vague": 5,
        "blank": 3,
        "immigration": 3,
        "warrant": 2,
        "reproductive-care": 1,
    }
    stolen = scenario["categories"]["stolen"].pk
    assert stats.month_series(stolen) == [6, 2, 0]
    assert stats.devices_max == 83_000


def test_source_stats_agree_with_a_direct_count_over_searches(scenario):
    pd = scenario["pd"]
    stats = source_stats(source_ids=[pd.pk])
    searches = Search.objects.filter(source_agency=pd)
    assert stats.total == searches.count()
    for name, bit in SearchFlag.__members__.items():
        direct = searches.alias(hit=F("flags").bitand(int(bit))).filter(hit__gt=0).count()
        assert stats.by_flag[name.lower()] == direct, name


def test_months_without_searches_are_zero_not_missing(scenario):
    SearchFactory(
        source_agency=scenario["pd"],
        searched_at=dt.datetime(2026, 8, 2, tzinfo=dt.UTC),
        reason=scenario["searches"][0].reason,
    )
    rebuild_rollups()
    stats = source_stats(source_ids=[scenario["pd"].pk])
    assert [m.month for m in stats.months] == [3, 4, 5, 6, 7, 8]
    stolen = scenario["categories"]["stolen"].pk
    assert stats.month_series(stolen) == [6, 2, 0, 0, 0, 1]


def test_searcher_stats_count_searches_on_other_agencies_cameras_only(scenario):
    stats = searcher_stats(agency=scenario["pd"])
    # Two searches of Harbor Vista's cameras; its own searches of its own cameras do not count.
    assert stats.total == 2
    assert stats.by_flag["forbidden_sharing"] == 2
    assert [a.agency.name for a in top_searched_sources(agency=scenario["pd"])] == [
        "Harbor Vista CA PD"
    ]


def test_distinct_searchers_counts_people_per_agency_and_skips_redacted(scenario):
    assert distinct_searchers(source_ids=[scenario["pd"].pk]) == 8
    assert distinct_searchers(searching_id=scenario["pd"].pk) == 2


def test_distinct_searchers_are_stored_once_and_recounted_after_a_rollup_change(scenario):
    pd = scenario["pd"]
    assert distinct_searchers(source_ids=[pd.pk]) == 8
    with CaptureQueriesContext(connection) as queries:
        assert distinct_searchers(source_ids=[pd.pk]) == 8
    assert not any("searcherset" in q["sql"].lower() for q in queries.captured_queries)
    assert SearcherCount.objects.count() == 1
    # A new searcher appears: the rollups change, and with them the stored count.
    SearchFactory(source_agency=pd, searching_agency=pd, searcher_hash="f" * 32)
    rebuild_rollups()
    assert SearcherCount.objects.count() == 0
    assert distinct_searchers(source_ids=[pd.pk]) == 9
    # Deleting an agency takes its searcher sets without a rollup refresh.
    distinct_searchers(searching_id=pd.pk)
    scenario["hoa"].delete()
    assert SearcherCount.objects.count() == 0


def test_top_searching_agencies_leave_out_the_city_and_count_flags(scenario):
    city_ids = [scenario["pd"].pk, scenario["hoa"].pk]
    top = top_searching_agencies(source_ids=[scenario["pd"].pk], exclude_ids=city_ids)
    assert [(t.agency.name, t.searches, t.flagged) for t in top] == [
        ("Kestrel County IL SO", 4, 0),
        ("Bramble WI PD", 3, 3),
        ("Homeland Security Investigations", 1, 1),
    ]


def test_coverage_finds_first_last_day_and_every_gap(scenario):
    (coverage,) = search_coverage(source_ids=[scenario["pd"].pk])
    assert (coverage.first, coverage.last) == (dt.date(2026, 3, 1), dt.date(2026, 5, 11))
    assert coverage.days_with_searches == 22
    assert coverage.searches == 22
    assert [(g.first.isoformat(), g.days) for g in coverage.gaps] == [
        ("2026-03-07", 3),
        ("2026-03-11", 22),
        ("2026-04-05", 5),
        ("2026-04-11", 4),
        ("2026-04-17", 3),
        ("2026-04-22", 9),
        ("2026-05-06", 4),
    ]
    assert coverage.missing_days == coverage.span_days - coverage.days_with_searches == 50


def test_largest_searches_come_in_device_order_across_sources(scenario):
    rows = largest_searches(source_ids=[scenario["pd"].pk, scenario["harbor"].pk], limit=4)
    assert [r["devices_searched"] for r in rows] == [83_000, 48_000, 47_000, 12_000]
    assert rows[0]["reason__text"] == "abortion investigation"
    assert rows[0]["flag_names"] == ["reproductive_care", "forbidden_use", "out_of_state"]
    # The searcher's hash never leaves the selectors.
    assert all("searcher_hash" not in row for row in rows)


def test_flagged_searches_page_by_keyset_without_gaps_or_repeats(scenario):
    source_ids = [scenario["pd"].pk, scenario["harbor"].pk]
    seen, after = [], ""
    while True:
        page = flagged_searches(source_ids=source_ids, after=after, size=2)
        seen.extend(row["id"] for row in page.rows)
        if not page.next_token:
            break
        after = page.next_token
    expected = list(
        Search.objects.filter(source_agency_id__in=source_ids)
        .alias(hit=F("flags").bitand(int(DRILL_DOWN_FLAGS)))
        .filter(hit__gt=0)
        .order_by("-searched_at", "-id")
        .values_list("id", flat=True)
    )
    assert seen == expected
    assert len(seen) == 6  # 4 flagged in Prairie's audit, 2 forbidden shares in Harbor's


def test_flagged_searches_of_an_agency_as_searcher(scenario):
    page = flagged_searches(searching_id=scenario["pd"].pk)
    assert len(page.rows) == 2
    assert {r["source_agency__name"] for r in page.rows} == {"Harbor Vista CA PD"}


def test_a_bad_token_shows_the_first_page(scenario):
    first = keyset_page(queryset=Search.objects.all(), size=5)
    assert keyset_page(queryset=Search.objects.all(), size=5, after="not-a-token").rows == (
        first.rows
    )


def test_keyset_sort_by_devices_skips_rows_without_devices(scenario):
    Search.objects.filter(pk=scenario["searches"][0].pk).update(devices_searched=None)
    page = keyset_page(
        queryset=Search.objects.filter(source_agency=scenario["pd"]),
        sort="-devices_searched",
        size=30,
    )
    assert len(page.rows) == 21
    devices = [r["devices_searched"] for r in page.rows]
    assert devices == sorted(devices, reverse=True)


def test_stats_count_uses_rollups_only_when_they_hold_the_answer(scenario):
    pd = scenario["pd"]
    cleaned = {"source_agency": pd.slug, "flag": ["immigration"]}
    assert stats_count(cleaned=cleaned) == 3
    whole_months = {
        "source_agency": pd.slug,
        "date_from": dt.date(2026, 4, 1),
        "date_to": dt.date(2026, 4, 30),
    }
    assert stats_count(cleaned=whole_months) == 8
    assert stats_count(cleaned={**whole_months, "date_to": dt.date(2026, 4, 29)}) is None
    assert stats_count(cleaned={"reason": "ice"}) is None
    with CaptureQueriesContext(connection) as queries:
        stats_count(cleaned=cleaned)
    assert not any('searches_search"' in q["sql"] for q in queries.captured_queries)


def test_stats_grouped_by_month_category_and_flag(scenario):
    rows = stats_grouped(filters={"source_agency": scenario["pd"].slug}, group_by=["month"])
    assert [(r["month"], r["searches"]) for r in rows] == [
        ("2026-03", 7),
        ("2026-04", 8),
        ("2026-05", 7),
    ]
    by_flag = {
        r["flag"]: r["searches"]
        for r in stats_grouped(filters={"source_agency": scenario["pd"].slug}, group_by=["flag"])
    }
    assert by_flag["immigration"] == 3
    assert by_flag["forbidden_use"] == 4
    # Searches without any flag form their own group.
    assert by_flag[None] == 10
    rows = stats_grouped(filters={}, group_by=["state", "searching_agency"])
    wisconsin = [r for r in rows if r["searching_agency"] == scenario["wisconsin"].slug]
    assert wisconsin == [
        {
            "state": "IL",
            "searching_agency": scenario["wisconsin"].slug,
            "searching_agency_name": "Bramble WI PD",
            "searches": 3,
            "devices_total": 178_000,
            "devices_max": 83_000,
            "networks_total": 4450,
            "blank_reason": 0,
        }
    ]


def test_flagged_by_state_and_agency(scenario):
    by_state = flagged_by(dimension="source_state")
    assert [(g.key, g.total) for g in by_state] == [("IL", 4), ("CA", 2)]
    assert by_state[0].by_flag == {"immigration": 3, "reproductive_care": 1, "forbidden_use": 4}
    # The exclusive split sums to the total, for stacked bars.
    assert sum(by_state[0].by_primary.values()) == 4
    searchers = flagged_by(dimension="searching_agency")
    assert [(g.label, g.total) for g in searchers] == [
        ("Bramble WI PD", 3),
        ("Prairie Junction IL PD", 2),
        ("Homeland Security Investigations", 1),
    ]


def test_law_for_flags_cites_the_state_whose_law_is_broken(scenario):
    from core.selectors import law_profiles_by_state

    profiles = law_profiles_by_state()
    immigration = SearchFlag.IMMIGRATION | SearchFlag.FORBIDDEN_USE
    assert (
        law_for_flags(
            flags=immigration, source_state="IL", searching_state="WI", profiles=profiles
        ).statute_citation
        == IL_CITATION
    )
    sharing = SearchFlag.FORBIDDEN_SHARING | SearchFlag.OUT_OF_STATE
    assert (
        law_for_flags(
            flags=sharing, source_state="CA", searching_state="IL", profiles=profiles
        ).state
        == "CA"
    )
    assert (
        law_for_flags(
            flags=SearchFlag.VAGUE, source_state="IL", searching_state="IL", profiles=profiles
        )
        is None
    )


def test_has_search_data(scenario):
    assert has_search_data(agency_ids=[scenario["pd"].pk])
    assert not has_search_data(agency_ids=[scenario["hoa"].pk])
    assert has_search_data(agency_ids=[scenario["sheriff"].pk], as_searcher=scenario["sheriff"].pk)
    assert not has_search_data(agency_ids=[scenario["hsi"].pk + 1000])


def test_flag_names_follow_the_public_order():
    assert flag_names(SearchFlag.FEDERAL | SearchFlag.IMMIGRATION) == ["immigration", "federal"]
    assert flag_names(0) == []


def test_aggregates_cost_the_same_queries_whatever_the_number_of_searches(scenario):
    pd = scenario["pd"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            source_stats(source_ids=[pd.pk])
            distinct_searchers(source_ids=[pd.pk])
            search_coverage(source_ids=[pd.pk])
            top_searching_agencies(source_ids=[pd.pk], exclude_ids=[pd.pk])
        return len(captured)

    before = queries()
    reason = scenario["searches"][0].reason
    for n in range(40):
        SearchFactory(
            source_agency=pd,
            searching_agency=scenario["sheriff"],
            searched_at=dt.datetime(2026, 5, 1 + n % 28, tzinfo=dt.UTC),
            reason=reason,
        )
    rebuild_rollups()
    assert queries() == before


def test_national_figures_read_the_national_totals_and_agree_with_the_searches(scenario):
    assert rollup_table({}, group_by=["month", "category"]).model is SearchNationalTotal
    assert rollup_table({"flag": ["vague"], "month_from": "2026-03"}).model is SearchNationalTotal
    assert rollup_table({"source_agency": "x"}, group_by=["month"]).model is SearchMonthTotal
    assert rollup_table({}, group_by=["state"]).model is SearchMonthTotal
    assert rollup_table({"searching_state": "IL"}).model is SearchRollup
    grouped = stats_grouped(filters={}, group_by=["month", "category"])
    direct = Counter(
        (s.searched_at.strftime("%Y-%m"), s.category.slug if s.category else None)
        for s in Search.objects.select_related("category")
    )
    assert {(g["month"], g["category"]): g["searches"] for g in grouped} == dict(direct)


def test_top_searchers_are_the_grouped_rows_ranked_and_cut_in_sql(scenario):
    filters = {"city": scenario["city"].slug, "month_from": "2026-03", "month_to": "2026-05"}
    grouped = [
        row
        for row in stats_grouped(filters=filters, group_by=["searching_agency"])
        if row["searching_agency"] != scenario["pd"].slug
    ]
    grouped.sort(key=lambda r: (-r["searches"], r["searching_agency_name"]))
    assert len(grouped) >= 2
    top = top_searchers(filters=filters, exclude_ids=[scenario["pd"].pk], limit=2)
    assert top == grouped[:2]
    # The subject's own agency is left out; without the exclusion it leads (most searches).
    everyone = top_searchers(filters=filters, limit=len(grouped) + 1)
    assert scenario["pd"].slug in [row["searching_agency"] for row in everyone]
    assert [r for r in everyone if r["searching_agency"] != scenario["pd"].slug] == grouped
