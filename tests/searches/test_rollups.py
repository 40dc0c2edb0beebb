"""Rollups always equal a direct count over searches: after building, partial refreshes,
reclassification and deletes, on random data spread over agencies, months, categories and flags."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.db.models import Count

from core.models import Agency
from searches.models import (
    DRILL_DOWN_FLAGS,
    ReasonCategory,
    ReasonPattern,
    Search,
    SearchDay,
    SearcherSet,
    SearchFlag,
    SearchMonthTotal,
    SearchPairTotal,
    SearchRollup,
)
from searches.services import rollups
from searches.services.reclassification import (
    reasons_classify_pending,
    search_rules_changed,
    searches_apply_classification,
    searches_reclassify,
)
from tests.factories import AgencyFactory
from tests.searches.factories import ReasonFactory

pytestmark = pytest.mark.django_db

REASONS = ["ICE", "stolen vehicle", "inv", "", "25-1234", "abortion", "homicide", "pattern scan"]


def _month(value: dt.datetime) -> dt.date:
    return dt.date(value.year, value.month, 1)


def _expected() -> tuple[dict, dict, set]:
    rollup: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, None, 0])
    day: Counter = Counter()
    searcher: set[tuple] = set()
    for s in Search.objects.all():
        month = _month(s.searched_at)
        row = rollup[(s.source_agency_id, s.searching_agency_id, month, s.category_id, s.flags)]
        row[0] += 1
        row[1] += s.devices_searched or 0
        if s.devices_searched is not None:
            row[2] = max(row[2] or 0, s.devices_searched)
        row[3] += s.networks_searched or 0
        day[(s.source_agency_id, s.searched_at.date())] += 1
        if s.searcher_hash:
            searcher.add((s.source_agency_id, s.searching_agency_id, s.searcher_hash))
    return (
        {k: tuple(v) for k, v in rollup.items()},
        dict(day),
        searcher,
    )


def _actual() -> tuple[dict, dict, set]:
    rollup = {
        (r.source_agency_id, r.searching_agency_id, r.month, r.category_id, r.flags): (
            r.searches,
            r.devices_total,
            r.devices_max,
            r.networks_total,
        )
        for r in SearchRollup.objects.all()
    }
    day = {(d.source_agency_id, d.day): d.searches for d in SearchDay.objects.all()}
    searcher = set(
        SearcherSet.objects.values_list("source_agency_id", "searching_agency_id", "searcher_hash")
    )
    return rollup, day, searcher


def _expected_summaries() -> tuple[dict, dict, set]:
    month_total: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, None, 0])
    pair: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    searchers: set[tuple] = set()
    for s in Search.objects.all():
        row = month_total[(s.source_agency_id, _month(s.searched_at), s.category_id, s.flags)]
        row[0] += 1
        row[1] += s.devices_searched or 0
        if s.devices_searched is not None:
            row[2] = max(row[2] or 0, s.devices_searched)
        row[3] += s.networks_searched or 0
        counts = pair[(s.source_agency_id, s.searching_agency_id)]
        counts[0] += 1
        counts[1] += bool(s.flags & DRILL_DOWN_FLAGS)
        if s.searcher_hash:
            searchers.add((s.source_agency_id, s.searching_agency_id, s.searcher_hash))
    return (
        {k: tuple(v) for k, v in month_total.items()},
        {k: tuple(v) for k, v in pair.items()},
        searchers,
    )


def _actual_summaries() -> tuple[dict, dict, set]:
    month_total = {
        (r.source_agency_id, r.month, r.category_id, r.flags): (
            r.searches,
            r.devices_total,
            r.devices_max,
            r.networks_total,
        )
        for r in SearchMonthTotal.objects.all()
    }
    pair = {
        (p.source_agency_id, p.searching_agency_id): (p.searches, p.flagged)
        for p in SearchPairTotal.objects.all()
    }
    searchers = set(
        SearcherSet.objects.values_list("source_agency_id", "searching_agency_id", "searcher_hash")
    )
    return month_total, pair, searchers


def assert_rollups_match() -> None:
    expected, actual = _expected(), _actual()
    for name, want, got in zip(("rollup", "day", "searcher"), expected, actual, strict=True):
        assert got == want, name
    expected, actual = _expected_summaries(), _actual_summaries()
    for name, want, got in zip(("month total", "pair", "searchers"), expected, actual, strict=True):
        assert got == want, name


@pytest.fixture
def random_searches():
    rng = random.Random(20260522)
    agencies = [
        AgencyFactory(name="Joliet IL PD", state="IL"),
        AgencyFactory(name="Eugene OR PD", state="OR"),
        AgencyFactory(name="Austin TX PD", state="TX"),
        AgencyFactory(name="HSI Chicago", state="IL", kind=Agency.Kind.FEDERAL),
    ]
    reasons = [ReasonFactory(text=text) for text in REASONS]
    rows = []
    for n in range(400):
        when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            minutes=rng.randrange(60 * 24 * 420)
        )
        # Searches just before and after midnight UTC on month edges.
        if n % 50 == 0:
            when = dt.datetime(2025, 3, 31, 23, 59, 59, tzinfo=dt.UTC)
        if n % 50 == 1:
            when = dt.datetime(2025, 4, 1, 0, 0, 0, tzinfo=dt.UTC)
        devices = rng.choice([None, rng.randrange(1, 90_000)])
        rows.append(
            Search(
                source_agency=rng.choice(agencies[:3]),
                searching_agency=rng.choice(agencies),
                searched_at=when,
                reason=rng.choice(reasons),
                devices_searched=devices,
                networks_searched=rng.choice([None, rng.randrange(1, 600)]),
                dedupe_key=f"r{n}",
                searcher_hash=rng.choice(["", "a" * 32, "b" * 32, "c" * 32]),
            )
        )
    Search.objects.bulk_create(rows)
    reasons_classify_pending()
    searches_apply_classification()
    return agencies


def test_rebuild_all_equals_a_direct_count(random_searches):
    rollups.rollups_rebuild_all()
    assert SearchRollup.objects.count() > 50
    assert Search.objects.filter(flags__gt=0).exists()
    assert_rollups_match()
    # Rebuilding again gives the same rows, not doubled ones.
    rollups.rollups_rebuild_all()
    assert_rollups_match()


def test_month_edges_fall_in_their_utc_month(random_searches):
    rollups.rollups_rebuild_all()
    march = dt.date(2025, 3, 1)
    april = dt.date(2025, 4, 1)
    counts = dict(
        SearchRollup.objects.filter(month__in=[march, april])
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    assert counts[march] > 0 and counts[april] > 0
    assert SearchDay.objects.filter(day=dt.date(2025, 3, 31)).exists()


def test_refresh_of_some_partitions_leaves_the_others_alone(random_searches):
    joliet, eugene = random_searches[0], random_searches[1]
    rollups.rollups_rebuild_all()
    eugene_before = list(
        SearchRollup.objects.filter(source_agency=eugene).values_list("pk", "searches")
    )
    # Searches change behind the rollups' back in two months of Joliet and in Eugene.
    moved = Search.objects.filter(
        source_agency=joliet, searched_at__gte=dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    ).filter(searched_at__lt=dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
    assert moved.exists()
    moved.delete()
    rollups.rollups_refresh(
        source_agency_ids=[joliet.pk], months=[dt.date(2025, 5, 17), dt.date(2025, 6, 1)]
    )
    assert_rollups_match()
    assert (
        list(SearchRollup.objects.filter(source_agency=eugene).values_list("pk", "searches"))
        == eugene_before
    )


def test_refresh_after_deletes_and_with_no_months_or_sources(random_searches):
    joliet = random_searches[0]
    rollups.rollups_rebuild_all()
    Search.objects.filter(source_agency=joliet).delete()
    rollups.rollups_refresh(source_agency_ids=[joliet.pk])
    assert not SearchRollup.objects.filter(source_agency=joliet).exists()
    assert not SearchDay.objects.filter(source_agency=joliet).exists()
    assert_rollups_match()
    rollups.rollups_refresh(source_agency_ids=[])  # nothing to do, no error
    rollups.rollups_refresh(source_agency_ids=[joliet.pk], months=[])
    assert_rollups_match()


def test_rollups_follow_a_reclassification(random_searches, django_capture_on_commit_callbacks):
    rollups.rollups_rebuild_all()
    other = ReasonCategory.objects.get(slug="other")
    vague = ReasonCategory.objects.get(slug="vague")
    assert SearchRollup.objects.filter(category=other).exists()
    ReasonPattern.objects.create(category=vague, kind="words", pattern="pattern scan")
    with django_capture_on_commit_callbacks(execute=True):
        search_rules_changed()
    assert not SearchRollup.objects.filter(category=other).exists()
    assert_rollups_match()
    result = searches_reclassify()
    assert result["searches_changed"] == 0
    assert_rollups_match()


def test_refresh_by_months_puts_midnight_searches_in_their_own_month(random_searches):
    # Refreshing month by month must count each search exactly once, edges included.
    SearchRollup.objects.all().delete()
    SearchDay.objects.all().delete()
    SearcherSet.objects.all().delete()
    months = sorted({_month(at) for at in Search.objects.values_list("searched_at", flat=True)})
    sources = sorted(set(Search.objects.values_list("source_agency_id", flat=True)))
    for month in months:
        rollups.rollups_refresh(source_agency_ids=sources, months=[month])
    assert_rollups_match()
    april = SearchRollup.objects.filter(month=dt.date(2025, 4, 1))
    assert (
        sum(april.values_list("searches", flat=True))
        == Search.objects.filter(
            searched_at__gte=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
            searched_at__lt=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
        ).count()
    )


def test_reclassify_refreshes_only_the_partitions_it_moved(random_searches):
    rollups.rollups_rebuild_all()
    joliet = random_searches[0]
    untouched = Search.objects.exclude(source_agency=joliet).first()
    reason = ReasonFactory(text="a reason nobody wrote before")
    Search.objects.filter(source_agency=joliet, reason__text="homicide").update(reason=reason)
    moved = Search.objects.filter(reason=reason).count()
    assert moved and untouched is not None
    reasons_classify_pending()
    searches_apply_classification()
    rollups.rollups_rebuild_all()
    # A stale rollup row elsewhere stays stale: proof that only moved partitions are rebuilt.
    stale = SearchRollup.objects.exclude(source_agency=joliet).first()
    SearchRollup.objects.filter(pk=stale.pk).update(searches=999_999)
    vague = ReasonCategory.objects.get(slug="vague")
    ReasonPattern.objects.create(category=vague, kind="words", pattern="nobody wrote")
    search_rules_changed()
    result = searches_reclassify()
    assert result["searches_changed"] == moved
    # Each moved search leaves one group and joins another; nothing else is touched.
    assert 0 < result["rollup_groups_changed"] <= 2 * moved
    assert SearchRollup.objects.get(pk=stale.pk).searches == 999_999
    SearchRollup.objects.filter(pk=stale.pk).delete()
    rollups.rollups_refresh(source_agency_ids=[stale.source_agency_id])
    assert_rollups_match()


def test_rollups_follow_a_law_change(random_searches):
    from core.models import StateLawProfile
    from searches.services.reclassification import searches_reflag

    rollups.rollups_rebuild_all()
    StateLawProfile.objects.update_or_create(
        state="TX", defaults={"forbidden_uses": ["immigration", "reproductive_care"]}
    )
    changed = searches_reflag(states=["TX"])
    assert changed > 0
    assert_rollups_match()


def test_agency_merge_moves_searches_without_double_counting(random_searches):
    from core.services import agency_merge

    joliet, _, austin, _ = random_searches
    rollups.rollups_rebuild_all()
    before = Search.objects.count()
    # Austin's audit was also imported under a misspelled duplicate agency: same ids.
    duplicate = AgencyFactory(name="Austn TX PD", state="TX")
    twins = list(Search.objects.filter(source_agency=austin)[:5])
    for n, search in enumerate(twins):
        search.pk = None
        search.source_agency = duplicate
        search.searching_agency = duplicate if n % 2 else joliet
        search.save()
    rollups.rollups_refresh(source_agency_ids=[duplicate.pk])

    agency_merge(target=austin, sources=[duplicate])

    assert Search.objects.count() == before
    assert not Search.objects.filter(source_agency_id=duplicate.pk).exists()
    assert_rollups_match()


def test_law_profile_saved_in_the_admin_reflags_searches(
    random_searches, admin_client, django_capture_on_commit_callbacks
):
    from core.models import StateLawProfile

    austin = random_searches[2]
    profile, _ = StateLawProfile.objects.update_or_create(
        state="TX", defaults={"forbidden_uses": []}
    )
    searches_reclassify(full=True)
    rollups.rollups_rebuild_all()
    # Texas searching Texas: only the Texas profile bears on these.
    texan = Search.objects.filter(source_agency=austin, searching_agency=austin)

    def forbidden() -> int:
        return sum(1 for s in texan.all() if s.flags & SearchFlag.FORBIDDEN_USE)

    assert forbidden() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/core/statelawprofile/{profile.pk}/change/",
            {
                "state": "TX",
                "statute_citation": "Tex. Code 1",
                "statute_url": "",
                "summary": "Test",
                "forbidden_uses": ["immigration", "reproductive_care"],
                "retention_limit_days": "",
                "effective_date": "",
                "last_reviewed": "",
            },
        )
    assert response.status_code == 302, response.content[:2000]
    assert forbidden() > 0
    assert_rollups_match()
