"""The subscribe, manage and link pages: bad input, rate limits, honeypot, the manage link's
changes and removal, and the privacy rule (no subscriber email on any public page or API)."""

import re

import pytest
from django.core import mail

from alerts.models import Subscriber, Subscription
from alerts.selectors import manage_token
from tests.alerts.helpers import link_in, sharing_added, subscribe_confirmed
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

EMAIL = "rosa.private@example.org"


@pytest.fixture
def joliet_pd(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city)


def form(**overrides) -> dict:
    return {
        "email": EMAIL,
        "city": "joliet-il",
        "topics": ["sharing"],
        "frequency": "daily",
        "language": "en",
        **overrides,
    }


def test_the_subscribe_page_offers_cities_agencies_topics_and_frequencies(client, joliet_pd):
    page = client.get("/subscribe/?agency=" + joliet_pd.slug).content.decode()
    assert "Joliet, IL" in page and "Joliet IL PD" in page
    assert re.search(rf'<option value="{joliet_pd.slug}" selected>', page)
    for label in ("Sharing and policy changes", "Flagged searches", "Hearings", "Petitions"):
        assert label in page
    assert "Daily digest" in page and "Weekly digest" in page and "Immediately" in page
    assert "<fieldset" in page and "<legend" in page  # grouped choices, labelled


def test_bad_input_says_what_is_wrong_and_keeps_the_answers(client, clerk_city, joliet_pd):
    response = client.post(
        "/subscribe/", form(city="joliet-il", agency=joliet_pd.slug, topics=[], email="nope")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose at least one topic." in page
    assert "Enter a valid email address." in page
    assert 'value="nope"' in page
    assert not Subscription.objects.exists() and not mail.outbox
    response = client.post("/subscribe/", form(city="", agency=""))
    assert "Choose a city or an agency (one of them)." in response.content.decode()


def test_the_honeypot_answers_like_a_success_and_saves_nothing(client, clerk_city):
    response = client.post("/subscribe/", form(website="http://spam.example"))
    assert response.status_code == 302
    assert not Subscriber.objects.exists() and not mail.outbox


def test_subscriptions_are_rate_limited_per_email_and_per_ip(
    client, clerk_city, settings, django_capture_on_commit_callbacks
):
    settings.HEARINGS_RATE_LIMITS = {
        **settings.HEARINGS_RATE_LIMITS,
        "alert_subscribe_email": (2, 3600),
        "alert_subscribe_ip": (4, 3600),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/subscribe/", form()).status_code == 302
        assert client.post("/subscribe/", form()).status_code == 302
        limited = client.post("/subscribe/", form())
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    assert 'value="rosa.private@example.org"' in limited.content.decode()  # nothing lost
    assert client.post("/subscribe/", form(email="other@example.org")).status_code == 302
    # The fifth from this IP, whatever the address.
    assert client.post("/subscribe/", form(email="third@example.org")).status_code == 429
    assert Subscription.objects.count() == 2
    subscription = Subscription.objects.first()
    assert subscription.ip_hash and "127.0.0.1" not in subscription.ip_hash


def test_the_manage_link_lists_changes_and_removes_the_mailbox_subscriptions(
    client, clerk_city, joliet_pd, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    city_sub = subscribe_confirmed(capture, email=EMAIL, city=clerk_city)
    agency_sub = subscribe_confirmed(capture, email=EMAIL, agency=joliet_pd, frequency="weekly")
    path = f"/subscribe/manage/{manage_token(city_sub.subscriber)}/"
    page = client.get(path).content.decode()
    assert "Joliet, IL" in page and "Joliet IL PD" in page
    assert EMAIL not in page  # the link may be forwarded
    assert page.count('name="action" value="remove"') == 2

    response = client.post(
        path,
        {
            "subscription": city_sub.pk,
            "action": "save",
            f"s{city_sub.pk}-topics": ["hearings", "petitions"],
            f"s{city_sub.pk}-frequency": "immediate",
            f"s{city_sub.pk}-language": "es",
        },
    )
    assert "Your changes were saved." in response.content.decode()
    city_sub.refresh_from_db()
    assert (city_sub.topics, city_sub.frequency, city_sub.language) == (
        ["hearings", "petitions"],
        "immediate",
        "es",
    )
    bad = client.post(
        path, {"subscription": city_sub.pk, "action": "save", f"s{city_sub.pk}-frequency": "x"}
    )
    assert bad.status_code == 400 and "Choose at least one topic." in bad.content.decode()

    client.post(path, {"subscription": agency_sub.pk, "action": "remove"})
    assert list(Subscription.objects.all()) == [city_sub]
    done = client.post(path, {"subscription": city_sub.pk, "action": "remove"})
    assert "we deleted your email address" in done.content.decode()
    assert not Subscriber.objects.exists()
    assert client.get(path).status_code == 400  # the link is gone with the mailbox


def test_a_manage_link_cannot_touch_another_mailbox(
    client, clerk_city, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    mine = subscribe_confirmed(capture, email="me@example.org", city=clerk_city)
    theirs = subscribe_confirmed(capture, email="them@example.org", city=clerk_city)
    path = f"/subscribe/manage/{manage_token(mine.subscriber)}/"
    response = client.post(path, {"subscription": theirs.pk, "action": "remove"})
    assert response.status_code == 409
    assert Subscription.objects.filter(pk=theirs.pk).exists()
    assert client.get("/subscribe/manage/forged-token/").status_code == 400


def test_the_manage_link_can_be_asked_for_again(
    client, clerk_city, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    subscribe_confirmed(capture, email=EMAIL, city=clerk_city)
    with capture(execute=True):
        assert client.post("/subscribe/manage/", {"email": "nobody@example.org"}).status_code == 302
        assert client.post("/subscribe/manage/", {"email": EMAIL}).status_code == 302
    assert len(mail.outbox) == 2  # the confirmation, then the manage link; none for nobody
    assert client.get(link_in(mail.outbox[-1], "manage")).status_code == 200


def test_an_unsubscribe_link_opened_by_a_scanner_does_nothing(
    client, clerk_city, joliet_pd, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    subscription = subscribe_confirmed(capture, city=clerk_city)
    sharing_added(agency=joliet_pd, partner=AgencyFactory(name="Houston TX PD", state="TX"))
    from alerts.services.digests import digests_send

    with capture(execute=True):
        digests_send(frequency="daily")
    path = link_in(mail.outbox[-1], "unsubscribe")
    assert b"Press the button to stop these alerts." in client.get(path).content
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert client.post(path[:-5] + "xxxx/").status_code == 400


def test_no_subscriber_email_on_any_public_page_or_api(
    client, clerk_city, joliet_pd, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    subscribe_confirmed(capture, email=EMAIL, city=clerk_city)
    subscribe_confirmed(capture, email="second.private@example.org", agency=joliet_pd)
    sharing_added(agency=joliet_pd, partner=AgencyFactory(name="Houston TX PD", state="TX"))
    pages = [
        "/",
        clerk_city.get_absolute_url(),
        joliet_pd.get_absolute_url(),
        "/subscribe/",
        "/subscribe/sent/",
        "/subscribe/manage/",
        "/subscribe/webhooks/",
        "/api/v1/",
        "/api/v1/cities/",
        "/api/v1/agencies/",
        "/api/schema/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode().lower()
        assert "private@example.org" not in content, path
        assert "rosa" not in content, path
