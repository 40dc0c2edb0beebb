"""Writes for downloads: ask for a job (reusing a live one for the same query), build its file,
and delete expired files. A file is marked ready only once it is whole, counted and hashed;
any failure marks the job failed with a message and leaves no file."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from core.api.renderers import csv_stream
from core.tasking import task_enqueue_on_commit
from exports.models import ExportJob
from exports.sources import export_source

logger = logging.getLogger(__name__)


def _retention() -> dt.timedelta:
    return dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)


def _stalled_before() -> dt.datetime:
    # A build older than the task's hard time limit was killed with its worker.
    return timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def export_inline_allowed(*, queryset: QuerySet) -> bool:
    """Whether ``queryset`` is small enough to stream in the request (a bounded count)."""
    limit = settings.EXPORT_INLINE_MAX_ROWS
    return queryset.order_by().values("pk")[: limit + 1].count() <= limit


def export_job_live(*, kind: str, query: str) -> ExportJob | None:
    """A job for the same query that is ready and unexpired, or still being built."""
    now = timezone.now()
    return (
        ExportJob.objects.filter(kind=kind, query=query, expires_at__gt=now)
        .exclude(status=ExportJob.Status.FAILED)
        .exclude(status=ExportJob.Status.RUNNING, started_at__lt=_stalled_before())
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def export_job_request(*, kind: str, query: str) -> ExportJob:
    """The live job for ``kind`` and the normalized ``query``, or a new one queued to build."""
    job = export_job_live(kind=kind, query=query)
    if job is not None:
        return job
    job = ExportJob.objects.create(kind=kind, query=query, expires_at=timezone.now() + _retention())
    task_enqueue_on_commit("exports.tasks.export_job_build", str(job.pk))
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.status = ExportJob.Status.FAILED
    job.error = message[:500]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def export_job_build(*, job: ExportJob) -> ExportJob:
    """Write every row of the job's query to a file under MEDIA_ROOT, with its row count and
    SHA-256; a second run of a job already claimed does nothing."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=now
    )
    job.refresh_from_db()
    if not claimed:
        return job
    digest = hashlib.sha256()
    rows = -1  # the header line is not a row
    size = 0
    handle, temp_path = tempfile.mkstemp(suffix=".csv", prefix="export-")
    try:
        with os.fdopen(handle, "wb") as out:
            columns, source = export_source(kind=job.kind, query=job.query)
            for line in csv_stream(columns=columns, rows=source):
                data = line.encode("utf-8")
                out.write(data)
                digest.update(data)
                size += len(data)
                rows += 1
        with open(temp_path, "rb") as built:
            job.file.save(f"{job.kind}-{job.pk}.csv", File(built), save=False)
    except Exception:
        # The message is public (the poll shows it): the details go to the log only.
        logger.exception("Export %s (%s?%s) failed", job.pk, job.kind, job.query)
        if job.file:
            job.file.delete(save=False)
        return _fail(job, gettext("The download could not be built. Ask for it again later."))
    finally:
        os.unlink(temp_path)
    job.status = ExportJob.Status.READY
    job.row_count = rows
    job.size_bytes = size
    job.sha256 = digest.hexdigest()
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + _retention()
    job.save(
        update_fields=[
            "status",
            "row_count",
            "size_bytes",
            "sha256",
            "file",
            "finished_at",
            "expires_at",
        ]
    )
    return job


def export_jobs_purge() -> int:
    """Delete expired jobs and their files; mark builds killed with their worker failed."""
    ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, started_at__lt=_stalled_before()
    ).update(
        status=ExportJob.Status.FAILED,
        error=gettext("The build stopped before it finished. Ask for it again."),
        finished_at=timezone.now(),
    )
    expired = list(ExportJob.objects.filter(expires_at__lte=timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)
