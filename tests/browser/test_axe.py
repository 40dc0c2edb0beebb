"""axe-core over every public page type of the demo, at 1280 and 375 px, in Debian's Chromium.

axe-core comes from npm (package-lock.json; `make test` runs `npm ci`). The test skips where
node_modules/axe-core or /usr/bin/chromium is missing, unless PORTAL_REQUIRE_BROWSER=1 (CI),
where either is a failure. No critical or serious violation may remain, and none of the
landmark rules the portal once broke (every piece of content inside a landmark, landmarks of
one kind told apart by their names).
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from alerts.selectors import manage_token
from alerts.services.subscriptions import subscription_request
from core.models import Agency, City
from datasets.services import dataset_snapshot_write
from datasets.tables import table_get
from hearings.models import Hearing, OutboundEmail
from hearings.outbox import email_bodies
from hearings.services.comments import comment_submit
from petitions.models import Petition
from petitions.services import petition_sign
from tests.browser.test_city_page import (
    CHROMIUM,
    browser,  # noqa: F401 - the shared browser fixture
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 375)
FAILING_IMPACTS = {"critical", "serious"}
# Moderate rules the portal is held to as well: they were real findings once.
HELD_RULES = {"region", "landmark-unique", "landmark-no-duplicate-banner", "landmark-one-main"}
# charts.js draws each plotly figure as it nears the viewport; a figure is drawn once its SVG is.
FIGURES = """() => Array.from(document.querySelectorAll("script[data-plotly-figure]"))
    .map((block) => block.getAttribute("data-plotly-figure"))
    .filter((id) => document.getElementById(id))"""
DRAWN = "(id) => document.getElementById(id).querySelector('.main-svg') !== null"
# Frames are not entered: axe is injected into the top document only, so it would wait for an
# answer from each iframe (the embed snippet page previews four, lazily loaded) and a run could
# take minutes; every framed page is checked at its own URL instead (tests/browser/test_embeds.py).
# axe runs in the background and the test polls for its answer: ``page.evaluate`` has no
# timeout, and full runs of the suite hung for good twice inside an axe evaluation (never in
# isolation). A run that does not answer within AXE_SECONDS is retried once on a reloaded page,
# then fails with a message instead of holding CI until its time limit.
START_AXE = """() => {
    window.__axeFound = undefined;
    axe.run(document, {resultTypes: ["violations"], iframes: false}).then(
        (result) => {
            window.__axeFound = result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "),
                    summary: n.failureSummary,
                })),
            }));
        },
        (error) => { window.__axeFound = {error: String(error)}; },
    );
}"""
AXE_SECONDS = 60
LINK = re.compile(r"https?://[^/\s]+(/\S+?/confirm/[^/\s]+/)")


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"{AXE} is missing: run `make node` (npm ci)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")  # the browser fixture fails under CI
    return AXE.read_text(encoding="utf-8")


def _emailed_link(key: str) -> str:
    email = OutboundEmail.objects.get(key=key)
    return LINK.search(email_bodies(email)[0]).group(1)


def _public_pages() -> dict[str, str]:
    """One URL of every public page type, on the demo's own data."""
    call_command("seed_demo", verbosity=0)
    city = City.objects.filter(cameras__isnull=False).distinct().order_by("pk").first()
    agency = Agency.objects.filter(sharing_out__isnull=False).distinct().order_by("pk").first()
    camera = city.cameras.order_by("pk").first()
    hearing = Hearing.objects.comment_open().order_by("starts_at").first()
    petition = Petition.objects.filter(status=Petition.Status.OPEN).order_by("pk").first()

    comment = comment_submit(
        item=hearing.items.order_by("position").first(),
        name="Ana Ruiz",
        email="ana.ruiz@example.org",
        address="60491",
        position="oppose",
        text="Please publish every search reason before renewing.",
        wants_to_speak=False,
        consent=True,
        ip="203.0.113.7",
    )
    signature = petition_sign(
        petition=petition,
        name="Ana Ruiz",
        email="ana.ruiz@example.org",
        zip_code="60491",
        show_name=False,
        comment="",
        ip="203.0.113.7",
    )
    # Two bulk data snapshots (MEDIA_ROOT is the test's own): the latest whole, an earlier one.
    dataset_snapshot_write(day=dt.date(2026, 11, 30), tables=[table_get("cities")])
    dataset_snapshot_write(day=dt.date(2026, 12, 1))
    subscription = subscription_request(
        email="ana.ruiz@example.org",
        city=city,
        topics=["sharing", "flagged"],
        frequency="daily",
        language="en",
        ip="203.0.113.7",
    )
    return {
        "home": "/",
        "site search": "/search/?q=police",
        "cities": "/cities/",
        "city": city.get_absolute_url(),
        "agencies": "/agencies/",
        "agency": agency.get_absolute_url(),
        "changes": "/changes/",
        "city changes": f"{city.get_absolute_url()}changes/",
        "agency changes": f"{agency.get_absolute_url()}changes/",
        "changes filtered": "/changes/?topic=sharing&kind=policy_changed",
        "cameras": "/cameras/",
        "camera": camera.get_absolute_url(),
        "searches": "/searches/",
        "national": "/searches/national/",
        "hearings": "/hearings/",
        "city hearings": f"/hearings/{hearing.city.slug}/",
        "hearing": hearing.get_absolute_url(),
        "comment sent": hearing.get_absolute_url() + "sent/",
        "comment confirm": _emailed_link(f"comment:{comment.pk}:confirm"),
        "petitions": "/petitions/",
        "petition": petition.get_absolute_url(),
        "petition start": "/petitions/start/",
        "petition signed": petition.get_absolute_url() + "signed/",
        "signature confirm": _emailed_link(f"signature-{signature.pk}-confirm"),
        "subscribe": "/subscribe/",
        "subscribe sent": "/subscribe/sent/",
        "alerts confirm": _emailed_link(f"alert-subscription-{subscription.pk}-confirm"),
        "alerts manage": f"/subscribe/manage/{manage_token(subscription.subscriber)}/",
        "alerts manage link": "/subscribe/manage/",
        "webhooks": "/subscribe/webhooks/",
        "laws": "/laws/",
        "methodology": "/methodology/",
        "bulk data": "/data/",
        "not found": "/cities/no-such-city/",
    }


def _draw_every_figure(page) -> None:
    for figure in page.evaluate(FIGURES):
        page.locator(f"[id='{figure}']").scroll_into_view_if_needed()
        page.wait_for_function(DRAWN, arg=figure, timeout=20_000)


def _axe_found(page, axe_source: str) -> list[dict]:
    # What a click reveals is checked too: every "show more" and disclosure, opened.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.evaluate(axe_source)  # through CDP: the page's Content-Security-Policy allows it
    page.evaluate(START_AXE)
    page.wait_for_function("() => window.__axeFound !== undefined", timeout=AXE_SECONDS * 1000)
    found = page.evaluate("window.__axeFound")
    assert not isinstance(found, dict), f"axe failed on {page.url}: {found}"
    return found


def _violations(page, axe_source: str) -> list[dict]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        found = _axe_found(page, axe_source)
    except PlaywrightTimeout:
        page.reload()
        found = _axe_found(page, axe_source)
    return [v for v in found if v["impact"] in FAILING_IMPACTS or v["id"] in HELD_RULES]


def _report(name: str, width: int, violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(
                f"{name} @{width}px: {violation['id']} ({violation['impact']}) "
                f"{node['target']}: {violation['help']}. {summary}"
            )
    return lines


def test_no_public_page_has_a_serious_accessibility_violation(
    browser,  # noqa: F811
    live_server,
    axe_source,
):
    pages = _public_pages()
    problems: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            for name, path in pages.items():
                response = page.goto(live_server.url + path)
                expected = 404 if name == "not found" else 200
                assert response.status == expected, (name, path, response.status)
                _draw_every_figure(page)
                problems += _report(name, width, _violations(page, axe_source))
                if name == "bulk data":
                    # Every disclosure open: the earlier snapshot and each table's columns.
                    page.eval_on_selector_all(
                        "main details", "els => els.forEach(d => d.open = true)"
                    )
                    problems += _report(f"{name}, open", width, _violations(page, axe_source))
                if name == "home" and width < 700:
                    # The phone menu, opened: its links must pass too.
                    page.get_by_role("button", name="Menu").click()
                    problems += _report("home, menu open", width, _violations(page, axe_source))
                if (
                    name in ("comment confirm", "signature confirm", "alerts confirm")
                    and width == WIDTHS[0]
                ):
                    # The page after pressing the button; the next width sees the link used.
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_load_state("load")
                    done = f"{name}, done"
                    problems += _report(done, width, _violations(page, axe_source))
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_the_phone_menu_is_a_button_and_no_hidden_tab_stop(browser, live_server):  # noqa: F811
    from playwright.sync_api import expect

    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            page.goto(live_server.url + "/")
            button = page.locator(".site-header .nav-toggle")
            cities = page.locator("#site-nav").get_by_role("link", name="Cities")
            if width > 700:
                expect(button).to_be_hidden()
                expect(cities).to_be_visible()
                # Tab from the brand reaches the language button, then the menu: nothing
                # invisible between (the hidden menu button takes no tab stop).
                page.locator(".brand").focus()
                page.keyboard.press("Tab")
                expect(page.locator(".language-switch button")).to_be_focused()
                page.keyboard.press("Tab")
                expect(page.locator("#site-nav a").first).to_be_focused()
                continue
            expect(button).to_have_attribute("aria-expanded", "false")
            expect(cities).to_be_hidden()
            button.click()
            expect(button).to_have_attribute("aria-expanded", "true")
            expect(cities).to_be_visible()
            page.keyboard.press("Escape")
            expect(button).to_have_attribute("aria-expanded", "false")
            expect(button).to_be_focused()
            expect(cities).to_be_hidden()
        finally:
            context.close()
    # Without JavaScript the links are listed and no button is shown.
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        expect(page.locator(".site-header .nav-toggle")).to_be_hidden()
        expect(page.locator("#site-nav").get_by_role("link", name="Cities")).to_be_visible()
    finally:
        context.close()
