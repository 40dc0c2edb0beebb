"""API lists answer conditional requests: ETag and Last-Modified from the public content
version, 304 to If-None-Match and If-Modified-Since, and a new ETag once public data changes.

Without the page cache (each answer rendered) and with it (answers replayed from the cache).
The tests commit (``transaction=True``): the content version changes when a write commits.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils.http import http_date

from core import pagecache
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LISTS = [
    "api:city-list",
    "api:agency-list",
    "api:camera-list",
    "api:sharing-agreement-list",
    "api:snapshot-list",
    "api:state-law-list",
    "api:search-list",
    "api:search-stats-list",
    "api:reason-category-list",
    "api:import-list",
    "api:hearing-list",
    "api:agenda-item-list",
    "api:comment-list",
    "api:petition-list",
    "api:dataset-list",
]


@pytest.fixture(params=[0, 60], ids=["no-page-cache", "page-cache"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param
    caches["pages"].clear()
    yield request.param
    caches["pages"].clear()


def _answers_conditionals(client, url: str) -> None:
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and len(etag) == 34
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_every_public_list_has_validators_and_answers_304(client, settings, name):
    settings.PAGE_CACHE_SECONDS = 0
    _answers_conditionals(client, reverse(name))


@pytest.mark.parametrize("name", ["api:city-list", "api:search-list", "api:dataset-list"])
def test_answers_replayed_from_the_page_cache_answer_304_too(client, settings, name):
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    _answers_conditionals(client, reverse(name))
    assert client.get(reverse(name))["X-Page-Cache"] == "hit"


def test_etag_differs_by_filters_format_and_language(client, page_cache):
    url = reverse("api:city-list")
    tags = {
        client.get(url)["ETag"],
        client.get(url, {"state": "IL"})["ETag"],
        client.get(url, {"format": "csv"})["ETag"],
        client.get(url, HTTP_ACCEPT_LANGUAGE="es")["ETag"],
    }
    assert len(tags) == 4


def test_a_change_to_public_data_invalidates_the_etag(client, page_cache):
    url = reverse("api:city-list")
    first = client.get(url)
    assert first.json()["count"] == 0
    time.sleep(1.1)  # Last-Modified has whole seconds
    CityFactory(name="Newtown", state="IL")  # commits: the content version changes
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after.json()["count"] == 1
    assert after["ETag"] != first["ETag"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_last_modified_is_when_the_version_was_made(client, page_cache):
    version = pagecache.page_cache_version()
    made = pagecache.page_cache_version_time(version)
    assert abs(made - time.time()) < 120
    assert client.get(reverse("api:city-list"))["Last-Modified"] == http_date(int(made))
    # A version from before versions carried their time counts as made now.
    assert abs(pagecache.page_cache_version_time("a1b2c3d4e5f60708") - time.time()) < 5
