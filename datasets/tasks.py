"""Celery tasks for the bulk data snapshots: thin, safe to run twice (a day's snapshot that
exists is kept)."""

from __future__ import annotations

from celery import shared_task

from datasets import services


@shared_task(acks_late=True, ignore_result=True)
def dataset_snapshot_nightly() -> str:
    return services.dataset_snapshot_nightly().date.isoformat()
