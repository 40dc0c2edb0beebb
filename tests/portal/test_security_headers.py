"""Every response carries a Content-Security-Policy without inline scripts, a Permissions-Policy
that turns the browser's powerful features off, and a Referrer-Policy; charts embed no script."""

import re

import pytest

from tests.portal.test_pages import build_prairie

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/v1/cities/", "/no-such-page/"])
def test_every_response_carries_the_policies(client, path):
    response = client.get(path)
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["worker-src"] == ["'self'", "blob:"]  # MapLibre's workers
    assert "https://tile.openstreetmap.org" in csp["img-src"]
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_charts_are_json_data_blocks_not_inline_scripts(client):
    data = build_prairie()
    html = client.get(data["city"].get_absolute_url()).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    inline = [attrs for attrs, body in scripts if body.strip() and "application/json" not in attrs]
    assert inline == []
    blocks = [body for attrs, body in scripts if "data-plotly-figure" in attrs]
    assert blocks, "the city page has a camera map"
    assert '"type":"scattermap"' in blocks[0]
    assert "Willow Creek Homeowners Association" in "".join(blocks)


def test_a_name_cannot_close_the_data_block(client):
    data = build_prairie()
    data["police"].name = "Evil</script><script>alert(1)</script> PD"
    data["police"].save()
    html = client.get(data["city"].get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
