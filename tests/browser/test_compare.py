"""The comparison pages in a real browser at desk and phone widths, in English and Spanish: no
serious axe-core violation, every chart drawn, nothing wider than a phone's screen, and the
picker builds the comparison's address with a plain GET."""

import pytest

from tests.browser.test_axe import (
    WIDTHS,
    _draw_every_figure,
    _report,
    _violations,
    axe_source,  # noqa: F401 - the axe-core fixture
)
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.compare.conftest import scenario  # noqa: F401 - four cities, one audit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
FOUR = "prairie-junction-il,harbor-vista-ca,oak-ridge-il,elm-falls-il"
PAGES = {
    "picker": "/compare/",
    "compare": f"/compare/?cities={FOUR}",
    "state": "/compare/states/il/",
    "bad slug": "/compare/?cities=atlantis-zz",
}


def test_compare_pages_pass_axe_and_fit_a_phone(browser, live_server, axe_source, scenario):  # noqa: F811
    problems: list[str] = []
    # Spanish runs longer, so it is checked where space is tightest: the phone.
    for language, width in [*(("en", w) for w in WIDTHS), ("es", 375)]:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        try:
            for name, path in PAGES.items():
                if language == "es" and name in ("picker", "bad slug"):
                    continue
                response = page.goto(live_server.url + path)
                assert response.status == (400 if name == "bad slug" else 200), (name, path)
                _draw_every_figure(page)
                label = f"{name} ({language})"
                problems += _report(label, width, _violations(page, axe_source))
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if width < 700 and scroll > width + 1:
                    problems.append(f"{label} at {width}px is {scroll}px wide")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_the_picker_builds_the_comparison_address(browser, live_server, scenario):  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(live_server.url + "/compare/")
        page.get_by_label("Harbor Vista").check()
        page.get_by_label("Prairie Junction").check()
        page.get_by_role("button", name="Compare").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/compare/?cities=harbor-vista-ca&cities=prairie-junction-il")
        assert page.locator("h1").inner_text() == "Cities side by side"
        headers = page.locator("#compare-measures thead th").all_text_contents()
        assert [h.split()[0] for h in headers[1:]] == ["Harbor", "Prairie"]
    finally:
        page.close()
