"""Celery tasks of the hearings app: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from hearings import outbox, privacy


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(outbox.EmailDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=outbox.MAX_ATTEMPTS - 1,
)
def email_send(self, outbound_id: int) -> bool:
    return outbox.email_deliver(outbound_id=outbound_id)


@shared_task(ignore_result=True)
def ip_hashes_purge() -> int:
    return privacy.ip_hashes_purge()


@shared_task(ignore_result=True)
def outbox_purge() -> int:
    return outbox.outbox_purge()
