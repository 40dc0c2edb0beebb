"""Celery tasks of the petitions app: each takes ids, calls one service, is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from petitions import services


@shared_task(ignore_result=True)
def petitions_close_expired() -> int:
    return services.petitions_close_expired()


@shared_task(ignore_result=True, acks_late=True)
def petition_response_notify(petition_id: int) -> int:
    return services.petition_response_notify(petition_id=petition_id)
