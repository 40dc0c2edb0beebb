"""Scheduled fetches of registered audit URLs: agencies whose public audit only covers the last
30 days keep their history here, one fetch at a time.

Each fetch is a conditional GET through core.fetching (size and time caps, retries, the
private-address guard on every redirect hop) and imports the file as an audit job; the import's
dedupe keeps only searches not seen before, so daily overlapping downloads add just the new day.
Every attempt is recorded as an :class:`AuditFetch` with its outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fetching import FetchError, fetch_running, fetch_to_file, sources_due
from core.imports import import_job_create, import_job_run
from core.models import ImportJob
from core.services import ServiceError, audit_record
from core.tasking import task_enqueue_on_commit
from searches.models import AuditFetch, AuditSource

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def _download(source: AuditSource, target: Path) -> tuple[int, int, str, dict[str, str]]:
    """(HTTP status, bytes, sha256, response headers); 304 means unchanged and writes nothing."""
    fetched = fetch_to_file(
        url=source.url,
        target=target,
        etag=source.etag,
        last_modified=source.last_modified,
        accept="text/csv, */*;q=0.5",
    )
    return fetched.http_status, fetched.bytes_received, fetched.sha256, fetched.headers


def _last_imported_sha256(source: AuditSource) -> str:
    job = (
        ImportJob.objects.filter(
            pk__in=source.fetches.filter(status=AuditFetch.Status.IMPORTED).values("job_id")
        )
        .order_by("-created_at")
        .only("sha256")
        .first()
    )
    return job.sha256 if job else ""


def audit_source_fetch(*, source: AuditSource, actor: User | None = None) -> AuditFetch:
    """Fetch one audit source now and import what it brings; returns the recorded fetch.

    Not one transaction on purpose: the fetch row is committed first (the admin shows it
    running) and the import runs in its own job transaction.
    """
    running = fetch_running(source.fetches.all())
    if running is not None:
        return running  # another worker is on it (a task delivered twice)
    fetch = AuditFetch.objects.create(source=source)
    now = timezone.now()
    with tempfile.TemporaryDirectory(prefix="audit-fetch-") as tmp:
        name = Path(urlsplit(source.url).path).name or "audit.csv"
        target = Path(tmp) / name
        try:
            status, received, sha256, headers = _download(source, target)
            fetch.http_status = status
            fetch.bytes_received = received
            if status == 304 or (sha256 and sha256 == _last_imported_sha256(source)):
                fetch.status = AuditFetch.Status.NOT_MODIFIED
            else:
                job = _import(source=source, path=target, name=name, actor=actor)
                fetch.job = job
                fetch.rows_new = job.rows_created
                fetch.rows_duplicate = job.rows_unchanged
                fetch.rows_rejected = job.rows_rejected
                if job.status != ImportJob.Status.SUCCEEDED:
                    raise FetchError(job.error or _("The import failed."), http_status=status)
                fetch.status = AuditFetch.Status.IMPORTED
                source.etag = headers.get("etag", "")[:200]
                source.last_modified = headers.get("last-modified", "")[:100]
        except FetchError as exc:
            fetch.status = AuditFetch.Status.FAILED
            fetch.error = str(exc)[:2000]
            fetch.http_status = exc.http_status or fetch.http_status
        except ServiceError as exc:
            fetch.status = AuditFetch.Status.FAILED
            fetch.error = str(exc)[:2000]
    with transaction.atomic():
        fetch.finished_at = timezone.now()
        fetch.save()
        source.last_fetched_at = now
        source.save(update_fields=["last_fetched_at", "etag", "last_modified"])
        audit_record(
            actor=actor,
            action="auditsource.fetch",
            obj=source,
            city=source.agency.home_city,
            changes={
                "status": fetch.status,
                "http_status": fetch.http_status,
                "bytes": fetch.bytes_received,
                "new": fetch.rows_new,
                "duplicate": fetch.rows_duplicate,
                "rejected": fetch.rows_rejected,
                "error": fetch.error[:300],
            },
        )
    if fetch.status == AuditFetch.Status.FAILED:
        logger.warning("Audit fetch %s of %s failed: %s", fetch.pk, source.url, fetch.error)
    return fetch


def _import(*, source: AuditSource, path: Path, name: str, actor: User | None) -> ImportJob:
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=path,
        original_name=name,
        city=source.agency.home_city,
        options={"agency": source.agency.name, "format": "auto", "audit_source": source.pk},
        actor=actor,
        run=False,
    )
    return import_job_run(job=job)


def audit_sources_fetch_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue a fetch of every active source whose interval has passed; returns their ids."""
    due = sources_due(AuditSource.objects.all(), now=now or timezone.now())
    for source_id in due:
        task_enqueue_on_commit("searches.tasks.audit_source_fetch", source_id)
    return due
