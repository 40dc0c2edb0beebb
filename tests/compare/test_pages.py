"""The comparison pages: the picker, cities side by side with a chart and a table of every
measure, the CSV of the same, a state's ranking, and their answers to bad input."""

import re
from html import unescape

import pytest
from django.core.cache import caches
from django.urls import reverse

from compare.selectors import (
    MEASURES,
    MONTHS_WINDOW,
    ROW_COLUMNS,
    SMALL_POPULATION,
    SMALL_SEARCHES,
)
from tests.factories import CityFactory
from tests.helpers import csv_rows, figure_of

pytestmark = pytest.mark.django_db

COMPARE = reverse("compare:compare")
BOTH = {"cities": "prairie-junction-il,harbor-vista-ca"}


def text_of(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_without_cities_the_picker_offers_every_city_by_state(client, scenario):
    response = client.get(COMPARE)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('type="checkbox" name="cities"') == 4
    assert '<legend>Illinois <a class="small" href="/compare/states/il/">' in html
    # The suggestion links the cities with the most cameras.
    assert 'href="/compare/?cities=elm-falls-il%2Cprairie-junction-il%2C' in html


def test_compare_page_shows_every_measure_as_a_chart_and_in_one_table(client, scenario):
    response = client.get(COMPARE, BOTH)
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    figures = re.findall(r'<div id="compare-[^"]+" class="plotly-graph-div', html)
    # Harbor Vista and Prairie Junction both have each figure, so each measure has its chart.
    assert len(figures) == len(MEASURES)
    for spec in MEASURES:
        start = html.index(f'id="compare-{spec.key}"')
        figure = figure_of(html[start:])
        assert figure["data"][0]["orientation"] == "h"
        assert figure["data"][0]["y"] == ["Prairie Junction", "Harbor Vista"]
    table = html[html.index('id="compare-measures"') : html.index("</table>")]
    assert table.count("<tr>") == len(MEASURES) + 1
    assert 'data-label="Harbor Vista"' in table
    assert (
        "Retention (days) 60 longest of its agencies: Willow Creek Homeowners Association 30"
        in text_of_html(table)
    )
    assert "3 months with searches, March 2026 to May 2026" in text
    assert "only 22 searches" in text
    assert "population 150,000" in text
    # The sharing chart sets the out-of-state and federal agreements beside all of them.
    start = html.index('id="compare-sharing_total"')
    sharing = figure_of(html[start:])
    assert [t["x"] for t in sharing["data"]] == [[4, 1], [1, 1], [1, 0]]


def text_of_html(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_city_without_a_figure_is_named_under_its_chart_not_drawn_as_zero(client, scenario):
    response = client.get(COMPARE, {"cities": "prairie-junction-il,oak-ridge-il"})
    text = text_of(response)
    assert "Not shown: Oak Ridge (population unknown)." in text
    assert "Not shown: Oak Ridge (no search audit on record)." in text
    assert "Not shown: Oak Ridge (no transparency page on record)." in text


def test_agencies_side_by_side_say_which_figures_belong_to_cities(client, scenario):
    response = client.get(COMPARE, {"agencies": f"{scenario['pd'].slug},{scenario['harbor'].slug}"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Agencies side by side" in text
    assert "Retention (days) 14 30" in text
    assert "an agency has no residents" in text
    assert "a city's figure, not an agency's" in text


def test_unknown_city_answers_400_with_the_picker_and_why(client, scenario):
    response = client.get(COMPARE, {"cities": "prairie-junction-il,<b>atlantis</b>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "No city has the slug “&lt;b&gt;atlantis&lt;/b&gt;”." in html
    assert 'value="prairie-junction-il" checked' in html


def test_csv_holds_the_same_figures_one_row_per_city(client, scenario):
    response = client.get(reverse("compare:csv"), BOTH)
    assert response["Content-Type"].startswith("text/csv")
    assert "compare-city_prairie-junction-il_harbor-vista-ca.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == list(ROW_COLUMNS)
    prairie = rows[0]
    assert prairie["slug"] == "prairie-junction-il"
    assert prairie["retention_days"] == "60"
    assert prairie["retention_agency"] == "Willow Creek Homeowners Association"
    assert prairie["sharing_agreements"] == "4"
    assert prairie["search_months"] == "2026-03;2026-04;2026-05"
    assert prairie["flagged"] == "4"
    assert prairie["flagged_per_10k"] == "1818.18"
    assert prairie["petition_signatures"] == "5"
    assert rows[1]["hearings"] == "0"
    # No figure at all is an empty cell, never a zero.
    oak = csv_rows(client.get(reverse("compare:csv"), {"cities": "oak-ridge-il"}))[0]
    assert oak["cameras_per_10k"] == oak["retention_days"] == oak["searches_per_month"] == ""


def test_csv_cells_cannot_run_as_formulas(client, scenario):
    city = scenario["unknown"]
    city.name = "=HYPERLINK(evil)"
    city.save()
    row = csv_rows(client.get(reverse("compare:csv"), {"cities": city.slug}))[0]
    assert row["name"] == "'=HYPERLINK(evil)"


def test_csv_of_bad_input_is_a_400(client, scenario):
    response = client.get(reverse("compare:csv"), {"cities": "nowhere-zz"})
    assert response.status_code == 400
    assert "No city has the slug “nowhere-zz”." in response.content.decode()


def test_state_page_ranks_and_states_its_caveats(client, scenario):
    response = client.get(reverse("compare:state", kwargs={"state": "il"}))
    assert response.status_code == 200
    text = text_of(response)
    assert "3 cities of Illinois are on record." in text
    assert "Population unknown, so no cameras per resident: Oak Ridge." in text
    assert "No search audit on record, so no search figures: Elm Falls, Oak Ridge." in text
    assert "Fewer than 500 searches in the audits" in text
    html = response.content.decode()
    ranking = html[html.index('id="rank-cameras_per_10k-caption"') :]
    ranking = text_of_html(ranking[: ranking.index("</table>")])
    assert ranking.index("1 Elm Falls 8.0") < ranking.index("2 Prairie Junction 0.3")
    assert "— Oak Ridge not ranked: population unknown" in ranking
    chart = figure_of(html[html.index('id="state-cameras_per_10k"') :])
    assert chart["data"][0]["y"] == ["Elm Falls", "Prairie Junction"]
    assert client.get(reverse("compare:state", kwargs={"state": "zz"})).status_code == 404


def test_state_csv(client, scenario):
    rows = csv_rows(client.get(reverse("compare:state-csv", kwargs={"state": "il"})))
    assert [row["slug"] for row in rows] == ["elm-falls-il", "oak-ridge-il", "prairie-junction-il"]


def test_spanish(client, scenario):
    response = client.get(COMPARE, BOTH, HTTP_ACCEPT_LANGUAGE="es")
    text = text_of(response)
    assert "Ciudades lado a lado" in text
    assert "3 meses con búsquedas, marzo de 2026 a mayo de 2026" in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_are_page_cached(client, settings):
    # Outside a test transaction: the page cache never stores what an open one may see.
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    for url in (COMPARE + "?cities=prairie-junction-il", "/compare/states/il/"):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    caches["pages"].clear()


def test_city_page_and_methodology_link_here(client, scenario):
    city_page = client.get(scenario["prairie"].get_absolute_url()).content.decode()
    assert 'href="/compare/?cities=prairie-junction-il#change"' in city_page
    methodology = text_of(client.get(reverse("portal:methodology")))
    assert "Comparing cities" in methodology and "Limits of a ranking" in methodology
    # The thresholds it states are the ones the pages apply.
    assert f"latest {MONTHS_WINDOW} months with searches" in methodology
    assert f"fewer than {SMALL_SEARCHES} searches" in methodology
    assert f"fewer than {SMALL_POPULATION:,} residents" in methodology
