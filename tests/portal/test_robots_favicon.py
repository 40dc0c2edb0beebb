"""/robots.txt and the favicon: crawlers keep out of the admin, emailed links and downloads;
browsers find an icon both through the page's links and at /favicon.ico."""

import struct
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def _robots(client) -> RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cities/",
        "/cameras/12/",
        "/searches/national/",
        "/hearings/",
        "/petitions/",
        "/api/v1/cameras/",
        "/api/docs/",
        "/methodology/",
    ],
)
def test_robots_allows_public_pages(client, path):
    assert _robots(client).can_fetch("*", path)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/hearings/comment/",
        "/downloads/cameras.csv",
        "/api/v1/exports/4/",
        "/hearings/comments/confirm/abc/",
        "/petitions/signatures/withdraw/abc/",
    ],
)
def test_robots_disallows_admin_downloads_and_emailed_links(client, path):
    assert not _robots(client).can_fetch("*", path)


def test_robots_disallows_csv_api_downloads_by_wildcard(client):
    # urllib's parser ignores wildcards (RFC 9309's "*" and "$"), so check the lines themselves.
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert "Disallow: /api/*format=csv" in lines
    assert "Disallow: /*.csv$" in lines
    assert lines[0] == "User-agent: *"


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/favicon")
    assert response["Location"].endswith(".ico")
    assert "max-age=86400" in response["Cache-Control"]


def test_the_icon_files_are_real_icons():
    ico = Path(finders.find("favicon.ico")).read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 2
    sizes = {ico[6 + 16 * i] for i in range(count)}
    assert {16, 32} <= sizes
    svg = Path(finders.find("favicon.svg")).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg


def test_every_page_links_both_icons(client):
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in html
    assert 'rel="icon" href="/static/favicon.ico"' in html
