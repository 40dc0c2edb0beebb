"""Celery tasks of the change log: thin, safe to run twice (collecting records each fact once)."""

from __future__ import annotations

from celery import shared_task

from watch.services import changes_collect


@shared_task(acks_late=True, ignore_result=True)
def changes_collect_task() -> dict[str, int]:
    return changes_collect(actor=None)
