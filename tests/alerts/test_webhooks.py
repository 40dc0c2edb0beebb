"""Newsroom webhooks against a real HTTP receiver on 127.0.0.1: email confirmation before any
POST, a signature that verifies with the secret shown once, one POST per event, retries with
backoff, disabling after repeated failures with a notice, and the private-address guard."""

import hashlib
import hmac
import json
import re
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from alerts import tasks
from alerts.models import Webhook, WebhookDelivery
from portal.celery import app as celery_app
from tests.alerts.helpers import SITE, flagged, sharing_added
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """A newsroom's endpoint: records each POST; answers ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/alpr"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def _retries_run_in_process():
    """Eager Celery runs a retry at once, inside the failed call, then raises ``Retry`` to
    the caller; a worker would just schedule it. Let the caller see what a worker sees."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


@pytest.fixture
def receiver(settings):
    receiver = Receiver()
    # As the audit-fetch tests do: loopback passes the guard on this port only.
    settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS = [receiver.httpd.server_address[1]]
    settings.ALERTS_WEBHOOK_TIMEOUT_SECONDS = 2
    yield receiver
    receiver.stop()


@pytest.fixture
def joliet_pd(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city)


def register(client, capture, url: str, **overrides):
    with capture(execute=True):
        return client.post(
            "/subscribe/webhooks/",
            {
                "url": url,
                "email": "desk@newsroom.example",
                "city": "joliet-il",
                "topics": ["sharing", "flagged"],
                **overrides,
            },
        )


def confirmed_webhook(client, capture, url: str) -> tuple[Webhook, str]:
    response = register(client, capture, url)
    assert response.status_code == 200
    secret = re.search(r'id="webhook-secret"[^>]*value="([0-9a-f]{64})"', response.content.decode())
    assert secret, response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    found = re.search(rf"{SITE}(/subscribe/webhooks/confirm/[^/\s]+/)", mail.outbox[-1].body)
    assert client.post(found.group(1)).status_code == 200
    return Webhook.objects.get(), secret.group(1)


def dispatch(capture) -> None:
    with capture(execute=True):
        tasks.webhooks_dispatch.delay()


def test_a_confirmed_webhook_gets_one_signed_post_per_event(
    client, receiver, joliet_pd, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    response = register(client, capture, receiver.url)
    secret = re.search(r'value="([0-9a-f]{64})"', response.content.decode()).group(1)
    webhook = Webhook.objects.get()
    assert webhook.status == Webhook.Status.UNCONFIRMED
    assert secret not in mail.outbox[0].body  # the secret is never emailed
    sharing_added(agency=joliet_pd, partner=AgencyFactory(name="Houston TX PD", state="TX"))
    dispatch(capture)
    assert receiver.received == []  # nothing before the emailed confirmation

    link = re.search(rf"{SITE}(/subscribe/webhooks/confirm/[^/\s]+/)", mail.outbox[0].body)
    assert "Start sending" in unescape(client.get(link.group(1)).content.decode())
    client.post(link.group(1))
    webhook.refresh_from_db()
    assert webhook.status == Webhook.Status.ACTIVE

    event = flagged(agency=joliet_pd, count=7)
    dispatch(capture)
    dispatch(capture)  # twice: one POST
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == f"sha256={expected}"
    assert hmac.compare_digest(headers["X-Portal-Signature"], f"sha256={expected}")
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert int(headers["X-Portal-Timestamp"]) == payload["timestamp"]
    assert payload["event"]["id"] == event.pk
    assert payload["event"]["kind"] == "flagged_searches"
    assert payload["event"]["data"]["counts"] == {"immigration": 7}
    assert payload["event"]["agency"]["name"] == "Joliet IL PD"
    assert "desk@newsroom.example" not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1


def test_a_failed_post_is_retried_and_a_success_resets_the_count(
    client, receiver, joliet_pd, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    webhook, _secret = confirmed_webhook(client, capture, receiver.url)
    receiver.statuses = [503, 500]
    flagged(agency=joliet_pd)
    dispatch(capture)
    assert len(receiver.received) == 3
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 3
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0 and webhook.status == Webhook.Status.ACTIVE
    # The same body each time would be fine too; each attempt is signed on its own.
    assert len({headers["X-Portal-Delivery"] for headers, _body in receiver.received}) == 1


def test_a_failing_receiver_is_retried_then_disabled_with_a_notice(
    client, receiver, joliet_pd, settings, django_capture_on_commit_callbacks
):
    settings.ALERTS_WEBHOOK_MAX_FAILURES = 3
    capture = django_capture_on_commit_callbacks
    webhook, _secret = confirmed_webhook(client, capture, receiver.url)
    receiver.statuses = [500] * 10
    flagged(agency=joliet_pd)
    dispatch(capture)
    assert len(receiver.received) == 3  # the first try and two retries
    webhook.refresh_from_db()
    assert webhook.status == Webhook.Status.DISABLED and webhook.disabled_at
    assert webhook.consecutive_failures == 3 and "HTTP 500" in webhook.last_error
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.last_status_code == 500
    notice = mail.outbox[-1]
    assert notice.to == ["desk@newsroom.example"]
    assert notice.subject == "Your webhook was disabled"
    assert "failed 3 times in a row" in notice.body and receiver.url in notice.body
    # Disabled: later events are not POSTed.
    flagged(agency=joliet_pd, key="later")
    dispatch(capture)
    assert len(receiver.received) == 3


def test_the_retry_policy_is_exponential_backoff(settings):
    task = tasks.webhook_deliver
    assert task.autoretry_for == (tasks.webhooks.WebhookDeliveryError,)
    assert task.retry_backoff == settings.ALERTS_WEBHOOK_BACKOFF_SECONDS > 0
    assert task.max_retries == settings.ALERTS_WEBHOOK_RETRIES


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.5/hook", "http://169.254.169.254/latest/", "http://127.0.0.1:6379/"],
)
def test_private_and_loopback_urls_are_refused(
    client, receiver, clerk_city, url, django_capture_on_commit_callbacks
):
    response = register(client, django_capture_on_commit_callbacks, url)
    assert response.status_code == 400
    assert "only public URLs are fetched" in unescape(response.content.decode())
    assert not Webhook.objects.exists() and not mail.outbox


def test_a_webhook_whose_host_turns_private_is_not_posted_to(
    client, receiver, joliet_pd, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    confirmed_webhook(client, capture, receiver.url)
    settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS = []  # as if the name now resolved to loopback
    settings.ALERTS_WEBHOOK_MAX_FAILURES = 1
    flagged(agency=joliet_pd)
    dispatch(capture)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert "private or local address" in delivery.last_error
