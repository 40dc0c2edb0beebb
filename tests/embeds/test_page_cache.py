"""The embeds go through the page cache like other public pages, and a cached copy is framable
and cookie-free as the first one was (the cache replays a new response: see embeds.middleware).
Committed rows (``transaction=True``): the cache is bypassed inside a transaction."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.factories import CameraFactory, CityFactory, SuperuserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def test_a_cached_embed_is_still_framable_cookie_free_and_in_its_language():
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    CameraFactory(city=city)
    path = reverse("embeds:summary", kwargs={"slug": city.slug})
    first = Client().get(path)
    assert first["X-Page-Cache"] == "miss"
    # A visitor with the site's language cookie set to Spanish gets the stored English copy.
    visitor = Client()
    visitor.cookies["django_language"] = "es"
    hit = visitor.get(path)
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    for response in (first, hit):
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert not response.cookies
        assert response["Content-Language"] == "en"
        assert "public" in response["Cache-Control"]
    spanish = Client().get(path, {"lang": "es"})
    assert spanish["X-Page-Cache"] == "miss" and "cámaras activas" in spanish.content.decode()
    assert Client().get(path, {"lang": "es"})["X-Page-Cache"] == "hit"
    assert Client().get(path, HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"
    # A signed-in reader is served fresh and never stored.
    admin = Client()
    admin.force_login(SuperuserFactory())
    signed_in = admin.get(path)
    assert signed_in.get("X-Page-Cache") in (None, "bypass")
    assert "X-Frame-Options" not in signed_in and not signed_in.cookies
    # The session was read to know who it is: the response says it varies on the cookie.
    assert "Cookie" in signed_in["Vary"]
