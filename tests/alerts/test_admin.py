"""The alerts admin: clerks see their cities' subscription counts and rows only, never another
city's subscribers' emails; superusers see all; nothing can be edited there; no secret shown."""

import pytest

from alerts.models import Subscription, Webhook
from tests.alerts.helpers import subscribe_confirmed
from tests.factories import AgencyFactory, SuperuserFactory
from tests.portal.test_admin import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriptions(clerk_city, other_city, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    joliet_pd = AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    return {
        "city": subscribe_confirmed(capture, email="joliet.one@example.org", city=clerk_city),
        "agency": subscribe_confirmed(capture, email="joliet.two@example.org", agency=joliet_pd),
        "other": subscribe_confirmed(capture, email="berkeley.one@example.org", city=other_city),
    }


def test_a_clerk_sees_counts_and_rows_of_their_cities_only(clerk_client, subscriptions):
    response = clerk_client.get(admin_url(Subscription, "changelist"))
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {
        subscriptions["city"],
        subscriptions["agency"],
    }
    assert response.context["counts"] == [
        {"city": "Joliet, IL", "active": 2, "unconfirmed": 0, "unsubscribed": 0}
    ]
    page = response.content.decode()
    assert "Berkeley" not in page and "@example.org" not in page  # no address in the list
    other = admin_url(Subscription, "change", subscriptions["other"].pk)
    assert clerk_client.get(other).status_code == 302
    own = clerk_client.get(admin_url(Subscription, "change", subscriptions["city"].pk))
    assert "joliet.one@example.org" in own.content.decode()
    assert "berkeley.one@example.org" not in own.content.decode()


def test_the_admin_is_read_only_for_clerks(clerk_client, subscriptions):
    url = admin_url(Subscription, "change", subscriptions["city"].pk)
    clerk_client.post(url, {"frequency": "weekly"})
    subscriptions["city"].refresh_from_db()
    assert subscriptions["city"].frequency == "daily"
    assert clerk_client.get(admin_url(Subscription, "add")).status_code == 403


def test_a_superuser_sees_every_city(client, subscriptions):
    client.force_login(SuperuserFactory())
    response = client.get(admin_url(Subscription, "changelist"))
    assert len(response.context["cl"].result_list) == 3
    assert [row["city"] for row in response.context["counts"]] == ["Berkeley, CA", "Joliet, IL"]


def test_webhook_secrets_are_never_shown_in_the_admin(client, clerk_city):
    webhook = Webhook.objects.create(
        url="https://newsroom.example/hook",
        email="desk@newsroom.example",
        email_normalized="desk@newsroom.example",
        city=clerk_city,
        topics=["sharing"],
        secret="f" * 64,
    )
    client.force_login(SuperuserFactory())
    page = client.get(admin_url(Webhook, "change", webhook.pk)).content.decode()
    assert "newsroom.example/hook" in page and "f" * 64 not in page
