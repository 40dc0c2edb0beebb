"""Fetching a URL a clerk (or the operator) registered, for every scheduled fetch: search audits,
transparency pages, Overpass queries.

A fetch asks the server whether the file changed (``If-None-Match`` / ``If-Modified-Since``),
streams the body to a temporary file under a size and time cap, and retries transient failures
with a doubling pause.

The URL is typed by a clerk, so the fetch must not reach the portal's own network (Redis, the
database, a cloud metadata service): every hop, the first and each redirect, is resolved and
refused unless all its addresses are public, and the connection goes to the address that was
checked (not a second lookup a rebinding DNS server could answer differently).

The limits are the ``AUDIT_FETCH_*`` settings (named for the first fetch that used them); a
caller may lower the size cap for what it fetches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

USER_AGENT = "alpr-transparency-portal (scheduled fetch; +https://github.com/)"
# A fetch still "running" after this long died with its worker; the source may be fetched again.
RUNNING_GRACE = dt.timedelta(hours=2)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Worth another try after a pause; any other 4xx/5xx is the server's final answer.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """The fetch failed; the message is what the clerk is shown."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class _Transient(FetchError):
    """A failure another attempt may not have (network trouble, timeout, 429, 5xx)."""


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought: the HTTP status (304: unchanged, nothing written), the bytes
    written to the target, their SHA-256, and the response headers (lower-case names)."""

    http_status: int
    bytes_received: int = 0
    sha256: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    reason_phrase: str = ""


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
    if address.is_loopback and port in settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS:
        return True  # tests only: their own local server, and nothing else on loopback
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 reaches 10.0.0.1
    return address.is_global and not address.is_multicast


def checked_address(url: str) -> str:
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
    address = checked_address(url)
    parts = urlsplit(url)
    assert parts.hostname is not None  # checked_address refuses a URL without one
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


@dataclass(frozen=True)
class _Request:
    url: str
    headers: dict[str, str]
    target: Path
    deadline: float
    limit: int
    answered: Collection[int]


def _attempt(client: httpx.Client, request: _Request) -> Fetched:
    try:
        response = _open(client, request.url, request.headers)
    except httpx.TransportError as exc:
        raise _Transient(_("The URL could not be fetched: %s") % _reason(exc)) from None
    try:
        status = response.status_code
        if status == 304:
            return Fetched(http_status=304, reason_phrase=response.reason_phrase)
        if status >= 400 and status not in request.answered:
            error = _Transient if status in TRANSIENT_STATUSES else FetchError
            raise error(
                _("The server answered %(status)s %(reason)s.")
                % {"status": status, "reason": response.reason_phrase},
                http_status=status,
            )
        received, sha256 = _write_body(response, request, status)
        response_headers = {k.lower(): v for k, v in response.headers.items()}
    finally:
        response.close()
    return Fetched(
        http_status=status,
        bytes_received=received,
        sha256=sha256,
        headers=response_headers,
        reason_phrase=response.reason_phrase,
    )


def _write_body(response: httpx.Response, request: _Request, status: int) -> tuple[int, str]:
    limit = request.limit
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
        with request.target.open("wb") as out:
            # Decoded bytes are counted, so a compressed body cannot inflate past the cap.
            for chunk in response.iter_bytes():  # as they arrive, so the clock is seen
                received += len(chunk)
                if received > limit:
                    raise FetchError(
                        _("The file is larger than %(limit)s bytes; the fetch was stopped.")
                        % {"limit": limit},
                        http_status=status,
                    )
                if time.monotonic() > request.deadline:
                    raise FetchError(
                        _("The download took longer than %(seconds)s seconds; stopped.")
                        % {"seconds": settings.AUDIT_FETCH_MAX_SECONDS},
                        http_status=status,
                    )
                digest.update(chunk)
                out.write(chunk)
    except httpx.TransportError as exc:
        raise _Transient(_("The download stopped: %s") % _reason(exc), http_status=status) from None
    return received, digest.hexdigest()


def _reason(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def fetch_to_file(
    *,
    url: str,
    target: Path,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    max_bytes: int | None = None,
    answered: Collection[int] = (),
) -> Fetched:
    """GET ``url`` into ``target`` through the private-address guard; 304 means unchanged and
    writes nothing. An error status in ``answered`` is returned with its body (the caller reads
    it, say a bot-protection page) instead of raised or retried; any other raises FetchError.

    Transient failures are retried ``AUDIT_FETCH_RETRIES`` times, waiting
    ``AUDIT_FETCH_BACKOFF_SECONDS`` doubled each time, all within ``AUDIT_FETCH_MAX_SECONDS``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = _Request(
        url=url,
        headers=headers,
        target=target,
        deadline=time.monotonic() + settings.AUDIT_FETCH_MAX_SECONDS,
        limit=min(max_bytes or settings.AUDIT_FETCH_MAX_BYTES, settings.AUDIT_FETCH_MAX_BYTES),
        answered=frozenset(answered),
    )
    timeout = httpx.Timeout(settings.AUDIT_FETCH_TIMEOUT_SECONDS)
    # No proxies from the environment: the guard must judge the address actually connected to.
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        attempt = 0
        while True:
            try:
                return _attempt(client, request)
            except _Transient as exc:
                pause = settings.AUDIT_FETCH_BACKOFF_SECONDS * 2**attempt
                if (
                    attempt >= settings.AUDIT_FETCH_RETRIES
                    or time.monotonic() + pause > request.deadline
                ):
                    raise FetchError(str(exc), http_status=exc.http_status) from None
                logger.info("Fetch of %s: %s; retrying in %ss", url, exc, pause)
                attempt += 1
                time.sleep(pause)


def fetch_running(fetches: QuerySet[Any], *, field_name: str = "started_at") -> Any:
    """The fetch of ``fetches`` (one source's) still running within the grace period, if any:
    a task delivered twice finds its twin at work and leaves it be."""
    since = timezone.now() - RUNNING_GRACE
    return fetches.filter(status="running", **{f"{field_name}__gte": since}).first()


def sources_due(
    sources: QuerySet[Any],
    *,
    now: dt.datetime,
    interval_field: str = "interval_hours",
    last_field: str = "last_fetched_at",
) -> list[int]:
    """The ids of the active ``sources`` whose fetch interval (hours) has passed, never-fetched
    ones included."""
    rows = sources.filter(is_active=True).values_list("pk", interval_field, last_field)
    return [
        pk
        for pk, hours, last in rows.order_by("pk")
        if last is None or last + dt.timedelta(hours=hours) <= now
    ]
