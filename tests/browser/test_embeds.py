"""The embeds in Chromium: no serious axe violation at 1280 and 375 px, no sideways scrolling at
375 and 320 px (the embeds) or 375 px (the page of snippets), and framed by a page of another
origin they render, while the city page refuses to be framed."""

import contextlib
import http.server
import threading

import pytest

from cameras.models import Camera
from tests.browser.clipboard import copied_text, recording_copies
from tests.browser.test_axe import WIDTHS, _report, _violations, axe_source  # noqa: F401
from tests.browser.test_city_page import browser  # noqa: F401 - the shared browser fixture
from tests.factories import CameraFactory, SharingAgreementFactory
from tests.searches.factories import audit_scenario

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NO_OVERFLOW = "document.documentElement.scrollWidth"


@contextlib.contextmanager
def _serving(html: str):
    """An HTTP server on 127.0.0.1 answering every GET with ``html``; yields its origin."""

    class Story(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Story)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _city():
    data = audit_scenario()
    for n, owner in enumerate([data["pd"], data["pd"], data["hoa"]]):
        CameraFactory(
            city=data["city"], owner=owner, latitude=41.5 + n / 50, longitude=-88.1 + n / 40
        )
    CameraFactory(city=data["city"], owner=data["pd"], status=Camera.Status.PLANNED)
    for recipient in (data["sheriff"], data["wisconsin"], data["hsi"]):
        SharingAgreementFactory(owner=data["pd"], recipient=recipient)
    return data["city"]


def _paths(city) -> dict[str, str]:
    base = f"/embed/cities/{city.slug}/"
    return {
        "summary": base,
        "map": base + "map/",
        "sharing": base + "sharing/",
        "searches": base + "searches/?lang=es",
        "summary es": base + "?lang=es",
        "index": f"/cities/{city.slug}/embed/",
    }


def test_embeds_pass_axe_and_fit_a_phone(browser, live_server, axe_source):  # noqa: F811
    pages = _paths(_city())
    problems: list[str] = []
    for width in (*WIDTHS, 320):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            for name, path in pages.items():
                if name == "index" and width == 320:
                    continue
                response = page.goto(live_server.url + path)
                assert response.status == 200, (name, response.status)
                if width in WIDTHS:
                    problems += _report(name, width, _violations(page, axe_source))
                if width < 1000:
                    scroll = page.evaluate(NO_OVERFLOW)
                    assert scroll <= width + 1, (name, width, scroll)
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_another_origin_frames_an_embed_not_the_city_page_and_snippets_copy(
    browser,  # noqa: F811
    live_server,
):
    from playwright.sync_api import expect

    city = _city()
    context = browser.new_context(
        viewport={"width": 700, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    recording_copies(context)
    page = context.new_page()
    try:
        # A newsroom's story on another origin: another port of the loopback (a public page
        # could not frame a local server at all; frame-ancestors * never matches about:blank).
        story = (
            f'<iframe id="embed" src="{live_server.url}/embed/cities/{city.slug}/?lang=es" '
            'title="embed" width="600" height="600"></iframe>'
            f'<iframe id="page" src="{live_server.url}{city.get_absolute_url()}" '
            'title="page" width="600" height="300"></iframe>'
        )
        with _serving(story) as origin:
            assert origin.split(":")[-1] not in live_server.url
            page.goto(origin + "/story")
            embed = page.frame_locator("#embed")
            expect(embed.locator("h1")).to_contain_text("Lectores de placas en Prairie Junction")
            expect(embed.locator(".embed-credit")).to_contain_text("Datos: Portal de Transparencia")
            # The refused frame is left on Chromium's error page, never showing the city page.
            refused = page.locator("#page").element_handle().content_frame()
            refused.wait_for_load_state()
            assert refused.url.startswith("chrome-error://"), refused.url
        # The page of snippets: its button copies the snippet and says so.
        page.goto(f"{live_server.url}/cities/{city.slug}/embed/")
        page.get_by_role("button", name="Copy the code").nth(1).click()
        expect(page.locator("#embed-map .embed-copy-status")).to_have_text("Copied.")
        copied = copied_text(page)
        assert copied.startswith(f'<iframe src="{live_server.url}/embed/cities/{city.slug}/map/')
        assert 'loading="lazy"' in copied and "title=" in copied
    finally:
        context.close()
