"""Two digest runs at once on PostgreSQL (beat firing while a slow run is still going, or a
task delivered twice), each on its own connection: every event reaches the subscriber once.

The race is widened on purpose: the first run pauses after reading the pending events, until
the second is seen waiting on its lock on the subscription."""

import pytest
from django.core import mail

from alerts.models import AlertDelivery
from alerts.services import digests
from hearings.models import OutboundEmail
from tests.alerts.helpers import flagged, sharing_added, subscribe_confirmed
from tests.factories import AgencyFactory, CityFactory
from tests.services.test_petition_concurrency import (
    _postgresql,  # noqa: F401 - the autouse PostgreSQL check
    run_together,
    slowed,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_digest_runs_at_once_send_each_event_once(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_SITE_URL = "https://portal.example"
    city = CityFactory(name="Joliet", state="IL", slug="joliet-il")
    police = AgencyFactory(name="Joliet IL PD", home_city=city)
    subscription = subscribe_confirmed(django_capture_on_commit_callbacks, city=city)
    sharing_added(agency=police, partner=AgencyFactory(name="Houston TX PD", state="TX"))
    flagged(agency=police)
    slowed(monkeypatch, digests, "subscription_events_pending")

    results = run_together(
        lambda: digests.digests_send(frequency="daily"),
        lambda: digests.digests_send(frequency="daily"),
    )

    assert sorted(results) == [0, 1]
    assert AlertDelivery.objects.filter(subscription=subscription).count() == 2
    assert OutboundEmail.objects.filter(key__startswith="alert-digest-").count() == 1
    assert [m.subject for m in mail.outbox[1:]] == ["2 changes in Joliet, IL"]
