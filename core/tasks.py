"""Celery tasks for imports: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core import imports
from core.models import ImportJob


@shared_task(acks_late=True, ignore_result=True)
def import_job_run(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        imports.import_job_run(job=job)


@shared_task(ignore_result=True)
def import_jobs_requeue_stalled() -> list[int]:
    return imports.import_jobs_requeue_stalled()


@shared_task(ignore_result=True)
def import_files_purge() -> int:
    return imports.import_files_purge()
