"""A resident subscribes to alerts in a real browser (Debian's Chromium through Playwright):
the form, the emailed confirmation, a digest, and the manage page's change, on a desktop and a
phone-sized screen (nothing wider than the screen). Skipped where /usr/bin/chromium is
missing, unless PORTAL_REQUIRE_BROWSER=1."""

import re

import pytest
from django.core import mail

from alerts.models import Subscription
from alerts.services.digests import digests_send
from tests.alerts.helpers import sharing_added
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.factories import AgencyFactory, CityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def path_of(message, kind: str) -> str:
    found = re.search(rf"https?://\S+?(/subscribe/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_resident_subscribes_confirms_and_changes_the_alerts(
    browser,  # noqa: F811
    live_server,
    settings,
    width,
):
    from playwright.sync_api import expect

    settings.PORTAL_SITE_URL = live_server.url
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    police = AgencyFactory(name="Prairie Junction IL PD", home_city=city)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/subscribe/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_label("Your email").fill("ana.ruiz@example.org")
        page.get_by_label("City").select_option(label="Prairie Junction, IL")
        page.get_by_label("Hearings and comment deadlines").uncheck()
        page.get_by_label("Petitions").uncheck()
        page.get_by_label("Weekly digest").check()
        page.get_by_role("button", name="Subscribe").click()
        expect(page.locator("h1")).to_have_text("Check your email")

        page.goto(live_server.url + path_of(mail.outbox[-1], "confirm"))
        page.get_by_role("button", name="Confirm my alerts").click()
        expect(page.locator("h1")).to_have_text("Alerts confirmed")
        subscription = Subscription.objects.get()
        assert subscription.topics == ["sharing", "flagged"]
        assert subscription.frequency == "weekly"

        sharing_added(agency=police, partner=AgencyFactory(name="Houston TX PD", state="TX"))
        digests_send(frequency="weekly")
        digest = mail.outbox[-1]
        assert digest.subject == "1 change in Prairie Junction, IL"

        page.goto(live_server.url + path_of(digest, "manage"))
        expect(page.locator("h1")).to_have_text("Your alerts")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        card = page.locator(".card", has_text="Prairie Junction, IL")
        card.get_by_label("Daily digest").check()
        card.get_by_role("button", name="Save changes").click()
        expect(page.locator(".notice")).to_contain_text("Your changes were saved.")
        subscription.refresh_from_db()
        assert subscription.frequency == "daily"
    finally:
        context.close()
