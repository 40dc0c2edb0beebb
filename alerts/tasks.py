"""Celery tasks of the alerts app: each takes ids or a name, calls one service, and is safe to
run twice (the delivery tables see to it)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from alerts.services import digests, webhooks


@shared_task(acks_late=True, ignore_result=True)
def digests_send(frequency: str) -> int:
    return digests.digests_send(frequency=frequency)


@shared_task(acks_late=True, ignore_result=True)
def webhooks_dispatch() -> int:
    return webhooks.webhooks_dispatch()


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(webhooks.WebhookDeliveryError,),
    retry_backoff=settings.ALERTS_WEBHOOK_BACKOFF_SECONDS,
    retry_backoff_max=6 * 60 * 60,
    retry_jitter=True,
    max_retries=settings.ALERTS_WEBHOOK_RETRIES,
)
def webhook_deliver(self, delivery_id: int) -> bool:
    return webhooks.webhook_deliver(delivery_id=delivery_id)
