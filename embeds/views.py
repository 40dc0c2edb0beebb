"""Embeddable pieces of a city page for newsrooms, and the page that hands out their snippets.

The ``/embed/`` pages render on a base of their own (no site header, no language form, so no
CSRF token, no session read, no cookie); ``embeds.middleware`` picks their language and lets
other sites frame them. Figures come from the city page's selectors (``embeds.selectors``).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from cameras.charts import KIND_COLORS, compass_names, directions_label
from cameras.models import Camera
from cameras.sections import KIND_LABELS
from cameras.selectors import (
    camera_list,
    camera_points,
    city_get,
    sharing_agreements,
    sharing_counts,
)
from core.models import City, StateLawProfile
from core.pages import paginate
from core.selectors import law_profiles_by_state
from embeds import selectors, svg
from embeds.middleware import LANGUAGE_PARAM
from searches.models import FLAG_LABELS

# The city page lists 25 agreements a page; a framed list is kept shorter.
SHARING_EMBED_PAGE_SIZE = 10
# name -> (URL name, title, height of the iframe in the snippet, what it shows); the heights
# fit each embed at the snippet's 600 px width in English and Spanish (narrower, it scrolls).
EMBEDS: dict[str, tuple[str, Any, int, Any]] = {
    "summary": (
        "embeds:summary",
        gettext_lazy("Key figures"),
        700,
        gettext_lazy(
            "Cameras, who can search them (out of state, federal, forbidden by state law) and "
            "the searches in the audits, with their vague and blank reasons and flags."
        ),
    ),
    "map": (
        "embeds:map",
        gettext_lazy("Camera map"),
        740,
        gettext_lazy("Where the active and planned cameras are, coloured by the kind of owner."),
    ),
    "sharing": (
        "embeds:sharing",
        gettext_lazy("Who can search the cameras"),
        680,
        gettext_lazy("The agencies the city's cameras are shared with, with their flags."),
    ),
    "searches": (
        "embeds:searches",
        gettext_lazy("Searches per month"),
        620,
        gettext_lazy("Searches of the city's cameras per month, by reason category."),
    ),
}


def _city_embed(
    view: Callable[[HttpRequest, City], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """The view of one city's embed, given the city; an unknown slug gets the embeds' own 404
    (the site's 404 page carries the language form and its CSRF cookie; an embed never does)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, slug: str) -> HttpResponse:
        city = city_get(slug=slug)
        if city is None:
            return render(request, "embeds/not_found.html", status=404)
        return view(request, city)

    return wrapped


def _context(city: City, *, name: str, anchor: str, **extra: Any) -> dict:
    return {
        "city": city,
        "embed_name": name,
        "embed_title": EMBEDS[name][1],
        "full_url": city.get_absolute_url() + (f"#{anchor}" if anchor else ""),
        "index_url": reverse("embeds:index", kwargs={"slug": city.slug}),
        **extra,
    }


@_city_embed
def summary(request: HttpRequest, city: City) -> HttpResponse:
    figures = selectors.city_summary(city=city)
    flagged = [
        (str(FLAG_LABELS[name]), n)
        for name, n in (figures.searches.flagged_counts if figures.searches else [])
    ]
    return render(
        request,
        "embeds/summary.html",
        _context(
            city,
            name="summary",
            anchor="",
            figures=figures,
            flagged=flagged,
            as_of=selectors.city_as_of(city=city),
        ),
    )


@dataclass(frozen=True)
class OwnerCount:
    name: str
    kind: str
    color: str
    active: int
    planned: int


def _map_points(rows: list[dict[str, Any]]) -> list[svg.MapPoint]:
    compass = compass_names()
    status_labels = dict(Camera.Status.choices)
    points = []
    for row in rows:
        direction = directions_label(row["directions"], row["direction_text"], compass=compass)
        label = " · ".join(
            part
            for part in (
                row["owner__name"] or _("Unknown owner"),
                str(status_labels.get(row["status"], row["status"])),
                direction,
            )
            if part
        )
        points.append(
            svg.MapPoint(
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                color=KIND_COLORS.get(row["owner__kind"], KIND_COLORS["other"]),
                label=label,
                hollow=row["status"] == Camera.Status.PLANNED,
                directions=[float(d) for d in row["directions"] or [] if _is_number(d)],
            )
        )
    return points


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _owner_counts(rows: list[dict[str, Any]]) -> list[OwnerCount]:
    active: Counter[tuple[str, str]] = Counter()
    planned: Counter[tuple[str, str]] = Counter()
    for row in rows:
        key = (row["owner__name"] or _("Unknown owner"), row["owner__kind"] or "other")
        (planned if row["status"] == Camera.Status.PLANNED else active)[key] += 1
    owners = set(active) | set(planned)
    return sorted(
        (
            OwnerCount(
                name=name,
                kind=str(KIND_LABELS.get(kind, kind)),
                color=KIND_COLORS.get(kind, KIND_COLORS["other"]),
                active=active[(name, kind)],
                planned=planned[(name, kind)],
            )
            for name, kind in owners
        ),
        key=lambda o: (-(o.active + o.planned), o.name),
    )


@_city_embed
def camera_map(request: HttpRequest, city: City) -> HttpResponse:
    # What the city page's map shows: every camera that is not removed.
    rows = [
        p
        for p in camera_points(cameras=camera_list(filters={"city": city.slug}))
        if p["status"] != Camera.Status.REMOVED
    ]
    points = _map_points(rows)
    owners = _owner_counts(rows)
    extent = svg.map_extent(points)
    active = sum(o.active for o in owners)
    planned = sum(o.planned for o in owners)
    counts = ngettext(
        "%(count)s camera: %(active)s active, %(planned)s planned.",
        "%(count)s cameras: %(active)s active, %(planned)s planned.",
        len(rows),
    ) % {"count": len(rows), "active": active, "planned": planned}
    spread = _(
        "They are spread over about %(ew)s km east to west and %(ns)s km north to south."
    ) % {
        "ew": number_format(round(extent.east_west_km, 1), decimal_pos=1),
        "ns": number_format(round(extent.north_south_km, 1), decimal_pos=1),
    }
    figure = None
    if points:
        figure = svg.points_map_svg(
            svg_id="embed-map",
            points=points,
            title=_("Cameras in %(city)s") % {"city": city.name},
            desc=f"{counts} {spread}",
            north_label=pgettext("compass point", "N"),
        )
    kinds: dict[str, str] = {}
    for owner in owners:
        kinds.setdefault(owner.kind, owner.color)
    return render(
        request,
        "embeds/map.html",
        _context(
            city,
            name="map",
            anchor="cameras",
            figure=figure,
            counts=counts,
            spread=spread if len(points) > 1 else "",
            owners=owners,
            kinds=sorted(kinds.items()),
            as_of=selectors.city_as_of(city=city, parts=("cameras",)),
        ),
    )


@_city_embed
def sharing(request: HttpRequest, city: City) -> HttpResponse:
    # The city page's first sharing table: same agreements, same order, same counts.
    agreements = sharing_agreements(owner_city=city)
    page = paginate(request, agreements, per_page=SHARING_EMBED_PAGE_SIZE)
    profiles = law_profiles_by_state()
    statutes: dict[str, StateLawProfile] = {}
    for agreement in page.object_list:
        law = profiles.get(agreement.owner.state)
        if agreement.forbidden_by_state_law and law:
            statutes.setdefault(law.state, law)
    return render(
        request,
        "embeds/sharing.html",
        _context(
            city,
            name="sharing",
            anchor="sharing-out",
            counts=sharing_counts(agreements=agreements),
            page=page,
            statutes=sorted(statutes.values(), key=lambda law: law.state),
            show_owner=len({a.owner_id for a in page.object_list}) > 1,
            as_of=selectors.city_as_of(city=city, parts=("sharing",)),
        ),
    )


@_city_embed
def searches(request: HttpRequest, city: City) -> HttpResponse:
    chart = selectors.city_search_chart(city=city)
    figure = None
    if chart is not None:
        first, last = chart.labels[0], chart.labels[-1]
        peak = max(range(len(chart.rows)), key=lambda i: chart.rows[i][2])
        figure = svg.stacked_bar_svg(
            svg_id="embed-searches",
            labels=[date_format(m, "M") for m in chart.months],
            sublabels=[
                str(m.year) if i == 0 or m.month == 1 else "" for i, m in enumerate(chart.months)
            ],
            bar_titles=chart.labels,
            series=[
                svg.BarSeries(label=s.label, values=s.values, color=s.color) for s in chart.series
            ],
            title=_("Searches of cameras in %(city)s per month, by reason category")
            % {"city": city.name},
            desc=_(
                "%(total)s searches from %(first)s to %(last)s; the most in %(peak)s "
                "(%(peak_count)s). The table below holds every number."
            )
            % {
                "total": number_format(chart.total, force_grouping=True),
                "first": first,
                "last": last,
                "peak": chart.rows[peak][0],
                "peak_count": number_format(chart.rows[peak][2], force_grouping=True),
            },
            y_title=_("Searches"),
            x_title=_("Month"),
            number_format=lambda n: number_format(n, force_grouping=True),
        )
    return render(
        request,
        "embeds/searches.html",
        _context(
            city,
            name="searches",
            anchor="searches-city",
            chart=chart,
            figure=figure,
            as_of=selectors.city_as_of(city=city, parts=("searches",)),
        ),
    )


def index(request: HttpRequest, slug: str) -> HttpResponse:
    """The city's embeds: a live preview of each and the snippet to copy (a normal site page)."""
    city = city_get(slug=slug)
    if city is None:
        raise Http404(_("No such city."))
    language = getattr(request, "LANGUAGE_CODE", "")
    items = []
    for name, (url_name, title, height, about) in EMBEDS.items():
        path = reverse(url_name, kwargs={"slug": city.slug}) + f"?{LANGUAGE_PARAM}={language}"
        items.append(
            {
                "name": name,
                "title": title,
                "about": about,
                "height": height,
                "path": path,
                "src": request.build_absolute_uri(path),
                "frame_title": f"{title}: {city.name}, {city.state}",
            }
        )
    return render(request, "embeds/index.html", {"city": city, "items": items})
