"""The city page in a real browser: Debian's Chromium driven by Playwright.

Skipped where /usr/bin/chromium is missing, unless PORTAL_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure.
"""

import os
import re
from pathlib import Path

import pytest

from tests.portal.test_pages import build_prairie

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The markers are drawn by plotly's MapLibre layers; tiles may not load offline, markers must.
MARKERS_DRAWN = """(id) => {
    const graph = document.getElementById(id);
    const map = graph && graph._fullLayout && graph._fullLayout.map;
    if (!map || !map._subplot || !map._subplot.map.loaded()) return false;
    return map._subplot.map.queryRenderedFeatures()
        .some((feature) => feature.layer.id.startsWith("plotly-trace-layer"));
}"""

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed rows; serialized rollback restores the migrated law
    # profiles for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # make test runs on two xdist workers, each with its own live server and browser, on a
    # 2-core machine: an admin page can take longer than expect's default 5 s to arrive.
    expect.set_options(timeout=15_000)
    # Playwright's sync API keeps an event loop running in this thread, which Django would
    # otherwise take for async code and refuse database access from.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_city_page(browser, url: str, *, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # Tile requests fail without internet access; MapLibre reports each as "Map error".
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, [e for e in errors if "Map error" not in e]


def test_city_page_draws_the_camera_map_and_flagged_sharing_lists(browser, live_server):
    from playwright.sync_api import expect

    data = build_prairie()
    context, page, errors = open_city_page(
        browser, live_server.url + data["city"].get_absolute_url(), width=1280
    )
    try:
        expect(page.locator("h1")).to_have_text("Prairie Junction, Illinois")
        # charts.js draws a figure when it scrolls into view.
        page.locator("#city-map").scroll_into_view_if_needed()
        expect(page.locator("#city-map.js-plotly-plot")).to_be_visible()
        page.wait_for_function(MARKERS_DRAWN, arg="city-map", timeout=20_000)
        traces = page.evaluate(
            "() => document.getElementById('city-map').data.map((t) => [t.name, t.lat.length])"
        )
        assert traces == [["Police department (4)", 4], ["Homeowners association (2)", 2]]

        outgoing = page.locator("#sharing-out")
        expect(outgoing.locator("tr", has_text="Bramble WI PD")).to_contain_text("Out of state")
        expect(outgoing.locator("tr", has_text="Homeland Security Investigations")).to_contain_text(
            "Federal"
        )
        incoming = page.locator("#sharing-in")
        forbidden = incoming.locator("tr", has_text="Harbor Vista CA PD")
        expect(forbidden).to_contain_text("Forbidden by CA law")
        # The badge names the law; the statute is cited once, above the table.
        expect(forbidden.get_by_role("link", name="Cal. Civ. Code § 1798.90.55")).to_have_count(0)
        expect(
            incoming.locator("#sharing-in-statutes").get_by_role(
                "link", name="Cal. Civ. Code § 1798.90.55"
            )
        ).to_be_visible()

        page.locator("#sharing-out").get_by_role("link", name="Federal (1)").click()
        expect(page).to_have_url(re.compile(r"out_flag=federal"))
        rows = page.locator("#sharing-out table:has(#sharing-out-caption) tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Homeland Security Investigations")
        assert errors == []
    finally:
        context.close()


def test_city_page_works_on_a_phone(browser, live_server):
    from playwright.sync_api import expect

    data = build_prairie()
    context, page, errors = open_city_page(
        browser, live_server.url + data["city"].get_absolute_url(), width=375
    )
    try:
        page.locator("#city-map").scroll_into_view_if_needed()
        page.wait_for_function(MARKERS_DRAWN, arg="city-map", timeout=20_000)
        # Wide tables scroll inside their wrapper; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        map_box = page.locator("#city-map").bounding_box()
        assert map_box is not None and map_box["width"] <= 375
        # The menu collapses behind a toggle that works without JavaScript.
        nav = page.locator("#site-nav")
        expect(nav).to_be_hidden()
        page.get_by_text("Menu", exact=True).click()
        expect(nav.get_by_role("link", name="Cameras")).to_be_visible()
        expect(page.locator("#sharing-out")).to_contain_text("Out of state")
        assert errors == []
    finally:
        context.close()
