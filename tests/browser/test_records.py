"""The records-request pages in a real browser: no serious axe violation and nothing wider
than a phone's screen, at 1280 and 375 px; the copy button copies the request text."""

import datetime as dt

import pytest

from records.models import RecordsRequest
from records.selectors import manage_token
from tests.browser.clipboard import copied_text, recording_copies
from tests.browser.test_axe import WIDTHS, _report, _violations, axe_source  # noqa: F401
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.factories import AgencyFactory, CityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _pages() -> dict[str, str]:
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    police = AgencyFactory(name="Prairie Junction IL PD", home_city=city)
    common = {
        "city": city,
        "agency": police,
        "confirmed_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    }
    RecordsRequest.objects.create(
        **common,
        kind="sharing",
        status="overdue",
        sent_on=dt.date(2026, 10, 20),
        due_on=dt.date(2026, 10, 27),
        reference="FOIA-2026-1020",
    )
    fulfilled = RecordsRequest.objects.create(
        **common,
        kind="audit",
        status="fulfilled",
        sent_on=dt.date(2026, 9, 14),
        due_on=dt.date(2026, 9, 21),
        response_on=dt.date(2026, 9, 20),
        public_note="Network audit received as CSV; a row naming plate 7ABC123 was redacted.",
        requester_email="ana.ruiz@example.org",
        email_normalized="ana.ruiz@example.org",
    )
    return {
        "templates": f"/records-requests/?agency={police.slug}&start=2025-11-01&end=2026-11-01",
        "log": "/records-requests/log/",
        "detail": f"/records-requests/log/{fulfilled.pk}/",
        "file": "/records-requests/new/",
        "manage": f"/records-requests/manage/{manage_token(fulfilled)}/",
        "laws": "/laws/",
    }


def test_records_pages_are_accessible_and_fit_a_phone(
    browser,  # noqa: F811
    live_server,
    axe_source,  # noqa: F811
):
    pages = _pages()
    problems: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            for name, path in pages.items():
                page.goto(live_server.url + path)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width + 1:
                    problems.append(f"{name} @{width}px: {scroll}px wide")
                assert "ana.ruiz" not in page.content() or name == "manage"
                problems += _report(name, width, _violations(page, axe_source))
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_the_copy_button_copies_the_request(browser, live_server):  # noqa: F811
    from playwright.sync_api import expect

    pages = _pages()
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    recording_copies(context)
    page = context.new_page()
    try:
        page.goto(live_server.url + pages["templates"])
        button = page.locator("button[data-copy-target='letter-audit']")
        button.click()
        expect(page.locator("#letter-audit-status")).to_have_text("Copied.")
        copied = copied_text(page)
        assert copied.startswith(
            "Public records request: Search audit logs, Prairie Junction IL PD"
        )
    finally:
        context.close()
