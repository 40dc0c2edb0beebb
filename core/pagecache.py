"""Whole-response cache of public pages and API responses for anonymous visitors.

A burst of readers of the same page costs one render: ``PageCacheMiddleware`` stores the 200
response of an anonymous GET under its full URL (query string included), the visitor's
language and the request headers the response varies on (``Accept`` for the API), plus a
*public content version*. Any save or delete of a model of the public apps, and the bulk
writers that bypass model signals, call ``page_cache_invalidate()``, which replaces the version
once the transaction commits: every stored page becomes unreachable at once, without a list of
which page shows what. ``PAGE_CACHE_SECONDS`` (0 turns the cache off) bounds what no write can
announce, such as a hearing whose comment period ends.

What is never stored: responses for signed-in users or visitors carrying a flash message,
anything but a plain 200, streamed downloads, responses that set cookies, say ``private`` or
``no-store``, vary on ``Cookie``, or come from a request that wrote to the database; the admin,
pages addressed by an emailed token, and requests served inside an open transaction (they may
see uncommitted data). Every page carries the CSRF token of the language form: it is cut out
before storing and each hit gets a fresh token of its own visitor, so a cached copy never holds
anyone's token.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    get_max_age,
    has_vary_header,
    learn_cache_key,
    patch_cache_control,
)
from django.utils.http import parse_http_date_safe

logger = logging.getLogger(__name__)

# How Django splits a Cache-Control header (django.utils.cache.cc_delim_re, not in its stubs).
CC_DELIM_RE = re.compile(r"\s*,\s*")

PUBLIC_APPS = frozenset({"core", "cameras", "searches", "hearings", "petitions", "watch"})
# Rows of the public apps that no page shows and that change without any public change (each
# sent email updates its outbox row).
PRIVATE_MODELS = frozenset({"hearings.OutboundEmail"})
# A page this large is rare (a chart over many years) and would crowd the cache out.
MAX_BYTES = 2 * 1024 * 1024
VERSION_KEY = "pagecache:version"
PATH_PREFIXES_EXCLUDED = ("/admin/", "/healthz")
# The exact markup of Django's {% csrf_token %}; any other place a token shows up (a script)
# leaves a 64-character token in the body, and such a page is not stored.
CSRF_INPUT = re.compile(
    rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(">)'
)
CSRF_HOLE = b"\x00pagecache-csrf\x00"
TOKEN_LIKE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
MESSAGES_COOKIE = "messages"
CACHE_ALIAS = "pages"  # settings.CACHES["pages"]


def _cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def _seconds() -> int:
    return int(settings.PAGE_CACHE_SECONDS or 0)


def _new_version() -> str:
    # A fresh random version, never a counter: if the version key is evicted or the cache is
    # cleared, a new one cannot collide with the version old pages were stored under. It starts
    # with the time it was made, which the API's Last-Modified reads (page_cache_version_time).
    return f"{time.time():.6f}-{secrets.token_hex(8)}"


def _bump() -> None:
    _cache().set(VERSION_KEY, _new_version(), timeout=None)


def page_cache_version() -> str:
    """The current public content version (created on first use)."""
    store = _cache()
    version = store.get(VERSION_KEY)
    if version is None:
        store.add(VERSION_KEY, _new_version(), timeout=None)
        version = store.get(VERSION_KEY)
    return str(version)


def page_cache_version_time(version: str) -> float:
    """When ``version`` was made (a Unix time): no public row has changed since. A version
    without its time (made before versions carried one) counts as made now."""
    try:
        return float(version.split("-", 1)[0])
    except ValueError:
        return time.time()


def page_cache_invalidate(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make every cached page stale when the current transaction commits (at once outside one).

    Called for every saved or deleted row of the public apps; bulk writers that bypass model
    signals (set-based SQL, ``update()``) call it themselves. One bump per transaction.
    """
    connection = connections[using]
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return
    # robust: a cache outage must not turn a committed write into an error for its caller.
    transaction.on_commit(_bump, using=using, robust=True)


def invalidate_on_model_change(sender: type, **kwargs: Any) -> None:
    """post_save / post_delete / m2m_changed receiver for the models of the public apps."""
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in PUBLIC_APPS or meta.label in PRIVATE_MODELS:
        return
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed fires before and after
        return
    page_cache_invalidate(using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def invalidate_after_migrate(**kwargs: Any) -> None:
    """post_migrate receiver: data migrations (and test flushes) change rows without signals."""
    try:
        _bump()
    except Exception:  # a migration must not fail because the cache is down
        logger.exception("Page cache unavailable")


def _anonymous(request: HttpRequest) -> bool:
    if MESSAGES_COOKIE in request.COOKIES:  # a flash message is meant for this visitor only
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated


def _excluded(request: HttpRequest) -> bool:
    return request.path.startswith(PATH_PREFIXES_EXCLUDED)


class PageCacheMiddleware:
    """Serve and store whole responses for anonymous GET/HEAD requests (see the module doc).

    Sits after the session, locale, CSRF, authentication and message middleware: their request
    side decides who the visitor is and which language they get, and their response side still
    runs on every hit (security headers, the visitor's own CSRF cookie, ``Content-Language``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = _seconds()
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or _excluded(request)
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
            or not _anonymous(request)
        ):
            return self.get_response(request)
        try:
            store = _cache()
            version = page_cache_version()
            key = get_cache_key(request, key_prefix=version, method="GET", cache=store)
            entry = store.get(key) if key else None
        except Exception:  # the cache is down: serve from the database as without it
            logger.exception("Page cache unavailable")
            return self.get_response(request)
        if entry is not None:
            return self._replay(request, entry)
        response = self.get_response(request)
        if request.method == "GET" and self._storable(request, response):
            self._store(request, response, store=store, version=version, seconds=seconds)
        else:
            response.headers.setdefault("X-Page-Cache", "bypass")
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        match = request.resolver_match
        if match is None or "admin" in match.namespaces or "token" in match.kwargs:
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if len(response.content) > MAX_BYTES:
            return False
        control = {
            part.split("=")[0].strip().lower()
            for part in CC_DELIM_RE.split(response.get("Cache-Control", ""))
        }
        if control & {"private", "no-store", "no-cache"} or get_max_age(response) == 0:
            return False
        if has_vary_header(response, "Cookie") or has_vary_header(response, "*"):
            return False
        # A CSP nonce in the body would not match the header of the next visitor's hit.
        if isinstance(getattr(request, "_csp_nonce", None), str):
            return False
        messages = getattr(request, "_messages", None)
        return not getattr(messages, "added_new", False)

    @staticmethod
    def _store(
        request: HttpRequest,
        response: HttpResponse,
        *,
        store: BaseCache,
        version: str,
        seconds: int,
    ) -> None:
        content = response.content
        punched = False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            content, holes = CSRF_INPUT.subn(rb"\1" + CSRF_HOLE + rb"\2", content)
            if TOKEN_LIKE.search(content):
                response.headers["X-Page-Cache"] = "bypass"
                return
            punched = bool(holes)
        if not punched:
            # Identical for every anonymous visitor, so shared caches may keep it briefly too.
            patch_cache_control(response, public=True, max_age=min(seconds, 60))
        try:
            # Written under the version read before the view ran: if a write committed
            # meanwhile, this copy is already unreachable, never stale.
            if page_cache_version() != version:
                response.headers["X-Page-Cache"] = "bypass"
                return
            key = learn_cache_key(
                request, response, cache_timeout=seconds, key_prefix=version, cache=store
            )
            headers = [(name, value) for name, value in response.items()]
            store.set(key, (response.status_code, headers, content, punched), timeout=seconds)
        except Exception:
            logger.exception("Page cache unavailable")
            return
        response.headers["X-Page-Cache"] = "miss"

    @staticmethod
    def _replay(request: HttpRequest, entry: tuple) -> HttpResponse:
        status, headers, content, punched = entry
        if punched:
            # This visitor's own token; CsrfViewMiddleware then sets its cookie on the way out.
            token = get_token(request).encode()
            content = content.replace(CSRF_HOLE, token)
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        response.headers["X-Page-Cache"] = "hit"
        # A stored API list carries its ETag and Last-Modified (core.api.conditional): a
        # client that already holds this version gets a 304 from the cache too.
        etag = response.get("ETag")
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        if etag or last_modified:
            conditional = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
            if conditional is not None:
                return conditional
        return response
