"""Celery tasks for downloads: each takes an id, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from exports import services
from exports.models import ExportJob


@shared_task(acks_late=True, ignore_result=True)
def export_job_build(job_id: str) -> None:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        services.export_job_build(job=job)


@shared_task(ignore_result=True)
def export_jobs_purge() -> int:
    return services.export_jobs_purge()
