"""Search-audit pages: the sections of the city and agency pages, the explorer and the
national view show the figures, the reasons as written and the links, never private data."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.querystring import without_empty_params
from searches.models import Search
from tests.factories import AgencyFactory, CityFactory
from tests.searches.factories import (
    CA_CITATION,
    IL_CITATION,
    SearchFactory,
    add_flagged_searches,
    audit_scenario,
    rebuild_rollups,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section_html(response, anchor: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{anchor}"')
    end = html.find("</section>", start)
    return html[start:end]


@pytest.fixture
def scenario():
    return audit_scenario()


def test_city_page_shows_who_searched_its_cameras_and_why(client, scenario):
    response = client.get(scenario["city"].get_absolute_url())
    assert response.status_code == 200
    html = section_html(response, "searches-city")
    text = " ".join(
        unescape(
            re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", html, flags=re.S))
        ).split()
    )
    assert "Who searched this city's cameras, and why" in text
    assert "22 searches in the audits" in text
    assert "8 distinct searchers" in text
    assert "22.7% gave a vague reason (5)" in text
    assert "13.6% gave no reason at all (3)" in text
    # Flag cards with the Illinois statute next to the forbidden-use count.
    assert "3 Immigration" in text
    assert "4 Use forbidden by state law" in text
    assert IL_CITATION in text
    # The stacked chart and its data table.
    assert 'id="searches-city-chart"' in html
    assert "Searches per month by reason category" in text
    assert "March 2026 6 5" not in text  # months hold their own category counts
    # The drill-down shows the reasons as written, by whom, how wide.
    flagged = html[html.index('id="searches-city-flagged-table"') :]
    assert "ICE WARRANT" in flagged
    assert "abortion investigation" in flagged
    assert "Bramble WI PD" in flagged
    assert "83,000" in flagged
    assert "stolen vehicle 25-00412" not in flagged.split("</table>")[0]
    # Largest searches, top outside agencies (the city's own agencies left out), coverage.
    assert "The widest searches" in text
    top = html[html.index('id="searches-city-top-caption"') :].split("</table>")[0]
    assert "Kestrel County IL SO" in top and "Prairie Junction IL PD" not in top
    assert "22 searches from March 1, 2026 to May 11, 2026." in text
    assert "50 days inside that range have no search" in text
    assert "March 11, 2026 to April 1, 2026 (22 days)" in text
    # Links into the explorer and the API, filtered to this city.
    assert reverse("searches:explorer") + "?city=prairie-junction-il" in html
    # The CSV goes through the download page, which builds a large result as a file.
    assert "/downloads/search.csv?city=prairie-junction-il" in html
    # plotly.js is loaded for the chart.
    assert "vendor/plotly/plotly-maps.min.js" in response.content.decode()


def test_city_page_without_audits_explains_how_they_get_here(client):
    city = CityFactory(name="Quiet Town", state="IL", slug="quiet-town-il")
    AgencyFactory(name="Quiet Town IL PD", home_city=city)
    response = client.get(city.get_absolute_url())
    text = text_of(response)
    assert "The portal holds no search audit for Quiet Town yet." in text
    assert "public records request" in text
    assert 'id="searches-city-chart"' not in response.content.decode()


def test_flagged_drill_down_pages_with_an_older_link(client, scenario):
    pd = scenario["pd"]
    reason = Search.objects.filter(reason__text="ICE WARRANT").first().reason
    for n in range(30):
        SearchFactory(
            source_agency=pd,
            searching_agency=scenario["wisconsin"],
            searched_at=dt.datetime(2026, 2, 1, 8, n, tzinfo=dt.UTC),
            reason=reason,
            flags=reason.flags | 64 | 256,
        )
    rebuild_rollups()
    response = client.get(scenario["city"].get_absolute_url())
    html = section_html(response, "searches-city")
    table = html[html.index('id="searches-city-flagged-table"') :].split("</table>")[0]
    assert table.count("<tr") == 1 + 25
    next_url = unescape(re.search(r'href="([^"]+)" rel="next">Older flagged', html).group(1))
    assert "city_after=" in next_url
    older = client.get(scenario["city"].get_absolute_url() + next_url.split("#")[0])
    html = section_html(older, "searches-city")
    table = html[html.index('id="searches-city-flagged-table"') :].split("</table>")[0]
    assert table.count("<tr") == 1 + (34 - 25)
    assert "Newest" in html


def test_agency_page_shows_its_audit_and_its_searches_of_others(client, scenario):
    response = client.get(scenario["pd"].get_absolute_url())
    text = text_of(response)
    assert "Who searched its cameras, and why" in text
    assert "Its searches of other agencies' cameras" in text
    by = section_html(response, "searches-by")
    assert "Harbor Vista CA PD" in by
    assert CA_CITATION in by  # the forbidden sharing rests on California's law


def test_agency_page_of_an_agency_without_audits(client, scenario):
    response = client.get(scenario["hoa"].get_absolute_url())
    text = text_of(response)
    assert "The portal holds no search audit for Willow Creek Homeowners Association yet." in text
    assert "vendor/plotly/" not in response.content.decode()


def test_pages_never_show_searcher_hashes(client, scenario):
    hashes = set(Search.objects.exclude(searcher_hash="").values_list("searcher_hash", flat=True))
    for url in (
        scenario["city"].get_absolute_url(),
        scenario["pd"].get_absolute_url(),
        reverse("searches:explorer"),
        reverse("searches:national"),
    ):
        html = client.get(url).content.decode()
        assert not any(h in html for h in hashes), url


def test_explorer_filters_sorts_and_counts_from_rollups(client, scenario):
    url = reverse("searches:explorer")
    response = client.get(url, {"source_agency": scenario["pd"].slug, "flag": "immigration"})
    text = text_of(response)
    assert "3 searches match." in text
    rows = re.findall(r"<tr.*?</tr>", section_html(response, "results"), flags=re.S)[1:]
    assert len(rows) == 3
    assert all("Immigration" in row for row in rows)
    # Labels for every field.
    html = response.content.decode()
    for name in ("id_source_agency", "id_searching_agency_name", "id_reason", "id_date_from"):
        assert f'for="{name}"' in html
    # The CSV link carries the same filters.
    slug = scenario["pd"].slug
    assert f"/downloads/search.csv?source_agency={slug}&amp;flag=immigration" in html

    by_devices = client.get(
        url, {"source_agency": scenario["pd"].slug, "sort": "-devices_searched"}
    )
    devices = re.findall(r'<span class="devices">([\d,]+)</span>', by_devices.content.decode())
    values = [int(d.replace(",", "")) for d in devices]
    assert values[:3] == [83_000, 48_000, 47_000]

    by_text = client.get(url, {"reason": "abortion"})
    assert "1 search matches." in text_of(by_text)
    assert "abortion investigation" in text_of(by_text)


def test_explorer_sorting_by_devices_needs_one_agency(client, scenario):
    # No control offers it without an agency; a hand-made URL is still refused, not obeyed.
    response = client.get(reverse("searches:explorer"), {"sort": "-devices_searched"})
    assert "needs one audited agency" in text_of(response)
    devices = re.findall(r'<span class="devices">([\d,]+)</span>', response.content.decode())
    assert [int(d.replace(",", "")) for d in devices][:3] != [83_000, 48_000, 47_000]


def test_explorer_pages_by_keyset(client, scenario, settings):
    from searches import views

    url = reverse("searches:explorer")
    original = views.EXPLORER_PAGE_SIZE
    views.EXPLORER_PAGE_SIZE = 10
    try:
        seen = []
        params = {"source_agency": scenario["pd"].slug}
        while True:
            response = client.get(url, params)
            html = section_html(response, "results")
            seen += re.findall(r'<time datetime="([^"]+)"', html)
            match = re.search(r'href="\?([^"#]+)[^"]*" rel="next"', html)
            if not match:
                break
            params = dict(p.split("=", 1) for p in unescape(match.group(1)).split("&"))
        assert len(seen) == 22 == len(set(seen))
        assert seen == sorted(seen, reverse=True)
    finally:
        views.EXPLORER_PAGE_SIZE = original


def test_explorer_reports_bad_filters(client, scenario):
    response = client.get(reverse("searches:explorer"), {"date_from": "yesterday"})
    assert response.status_code == 200
    assert "Enter a valid date" in text_of(response)


def test_national_view_lists_flagged_searches_by_state_and_agency(client, scenario):
    response = client.get(reverse("searches:national"))
    text = text_of(response)
    assert "6 searches in the audits the portal holds point to" in text
    state_table = section_html(response, "by-state")
    assert "Illinois" in state_table and "California" in state_table
    assert 'id="national-chart"' in state_table
    assert "source_state=IL&amp;flag=immigration" in state_table
    searchers = section_html(response, "by-searcher")
    assert searchers.index("Bramble WI PD") < searchers.index("Homeland Security Investigations")


def test_city_page_query_count_does_not_grow_with_searches(client, scenario, settings):
    settings.SEARCH_STATS_CACHE_SECONDS = 0
    url = scenario["city"].get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    reason = Search.objects.first().reason
    for n in range(60):
        SearchFactory(
            source_agency=scenario["pd"],
            searching_agency=AgencyFactory(),
            searched_at=dt.datetime(2026, 1 + n % 6, 1 + n % 27, tzinfo=dt.UTC),
            reason=reason,
        )
    rebuild_rollups()
    client.get(url)  # counts the distinct searchers again, once (stored for the next reads)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_city_section_is_cached_until_the_rollups_change(client, scenario):
    url = scenario["city"].get_absolute_url()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url)
    assert len(warm) < len(cold)
    assert not any("searches_searchrollup" in q["sql"] and "SUM" in q["sql"] for q in warm)
    assert section_html(first, "searches-city") == section_html(second, "searches-city")
    reason = Search.objects.filter(reason__text="ICE WARRANT").first().reason
    SearchFactory(
        source_agency=scenario["pd"],
        searching_agency=scenario["hsi"],
        searched_at=dt.datetime(2026, 5, 30, tzinfo=dt.UTC),
        reason=reason,
        flags=reason.flags | 64 | 512,
    )
    rebuild_rollups()
    third = client.get(url)
    assert "23 searches in the audits" in text_of(third)


def test_demo_audits_import_through_the_real_path_once(client, monkeypatch):
    from core.models import ImportJob
    from portal.demo import demo_build
    from searches import demo

    monkeypatch.setattr(demo, "PRAIRIE_ROWS", 2_000)
    monkeypatch.setattr(demo, "HARBOR_ROWS", 300)
    demo_build(accounts=False)
    first = demo.demo_searches_build()
    prairie = first["Prairie Junction IL PD"]
    assert prairie["status"] == "succeeded"
    assert prairie["read"] == prairie["new"] > 2_000  # plus the concerns and protests
    assert prairie["rejected"] == 0
    assert first["Harbor Vista CA PD"]["new"] == 300
    jobs = ImportJob.objects.filter(kind=ImportJob.Kind.AUDIT).count()
    searches = Search.objects.count()
    assert demo.demo_searches_build() == {
        "Prairie Junction IL PD": "already there",
        "Harbor Vista CA PD": "already there",
    }
    assert (
        ImportJob.objects.filter(kind=ImportJob.Kind.AUDIT).count(),
        Search.objects.count(),
    ) == (
        jobs,
        searches,
    )
    # The same seed gives the same file.
    pd = Search.objects.first().source_agency
    searchers = demo.prairie_searchers(pd=pd)
    assert demo.prairie_network_audit(searchers=searchers) == demo.prairie_network_audit(
        searchers=searchers
    )
    text = text_of(client.get("/cities/prairie-junction-il/"))
    assert f"{prairie['new']:,} searches in the audits" in text
    assert "July 14, 2026 to July 20, 2026 (7 days)" in text
    assert "had an abortion" in text


def test_city_searches_cite_the_statute_once_not_on_every_row(client, scenario):
    add_flagged_searches(scenario)
    html = section_html(client.get(scenario["city"].get_absolute_url()), "searches-city")
    table = html[html.index('id="searches-city-flagged-table"') :].split("</table>")[0]
    # Many rows carry the state-law flag, by name only ...
    assert table.count("Use forbidden by state law") >= 20
    assert IL_CITATION not in table and 'class="citation"' not in table
    # ... and the section names the statute once, with its link, above the tables.
    assert html.count(IL_CITATION) == 1
    legend = html[html.index('id="searches-city-statutes"') :].split("</p>")[0]
    assert IL_CITATION in legend and "(Illinois)" in legend
    assert html.index('id="searches-city-statutes"') < html.index('id="searches-city-flagged"')


def test_flagged_fragment_holds_only_the_rows_and_links_to_whole_pages(client, scenario):
    add_flagged_searches(scenario)
    url = scenario["city"].get_absolute_url()
    page = client.get(url).content.decode()
    next_url = unescape(re.search(r'href="([^"]+)" rel="next">Older flagged', page).group(1))
    query = next_url.split("#")[0]
    fragment = client.get(url + query + "&fragment=searches-city-flagged")
    html = fragment.content.decode()
    assert fragment["X-Robots-Tag"] == "noindex"
    assert "<html" not in html and 'id="cameras"' not in html and 'id="sharing-out"' not in html
    # The same rows as the whole page at that address, which a copied link opens.
    whole = section_html(client.get(url + query), "searches-city")
    rows = html[html.index('id="searches-city-flagged-table"') :].split("</table>")[0]
    assert rows == whole[whole.index('id="searches-city-flagged-table"') :].split("</table>")[0]
    assert rows.count("<tr") == 1 + (34 - 25)
    assert 'id="searches-city-statutes"' in html and 'id="searches-city-flagged-rows"' in html
    # Its "Newest" link leads to the whole page, not to another fragment.
    newest = unescape(re.search(r'<a href="([^"]+)">Newest</a>', html).group(1))
    assert "fragment=" not in newest and newest.endswith("#searches-city-flagged")


def test_flagged_fragment_of_an_unknown_section_is_not_found(client, scenario):
    url = scenario["city"].get_absolute_url()
    assert client.get(url, {"fragment": "cameras"}).status_code == 404
    agency = client.get(scenario["pd"].get_absolute_url(), {"fragment": "searches-by-flagged"})
    assert "searches-by-flagged-table" in agency.content.decode()
    assert "<html" not in agency.content.decode()


def _sort_options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select name="sort".*?</select>', html, flags=re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def _header_sort_links(response) -> list[str]:
    thead = re.search(r"<thead>.*?</thead>", section_html(response, "results"), re.S).group(0)
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', thead)]


def test_explorer_counts_mid_month_dates_and_reason_text(client, scenario, settings):
    url = reverse("searches:explorer")
    # Mid-month dates: 2026-04-02 to 04-21 holds 5 searches of the Prairie PD's cameras.
    expected = Search.objects.filter(
        searched_at__gte=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
        searched_at__lt=dt.datetime(2026, 4, 22, tzinfo=dt.UTC),
        category__slug="vague",
    ).count()
    response = client.get(
        url, {"date_from": "2026-04-02", "date_to": "2026-04-21", "category": "vague"}
    )
    assert f"{expected} searches match." in text_of(response)
    assert expected == 5

    settings.SEARCH_EXPLORER_COUNT_BOUND = 2
    text = text_of(client.get(url, {"reason": "inv"}))
    assert "More than 2 searches match." in text
    assert "A lower bound" in text and "counting stops after 2" in text


def test_explorer_offers_only_sorts_it_accepts(client, scenario):
    url = reverse("searches:explorer")
    everywhere = client.get(url, {"flag": "immigration"})
    assert _sort_options(everywhere) == ["", "searched_at"]
    links = _header_sort_links(everywhere)
    assert links == ["?flag=immigration&sort=searched_at#results"]
    assert "choose one audited agency" in text_of(everywhere)

    slug = scenario["pd"].slug
    one = client.get(url, {"source_agency": slug})
    assert _sort_options(one) == [
        "",
        "searched_at",
        "-devices_searched",
        "devices_searched",
        "-networks_searched",
        "networks_searched",
    ]
    assert _header_sort_links(one) == [
        f"?source_agency={slug}&sort=searched_at#results",
        f"?source_agency={slug}&sort=-networks_searched#results",
        f"?source_agency={slug}&sort=-devices_searched#results",
    ]
    assert "choose one audited agency" not in text_of(one)
    # Every offered sort is accepted: none ends in the refusal notice.
    for sort in _sort_options(one):
        page = client.get(url, {"source_agency": slug, **({"sort": sort} if sort else {})})
        assert "needs one audited agency" not in text_of(page)
    # The sorted column's second click sorts ascending, and back to the default drops ``sort``.
    by_devices = client.get(url, {"source_agency": slug, "sort": "-devices_searched"})
    assert f"?source_agency={slug}&sort=devices_searched#results" in _header_sort_links(by_devices)
    oldest = client.get(url, {"source_agency": slug, "sort": "searched_at"})
    assert _header_sort_links(oldest)[0] == f"?source_agency={slug}#results"


def test_explorer_redirects_empty_parameters_to_the_clean_url(client, scenario):
    url = reverse("searches:explorer")
    response = client.get(
        url + "?source_agency=&searching_agency_name=&category=&reason=+&flag=immigration"
        "&date_from=&date_to=2026-05-31&sort="
    )
    assert response.status_code == 302
    assert response["Location"] == url + "?flag=immigration&date_to=2026-05-31"
    assert client.get(url + "?reason=&sort=")["Location"] == url

    clean = client.get(url + "?flag=immigration&date_to=2026-05-31")
    assert clean.status_code == 200
    assert "searches match." in text_of(clean)
    # Paging and sort links carry no empty parameter either.
    html = clean.content.decode()
    for href in re.findall(r'href="(\?[^"]*)"', html):
        assert "=&" not in unescape(href) and not re.search(r"=(#|$)", unescape(href))
    # Not a GET: untouched, blank values and all.
    seen = []
    view = without_empty_params(lambda request: seen.append(request.GET.urlencode()) or "ok")
    assert view(RequestFactory().post("/searches/?reason=&flag=protest")) == "ok"
    assert seen == ["reason=&flag=protest"]
    assert view(RequestFactory().get("/searches/?flag=protest")) == "ok"
    assert view(RequestFactory().get("/searches/?reason=&flag=protest"))["Location"] == (
        "/searches/?flag=protest"
    )


def test_explorer_csv_link_and_file_are_named_after_the_filters(client, scenario):
    slug = scenario["pd"].slug
    url = reverse("searches:explorer")
    params = {"flag": "immigration", "date_from": "2026-03-01", "date_to": "2026-04-30"}
    response = client.get(url, {"source_agency": slug, **params})
    csv_url = unescape(
        re.search(r'href="(/downloads/search\.csv\?[^"]+)"', response.content.decode()).group(1)
    )
    assert "=&" not in csv_url
    download = client.get(csv_url, follow=True)
    assert download["Content-Disposition"] == (
        f'attachment; filename="searches_{slug}_2026-03-01_2026-04-30_immigration.csv"'
    )
    assert len(download.getvalue().decode().splitlines()) == 1 + 2
