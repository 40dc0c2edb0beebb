"""A resident comments on a hearing in a real browser (Debian's Chromium through Playwright):
from the city page to the hearing, the comment form, the emailed link, the clerk approving it in
the admin, and the comment on the hearing page; on a desktop and a phone-sized screen. Skipped
where /usr/bin/chromium is missing, unless PORTAL_REQUIRE_BROWSER=1."""

import re

import pytest

from hearings.models import Comment, OutboundEmail
from hearings.outbox import email_bodies
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.factories import CityFactory, ClerkFactory
from tests.hearings.factories import (
    AgendaItemFactory,
    CommentFactory,
    EngagementSettingsFactory,
    HearingFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIRM_PATH = re.compile(r"https?://\S+?(/hearings/comments/confirm/[^/\s]+/)")
PASSWORD = "correct horse battery"


def open_hearing():
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    EngagementSettingsFactory(city=city, resident_zip_codes="60490 60491")
    hearing = HearingFactory(
        city=city,
        title="Renewal of the camera data sharing agreement",
        slug="renewal",
        body_name="Public Safety Committee",
    )
    item = AgendaItemFactory(hearing=hearing, position=1, title="Renew the agreement")
    AgendaItemFactory(hearing=hearing, position=2, title="Annual camera report")
    CommentFactory(item=item, name="Tomás Garcia", position="support")
    return hearing


@pytest.mark.parametrize("width", [1280, 375])
def test_a_resident_comments_and_the_clerk_publishes_it(browser, live_server, settings, width):  # noqa: F811
    from playwright.sync_api import expect

    settings.PORTAL_SITE_URL = live_server.url
    hearing = open_hearing()
    ClerkFactory(username="clerk.prairie", city=hearing.city)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # The resident finds the hearing from the city page.
        page.goto(live_server.url + hearing.city.get_absolute_url())
        section = page.locator("#hearings")
        expect(section).to_contain_text("public comment is open until")
        section.get_by_role("link", name=hearing.title).first.click()
        expect(page.locator("h1")).to_have_text(hearing.title)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        item = page.locator("section.agenda-item", has_text="Renew the agreement")
        expect(item.locator("table.tally")).to_contain_text("Support")
        # The call to comment is above the agenda and leads to the item's open form.
        call = page.locator(".comment-call")
        expect(call).to_be_in_viewport()
        call.get_by_role("link", name="Renew the agreement").click()
        form = item.locator("form.comment-form")
        expect(form).to_be_in_viewport()
        form.get_by_label("Your name").fill("Grace Haddad")
        form.get_by_label("Email").fill("Grace.Haddad@example.org")
        form.get_by_label("ZIP code or street address").fill("60491")
        form.get_by_label("Oppose").check()
        form.get_by_label("Your comment").fill("Renew only with a ban on immigration searches.")
        form.get_by_label("I want to speak in person").check()
        form.get_by_label("I understand that my comment becomes part of the public record.").check()
        form.get_by_role("button", name="Send my comment").click()
        expect(page.locator("h1")).to_have_text("Check your email")
        assert Comment.objects.get(name="Grace Haddad").status == "unconfirmed"

        # The emailed link (read from the outbox) opens a page whose button confirms.
        email = OutboundEmail.objects.get(to="Grace.Haddad@example.org")
        assert email.sent_at is not None
        page.goto(live_server.url + CONFIRM_PATH.search(email_bodies(email)[0]).group(1))
        linked = page.locator(".linked-record")
        expect(linked).to_contain_text("Renew the agreement")
        expect(linked).to_contain_text("Renew only with a ban on immigration searches.")
        expect(page.locator("main")).not_to_contain_text("Grace.Haddad@example.org")
        assert Comment.objects.get(name="Grace Haddad").status == "unconfirmed"
        page.get_by_role("button", name="Confirm my comment").click()
        expect(page.locator("main")).to_contain_text("your comment is confirmed")
        expect(page.locator("main")).to_contain_text("The clerk reviews comments")

        # Not public until the clerk approves it.
        page.goto(live_server.url + hearing.get_absolute_url())
        expect(page.locator("main")).not_to_contain_text("Grace Haddad")

        # The clerk approves it from the moderation queue.
        page.goto(live_server.url + "/admin/login/?next=/admin/hearings/comment/")
        page.locator("#id_username").fill("clerk.prairie")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("input[type=submit]").click()
        page.wait_for_url("**/admin/hearings/comment/")
        row = page.locator("#result_list tbody tr", has_text="Grace Haddad")
        expect(row).to_have_count(1)
        row.locator("input.action-select").check()
        page.locator("select[name=action]").select_option("approve_comments")
        page.locator("button[name=index]").click()
        expect(page.locator(".messagelist")).to_contain_text("1 comment published.")

        # The comment shows on the hearing page with the public facts only.
        page.goto(live_server.url + hearing.get_absolute_url())
        comment = page.locator("li.comment", has_text="Grace Haddad")
        expect(comment).to_contain_text("resident of Prairie Junction")
        expect(comment).to_contain_text("Oppose")
        expect(comment).to_contain_text("wants to speak")
        expect(page.locator("main")).not_to_contain_text("Grace.Haddad@example.org")
        expect(page.locator("main")).not_to_contain_text("60491")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
    finally:
        context.close()
