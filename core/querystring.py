"""Query strings: refuse control characters before any view, filter or cache sees them, and
send filter URLs with blank values to the same URL without them.

A NUL in a filter (``/searches/?city=%00``) reached PostgreSQL, which cannot hold one in a
string, and the page or API answered 500. No filter, search box or page number ever needs a
control character, so one check here answers 400 for every page, API endpoint and admin list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls and DEL, except tab, newline and carriage return (a pasted search may carry them).
INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"


def query_string_problem(request: HttpRequest) -> str | None:
    """The name of the first query parameter holding a control character, if any."""
    for name, values in request.GET.lists():
        if INVALID.search(name) or any(INVALID.search(value) for value in values):
            return INVALID.sub("?", name)
    return None


class QueryStringValidationMiddleware:
    """Answer 400 with a clear message when a query parameter holds a control character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = query_string_problem(request)
        if name is None:
            return self.get_response(request)
        message = _(
            "The query parameter “%(name)s” contains a control character (such as a NUL "
            "byte), which no filter accepts. Remove it and try again."
        ) % {"name": name}
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message, "parameter": name}, status=400)
        return render(request, "portal/bad_request.html", {"message": message}, status=400)


def without_empty_params(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Redirect a GET whose query has blank values (a filter form submitted with empty fields,
    without JavaScript) to the same URL without them, so filter URLs stay short and shareable.
    The other parameters keep their order; other methods pass through untouched."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            pairs = [(k, v) for k, values in request.GET.lists() for v in values]
            kept = [(k, v) for k, v in pairs if v.strip() != ""]
            if len(kept) != len(pairs):
                query = urlencode(kept)
                return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return wrapper
