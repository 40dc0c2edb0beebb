"""Maps and charts in a real browser: the partial plotly.js bundles, drawing as figures scroll
into view, and camera maps that draw their markers whatever happens to the background tiles."""

import time

import pytest
from plotly.offline import get_plotlyjs_version

from tests.browser.test_city_page import (
    MARKERS_DRAWN,
    browser,  # noqa: F401 - the shared browser fixture
)
from tests.factories import CameraFactory
from tests.portal.test_pages import build_prairie
from tests.searches.factories import audit_scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TILES = "https://tile.openstreetmap.org/**"
MAP_VIEW = """(id) => {
    const map = document.getElementById(id)._fullLayout.map._subplot.map;
    const center = map.getCenter();
    return {lat: center.lat, lon: center.lng, zoom: map.getZoom()};
}"""
TRACES = "() => Object.keys(Plotly.PlotSchema.get().traces).sort()"


def _page(browser, *, width: int = 1280):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # Tile requests fail without internet access (or below); plotly reports "Map error."
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_markers_draw_when_the_tiles_fail_after_the_maps_first_frames(browser, live_server):  # noqa: F811
    """Tiles that fail late (slow DNS, a dead tile server) once left the map loaded but with no
    marker: MapLibre renders no frame for a network error, so its "load" never came."""
    data = build_prairie()
    camera = CameraFactory(city=data["city"], directions=[90, 225], address="1 Late Tile Rd")
    context, page, errors = _page(browser)

    def fail_late(route):
        time.sleep(1.5)
        route.abort("namenotresolved")

    try:
        page.route(TILES, fail_late)
        page.goto(live_server.url + camera.get_absolute_url())
        page.wait_for_function(MARKERS_DRAWN, arg="camera-map", timeout=20_000)
        view = page.evaluate(MAP_VIEW, "camera-map")
        assert view["lat"] == pytest.approx(float(camera.latitude), abs=1e-6)
        assert view["lon"] == pytest.approx(float(camera.longitude), abs=1e-6)
        names = page.evaluate("() => document.getElementById('camera-map').data.map(t => t.name)")
        assert "Facing 90° (E), 225° (SW)" in names
        note = page.locator("[data-map-note]")
        page.wait_for_function("() => !document.querySelector('[data-map-note]').hidden")
        assert "background map could not be loaded" in note.inner_text()
        assert [e for e in errors if "Map error" not in e] == []
    finally:
        context.close()


def test_without_a_tile_server_the_map_asks_for_no_tile_and_says_so(
    browser,  # noqa: F811
    live_server,
    settings,
):
    settings.MAP_TILE_URLS = []
    data = build_prairie()
    camera = CameraFactory(city=data["city"], directions=[45])
    context, page, errors = _page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(live_server.url + camera.get_absolute_url())
        page.wait_for_function(MARKERS_DRAWN, arg="camera-map", timeout=20_000)
        assert "This site shows no background map" in page.locator(".map-note").inner_text()
        assert [url for url in requested if not url.startswith((live_server.url, "blob:"))] == []
        assert errors == []
    finally:
        context.close()


def test_pages_load_the_partial_bundle_they_need_and_draw_charts_in_view(browser, live_server):  # noqa: F811
    data = audit_scenario()
    city = data["city"]
    CameraFactory(city=city, owner=data["pd"])
    context, page, errors = _page(browser)
    try:
        page.goto(live_server.url + "/searches/national/")
        page.wait_for_function("() => window.Plotly")
        assert page.evaluate("() => Plotly.version") == get_plotlyjs_version()
        assert page.evaluate(TRACES) == ["bar", "scatter", "sunburst"]

        page.goto(live_server.url + city.get_absolute_url())
        page.wait_for_load_state("load")
        assert page.evaluate(TRACES) == ["bar", "scatter", "scattermap", "sunburst"]
        below = page.locator(".js-plotly-figure").last
        assert below.bounding_box()["y"] > 900 + 300
        # Not drawn while far below the fold: its box waits with a line of text.
        page.wait_for_timeout(500)
        assert below.locator(".main-svg").count() == 0
        assert below.locator(".chart-waiting").count() == 1
        below.scroll_into_view_if_needed()
        below.locator(".main-svg").first.wait_for(timeout=20_000)
        assert below.locator(".chart-waiting").count() == 0
        assert [e for e in errors if "Map error" not in e] == []
    finally:
        context.close()


def test_phones_get_no_plotly_toolbar_over_the_chart(browser, live_server):  # noqa: F811
    data = audit_scenario()
    for width, has_toolbar in ((375, False), (1280, True)):
        context, page, _errors = _page(browser, width=width)
        try:
            page.goto(live_server.url + data["city"].get_absolute_url())
            chart = page.locator(".js-plotly-figure").first
            chart.scroll_into_view_if_needed()
            chart.locator(".main-svg").first.wait_for(timeout=20_000)
            assert (chart.locator(".modebar-btn").count() > 0) is has_toolbar, width
        finally:
            context.close()
