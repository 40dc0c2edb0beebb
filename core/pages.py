"""Helpers every app's public pages share: links to API lists and to the current page with
other parameters, pagination that keeps the query, breakdown tables and state-law labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.urls import reverse

from core.models import StateLawProfile

LIST_PAGE_SIZE = 50
BREAKDOWN_ROWS = 8
FORBIDDEN_USE_LABELS = dict(StateLawProfile.ForbiddenUse.choices)


def api_url(basename: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> str:
    """A link to an API list, e.g. ``api_url("camera", {"city": "x", "format": "csv"})``."""
    query = urlencode(list(params.items()) if isinstance(params, Mapping) else list(params))
    return reverse(f"api:{basename}-list") + (f"?{query}" if query else "")


def query_url(request: HttpRequest, anchor: str = "", **changes: Any) -> str:
    """The current URL with some query parameters set (or removed when the value is empty)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value in ("", None):
            params.pop(key, None)
        else:
            params[key] = value
    query = params.urlencode()
    return (f"?{query}" if query else request.path) + (f"#{anchor}" if anchor else "")


def paginate(
    request: HttpRequest,
    items: Sequence[Any] | Any,
    *,
    per_page: int,
    param: str = "page",
    anchor: str = "",
) -> Page:
    """A page of ``items`` with previous/next links that keep the other query parameters."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    # Links for the templates, set on Django's Page (the stubs know only its own attributes).
    page.previous_url = (  # type: ignore[attr-defined]
        query_url(request, anchor, **{param: page.previous_page_number()})
        if page.has_previous()
        else ""
    )
    page.next_url = (  # type: ignore[attr-defined]
        query_url(request, anchor, **{param: page.next_page_number()}) if page.has_next() else ""
    )
    return page


@dataclass
class FilterLink:
    label: str
    url: str
    count: int
    current: bool


@dataclass
class Breakdown:
    """Counts of one grouping (e.g. recipients by state), with a share for the bar."""

    title: str
    rows: list[dict[str, Any]]
    total: int
    # Rows in ``flagged`` carry a text badge, e.g. "Out of state" next to a state's name.
    flag_label: str = ""
    flag_style: str = ""
    label_heading: str = ""

    @property
    def top(self) -> list[dict[str, Any]]:
        return self.rows[:BREAKDOWN_ROWS]

    @property
    def rest(self) -> list[dict[str, Any]]:
        return self.rows[BREAKDOWN_ROWS:]


def breakdown(
    title: str,
    counts: Iterable[tuple[str, int]],
    *,
    flagged: Iterable[str] = (),
    flag_label: str = "",
    flag_style: str = "",
    label_heading: str = "",
) -> Breakdown:
    rows = sorted(counts, key=lambda kv: (-kv[1], kv[0]))
    total = sum(n for _label, n in rows) or 1
    flagged = set(flagged)
    return Breakdown(
        title=title,
        rows=[
            {
                "label": label,
                "count": n,
                "percent": round(100 * n / total, 1),
                "flag": label in flagged,
            }
            for label, n in rows
        ],
        total=sum(n for _label, n in rows),
        flag_label=flag_label,
        flag_style=flag_style,
        label_heading=label_heading,
    )


def forbidden_use_labels(profile: StateLawProfile | None) -> list[str]:
    if profile is None:
        return []
    return [str(FORBIDDEN_USE_LABELS.get(use, use)) for use in profile.forbidden_uses or []]
