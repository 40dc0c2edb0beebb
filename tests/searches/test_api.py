"""The search-audit API: searches (cursor pages, filters, streamed CSV), statistics from the
rollups with validated group_by, reason categories and public import summaries."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.models import ImportJob
from searches.models import ReasonCategory, ReasonPattern, Search, SearchFlag
from tests.helpers import csv_rows
from tests.searches.factories import SearchFactory, audit_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return audit_scenario()


def test_searches_list_is_newest_first_with_public_fields_only(client, scenario):
    response = client.get(reverse("api:search-list"), {"source_agency": scenario["pd"].slug})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    results = body["results"]
    assert len(results) == 22
    times = [r["searched_at"] for r in results]
    assert times == sorted(times, reverse=True)
    newest = results[0]
    assert newest["reason"] == "abortion investigation"
    assert newest["flags"] == ["reproductive_care", "forbidden_use", "out_of_state"]
    assert newest["category"] == "reproductive-care"
    assert newest["searching_agency"]["name"] == "Bramble WI PD"
    assert newest["devices_searched"] == 83_000
    assert "searcher_hash" not in newest and "dedupe_key" not in newest and "job" not in newest


def test_searches_cursor_pages_cover_every_row_once(client, scenario):
    url = reverse("api:search-list") + "?page_size=5"
    ids = []
    while url:
        body = client.get(url).json()
        ids += [r["id"] for r in body["results"]]
        url = body["next"]
        assert "page=" not in (url or "")
    assert len(ids) == Search.objects.count() == len(set(ids))


def test_searches_filters(client, scenario):
    url = reverse("api:search-list")

    def count(**params):
        return len(client.get(url, params).json()["results"])

    assert count(flag="immigration") == 3
    assert count(flag=["immigration", "reproductive_care"]) == 4
    assert count(searching_state="WI") == 3
    assert count(source_state="CA") == 3
    assert count(city="prairie-junction-il") == 22
    assert count(category="vague") == 6
    assert count(reason="ICE") == 2
    assert count(date_from="2026-05-01", date_to="2026-05-11") == 7
    assert count(searching_agency_name="bramble") == 3
    assert count(min_devices=40_000) == 3
    bad = client.get(url, {"category": "no-such-category"})
    assert bad.status_code == 400


def test_searches_csv_streams_every_row_with_formulas_neutralized(client, scenario):
    response = client.get(reverse("api:search-list"), {"format": "csv", "page_size": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="searches.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert len(rows) == Search.objects.count()
    warrant = [r for r in rows if "HYPERLINK" in r["reason"]]
    assert warrant and all(r["reason"].startswith("'=") for r in warrant)
    flagged = [r for r in rows if r["reason"] == "ICE WARRANT"]
    assert flagged[0]["flags"] == "immigration;forbidden_use;out_of_state"
    assert flagged[0]["source_agency.name"] == "Prairie Junction IL PD"
    assert "searcher_hash" not in rows[0]


def test_search_stats_group_by_month_and_category(client, scenario):
    response = client.get(
        reverse("api:search-stats-list"),
        {"group_by": "month,category", "source_agency": scenario["pd"].slug},
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    march = {r["category"]: r["searches"] for r in rows if r["month"] == "2026-03"}
    assert march == {"stolen-vehicle": 6, "immigration": 1}
    assert sum(r["searches"] for r in rows) == 22
    assert set(rows[0]) == {
        "month",
        "category",
        "category_name",
        "searches",
        "devices_total",
        "devices_max",
        "networks_total",
        "blank_reason",
    }


def test_search_stats_without_group_by_is_one_row_of_totals(client, scenario):
    rows = client.get(reverse("api:search-stats-list")).json()["results"]
    assert rows == [
        {
            "searches": 25,
            "devices_total": rows[0]["devices_total"],
            "devices_max": 83_000,
            "networks_total": rows[0]["networks_total"],
            "blank_reason": 3,  # the pages' "gave no reason at all (3)"
        }
    ]
    assert rows[0]["devices_total"] == sum(
        Search.objects.values_list("devices_searched", flat=True)
    )


def test_search_stats_by_state_and_flag_and_month_filters(client, scenario):
    rows = client.get(
        reverse("api:search-stats-list"), {"group_by": "state,flag", "flag": "forbidden_use"}
    ).json()["results"]
    il = {r["flag"]: r["searches"] for r in rows if r["state"] == "IL"}
    assert il["forbidden_use"] == 4 and il["immigration"] == 3
    may = client.get(
        reverse("api:search-stats-list"),
        {"source_agency": scenario["pd"].slug, "month_from": "2026-05", "month_to": "2026-05"},
    ).json()["results"]
    assert may[0]["searches"] == 7


def test_search_stats_rejects_unknown_group_by_with_the_allowed_values(client, scenario):
    response = client.get(reverse("api:search-stats-list"), {"group_by": "month,plate"})
    assert response.status_code == 400
    body = response.json()
    assert "plate" in str(body["detail"])
    assert body["allowed"] == [
        "month",
        "category",
        "flag",
        "source_agency",
        "searching_agency",
        "state",
    ]
    bad_month = client.get(reverse("api:search-stats-list"), {"month_from": "May"})
    assert bad_month.status_code == 400


def test_search_stats_csv(client, scenario):
    response = client.get(
        reverse("api:search-stats-list"), {"group_by": "searching_agency", "format": "csv"}
    )
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "searching_agency",
        "searching_agency_name",
        "searches",
        "devices_total",
        "devices_max",
        "networks_total",
        "blank_reason",
    ]
    by_name = {r["searching_agency_name"]: int(r["searches"]) for r in rows}
    assert by_name["Bramble WI PD"] == 3


def test_search_stats_reads_rollups_not_searches(client, scenario):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("api:search-stats-list"), {"group_by": "month,category,flag"})
    assert not any('"searches_search"' in q["sql"] for q in queries.captured_queries)


def test_reason_categories_with_patterns_and_flag_names(client, scenario):
    category = ReasonCategory.objects.create(
        name="Test concern",
        slug="test-concern",
        kind=ReasonCategory.Kind.CONCERN,
        priority=1,
        flags=SearchFlag.PROTEST | SearchFlag.IMMIGRATION,
        examples="rally downtown\nmarch on main\n",
        limits="Not “rallye” or “marching band”.",
    )
    ReasonPattern.objects.create(
        category=category, pattern="rally", position=1, note="words", flags=SearchFlag.VAGUE
    )
    body = client.get(reverse("api:reason-category-detail", args=["test-concern"])).json()
    assert body["flags"] == ["immigration", "protest"]
    assert body["examples"] == ["rally downtown", "march on main"]
    assert body["patterns"] == [
        {"position": 1, "kind": "words", "pattern": "rally", "flags": ["vague"], "note": "words"}
    ]
    listed = client.get(reverse("api:reason-category-list"), {"kind": "concern"}).json()
    assert listed["results"][0]["slug"] == "test-concern"
    assert {c["kind"] for c in listed["results"]} == {"concern"}
    category.is_active = False
    category.save()
    assert (
        client.get(reverse("api:reason-category-detail", args=["test-concern"])).status_code == 404
    )


def test_imports_show_summaries_never_files_or_people(client, scenario, clerk):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.AUDIT,
        status=ImportJob.Status.SUCCEEDED,
        original_name="audit-with-officer-Jane-Roe.csv",
        options={"agency": "Prairie Junction IL PD", "format": "auto"},
        created_by=clerk,
        rows_read=10,
        rows_created=7,
        rows_unchanged=2,
        rows_rejected=1,
        error="line 4: plate ABC1234",
    )
    job.file.save("audit-with-officer-Jane-Roe.csv", ContentFile(b"x"), save=True)
    body = client.get(reverse("api:import-list"), {"kind": "audit"}).json()
    (row,) = body["results"]
    assert row["source_agency"] == "Prairie Junction IL PD"
    assert (row["rows_read"], row["rows_new"], row["rows_duplicate"], row["rows_rejected"]) == (
        10,
        7,
        2,
        1,
    )
    text = str(body) + client.get(reverse("api:import-list"), {"format": "csv"}).getvalue().decode()
    for private in ("Jane-Roe", "ABC1234", "clerk-joliet", "imports/", "auto"):
        assert private not in text


def test_search_detail(client, scenario):
    search = scenario["searches"][0]
    body = client.get(reverse("api:search-detail", args=[search.pk])).json()
    assert body["id"] == search.pk
    assert body["searched_at"] == "2026-03-01T12:00:00Z"


def test_searches_list_query_count_is_flat(client, scenario, django_assert_max_num_queries):
    added = [
        SearchFactory(
            source_agency=scenario["pd"],
            searched_at=dt.datetime(2026, 6, 1 + n % 28, tzinfo=dt.UTC),
        )
        for n in range(30)
    ]
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api:search-list"))
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == min(Search.objects.count(), 100)
    # June rows are the newest, so the first page starts with all of them.
    assert {r["id"] for r in results[:30]} == {search.pk for search in added}
    assert all(r["source_agency"]["name"] == "Prairie Junction IL PD" for r in results[:30])


def test_searches_csv_is_named_after_its_filters(client, scenario):
    slug = scenario["pd"].slug
    url = reverse("api:search-list")

    def name(query: str) -> str:
        disposition = client.get(f"{url}?{query}&format=csv")["Content-Disposition"]
        return re.fullmatch(r'attachment; filename="([^"]+)"', disposition).group(1)

    full = (
        f"source_agency={slug}&date_from=2026-03-01&date_to=2026-04-30"
        "&flag=out_of_state&flag=immigration"
    )
    expected = f"searches_{slug}_2026-03-01_2026-04-30_immigration_out-of-state.csv"
    assert name(full) == expected
    # Deterministic: the order of the URL's parameters, paging and sorting change nothing.
    reordered = (
        "flag=immigration&date_to=2026-04-30&page_size=2&flag=out_of_state"
        f"&date_from=2026-03-01&source_agency={slug}"
    )
    assert name(reordered) == expected
    assert name("date_from=2026-05-01") == "searches_from-2026-05-01.csv"
    assert name("category=vague&searching_state=WI") == "searches_by-state-wi_category-vague.csv"
    # Reason text in safe characters only, and a bounded length however long the filters.
    odd = name('reason=Ab"ortion/../%0D%0Ainv;x' + "&searching_agency_name=" + "k" * 300)
    assert re.fullmatch(r"[a-z0-9_.-]+", odd) and len(odd) <= 124
    assert odd.startswith("searches_by-name-kkkk") and odd.endswith(".csv")
    assert name("reason=abortion") == "searches_reason-abortion.csv"
    assert name("") == "searches.csv"


def test_search_export_job_file_is_named_after_its_filters(
    client, scenario, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    slug = scenario["pd"].slug
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("api:search-list"), {"source_agency": slug, "format": "csv"})
    assert response.status_code == 303
    job = client.get(response["Location"]).json()
    download = client.get(job["download_url"])
    assert download["Content-Disposition"] == f'attachment; filename="searches_{slug}.csv"'
