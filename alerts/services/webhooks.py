"""Webhooks for newsrooms: register (email-confirmed before any POST), dispatch the change log
as signed JSON, retry with backoff, disable after repeated failures with a notice.

Each POST carries ``X-Portal-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the
webhook's secret>`` and ``X-Portal-Timestamp`` (Unix seconds, also inside the signed body, so a
receiver can refuse replays). A ``WebhookDelivery`` per (webhook, event) is unique, so an event
is dispatched once; a delivery is marked under a row lock, so a task run twice POSTs once (a
worker killed between the POST and the mark may POST again: receivers dedupe on
``X-Portal-Delivery``).

The URL is typed by a stranger, so every POST goes through the scheduled fetches'
private-address guard (``core.fetching.checked_address``): only public addresses, the
connection pinned to the checked address, no redirects followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from alerts.models import Webhook, WebhookDelivery
from alerts.selectors import (
    WEBHOOK_CONFIRM,
    event_payload,
    webhook_events_pending,
    webhook_from_link,
)
from alerts.services.subscriptions import topics_clean
from core.fetching import FetchError, checked_address
from core.models import Agency, City
from core.services import ServiceError, audit_record
from core.tasking import task_enqueue_on_commit
from hearings.abuse import email_normalize, ip_hash, rate_limit_check
from hearings.outbox import EmailLink, email_queue
from hearings.tokens import mailbox_tag

USER_AGENT = "alpr-transparency-portal (webhook)"
SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"


class WebhookDeliveryError(Exception):
    """The POST failed and the delivery will be tried again (Celery retry with backoff)."""


def signature_of(*, secret: str, body: bytes) -> str:
    """The ``X-Portal-Signature`` value for ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _url_check(url: str) -> str:
    url = (url or "").strip()
    try:
        checked_address(url)
    except FetchError as exc:
        raise ServiceError(str(exc)) from None
    return url


@transaction.atomic
def webhook_register(
    *,
    url: str,
    email: str,
    city: City | None = None,
    agency: Agency | None = None,
    topics: list[str],
    language: str,
    ip: str,
) -> tuple[Webhook, str]:
    """Register a webhook; returns it and its secret (shown once). Nothing is POSTed until
    the emailed link is followed."""
    if (city is None) == (agency is None):
        raise ServiceError(_("Choose a city or an agency (one of them)."))
    rate_limit_check(scope="alert_webhook_ip", key=ip_hash(ip))
    normalized = email_normalize(email)
    rate_limit_check(scope="alert_subscribe_email", key=normalized)
    url = _url_check(url)
    secret = secrets.token_hex(32)
    webhook = Webhook.objects.create(
        url=url,
        email=email.strip(),
        email_normalized=normalized,
        city=city,
        agency=agency,
        topics=topics_clean(topics),
        secret=secret,
        ip_hash=ip_hash(ip),
    )
    with translation.override(language):
        email_queue(
            key=f"alert-webhook-{webhook.pk}-confirm",
            to=webhook.email,
            subject=_("Confirm your webhook"),
            template="alerts/email/webhook_confirm",
            context={
                "webhook": webhook,
                "confirm_url": EmailLink(
                    url_name="alerts:webhook-confirm",
                    purpose=WEBHOOK_CONFIRM,
                    pk=webhook.pk,
                    extra=mailbox_tag(normalized),
                    absolute=True,
                ),
            },
            city=webhook.target_city,
        )
    return webhook, secret


@transaction.atomic
def webhook_confirm(*, token: str) -> tuple[Webhook, bool]:
    """Start POSTing to a webhook from its emailed link; events recorded from now on."""
    webhook = webhook_from_link(token=token, lock=True)
    if webhook.status == Webhook.Status.ACTIVE:
        return webhook, False
    if webhook.status == Webhook.Status.DISABLED:
        raise ServiceError(
            _("This webhook was disabled after repeated failures. Register it again.")
        )
    webhook.status = Webhook.Status.ACTIVE
    webhook.confirmed_at = timezone.now()
    webhook.save(update_fields=["status", "confirmed_at", "updated_at"])
    audit_record(action="webhook.confirm", obj=webhook, city=webhook.target_city)
    return webhook, True


def webhooks_dispatch() -> int:
    """Record a delivery of every new matching event for every active webhook and queue its
    POST; returns how many were queued."""
    queued = 0
    for webhook_id in list(
        Webhook.objects.filter(status=Webhook.Status.ACTIVE).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            webhook = (
                Webhook.objects.select_for_update(of=("self",))
                .select_related("city", "agency")
                .filter(pk=webhook_id, status=Webhook.Status.ACTIVE)
                .first()
            )
            if webhook is None:
                continue
            events = webhook_events_pending(webhook=webhook)
            deliveries = WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(webhook=webhook, event=event) for event in events]
            )
            for delivery in deliveries:
                task_enqueue_on_commit("alerts.tasks.webhook_deliver", delivery.pk)
            queued += len(deliveries)
    return queued


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to the checked address of ``url``; Host and TLS still use the URL's host name."""
    address = checked_address(url)
    parts = urlsplit(url)
    assert parts.hostname is not None  # the guard refuses a URL without one
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if parts.port:
        host_header += f":{parts.port}"
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    timeout = httpx.Timeout(settings.ALERTS_WEBHOOK_TIMEOUT_SECONDS)
    # No proxies from the environment: the guard must judge the address actually connected to.
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        request = client.build_request(
            "POST",
            pinned,
            content=body,
            headers={**headers, "Host": host_header},
            extensions=extensions,
        )
        return client.send(request)


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST of the delivery: (HTTP status, error); an empty error means delivered."""
    webhook, event = delivery.webhook, delivery.event
    timestamp = str(int(time.time()))
    body = json.dumps(
        {"delivery": delivery.pk, "timestamp": int(timestamp), "event": event_payload(event)},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_of(secret=webhook.secret, body=body),
        TIMESTAMP_HEADER: timestamp,
        "X-Portal-Delivery": str(delivery.pk),
        "X-Portal-Event": event.kind,
    }
    try:
        response = _post(webhook.url, body, headers)
    except FetchError as exc:
        return None, str(exc)
    except httpx.HTTPError as exc:
        return None, str(exc) or exc.__class__.__name__
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code} {response.reason_phrase}"


def _disable(webhook: Webhook, error: str) -> None:
    webhook.status = Webhook.Status.DISABLED
    webhook.disabled_at = timezone.now()
    audit_record(action="webhook.disable", obj=webhook, city=webhook.target_city)
    with translation.override(settings.LANGUAGE_CODE):
        email_queue(
            key=f"alert-webhook-{webhook.pk}-disabled-{webhook.disabled_at.timestamp():.0f}",
            to=webhook.email,
            subject=_("Your webhook was disabled"),
            template="alerts/email/webhook_disabled",
            context={
                "webhook": webhook,
                "failures": webhook.consecutive_failures,
                "error": error,
                "register_url": reverse("alerts:webhook-register"),
            },
            city=webhook.target_city,
        )


def webhook_deliver(*, delivery_id: int) -> bool:
    """POST one delivery unless it was delivered (or its webhook is not active); True when
    this call delivered it. Raises ``WebhookDeliveryError`` when another try is due."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook", "event__city", "event__agency", "event__other_agency")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return False
        webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        delivery.webhook = webhook
        if webhook.status != Webhook.Status.ACTIVE:
            return False
        status, error = _attempt(delivery)
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_status_code = status
        delivery.last_error = error[:500]
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            webhook.consecutive_failures = 0
            webhook.last_success_at = now
        else:
            webhook.consecutive_failures += 1
            webhook.last_failure_at = now
            webhook.last_error = error[:500]
            if webhook.consecutive_failures >= settings.ALERTS_WEBHOOK_MAX_FAILURES:
                _disable(webhook, error)
                delivery.status = WebhookDelivery.Status.FAILED
            elif delivery.attempts > settings.ALERTS_WEBHOOK_RETRIES:
                delivery.status = WebhookDelivery.Status.FAILED
        delivery.save()
        webhook.save()
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise WebhookDeliveryError(error)
    return delivery.status == WebhookDelivery.Status.DELIVERED
