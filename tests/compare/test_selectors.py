"""Each measure of a comparison is the figure the city page and the API show for that city, and
a state's cities rank highest first with the caveats the methodology states."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compare.selectors import (
    MEASURES,
    CompareError,
    compare_agencies,
    compare_cities,
    rank,
    rankings,
    state_city_measures,
)
from searches.models import DRILL_DOWN_FLAGS
from searches.selectors.stats import flag_names
from tests.factories import CameraFactory, CityFactory

pytestmark = pytest.mark.django_db

SPECS = {spec.key: spec for spec in MEASURES}


def test_measures_equal_the_city_page(client, scenario):
    prairie, harbor = compare_cities(slugs=["prairie-junction-il", "harbor-vista-ca"])
    for measures, city in ((prairie, scenario["prairie"]), (harbor, scenario["harbor_city"])):
        page = client.get(city.get_absolute_url())
        context = page.context
        assert measures.active_cameras == context["city"].active_camera_count
        assert measures.sharing == context["sharing_sections"][0].counts
        latest = [summary.latest for summary in context["snapshot_summaries"]]
        assert measures.retention_days == max(s.retention_days for s in latest)
        assert measures.hotlist_hits_30d == sum(s.hotlist_hits_30d or 0 for s in latest)
        stats = context["search_sections"][0].stats
        assert measures.searches.total == stats.total
        assert measures.vague_percent == stats.vague_percent
        assert measures.blank_percent == stats.blank_percent
        assert measures.hearings == len(context["upcoming"]) + context["past_count"]
    # Figures worked out by hand from the scenario, so the comparison with the page can fail.
    assert prairie.active_cameras == 4  # the removed camera is not counted
    assert (prairie.sharing.total, prairie.sharing.out_of_state, prairie.sharing.federal) == (
        4,
        1,
        1,
    )
    assert prairie.retention_days == 60  # the HOA's, longer than the PD's latest 14
    assert prairie.retention_snapshot.agency.name == "Willow Creek Homeowners Association"
    assert prairie.hotlist_hits_30d == 87
    assert prairie.searches.total == 22
    assert prairie.vague_or_blank_percent == pytest.approx(100 * 8 / 22)
    assert prairie.searches.flagged == 4
    assert prairie.flagged_per_10k == pytest.approx(10_000 * 4 / 22)
    assert prairie.cameras_per_10k == pytest.approx(10_000 * 4 / 150_000)
    assert (prairie.hearings, prairie.public_comments, prairie.petition_signatures) == (2, 2, 5)
    assert (harbor.hearings, harbor.public_comments, harbor.petition_signatures) == (0, 0, 0)
    assert harbor.searches.flagged == 2  # the two searches California law forbids sharing for
    assert harbor.retention_days == 30


def test_search_figures_equal_the_search_stats_api(client, scenario):
    (prairie,) = compare_cities(slugs=["prairie-junction-il"])
    url = reverse("api:search-stats-list")
    months = client.get(url, {"city": "prairie-junction-il", "group_by": "month"}).json()
    by_month = {row["month"]: row["searches"] for row in months["results"]}
    assert [m.strftime("%Y-%m") for m in prairie.months] == ["2026-03", "2026-04", "2026-05"]
    assert prairie.searches_in_months == sum(by_month.values()) == 22
    assert prairie.searches_per_month == pytest.approx(22 / 3)
    assert prairie.few_months and prairie.few_searches
    flagged = client.get(
        url, [("city", "prairie-junction-il"), *(("flag", f) for f in flag_names(DRILL_DOWN_FLAGS))]
    ).json()
    assert prairie.searches.flagged == flagged["results"][0]["searches"]
    blank_vague = client.get(
        url, [("city", "prairie-junction-il"), ("flag", "vague"), ("flag", "blank")]
    ).json()
    assert prairie.searches.vague + prairie.searches.blank == blank_vague["results"][0]["searches"]


def test_sharing_and_cameras_equal_their_api_lists(client, scenario):
    prairie, harbor = compare_cities(slugs=["prairie-junction-il", "harbor-vista-ca"])
    for measures in (prairie, harbor):
        city = client.get(reverse("api:city-detail", kwargs={"slug": measures.slug})).json()
        assert measures.active_cameras == city["active_camera_count"]
        assert measures.population == city["population"]
        for flag, expected in (
            ("", measures.sharing.total),
            ("out_of_state", measures.sharing.out_of_state),
            ("federal", measures.sharing.federal),
        ):
            params = {"city": measures.slug, "current": "true", **({flag: "true"} if flag else {})}
            listed = client.get(reverse("api:sharing-agreement-list"), params).json()
            assert listed["count"] == expected


def test_agencies_compare_their_own_cameras_audit_and_page(scenario):
    pd, harbor = compare_agencies(slugs=[scenario["pd"].slug, scenario["harbor"].slug])
    assert (pd.kind, pd.active_cameras, pd.sharing.total) == ("agency", 3, 3)
    assert pd.retention_days == 14  # its own latest snapshot, not the HOA's
    assert pd.searches.total == 22
    assert pd.cameras_per_10k is None and pd.hearings is None
    assert harbor.searches.total == 3


def test_slugs_are_checked(scenario):
    with pytest.raises(CompareError, match="“nowhere-xx”"):
        compare_cities(slugs=["prairie-junction-il", "nowhere-xx"])
    with pytest.raises(CompareError, match="At most 12"):
        compare_cities(slugs=[f"city-{n}" for n in range(13)])
    with pytest.raises(CompareError, match="at least one"):
        compare_cities(slugs=[])


def test_a_state_ranks_its_cities_highest_first_and_says_why_some_are_not_ranked(scenario):
    # Two cities with the same cameras per resident share a rank.
    twin = CityFactory(name="Aspen Hill", state="IL", slug="aspen-hill-il", population=150_000)
    CameraFactory.create_batch(4, city=twin)
    measures = state_city_measures(state="il")
    assert [m.name for m in measures] == [
        "Aspen Hill",
        "Elm Falls",
        "Oak Ridge",
        "Prairie Junction",
    ]
    cameras = rank(measures, SPECS["cameras_per_10k"])
    assert [(row.rank, row.measures.name) for row in cameras.ranked] == [
        (1, "Elm Falls"),
        (2, "Aspen Hill"),
        (2, "Prairie Junction"),
    ]
    assert cameras.ranked[0].caveat.startswith("fewer than 10,000 residents")
    assert [(row.measures.name, row.missing) for row in cameras.unranked] == [
        ("Oak Ridge", "population unknown")
    ]
    retention = rank(measures, SPECS["retention_days"])
    assert [row.measures.name for row in retention.ranked] == ["Prairie Junction"]
    assert {row.missing for row in retention.unranked} == {"no transparency page on record"}
    vague = rank(measures, SPECS["vague_or_blank_percent"])
    assert vague.ranked[0].caveat == "only 22 searches"
    assert {row.missing for row in vague.unranked} == {"no search audit on record"}
    assert len(rankings(measures)) == len(MEASURES)


def test_queries_are_bounded_per_city(scenario, settings):
    settings.SEARCH_STATS_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as two:
        compare_cities(slugs=["prairie-junction-il", "harbor-vista-ca"])
    with CaptureQueriesContext(connection) as four:
        compare_cities(
            slugs=["prairie-junction-il", "harbor-vista-ca", "oak-ridge-il", "elm-falls-il"]
        )
    # Two cities without audits more: their sharing counts, nothing else grows with them.
    assert len(four) - len(two) <= 2 * 2
    assert len(two) <= 16


def test_snapshot_dates_and_months_for_the_row(scenario):
    (prairie,) = compare_cities(slugs=["prairie-junction-il"])
    assert prairie.snapshot_date == dt.date(2026, 6, 1)
    assert prairie.months[0] == dt.date(2026, 3, 1)
