"""Celery tasks of the records app: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from records import services


@shared_task(ignore_result=True)
def records_reminders_send() -> int:
    """Daily: overdue requests are marked, and requesters reminded once per due date."""
    return services.records_reminders_send()
