"""The changes pages in a real browser at phone and desk widths: nothing wider than the screen,
the policy diff readable (its marks say added and removed to a screen reader), filters work."""

import pytest

from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.watch.conftest import cedar, two_pages  # noqa: F401 - dated pages of one agency

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PAGES = ("/changes/", "/cities/cedar-hollow-ca/changes/", "/agencies/ca-cedar-hollow-pd/changes/")


@pytest.mark.parametrize("width", [375, 1280])
def test_changes_pages_fit_the_screen_and_show_the_diff(browser, live_server, two_pages, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for path in PAGES:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            assert page.locator(".change").count() == 5
        diff = page.locator(".diff-text")
        assert diff.locator("ins").first.inner_text().startswith("[added:]")
        assert "supervisor" in diff.inner_text()
        # The filters fold behind their summary; ticking one narrows the list.
        page.get_by_text("Filter by topic or kind of change").click()
        page.get_by_label("Retention changed").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state("load")
        assert page.locator(".change").count() == 1
        assert "from 30 to 90 days" in page.locator(".change-title").inner_text()
    finally:
        context.close()
