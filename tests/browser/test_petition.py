"""A resident signs a petition in a real browser (Debian's Chromium through Playwright), on a
phone-sized screen: from the city page to the petition, the sign form, the emailed link and its
confirm button, and the count going up. Skipped where /usr/bin/chromium is missing, unless
PORTAL_REQUIRE_BROWSER=1."""

import re

import pytest

from hearings.models import OutboundEmail
from hearings.outbox import email_bodies
from petitions.models import Petition, Signature
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.factories import CityFactory
from tests.hearings.petition_factories import OpenPetitionFactory, SignatureFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIRM_PATH = re.compile(r"https?://\S+?(/petitions/signatures/confirm/[^/\s]+/)")


def petition_with_signatures(count: int) -> Petition:
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    petition = OpenPetitionFactory(
        city=city,
        title="End camera data sharing with out-of-state agencies",
        slug="end-out-of-state-sharing",
        signature_goal=100,
    )
    SignatureFactory.create_batch(
        count, petition=petition, status="confirmed", confirmed_at=petition.opens_at
    )
    Petition.objects.filter(pk=petition.pk).update(signature_count=count)
    return petition


@pytest.mark.parametrize("width", [375, 1280])
def test_a_resident_signs_from_the_city_page_and_sees_the_count_go_up(
    browser,  # noqa: F811
    live_server,
    width,
):
    from playwright.sync_api import expect

    petition = petition_with_signatures(41)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(live_server.url + petition.city.get_absolute_url())
        section = page.locator("#petitions")
        expect(section).to_contain_text("41 signatures")
        section.get_by_role("link", name=petition.title).click()

        expect(page.locator("h1")).to_have_text(petition.title)
        expect(page.locator(".petition-tally")).to_contain_text("41 signatures of a goal of 100")
        form = page.locator("#sign form")
        form.get_by_label("Your name").fill("Rosa Delgado")
        form.get_by_label("Your email").fill("Rosa.Delgado+petitions@gmail.com")
        form.get_by_label("ZIP code").fill("60431")
        form.get_by_label("Show my name on the petition's page").check()
        form.get_by_label("Public comment (optional)").fill("Our data should stay in Illinois.")
        # The honeypot is there for bots: off screen and out of the tab order.
        trap = form.locator("input[name=website]")
        box = trap.bounding_box()
        assert box is None or box["x"] + box["width"] <= 0
        expect(trap).to_have_attribute("tabindex", "-1")
        form.get_by_role("button", name="Sign").click()

        expect(page.locator("h1")).to_have_text("Check your email to confirm your signature")
        signature = Signature.objects.get(email_normalized="rosadelgado@gmail.com")
        assert signature.status == Signature.Status.UNCONFIRMED
        email = OutboundEmail.objects.get(key=f"signature-{signature.pk}-confirm")
        assert email.to == "Rosa.Delgado+petitions@gmail.com"
        page.goto(live_server.url + CONFIRM_PATH.search(email_bodies(email)[0]).group(1))

        # The link's page names the signature, masked, and confirms only with its button.
        expect(page.locator("h1")).to_have_text("Confirm your signature")
        linked = page.locator(".linked-record")
        expect(linked).to_contain_text(petition.title)
        expect(linked).to_contain_text("Rosa D.")
        expect(linked).to_contain_text("604••")
        expect(linked).not_to_contain_text("Delgado")
        assert "gmail.com" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        signature.refresh_from_db()
        assert signature.status == Signature.Status.UNCONFIRMED
        page.get_by_role("button", name="Confirm my signature").click()

        expect(page.locator("h1")).to_have_text("Thank you: your signature counts")
        expect(page.locator(".petition-progress")).to_contain_text("42 signatures")
        page.get_by_role("link", name="See the petition").click()
        expect(page.locator(".petition-tally")).to_contain_text("42 signatures of a goal of 100")
        expect(page.locator("progress")).to_have_attribute("value", "42")
        signers = page.locator(".signer-list")
        expect(signers).to_contain_text("Rosa Delgado")
        expect(signers).to_contain_text("Our data should stay in Illinois.")
        assert "gmail.com" not in page.content()
        # The page never scrolls sideways, even on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()
