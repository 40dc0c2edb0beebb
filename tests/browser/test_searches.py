"""Search-audit pages in a real browser (Debian's Chromium through Playwright): the stacked
chart is drawn, the flagged drill-down reads right, and the explorer's filters work, on a
desktop and on a phone. Skipped where Chromium is missing (see test_city_page)."""

import re

import pytest

from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.searches.factories import IL_CITATION, audit_scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BARS_DRAWN = """(id) => {
    const graph = document.getElementById(id);
    if (!graph || !graph.data || !graph._fullLayout) return false;
    return graph.querySelectorAll('.barlayer .point path').length > 0;
}"""


def open_page(browser, url: str, *, width: int):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, [e for e in errors if "Map error" not in e]


@pytest.mark.parametrize("width", [1280, 375])
def test_city_page_draws_the_search_chart_and_the_flagged_reasons(browser, live_server, width):  # noqa: F811
    from playwright.sync_api import expect

    data = audit_scenario()
    context, page, errors = open_page(
        browser, live_server.url + data["city"].get_absolute_url(), width=width
    )
    try:
        section = page.locator("#searches-city")
        expect(section.locator("h2")).to_have_text("Who searched this city's cameras, and why")
        # Charts are drawn once scrolled near, as a reader would reach them.
        page.locator("#searches-city-chart").scroll_into_view_if_needed()
        page.wait_for_function(BARS_DRAWN, arg="searches-city-chart", timeout=20_000)
        traces = page.evaluate(
            "() => document.getElementById('searches-city-chart').data"
            ".map((t) => [t.name, t.y.reduce((a, b) => a + b, 0)])"
        )
        assert dict(traces) == {
            "Stolen vehicle": 8,
            "Vague": 5,
            "Blank": 3,
            "Immigration": 3,
            "Warrant": 2,
            "Reproductive care": 1,
        }
        flagged = section.locator("#searches-city-flagged-table tbody tr")
        expect(flagged).to_have_count(4)
        ice = flagged.filter(has_text="ICE WARRANT").first
        expect(ice).to_contain_text("Bramble WI PD")
        expect(ice).to_contain_text("Immigration")
        # The row names the flag; the section cites the Illinois statute once, above.
        expect(ice).to_contain_text("Use forbidden by state law")
        expect(ice.get_by_role("link", name=IL_CITATION)).to_have_count(0)
        expect(section.get_by_role("link", name=IL_CITATION)).to_have_count(1)
        expect(section.locator("#searches-city-statutes")).to_be_visible()
        # The data table behind the chart opens from its summary, with the keyboard too.
        summary = section.get_by_text("Searches per month as a table")
        summary.focus()
        page.keyboard.press("Enter")
        expect(
            section.locator("table", has_text="Searches per month by reason category")
        ).to_be_visible()
        chart_box = page.locator("#searches-city-chart").bounding_box()
        assert chart_box is not None and chart_box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_explorer_filters_by_agency_and_flag(browser, live_server, width):  # noqa: F811
    from playwright.sync_api import expect

    data = audit_scenario()
    context, page, errors = open_page(browser, live_server.url + "/searches/", width=width)
    try:
        expect(page.locator("h1")).to_have_text("Searches explorer")
        page.get_by_label("Audited agency (whose cameras)").select_option(data["pd"].slug)
        page.get_by_label("Immigration").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"flag=immigration"))
        rows = page.locator("#explorer-table tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator(".result-count")).to_have_text("3 searches match.")
        for n in range(3):
            expect(rows.nth(n)).to_contain_text("Immigration")
        # Sorting by devices keeps the filters: from the column heading on a desktop, from the
        # form on a phone (where each search is a card and the headings are hidden).
        if width >= 640:
            page.locator("#explorer-table thead").get_by_role("link", name="Devices").click()
        else:
            page.get_by_label("Sort by").select_option("-devices_searched")
            page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"sort=-devices_searched"))
        expect(rows.first).to_contain_text("48,000")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()


def _older_rows_scenario():
    from tests.searches.factories import add_flagged_searches

    data = audit_scenario()
    add_flagged_searches(data)
    return data


@pytest.mark.parametrize("width", [1280, 375])
def test_older_flagged_searches_load_in_place(browser, live_server, width):  # noqa: F811
    from playwright.sync_api import expect

    data = _older_rows_scenario()
    url = live_server.url + data["city"].get_absolute_url()
    context, page, errors = open_page(browser, url, width=width)
    try:
        rows = page.locator("#searches-city-flagged-table tbody tr")
        expect(rows).to_have_count(25)
        first_newest = rows.first.inner_text()
        page.evaluate("window.__marker = 1")
        page.get_by_role("link", name="Older flagged searches").click()
        expect(rows).to_have_count(34 - 25)
        assert rows.first.inner_text() != first_newest
        # No navigation happened: the page's own state survived, and its address records
        # the rows shown so a copied link opens them.
        assert page.evaluate("window.__marker") == 1
        expect(page).to_have_url(re.compile(r"city_after="))
        assert "fragment=" not in page.url
        assert (
            page.evaluate("document.activeElement.getAttribute('aria-labelledby')")
            == "searches-city-flagged-table-caption"
        )
        expect(page.locator("#searches-city-flagged-status")).to_have_text(
            "Other flagged searches are shown in the table."
        )
        # Newest comes back in place too; Back restores the older rows.
        page.get_by_role("link", name="Newest").click()
        expect(rows).to_have_count(25)
        assert page.evaluate("window.__marker") == 1
        page.go_back()
        expect(page).to_have_url(re.compile(r"city_after="))
        expect(rows).to_have_count(34 - 25)
        # The address of the older rows opens them on a fresh page.
        fresh = context.new_page()
        fresh.goto(page.url)
        expect(fresh.locator("#searches-city-flagged-table tbody tr")).to_have_count(34 - 25)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()


def test_older_flagged_searches_link_navigates_without_javascript(browser, live_server):  # noqa: F811
    from playwright.sync_api import expect

    data = _older_rows_scenario()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + data["city"].get_absolute_url())
        rows = page.locator("#searches-city-flagged-table tbody tr")
        expect(rows).to_have_count(25)
        with page.expect_navigation():
            page.get_by_role("link", name="Older flagged searches").click()
        expect(page).to_have_url(re.compile(r"city_after=.*#searches-city-flagged$"))
        expect(rows).to_have_count(34 - 25)
        expect(page.get_by_role("link", name="Newest")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_explorer_form_leaves_empty_fields_out_of_the_url(browser, live_server, javascript):  # noqa: F811
    from playwright.sync_api import expect

    data = audit_scenario()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    redirects: list[str] = []
    page.on("response", lambda r: redirects.append(r.url) if r.status in (301, 302) else None)
    try:
        page.goto(live_server.url + "/searches/")
        page.get_by_label("Audited agency (whose cameras)").select_option(data["pd"].slug)
        page.get_by_label("Immigration").check()
        page.get_by_label("Reason contains").fill("ice")
        page.get_by_role("button", name="Apply filters").click()
        expected = f"/searches/?source_agency={data['pd'].slug}&reason=ice&flag=immigration"
        expect(page).to_have_url(live_server.url + expected)
        expect(page.locator(".result-count")).to_have_text("2 searches match.")
        # With JavaScript the browser asks for the clean URL itself; without, the server
        # redirects the form's URL (every field, blank ones included) to it.
        assert bool(redirects) is not javascript
        # Back on the form (perhaps from the back/forward cache), no blank field stays disabled.
        page.go_back()
        expect(page).to_have_url(live_server.url + "/searches/")
        expect(page.get_by_label("Searching agency name contains")).to_be_enabled()
        expect(page.get_by_label("Sort by")).to_be_enabled()
    finally:
        context.close()
