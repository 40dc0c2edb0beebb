"""Transparency pages on a schedule: beat fetches each due :class:`PageSource` through
core.fetching (conditional GET, size and time caps, the private-address guard on every hop) and
keeps every version as a :class:`PageFetch`; a page whose content differs from the last imported
version is imported through the transparency-page importer as a snapshot dated the day it was
captured. A saved page a clerk uploads takes the same path.

Real portals sit behind bot protection: a 403, 429 or 503 answer, or a 200 that is a challenge
page (``portal_page.refuse_challenge``), is recorded as *blocked* with its reason and never
imported; the clerk saves the page from a browser and uploads it instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.importers.portal_page import read_stream, refuse_challenge
from cameras.models import PageFetch, PageSource
from core.fetching import FetchError, fetch_running, fetch_to_file, sources_due
from core.imports import ImportFileError, import_job_create, import_job_run
from core.models import ImportJob
from core.services import ServiceError, audit_record, signed_in
from core.tasking import task_enqueue_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# What web application firewalls answer a robot with (Cloudflare, Akamai, AWS WAF): a block, not
# a missing page, so the clerk is told to upload a saved copy.
BLOCK_STATUSES = frozenset({403, 429, 503})
ACCEPT = "text/html, text/plain;q=0.9, */*;q=0.5"


def _last_imported_sha256(source: PageSource) -> str:
    """The content of the newest version imported (by capture time), "" before the first."""
    latest = (
        source.fetches.filter(status=PageFetch.Status.IMPORTED)
        .order_by("-fetched_at", "-pk")
        .values_list("sha256", flat=True)
        .first()
    )
    return latest or ""


def _read(path: Path) -> str:
    with path.open("rb") as stream:
        text, _is_html = read_stream(stream)
    return text


def _take(
    fetch: PageFetch, *, source: PageSource, path: Path, suffix: str, actor: User | None
) -> None:
    """Decide what the received page is (blocked, unchanged or a new version) and import a new
    version; sets ``fetch``'s status, reason, body and job (not saved)."""
    try:
        text = _read(path)
    except (ImportFileError, UnicodeError) as exc:
        fetch.status, fetch.reason = PageFetch.Status.FAILED, str(exc)
        return
    keep = settings.PAGE_FETCH_KEEP_CHARS
    fetch.body, fetch.body_truncated = text[:keep], len(text) > keep
    if fetch.http_status in BLOCK_STATUSES:
        fetch.status = PageFetch.Status.BLOCKED
        fetch.reason = _(
            "The site answered %(status)s: bot protection refused the download. Nothing was "
            "imported; save the page from a browser and upload it for this source."
        ) % {"status": fetch.http_status}
        return
    try:
        refuse_challenge(text)
    except ImportFileError as exc:
        fetch.status, fetch.reason = PageFetch.Status.BLOCKED, str(exc)
        return
    if fetch.sha256 == _last_imported_sha256(source):
        fetch.status = PageFetch.Status.UNCHANGED
        return
    captured_on = timezone.localdate(fetch.fetched_at)
    agency = source.agency
    try:
        job = import_job_create(
            kind=ImportJob.Kind.PORTAL_PAGE,
            file=path,
            original_name=f"{agency.slug}-{captured_on:%Y%m%d}{suffix}",
            city=agency.home_city,
            options={
                "agency": agency.name,
                "url": source.url,
                "date": captured_on.isoformat(),
                "page_source": source.pk,
            },
            actor=actor,
            run=False,
        )
    except ServiceError as exc:
        fetch.status, fetch.reason = PageFetch.Status.FAILED, str(exc)
        return
    job = import_job_run(job=job)
    fetch.job = job
    if job.status != ImportJob.Status.SUCCEEDED:
        fetch.status = PageFetch.Status.FAILED
        fetch.reason = job.error or _("The import failed.")
        return
    fetch.status = PageFetch.Status.IMPORTED


def _finish(fetch: PageFetch, *, source: PageSource, actor: User | None) -> PageFetch:
    update = []
    if fetch.origin == PageFetch.Origin.FETCH:
        source.last_fetched_at = fetch.fetched_at
        update.append("last_fetched_at")
    if fetch.status == PageFetch.Status.IMPORTED and (
        source.last_changed_at is None or fetch.fetched_at > source.last_changed_at
    ):
        source.last_changed_at = fetch.fetched_at
        update.append("last_changed_at")
    with transaction.atomic():
        fetch.finished_at = timezone.now()
        fetch.reason = fetch.reason[:2000]
        fetch.save()
        if update:
            source.save(update_fields=[*update, "etag", "last_modified"])
        audit_record(
            actor=actor,
            action=f"pagesource.{fetch.origin}",
            obj=source,
            city=source.agency.home_city,
            changes={
                "version": fetch.pk,
                "status": fetch.status,
                "http_status": fetch.http_status,
                "bytes": fetch.bytes_received,
                "sha256": fetch.sha256,
                "job": fetch.job_id,
                "reason": fetch.reason[:300],
            },
        )
    if fetch.status in (PageFetch.Status.FAILED, PageFetch.Status.BLOCKED):
        logger.warning(
            "Page version %s of %s %s: %s", fetch.pk, source.url, fetch.status, fetch.reason
        )
    return fetch


def page_source_fetch(
    *, source: PageSource, actor: User | None = None, now: dt.datetime | None = None
) -> PageFetch:
    """Fetch one transparency page now, keep the version, import it when it changed.

    Not one transaction on purpose: the version row is committed first (the admin shows it
    running) and the import runs in its own job transaction.
    """
    running = fetch_running(source.fetches.all())
    if running is not None:
        return running  # another worker is on it (a task delivered twice)
    actor = signed_in(actor)
    fetch = PageFetch.objects.create(
        source=source, origin=PageFetch.Origin.FETCH, fetched_at=now or timezone.now(),
        created_by=actor,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="page-fetch-") as tmp:
        target = Path(tmp) / "page.html"
        try:
            fetched = fetch_to_file(
                url=source.url,
                target=target,
                etag=source.etag,
                last_modified=source.last_modified,
                accept=ACCEPT,
                max_bytes=settings.PAGE_FETCH_MAX_BYTES,
                answered=BLOCK_STATUSES,
            )
        except FetchError as exc:
            # A block whose page could not be read (too large, too slow) is still a block.
            blocked = exc.http_status in BLOCK_STATUSES
            fetch.status = PageFetch.Status.BLOCKED if blocked else PageFetch.Status.FAILED
            fetch.reason, fetch.http_status = str(exc), exc.http_status
            return _finish(fetch, source=source, actor=actor)
        fetch.http_status = fetched.http_status
        fetch.bytes_received, fetch.sha256 = fetched.bytes_received, fetched.sha256
        if fetched.http_status == 304:
            fetch.status = PageFetch.Status.NOT_MODIFIED
            return _finish(fetch, source=source, actor=actor)
        _take(fetch, source=source, path=target, suffix=".html", actor=actor)
        if fetch.status in (PageFetch.Status.IMPORTED, PageFetch.Status.UNCHANGED):
            # Known content: the next fetch may ask whether it changed since.
            source.etag = fetched.headers.get("etag", "")[:200]
            source.last_modified = fetched.headers.get("last-modified", "")[:100]
        return _finish(fetch, source=source, actor=actor)


def page_source_upload(
    *, source: PageSource, file: File, captured_on: dt.date, actor: User | None
) -> PageFetch:
    """Take a page a clerk saved from a browser (HTML or text) as a version of ``source``
    captured on ``captured_on``, through the same path as a fetched one."""
    if captured_on > timezone.localdate():
        raise ServiceError(_("The capture date cannot be in the future."))
    limit = settings.PAGE_FETCH_MAX_BYTES
    name = Path(file.name or "").name
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".txt", ".htm") else ""
    with tempfile.TemporaryDirectory(prefix="page-upload-") as tmp:
        target = Path(tmp) / "page.html"
        digest, size = hashlib.sha256(), 0
        with target.open("wb") as out:
            for chunk in file.chunks():
                size += len(chunk)
                if size > limit:
                    raise ServiceError(
                        _("The file is larger than %(limit)s bytes; pages take at most that.")
                        % {"limit": limit}
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ServiceError(_("The file is empty."))
        actor = signed_in(actor)
        # Noon of the capture day: the version sorts on that day in any time zone near ours.
        fetched_at = timezone.make_aware(dt.datetime.combine(captured_on, dt.time(12)))
        fetch = PageFetch.objects.create(
            source=source, origin=PageFetch.Origin.UPLOAD, fetched_at=fetched_at,
            bytes_received=size, sha256=digest.hexdigest(), created_by=actor,
        )  # fmt: skip
        _take(fetch, source=source, path=target, suffix=suffix or ".html", actor=actor)
        return _finish(fetch, source=source, actor=actor)


def page_sources_fetch_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue a fetch of every active page source whose interval has passed; returns their ids."""
    due = sources_due(PageSource.objects.all(), now=now or timezone.now())
    for source_id in due:
        task_enqueue_on_commit("cameras.tasks.page_source_fetch", source_id)
    return due
