"""The site in Spanish, read in a real browser as a resident on a phone would: one tap on the
header's language button, then the home, city, hearing and petition pages hold none of the
English words of their navigation, headings, forms and footer (the demo's own content, such as
hearing titles, stays as the clerk wrote it)."""

import re

import pytest
from django.core.management import call_command

from core.models import City
from hearings.models import Hearing
from petitions.models import Petition
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What the site itself writes on these pages, in English: none may remain in Spanish.
ENGLISH_WORDS = [
    "Skip to main content",
    "Demo data",
    "Cities",
    "Agencies",
    "Cameras",
    "Searches",
    "Hearings",
    "Petitions",
    "State laws",
    "Methodology",
    "Open data API",
    "Menu",
    "Search",
    "Sources and methods",
    "City clerk sign-in",
    "Upcoming hearings",
    "Open petitions",
    "Latest flagged searches",
    "In the portal today",
    "On this page",
    "Download this data",
    "Who can search",
    "Who searched",
    "Flagged searches",
    "Comments close",
    "Send a comment",
    "Your name",
    "Your email",
    "Sign this petition",
    "signatures",
    "of a goal of",
]
# The site's own words: navigation, headings, labels, buttons, disclosures, table headings and
# captions, figure labels, the footer. Not the hearing titles or reasons typed by people.
CHROME = """() => {
    const parts = [...document.querySelectorAll(
        'header, footer, .skip-link, nav, main h2, label, button, summary, th[scope=col], ' +
        'caption, legend, .figure-label, .progress'
    )].map((e) => e.innerText);
    return parts.join('\\n');
}"""


def _pages() -> dict[str, str]:
    call_command("seed_demo", verbosity=0)
    city = City.objects.filter(cameras__isnull=False).distinct().order_by("pk").first()
    hearing = Hearing.objects.comment_open().order_by("starts_at").first()
    petition = Petition.objects.filter(status=Petition.Status.OPEN).order_by("pk").first()
    return {
        "home": "/",
        "city": city.get_absolute_url(),
        "hearing": hearing.get_absolute_url(),
        "petition": petition.get_absolute_url(),
    }


def test_one_tap_reads_home_city_hearing_and_petition_in_spanish(browser, live_server):  # noqa: F811
    from playwright.sync_api import expect

    pages = _pages()
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # The check reads what it should: in English the same text holds these words.
        english = page.evaluate(CHROME)
        for word in ("Cities", "Upcoming hearings", "Open petitions", "Sources and methods"):
            assert word in english
        # One tap, outside the collapsed menu.
        page.get_by_role("button", name=re.compile("Español")).click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        for name, path in pages.items():
            page.goto(live_server.url + path)  # the choice persists from page to page
            expect(page.locator("html")).to_have_attribute("lang", "es")
            text = page.evaluate(CHROME)
            left = [w for w in ENGLISH_WORDS if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
            assert left == [], f"{name} page in Spanish still says {left}"
        assert "Ciudades" in text and "Peticiones" in text
        # And back to English in one tap.
        page.get_by_role("button", name=re.compile("English")).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()
