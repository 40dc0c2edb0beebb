"""Scheduled fetches of registered audit URLs: agencies whose public audit only covers the last
30 days keep their history here, one fetch at a time.

Each fetch asks the server whether the file changed (``If-None-Match`` / ``If-Modified-Since``),
streams the body to a temporary file under a size cap, and imports it as an audit job; the
import's dedupe keeps only searches not seen before, so daily overlapping downloads add just the
new day. Every attempt is recorded as an :class:`AuditFetch` with its outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import socket
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.imports import import_job_create, import_job_run
from portal.models import ImportJob
from portal.services import ServiceError, audit_record
from searches.models import AuditFetch, AuditSource

logger = logging.getLogger(__name__)

USER_AGENT = "alpr-transparency-portal (audit fetch; +https://github.com/)"
READ_CHUNK = 1024 * 1024
# A fetch still "running" after this long died with its worker; the source may be fetched again.
RUNNING_GRACE = dt.timedelta(hours=2)


class FetchError(Exception):
    """The fetch failed; the message is recorded on the AuditFetch."""

    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


def _setting(name: str, default):
    return getattr(settings, name, default)


def _check_host(url: str) -> None:
    """Refuse URLs that point inside the portal's own network (loopback, private, link-local),
    unless ``AUDIT_FETCH_ALLOW_PRIVATE_HOSTS`` is set (tests serve files on 127.0.0.1)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Only http:// and https:// URLs can be fetched."))
    if _setting("AUDIT_FETCH_ALLOW_PRIVATE_HOSTS", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise FetchError(
            _("The host %(host)s cannot be resolved (%(error)s).")
            % {
                "host": parts.hostname,
                "error": exc,
            }
        ) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(
                _("%(host)s is a private or local address; only public URLs are fetched.")
                % {"host": parts.hostname}
            )


def _download(source: AuditSource, target: Path) -> tuple[int, int, str, dict[str, str]]:
    """(HTTP status, bytes, sha256, response headers); 304 means unchanged and writes nothing."""
    _check_host(source.url)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/csv, */*;q=0.5"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    request = urllib.request.Request(source.url, headers=headers)  # noqa: S310 - http(s) only
    limit = _setting("AUDIT_FETCH_MAX_BYTES", _setting("IMPORT_MAX_UPLOAD_BYTES", 4 * 1024**3))
    timeout = _setting("AUDIT_FETCH_TIMEOUT_SECONDS", 60)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - scheme checked
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, 0, "", {}
        raise FetchError(
            _("The server answered %(status)s %(reason)s.")
            % {"status": exc.code, "reason": exc.reason},
            http_status=exc.code,
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(_("The URL could not be fetched: %s") % reason) from None
    digest = hashlib.sha256()
    received = 0
    with response, target.open("wb") as out:
        status = response.status
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(
                _("The file is %(size)s bytes; fetches take at most %(limit)s bytes.")
                % {"size": declared, "limit": limit},
                http_status=status,
            )
        try:
            while chunk := response.read(READ_CHUNK):
                received += len(chunk)
                if received > limit:
                    raise FetchError(
                        _("The file is larger than %(limit)s bytes; the fetch was stopped.")
                        % {"limit": limit},
                        http_status=status,
                    )
                digest.update(chunk)
                out.write(chunk)
        except (TimeoutError, OSError) as exc:
            raise FetchError(_("The download stopped: %s") % exc, http_status=status) from None
        response_headers = {k.lower(): v for k, v in response.headers.items()}
    return status, received, digest.hexdigest(), response_headers


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


def audit_source_fetch(*, source: AuditSource, actor=None) -> AuditFetch:
    """Fetch one audit source now and import what it brings; returns the recorded fetch.

    Not one transaction on purpose: the fetch row is committed first (the admin shows it
    running) and the import runs in its own job transaction.
    """
    running = source.fetches.filter(
        status=AuditFetch.Status.RUNNING, started_at__gte=timezone.now() - RUNNING_GRACE
    ).first()
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


def _import(*, source: AuditSource, path: Path, name: str, actor) -> ImportJob:
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
    from searches.tasks import audit_source_fetch as audit_source_fetch_task

    now = now or timezone.now()
    due = [
        source.pk
        for source in AuditSource.objects.filter(is_active=True).only(
            "pk", "interval_hours", "last_fetched_at"
        )
        if source.last_fetched_at is None
        or source.last_fetched_at + dt.timedelta(hours=source.interval_hours) <= now
    ]
    for source_id in due:
        audit_source_fetch_task.delay_on_commit(source_id)
    return due
