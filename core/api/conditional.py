"""Conditional GETs for the public API lists: ``ETag`` and ``Last-Modified`` from the public
content version (``core.pagecache``), which every write to public data replaces, so that a
client polling a list gets ``304 Not Modified`` (no body, no query) until something changed.

The ETag digests the version with everything else the body depends on: the full URL (filters,
page, format), the negotiated media type and the language. ``Last-Modified`` is when the
version was made; HTTP dates have whole seconds, so a client should prefer ``If-None-Match``
(which, when sent, decides alone, as RFC 9110 says).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from core.pagecache import page_cache_version, page_cache_version_time


class _NotModified(Exception):
    def __init__(self, response: HttpResponseBase) -> None:
        super().__init__("not modified")
        self.response = response


def list_validators(request: Any) -> tuple[str, int]:
    """The ETag (quoted) and Last-Modified (Unix seconds) of a public list's answer."""
    version = page_cache_version()
    renderer = getattr(request, "accepted_renderer", None)
    media_type = getattr(request, "accepted_media_type", "") or getattr(renderer, "media_type", "")
    material = "|".join([version, request.build_absolute_uri(), media_type, get_language() or ""])
    etag = '"' + hashlib.sha256(material.encode()).hexdigest()[:32] + '"'
    return etag, int(page_cache_version_time(version))


class ConditionalListMixin:
    """For a DRF view: its ``list`` answers carry ``ETag`` and ``Last-Modified`` and answer
    ``304`` to a matching ``If-None-Match`` or a later ``If-Modified-Since``, before any query
    runs (after throttling and content negotiation)."""

    conditional_actions: tuple[str, ...] = ("list",)
    _validators: tuple[str, int] | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._validators = None
        if getattr(self, "action", None) not in self.conditional_actions:
            return
        if request.method not in ("GET", "HEAD"):
            return
        etag, last_modified = self._validators = list_validators(request)
        not_modified = get_conditional_response(
            request._request, etag=etag, last_modified=last_modified
        )
        if not_modified is not None:
            raise _NotModified(not_modified)

    def handle_exception(self, exc):
        if isinstance(exc, _NotModified):
            return exc.response
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if self._validators is not None and response.status_code in (200, 304):
            etag, last_modified = self._validators
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
        return response
