"""The whole-page cache for anonymous visitors (core/pagecache.py).

These tests commit (``transaction=True``): the cache is bypassed inside an open transaction and
invalidated on commit, which is what they check. ``serialized_rollback`` restores the rows the
migrations load (reason rules, law profiles) for the tests that run after them.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.cache import get_cache_key

from core import pagecache
from core.models import Agency
from hearings.models import Comment, OutboundEmail
from hearings.services.comments import comment_moderate
from searches.models import ReasonCategory, ReasonPattern, Search
from searches.services.reclassification import search_rules_changed, searches_reclassify
from tests.factories import AgencyFactory, CameraFactory, CityFactory, ClerkFactory
from tests.hearings.factories import AgendaItemFactory, CommentFactory, HearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory
from tests.hearings.test_petition_pages import text_of
from tests.hearings.test_petition_services import token_in
from tests.searches.factories import portal_audit_import

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def city():
    return CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")


def with_cookie(name: str, value: str) -> Client:
    client = Client()
    client.cookies[name] = value
    return client


def get(client: Client, url: str, data: dict | None = None, **extra):
    response = client.get(url, data, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def stored_entry(path: str) -> tuple | None:
    """What the page cache holds for an anonymous English GET of ``path`` (any backend)."""
    request = RequestFactory().get(path)
    request.LANGUAGE_CODE = "en"
    store = caches["pages"]
    version = pagecache.page_cache_version()
    key = get_cache_key(request, key_prefix=version, method="GET", cache=store)
    return store.get(key) if key else None


def test_a_burst_of_anonymous_readers_costs_one_render(city, django_assert_num_queries):
    CameraFactory.create_batch(3, city=city)
    url = city.get_absolute_url()
    first = get(Client(), url)
    assert first["X-Page-Cache"] == "miss"
    for _ in range(3):
        with django_assert_num_queries(0):
            again = get(Client(), url)
        assert again["X-Page-Cache"] == "hit"
        # The same page, apart from each visitor's own CSRF token in the language form.
        assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())
    assert "Prairie Junction" in again.content.decode()
    head = Client().head(url)
    assert head.status_code == 200 and head["X-Page-Cache"] == "hit"


def test_keys_vary_on_language_query_string_and_accept(city):
    url = city.get_absolute_url()
    english = get(Client(), url, HTTP_ACCEPT_LANGUAGE="en")
    spanish = get(Client(), url, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish["X-Page-Cache"] == "miss"
    assert spanish["Content-Language"] == "es" and english["Content-Language"] == "en"
    assert '<html lang="es"' in spanish.content.decode()
    by_cookie = get(with_cookie("django_language", "es"), url)
    assert by_cookie["X-Page-Cache"] == "hit" and '<html lang="es"' in by_cookie.content.decode()
    again = get(Client(), url, HTTP_ACCEPT_LANGUAGE="en")
    assert again["X-Page-Cache"] == "hit" and '<html lang="en"' in again.content.decode()

    AgencyFactory(name="Zeta IL PD", state="IL")
    AgencyFactory(name="Alpha IN PD", state="IN")
    api = reverse("api:agency-list")
    illinois = get(Client(), api, {"state": "IL"})
    indiana = get(Client(), api, {"state": "IN"})
    assert indiana["X-Page-Cache"] == "miss"
    assert [a["name"] for a in illinois.json()["results"]] == ["Zeta IL PD"]
    assert [a["name"] for a in indiana.json()["results"]] == ["Alpha IN PD"]
    assert get(Client(), api, {"state": "IN"}).json() == indiana.json()
    # DRF varies on Accept: a browser's HTML rendering is never served to a JSON client.
    html = Client().get(api, {"state": "IN"}, HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    json_again = get(Client(), api, {"state": "IN"}, HTTP_ACCEPT="application/json")
    assert json_again["Content-Type"] == "application/json"
    assert json_again["Cache-Control"] == "public, max-age=60"


def test_a_cached_page_holds_no_csrf_token_and_each_visitor_gets_a_working_one(city):
    url = city.get_absolute_url()
    first = get(Client(), url)
    entry = stored_entry(url)
    assert entry is not None, "the page was not stored"
    _status, _headers, content, punched = entry
    assert punched and not pagecache.TOKEN_LIKE.search(content)
    assert first.cookies["csrftoken"].value
    assert "Cache-Control" not in first  # holds a per-visitor token: no shared caching

    visitor = Client(enforce_csrf_checks=True)
    hit = get(visitor, url)
    assert hit["X-Page-Cache"] == "hit"
    token = TOKEN.search(hit.content.decode()).group(1)
    assert token != TOKEN.search(first.content.decode()).group(1)
    assert visitor.cookies["csrftoken"].value  # set on the hit, for this visitor
    switched = visitor.post(
        reverse("set_language"), {"language": "es", "next": url, "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302  # the token from the cached page passes the CSRF check
    assert visitor.cookies["django_language"].value == "es"
    stranger = Client(enforce_csrf_checks=True)
    refused = stranger.post(
        reverse("set_language"), {"language": "es", "csrfmiddlewaretoken": token}
    )
    assert refused.status_code == 403  # ... and only for the visitor it was given to


def test_signed_in_users_and_visitors_with_a_message_bypass(city):
    url = city.get_absolute_url()
    clerk = Client()
    clerk.force_login(ClerkFactory(username="clerk-prairie", city=city))
    assert "X-Page-Cache" not in get(clerk, url)
    assert stored_entry(url) is None
    assert "X-Page-Cache" not in get(with_cookie("messages", "x"), url)
    assert get(Client(), url)["X-Page-Cache"] == "miss"
    assert "X-Page-Cache" not in get(clerk, url)  # never served the anonymous copy either
    admin = clerk.get("/admin/")
    assert admin.status_code == 200 and "X-Page-Cache" not in admin


def test_what_is_never_stored(city, settings):
    assert Client().get("/cities/nowhere/").status_code == 404
    csv = Client().get(reverse("api:city-list"), {"format": "csv"})
    assert csv.streaming and csv["X-Page-Cache"] == "bypass"
    petition = OpenPetitionFactory(city=city)
    Client().post(
        petition.get_absolute_url(),
        {"name": "Ana", "email": "ana@example.org", "zip_code": "60431", "website": ""},
    )
    email = OutboundEmail.objects.get(key__startswith="signature-", key__endswith="-confirm")
    confirm = reverse("petitions:signature-confirm", args=[token_in(email, "signatures/confirm")])
    assert Client().get(confirm)["X-Page-Cache"] == "bypass"  # an emailed link's page
    assert stored_entry(confirm) is None
    assert stored_entry("/cities/nowhere/") is None

    settings.PAGE_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in get(Client(), city.get_absolute_url())
    settings.PAGE_CACHE_SECONDS = 60
    with transaction.atomic():  # may see uncommitted rows
        assert "X-Page-Cache" not in get(Client(), city.get_absolute_url())
    assert stored_entry(city.get_absolute_url()) is None


def test_one_invalidation_per_transaction_and_only_after_commit(city):
    before = pagecache.page_cache_version()
    with transaction.atomic():
        CameraFactory.create_batch(5, city=city)
        bumps = [e for e in connection.run_on_commit if e[1] is pagecache._bump]
        assert len(bumps) == 1
        assert pagecache.page_cache_version() == before  # other readers still see old rows
    after = pagecache.page_cache_version()
    assert after != before
    with transaction.atomic():
        AgencyFactory(name="Rolled Back PD")
        transaction.set_rollback(True)
    assert pagecache.page_cache_version() == after


def _searches(agency: Agency) -> tuple[str, list[tuple[str, str]]]:
    """The cache state and the (reason, category) of each of an agency's searches in the API."""
    response = get(Client(), reverse("api:search-list"), {"source_agency": agency.slug})
    rows = sorted((r["reason"], r["category"]) for r in response.json()["results"])
    return response["X-Page-Cache"], rows


def test_audit_import_and_reclassification_reach_cached_pages(city, monkeypatch):
    pd = AgencyFactory(name="Prairie Junction IL PD", home_city=city)
    portal_audit_import(pd, ["a1,***,2026-03-02T10:00:00Z,3,zebra crossing,\n"], "first.csv")
    assert _searches(pd)[0] == "miss"
    state, rows = _searches(pd)
    assert state == "hit" and [reason for reason, _category in rows] == ["zebra crossing"]
    city_page = get(Client(), city.get_absolute_url())
    assert get(Client(), city.get_absolute_url())["X-Page-Cache"] == "hit"

    portal_audit_import(
        pd,
        [
            "a2,***,2026-03-03T10:00:00Z,3,zebra crossing,\n",
            "a3,***,2026-04-03T10:00:00Z,3,stolen vehicle,\n",
        ],
        "second.csv",
    )
    state, rows = _searches(pd)
    assert (state, len(rows)) == ("miss", 3)
    fresh = get(Client(), city.get_absolute_url())
    assert fresh["X-Page-Cache"] == "miss" and fresh.content != city_page.content

    # A rule change: the admin saves a pattern and queues the reclassification; readers in
    # between see the old categories, and the reclassification itself reaches the page.
    monkeypatch.setattr("searches.tasks.searches_reclassify.delay", lambda *a, **kw: None)
    immigration = ReasonCategory.objects.get(slug="immigration")
    ReasonPattern.objects.create(category=immigration, pattern="zebra")
    search_rules_changed(action="change")
    state, rows = _searches(pd)
    assert state == "miss" and ("zebra crossing", "immigration") not in rows
    assert _searches(pd)[0] == "hit"
    searches_reclassify()
    assert Search.objects.filter(category=immigration).count() == 2
    state, rows = _searches(pd)
    assert state == "miss"
    assert rows.count(("zebra crossing", "immigration")) == 2
    assert get(Client(), city.get_absolute_url())["X-Page-Cache"] == "miss"


def test_moderation_reaches_the_cached_hearing_page(city):
    hearing = HearingFactory(city=city, title="Renewing the camera contract")
    item = AgendaItemFactory(hearing=hearing)
    comment = CommentFactory(
        item=item, status=Comment.Status.PENDING, text="Twelve cameras are enough."
    )
    url = hearing.get_absolute_url()
    assert "Twelve cameras are enough." not in get(Client(), url).content.decode()
    assert get(Client(), url)["X-Page-Cache"] == "hit"
    comment_moderate(
        comment=comment, actor=ClerkFactory(username="clerk-p", city=city), action="approve"
    )
    page = get(Client(), url)
    assert page["X-Page-Cache"] == "miss"
    assert "Twelve cameras are enough." in page.content.decode()


def test_signing_through_a_cached_petition_page_counts_on_it(city):
    petition = OpenPetitionFactory(city=city, title="Keep our data here", signature_goal=50)
    url = petition.get_absolute_url()
    assert "0 signatures of a goal of 50" in text_of(get(Client(), url))
    signer = Client(enforce_csrf_checks=True)
    page = get(signer, url)
    assert page["X-Page-Cache"] == "hit"
    token = TOKEN.search(page.content.decode()).group(1)
    sent = signer.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "name": "Ana Reyes",
            "email": "ana@example.org",
            "zip_code": "60431",
            "show_name": "on",
            "comment": "",
            "website": "",
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    email = OutboundEmail.objects.get(key__startswith="signature-", key__endswith="-confirm")
    # The emailed link asks before it counts (a scanner's GET counts nothing): press the button.
    confirm = reverse("petitions:signature-confirm", args=[token_in(email, "signatures/confirm")])
    asked = signer.get(confirm)
    confirmed = signer.post(
        confirm, {"csrfmiddlewaretoken": TOKEN.search(asked.content.decode()).group(1)}
    )
    assert "Signature confirmed" in text_of(confirmed)
    page = get(Client(), url)
    assert page["X-Page-Cache"] == "miss"
    assert "1 signature of a goal of 50" in text_of(page) and "Ana Reyes" in text_of(page)


def test_a_bulk_admin_action_reaches_the_cached_camera_list(city):
    from cameras.models import Camera
    from cameras.services import camera_mark_removed

    CameraFactory.create_batch(2, city=city, status=Camera.Status.ACTIVE)
    url = reverse("api:camera-list")

    def statuses() -> tuple[str, list[str]]:
        response = get(Client(), url, {"city": city.slug})
        return response["X-Page-Cache"], [c["status"] for c in response.json()["results"]]

    assert statuses() == ("miss", ["active", "active"])
    assert statuses()[0] == "hit"
    # update() plus one bulk insert of audit rows: no model signal fires.
    assert camera_mark_removed(cameras=Camera.objects.filter(city=city)) == 2
    assert statuses() == ("miss", ["removed", "removed"])
