"""What a download holds: the rows and columns an API list serves for a query, read through
that list's own viewset (its selector, filters, ordering and serializer) outside a request."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import URLResolver, get_resolver
from rest_framework.request import Request

from core.api.renderers import csv_columns

# Paging and format never change which rows a download holds.
IGNORED_PARAMS = frozenset({"format", "page", "page_size", "cursor", "kind"})


def query_normalize(params: QueryDict, *, keep: frozenset[str] = frozenset()) -> str:
    """The filters of a request as one canonical query string: same filters, same string.

    ``keep`` names ignored parameters that are filters where the request was made (a list's
    own ``kind`` filter, when the list itself redirects to its export job)."""
    ignored = IGNORED_PARAMS - keep
    pairs = sorted(
        (key, value)
        for key, values in params.lists()
        if key not in ignored
        for value in values
        if value != ""
    )
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query.urlencode()


def _routed_views(patterns: Iterable[Any]) -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routed_views(pattern.url_patterns)
        elif getattr(pattern.callback, "cls", None) is not None:
            yield pattern.callback


def exportable_views() -> dict[str, type]:
    """Route name -> viewset for every API list that downloads as CSV: read off the site's URL
    configuration (whichever apps it routes), so this app needs to know none of them. Read once
    per URL configuration (the resolver object changes when the configuration does)."""
    return _exportable_views(get_resolver())


@functools.lru_cache(maxsize=4)
def _exportable_views(resolver: URLResolver) -> dict[str, type]:
    found: dict[str, type] = {}
    for callback in _routed_views(resolver.url_patterns):
        viewset, basename = callback.cls, callback.initkwargs.get("basename")
        actions = getattr(callback, "actions", None) or {}
        if (
            basename
            and "list" in actions.values()
            and "csv" in getattr(viewset, "export_formats", ())
        ):
            found[basename] = viewset
    return found


class _SiteRequest(HttpRequest):
    """A GET of the public site's address, so that links in rows read as they do online."""

    def __init__(self, query: str) -> None:
        super().__init__()
        site = urlsplit(settings.PORTAL_SITE_URL)
        self.method = "GET"
        self.GET = QueryDict(query)
        self._site_scheme = site.scheme or "http"
        self._site_host = site.netloc or "localhost"

    def _get_scheme(self) -> str:
        return self._site_scheme

    def get_host(self) -> str:
        return self._site_host


def export_view(*, kind: str, query: str) -> Any:
    """The list viewset of route ``kind`` set up for ``query``; KeyError for an unknown kind."""
    viewset = exportable_views()[kind]
    request = Request(_SiteRequest(query))
    return viewset(
        request=request, format_kwarg=None, action="list", args=(), kwargs={}, basename=kind
    )


def export_source(*, kind: str, query: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The CSV columns and the rows (lazily, in chunks) of route ``kind`` filtered by ``query``.
    Invalid filters raise DRF's ValidationError before any row is read."""
    view = export_view(kind=kind, query=query)
    queryset = view.filter_queryset(view.get_queryset())
    return csv_columns(view.get_serializer()), view.export_rows(queryset)
