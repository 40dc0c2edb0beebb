"""Email alerts end to end: subscribe, confirm, events in the change log, digests that send
each event once, the List-Unsubscribe headers and the one-click POST, frequencies, languages."""

import pytest
from django.core import mail
from django.test import Client

from alerts import tasks
from alerts.models import AlertDelivery, Subscription
from hearings.models import OutboundEmail
from tests.alerts.helpers import SITE, flagged, link_in, sharing_added, subscribe_confirmed
from tests.factories import AgencyFactory, CityFactory
from watch.models import ChangeEvent
from watch.services import change_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def joliet_pd(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city)


@pytest.fixture
def partners():
    return (
        AgencyFactory(name="Houston TX PD", state="TX"),
        AgencyFactory(name="US Border Patrol", state="", kind="federal"),
    )


def run(capture, frequency: str) -> None:
    with capture(execute=True):
        tasks.digests_send.delay(frequency)


def test_subscribe_confirm_two_events_one_email_then_one_click_unsubscribe(
    client, clerk_city, joliet_pd, partners, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        response = client.post(
            "/subscribe/",
            {
                "email": "Rosa.Diaz@example.org",
                "city": clerk_city.slug,
                "topics": ["sharing", "flagged"],
                "frequency": "daily",
                "language": "en",
                "website": "",
            },
        )
    assert response.status_code == 302 and response["Location"] == "/subscribe/sent/"
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["Rosa.Diaz@example.org"]
    assert "Joliet, IL" in confirmation.body
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.UNCONFIRMED
    # The stored outbox row never holds a usable token.
    stored = OutboundEmail.objects.get(key=f"alert-subscription-{subscription.pk}-confirm")
    assert link_in(confirmation, "confirm").rsplit("/", 2)[1] not in stored.body_text

    confirm_path = link_in(confirmation, "confirm")
    page = client.get(confirm_path)
    assert b"Confirm my alerts" in page.content
    assert Subscription.objects.get().status == Subscription.Status.UNCONFIRMED  # GET acts not
    assert client.post(confirm_path).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE

    houston, border = partners
    sharing_added(agency=joliet_pd, partner=houston, out_of_state=True)
    flagged(agency=joliet_pd, count=4)
    # Not chosen (hearings), and another city's: never in this digest.
    change_record(
        kind=ChangeEvent.Kind.HEARING_SCHEDULED,
        key="test:h1",
        occurred_on=joliet_pd.created_at.date(),
        city=clerk_city,
    )
    elsewhere = AgencyFactory(name="Berkeley CA PD", home_city=CityFactory(name="Berkeley"))
    sharing_added(agency=elsewhere, partner=border, key="other", federal=True)

    run(capture, "daily")
    run(capture, "daily")  # twice: nothing new the second time

    digests = mail.outbox[1:]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.subject == "2 changes in Joliet, IL"
    assert "Sharing partner added" in digest.body and "Houston TX PD" in digest.body
    assert "Joliet IL PD began sharing its cameras with Houston TX PD (Out of state)" in digest.body
    assert "Flagged searches: Joliet IL PD: 4 new flagged searches" in digest.body
    assert f"{SITE}/agencies/{joliet_pd.slug}/changes/" in digest.body
    assert "Hearing scheduled" not in digest.body and "Border Patrol" not in digest.body
    html = digest.alternatives[0].content
    assert "Houston TX PD" in html and "Flagged searches" in html
    unsubscribe_path = link_in(digest, "unsubscribe")
    assert digest.extra_headers["List-Unsubscribe"] == f"<{SITE}{unsubscribe_path}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert AlertDelivery.objects.filter(subscription=subscription).count() == 2

    # RFC 8058: the mail provider POSTs without a session or CSRF token.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED

    flagged(agency=joliet_pd, key="after")
    run(capture, "daily")
    assert len(mail.outbox) == 2


def test_a_digest_killed_before_commit_sends_its_events_once_on_the_next_run(
    joliet_pd, partners, django_capture_on_commit_callbacks, monkeypatch
):
    capture = django_capture_on_commit_callbacks
    subscription = subscribe_confirmed(capture, city=joliet_pd.home_city)
    sharing_added(agency=joliet_pd, partner=partners[0])
    from alerts.services import digests

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(digests.AlertDelivery.objects, "bulk_create", killed)
    with pytest.raises(SystemExit):
        run(capture, "daily")
    monkeypatch.undo()
    assert not AlertDelivery.objects.exists()
    assert not OutboundEmail.objects.filter(key__startswith="alert-digest-").exists()
    run(capture, "daily")
    run(capture, "daily")
    assert len(mail.outbox) == 2  # the confirmation and one digest
    assert AlertDelivery.objects.get().subscription == subscription


def test_the_database_refuses_the_same_event_twice_to_one_subscription(
    joliet_pd, partners, django_capture_on_commit_callbacks
):
    from django.db import IntegrityError, transaction

    subscription = subscribe_confirmed(django_capture_on_commit_callbacks, agency=joliet_pd)
    event = sharing_added(agency=joliet_pd, partner=partners[0])
    AlertDelivery.objects.create(subscription=subscription, event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertDelivery.objects.create(subscription=subscription, event=event)


def test_unconfirmed_subscriptions_receive_nothing(
    client, joliet_pd, partners, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        client.post(
            "/subscribe/",
            {
                "email": "ana@example.org",
                "agency": joliet_pd.slug,
                "topics": ["sharing"],
                "frequency": "immediate",
                "language": "en",
            },
        )
    assert len(mail.outbox) == 1
    sharing_added(agency=joliet_pd, partner=partners[0])
    for frequency in ("immediate", "daily", "weekly"):
        run(capture, frequency)
    assert len(mail.outbox) == 1
    assert not AlertDelivery.objects.exists()


def test_a_weekly_subscriber_gets_nothing_from_the_daily_run(
    joliet_pd, partners, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    subscribe_confirmed(capture, agency=joliet_pd, frequency="weekly")
    sharing_added(agency=joliet_pd, partner=partners[1], federal=True, forbidden=True)
    run(capture, "daily")
    run(capture, "immediate")
    assert len(mail.outbox) == 1
    run(capture, "weekly")
    assert len(mail.outbox) == 2
    body = mail.outbox[1].body
    assert "US Border Patrol (Federal, Forbidden by IL law)" in body


def test_an_agency_subscription_sees_the_agency_as_a_partner_too(
    joliet_pd, partners, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    houston = partners[0]
    subscribe_confirmed(capture, agency=houston, frequency="immediate", topics=["sharing"])
    sharing_added(agency=joliet_pd, partner=houston)
    run(capture, "immediate")
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "1 change in Houston TX PD"


def test_the_email_is_in_the_language_chosen_at_subscription(
    joliet_pd, partners, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    subscribe_confirmed(capture, city=joliet_pd.home_city, language="es")
    assert "Hola" in mail.outbox[0].body
    sharing_added(agency=joliet_pd, partner=partners[0], out_of_state=True)
    flagged(agency=joliet_pd)
    run(capture, "daily")
    digest = mail.outbox[1]
    assert digest.subject == "2 cambios en Joliet, IL"
    assert "Nuevo socio con acceso a los datos" in digest.body
    assert "Houston TX PD (De otro estado)" in digest.body
    assert "Cancelar la suscripción" in digest.alternatives[0].content


def test_subscribing_again_while_active_changes_nothing_and_mails_the_manage_link(
    joliet_pd, django_capture_on_commit_callbacks
):
    from alerts.services.subscriptions import subscription_request

    capture = django_capture_on_commit_callbacks
    subscription = subscribe_confirmed(capture, agency=joliet_pd, frequency="weekly")
    with capture(execute=True):
        again = subscription_request(
            email="ROSA@example.org",
            agency=joliet_pd,
            topics=["petitions"],
            frequency="immediate",
            language="en",
            ip="198.51.100.1",
        )
    assert again.pk == subscription.pk
    again.refresh_from_db()
    assert again.frequency == "weekly" and again.topics == ["sharing", "flagged"]
    assert "already receives" in mail.outbox[-1].body
    assert link_in(mail.outbox[-1], "manage")
