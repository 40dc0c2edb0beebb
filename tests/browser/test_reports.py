"""The annual report in Chromium: no serious accessibility violation at 1280 and 375 px, nothing
wider than a phone's screen, in English and Spanish."""

import datetime as dt

import pytest

from cameras.models import Camera
from reports.models import ReportNarrative
from tests.browser.test_axe import WIDTHS, _report, _violations, axe_source  # noqa: F401
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.factories import CameraFactory
from tests.searches.factories import audit_scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_report_pages_pass_axe_and_fit_a_phone(browser, live_server, axe_source):  # noqa: F811
    data = audit_scenario()
    city, pd = data["city"], data["pd"]
    for n in range(4):
        CameraFactory(
            city=city, owner=pd, status=Camera.Status.ACTIVE, installed_on=dt.date(2026, 3, 1 + n)
        )
    ReportNarrative.objects.create(
        city=city, year=2026, title="A word from the clerk", body="One.\n\nTwo.", status="published"
    )
    paths = {
        "report": f"/cities/{city.slug}/report/2026/",
        "index": f"/cities/{city.slug}/report/",
        "agency report": f"/agencies/{pd.slug}/report/2026/",
    }
    problems: list[str] = []
    # Spanish at phone width only: its longer words are what could overflow.
    for language, width in [*(("en", w) for w in WIDTHS), ("es", min(WIDTHS))]:
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            extra_http_headers={"Accept-Language": language},
        )
        page = context.new_page()
        try:
            for name, path in paths.items():
                response = page.goto(live_server.url + path)
                assert response.status == 200, (name, response.status)
                assert page.locator("html").get_attribute("lang") == language
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width + 1, (name, language, width, wide)
                label = f"{name} ({language})"
                problems += _report(label, width, _violations(page, axe_source))
        finally:
            context.close()
    assert not problems, "\n".join(problems)
