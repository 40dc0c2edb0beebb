"""The embeds: the city page's figures, framable by any site (only they), no cookie ever, the
language from ``?lang`` or Accept-Language, and the page of snippets."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from cameras.models import Camera
from tests.factories import CameraFactory, SharingAgreementFactory
from tests.searches.factories import audit_scenario

pytestmark = pytest.mark.django_db

EMBEDS = ("summary", "map", "sharing", "searches")


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def scenario():
    """The searches' audit scenario plus cameras and sharing of the Prairie police."""
    data = audit_scenario()
    pd, hoa = data["pd"], data["hoa"]
    for n, owner in enumerate([pd, pd, hoa]):
        CameraFactory(
            city=data["city"],
            owner=owner,
            latitude=41.5 + n / 100,
            longitude=-88.1 + n / 100,
            last_verified=dt.date(2026, 4, 1),
        )
    CameraFactory(city=data["city"], owner=pd, status=Camera.Status.PLANNED, latitude=41.53)
    CameraFactory(city=data["city"], owner=pd, status=Camera.Status.REMOVED)
    for recipient in (data["sheriff"], data["wisconsin"], data["hsi"]):
        SharingAgreementFactory(owner=pd, recipient=recipient)
    return data


def url(name: str, city, **query) -> str:
    path = reverse(f"embeds:{name}", kwargs={"slug": city.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_summary_shows_the_city_pages_own_figures(client, scenario):
    city = scenario["city"]
    page = client.get(city.get_absolute_url()).context
    embed = client.get(url("summary", city))
    assert embed.status_code == 200
    figures = embed.context["figures"]
    stats = page["search_sections"][0].stats
    assert figures.active_cameras == page["city"].active_camera_count == 3
    assert figures.sharing == page["sharing_sections"][0].counts
    assert figures.searches.stats.total == stats.total == 22
    assert figures.searches.stats.by_flag == stats.by_flag
    cards = {card.name: card.count for card in page["search_sections"][0].cards}
    assert dict(figures.searches.flags) == cards
    text = text_of(embed)
    assert "3 active cameras" in text
    assert "3 sharing agreements let other agencies search these cameras" in text
    assert "1 Out of state" in text and "1 Federal" in text and "0 Forbidden" in text
    assert "22 searches of these cameras from March 2026 to May 2026" in text
    assert "22.7% gave a vague reason (5)" in text
    assert "13.6% gave no reason at all (3)" in text
    assert "3 Immigration" in text and "4 Use forbidden by state law" in text
    # The credit line with the audits' last day, and the links back, in a new tab.
    assert "Data: ALPR Transparency Portal, as of May 11, 2026" in text
    html = embed.content.decode()
    assert f'href="{city.get_absolute_url()}" target="_blank" rel="noopener"' in html
    assert f'href="{reverse("embeds:index", kwargs={"slug": city.slug})}" target="_blank"' in html
    # Small and self-contained: no site navigation, no plotly, no script at all.
    assert "site-nav" not in html and "plotly" not in html and "<script" not in html


def test_every_embed_may_be_framed_and_sets_no_cookie(client, scenario):
    city = scenario["city"]
    # A visitor who already holds the site's cookies (a CSRF token from a page with the
    # language form, a language choice) and one who holds none.
    client.get(city.get_absolute_url())
    assert "csrftoken" in client.cookies
    client.cookies["django_language"] = "es"
    for name in EMBEDS:
        for visitor in (client, client.__class__()):
            response = visitor.get(url(name, city))
            assert response.status_code == 200, name
            assert "X-Frame-Options" not in response, name
            assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["*"]
            # The rest of the site's policy stays.
            assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
            assert not response.cookies, (name, response.cookies)
            assert "Set-Cookie" not in response
            assert "Cookie" not in response.get("Vary", "")
            # The language cookie is not read: English unless asked.
            assert response["Content-Language"] == "en", name


def test_other_pages_still_refuse_framing(client, scenario):
    for path in (scenario["city"].get_absolute_url(), url("index", scenario["city"]), "/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_frame_ancestors_follow_the_setting(client, scenario, settings):
    settings.PORTAL_EMBED_FRAME_ANCESTORS = ["https://news.example"]
    response = client.get(url("summary", scenario["city"]))
    csp = directives(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["https://news.example"]


def test_language_comes_from_lang_or_accept_language(client, scenario):
    city = scenario["city"]
    spanish = client.get(url("summary", city, lang="es"))
    assert spanish["Content-Language"] == "es"
    assert '<html lang="es">' in spanish.content.decode()
    assert "3 cámaras activas" in text_of(spanish)
    browser = client.get(url("summary", city), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert browser["Content-Language"] == "es"
    assert "Accept-Language" in browser["Vary"]
    # ?lang wins over the browser; an unknown one is ignored.
    assert (
        client.get(url("summary", city, lang="en"), HTTP_ACCEPT_LANGUAGE="es")["Content-Language"]
        == "en"
    )
    assert client.get(url("summary", city, lang="xx"))["Content-Language"] == "en"


def test_map_is_an_svg_of_the_cameras_the_city_page_maps(client, scenario):
    response = client.get(url("map", scenario["city"]))
    html = response.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    # 3 active and 1 planned; the removed camera is not drawn.
    assert svg.count('class="map-point"') == 4
    assert svg.count('fill="#ffffff"') == 1
    assert "Prairie Junction IL PD" in svg and "Willow Creek Homeowners Association" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch
    text = text_of(response)
    assert "4 cameras: 3 active, 1 planned." in text
    assert "as of April 1, 2026" in text  # the cameras' last verification
    assert "Prairie Junction IL PD (Police department) : 2 active, 1 planned" in text


def test_sharing_lists_the_recipients_with_flags_and_pages(client, scenario):
    city = scenario["city"]
    response = client.get(url("sharing", city))
    text = text_of(response)
    for name in ("Kestrel County IL SO", "Bramble WI PD", "Homeland Security Investigations"):
        assert name in text
    assert "3 agreements" in text and "The full list of all 3 agreements" in text
    html = response.content.decode()
    assert f'href="{city.get_absolute_url()}#sharing-out" target="_blank"' in html
    # Eleven more: two pages of ten, the next link keeping the language.
    for _n in range(11):
        SharingAgreementFactory(owner=scenario["pd"])
    paged = client.get(url("sharing", city, lang="es"))
    assert len(paged.context["page"].object_list) == 10
    assert "page=2" in paged.context["page"].next_url
    assert "lang=es" in paged.context["page"].next_url


def test_searches_chart_matches_the_city_pages_table(client, scenario):
    city = scenario["city"]
    section = client.get(city.get_absolute_url()).context["search_sections"][0]
    response = client.get(url("searches", city))
    chart = response.context["chart"]
    assert chart.rows == section.table_rows  # three months, fewer than the twelve shown
    html = response.content.decode()
    assert '<svg id="embed-searches"' in html and "<title" in html and "<desc" in html
    assert "Searches per month by reason category" in text_of(response)  # the data table


def test_an_unknown_city_is_a_small_404_without_cookie(client):
    response = client.get("/embed/cities/nowhere/")
    assert response.status_code == 404
    assert not response.cookies
    assert "site-nav" not in response.content.decode()


def test_index_shows_each_embed_with_its_snippet(client, scenario):
    city = scenario["city"]
    assert url("index", city) in client.get(city.get_absolute_url()).content.decode()
    response = client.get(url("index", city))
    html = response.content.decode()
    for name in EMBEDS:
        path = url(name, city, lang="en")
        assert f'<iframe src="{path}"' in html
        assert f'&lt;iframe src="http://testserver{path}"' in html
    assert html.count('loading="lazy"') >= 4
    assert "js/copy-text.js" in html
    assert "How to attribute" in text_of(response)


def test_a_city_without_data_says_so_in_each_embed(client):
    from tests.factories import CityFactory

    city = CityFactory(name="Quiet Falls", state="WI", slug="quiet-falls-wi")
    expected = {
        "summary": "The portal holds no search audit for this city yet.",
        "map": "No camera locations are recorded for this city yet.",
        "sharing": "No current sharing agreement is recorded for the cameras of this city.",
        "searches": "The portal holds no search audit for this city yet.",
    }
    for name, message in expected.items():
        response = client.get(url(name, city))
        assert response.status_code == 200, name
        text = text_of(response)
        assert message in text, name
        assert "Data: ALPR Transparency Portal Full page" in text  # no date without data


def test_queries_do_not_grow_with_the_city(client, scenario):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> dict[str, int]:
        found = {}
        for name in EMBEDS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(name, scenario["city"])).status_code == 200
            found[name] = len(queries)
        return found

    counts()  # the search figures are cached under the rollups' stamp after the first read
    before = counts()
    for _n in range(15):
        CameraFactory(city=scenario["city"], owner=scenario["hoa"])
        SharingAgreementFactory(owner=scenario["pd"])
    assert counts() == before
    assert max(before.values()) <= 12, before
