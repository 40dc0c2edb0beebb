"""The Content-Security-Policy holds in a real browser: Debian's Chromium loads every kind of
page (plotly charts and the MapLibre camera map included, and the admin) and no page reports a
CSP violation, a Permissions-Policy error or a script error."""

import pytest

from tests.browser.test_city_page import (
    MARKERS_DRAWN,
    browser,  # noqa: F401 - the shared browser fixture
)
from tests.factories import CameraFactory, SuperuserFactory
from tests.hearings.factories import AgendaItemFactory, HearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory
from tests.searches.factories import audit_scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
# Collects violations as the page reports them; injected before any page script runs.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def _problems(page, console: list[str], errors: list[str]) -> list[str]:
    violations = page.evaluate("window.__csp")
    markers = ("Content Security Policy", "Permissions-Policy")
    policy_errors = [line for line in console if any(m in line for m in markers)]
    return violations + policy_errors + errors


def test_no_page_logs_a_csp_violation(browser, live_server, settings):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    data = audit_scenario()
    city = data["city"]
    camera = CameraFactory(city=city, owner=data["pd"], address="100 Main St")
    hearing = HearingFactory(city=city, title="Renewal of the sharing agreement", slug="renewal")
    AgendaItemFactory(hearing=hearing, position=1, title="Renew the agreement")
    petition = OpenPetitionFactory(city=city)
    SuperuserFactory(username="csp-admin")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    # Tile requests fail without internet access; MapLibre reports each as "Map error".
    page.on("pageerror", lambda error: errors.append(str(error)))
    public = {
        "home": "/",
        "city": city.get_absolute_url(),
        "agency": data["pd"].get_absolute_url(),
        "camera": camera.get_absolute_url(),
        "searches": "/searches/",
        "national": "/searches/national/",
        "hearing": hearing.get_absolute_url(),
        "petition": petition.get_absolute_url(),
        "admin login": "/admin/login/",
    }
    try:
        for name, path in public.items():
            console.clear()
            errors.clear()
            response = page.goto(live_server.url + path)
            assert response.status == 200, name
            assert "default-src 'self'" in response.headers["content-security-policy"], name
            page.wait_for_load_state("load")
            if name in ("city", "agency"):
                # Charts drawn by charts.js from their JSON blocks as they scroll into view:
                # plotly ran under the policy.
                page.locator(".js-plotly-figure").first.scroll_into_view_if_needed()
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            if name == "camera":
                page.wait_for_function(MARKERS_DRAWN, arg="camera-map", timeout=20_000)
            problems = _problems(page, console, [e for e in errors if "Map error" not in e])
            assert problems == [], f"{name}: {problems}"

        page.fill("#id_username", "csp-admin")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(live_server.url + "/admin/")
        for name, path in {
            "admin index": "/admin/",
            "admin change": f"/admin/cameras/camera/{camera.pk}/change/",
            "admin changelist": "/admin/cameras/camera/",
        }.items():
            console.clear()
            errors.clear()
            response = page.goto(live_server.url + path)
            assert response.status == 200, name
            page.wait_for_load_state("load")
            problems = _problems(page, console, errors)
            assert problems == [], f"{name}: {problems}"
    finally:
        context.close()
