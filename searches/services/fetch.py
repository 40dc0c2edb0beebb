"""Scheduled fetches of registered audit URLs: agencies whose public audit only covers the last
30 days keep their history here, one fetch at a time.

Each fetch asks the server whether the file changed (``If-None-Match`` / ``If-Modified-Since``),
streams the body to a temporary file under a size and time cap, and imports it as an audit job;
the import's dedupe keeps only searches not seen before, so daily overlapping downloads add just
the new day. Every attempt is recorded as an :class:`AuditFetch` with its outcome.

The URL is typed by a clerk, so the fetch must not reach the portal's own network (Redis, the
database, a cloud metadata service): every hop, the first and each redirect, is resolved and
refused unless all its addresses are public, and the connection goes to the address that was
checked (not a second lookup a rebinding DNS server could answer differently).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import socket
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.imports import import_job_create, import_job_run
from core.models import ImportJob
from core.services import ServiceError, audit_record
from core.tasking import task_enqueue_on_commit
from searches.models import AuditFetch, AuditSource

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

USER_AGENT = "alpr-transparency-portal (audit fetch; +https://github.com/)"
# A fetch still "running" after this long died with its worker; the source may be fetched again.
RUNNING_GRACE = dt.timedelta(hours=2)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Worth another try after a pause; any other 4xx/5xx is the server's final answer.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """The fetch failed; the message is recorded on the AuditFetch."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class _Transient(FetchError):
    """A failure another attempt may not have (network trouble, timeout, 429, 5xx)."""


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
    if address.is_loopback and port in settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS:
        return True  # tests only: their own local server, and nothing else on loopback
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 reaches 10.0.0.1
    return address.is_global and not address.is_multicast


def _checked_address(url: str) -> str:
    """The address to connect to for ``url``, after every address of its host passed the
    private-address guard; raises FetchError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Only http:// and https:// URLs can be fetched."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise FetchError(
            _("The host %(host)s cannot be resolved (%(error)s).")
            % {"host": parts.hostname, "error": exc}
        ) from None
    # A stream socket's address is an IPv4 or IPv6 one, as text (typeshed allows other families).
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses or not all(_allowed(address, port) for address in addresses):
        raise FetchError(
            _("%(host)s is a private or local address; only public URLs are fetched.")
            % {"host": parts.hostname}
        )
    return str(addresses[0])


def _send_pinned(client: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET ``url`` by the checked address: the Host header and TLS (SNI and the certificate
    check) still use the URL's host name."""
    address = _checked_address(url)
    parts = urlsplit(url)
    assert parts.hostname is not None  # _checked_address refuses a URL without one
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.hostname + (f":{parts.port}" if parts.port else "")
    if ":" in parts.hostname:
        host_header = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    request = client.build_request(
        "GET", pinned, headers={**headers, "Host": host_header}, extensions=extensions
    )
    return client.send(request, stream=True)


def _open(client: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    """Follow redirects one hop at a time, each hop through the guard."""
    for _hop in range(settings.AUDIT_FETCH_MAX_REDIRECTS + 1):
        response = _send_pinned(client, url, headers)
        location = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        response.close()
        url = urljoin(url, location)
    raise FetchError(
        _("More than %(count)s redirects; the fetch was stopped.")
        % {"count": settings.AUDIT_FETCH_MAX_REDIRECTS}
    )


def _attempt(
    client: httpx.Client, url: str, headers: dict[str, str], target: Path, deadline: float
) -> tuple[int, int, str, dict[str, str]]:
    limit = settings.AUDIT_FETCH_MAX_BYTES
    try:
        response = _open(client, url, headers)
    except httpx.TransportError as exc:
        raise _Transient(_("The URL could not be fetched: %s") % _reason(exc)) from None
    try:
        status = response.status_code
        if status == 304:
            return 304, 0, "", {}
        if status >= 400:
            error = _Transient if status in TRANSIENT_STATUSES else FetchError
            raise error(
                _("The server answered %(status)s %(reason)s.")
                % {"status": status, "reason": response.reason_phrase},
                http_status=status,
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                _("The file is %(size)s bytes; fetches take at most %(limit)s bytes.")
                % {"size": declared, "limit": limit},
                http_status=status,
            )
        digest = hashlib.sha256()
        received = 0
        try:
            with target.open("wb") as out:
                # Decoded bytes are counted, so a compressed body cannot inflate past the cap.
                for chunk in response.iter_bytes():  # as they arrive, so the clock is seen
                    received += len(chunk)
                    if received > limit:
                        raise FetchError(
                            _("The file is larger than %(limit)s bytes; the fetch was stopped.")
                            % {"limit": limit},
                            http_status=status,
                        )
                    if time.monotonic() > deadline:
                        raise FetchError(
                            _("The download took longer than %(seconds)s seconds; stopped.")
                            % {"seconds": settings.AUDIT_FETCH_MAX_SECONDS},
                            http_status=status,
                        )
                    digest.update(chunk)
                    out.write(chunk)
        except httpx.TransportError as exc:
            raise _Transient(
                _("The download stopped: %s") % _reason(exc), http_status=status
            ) from None
        response_headers = {k.lower(): v for k, v in response.headers.items()}
    finally:
        response.close()
    return status, received, digest.hexdigest(), response_headers


def _reason(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def _download(source: AuditSource, target: Path) -> tuple[int, int, str, dict[str, str]]:
    """(HTTP status, bytes, sha256, response headers); 304 means unchanged and writes nothing.

    Transient failures are retried ``AUDIT_FETCH_RETRIES`` times, waiting
    ``AUDIT_FETCH_BACKOFF_SECONDS`` doubled each time, all within ``AUDIT_FETCH_MAX_SECONDS``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "text/csv, */*;q=0.5"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    deadline = time.monotonic() + settings.AUDIT_FETCH_MAX_SECONDS
    timeout = httpx.Timeout(settings.AUDIT_FETCH_TIMEOUT_SECONDS)
    # No proxies from the environment: the guard must judge the address actually connected to.
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        attempt = 0
        while True:
            try:
                return _attempt(client, source.url, headers, target, deadline)
            except _Transient as exc:
                pause = settings.AUDIT_FETCH_BACKOFF_SECONDS * 2**attempt
                if attempt >= settings.AUDIT_FETCH_RETRIES or time.monotonic() + pause > deadline:
                    raise FetchError(str(exc), http_status=exc.http_status) from None
                logger.info("Audit fetch of %s: %s; retrying in %ss", source.url, exc, pause)
                attempt += 1
                time.sleep(pause)


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
        task_enqueue_on_commit("searches.tasks.audit_source_fetch", source_id)
    return due
