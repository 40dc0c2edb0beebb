"""Reads behind the embeds: the city page's own figures (same selectors, same rules), the
months of the searches chart, and the date the data shown is current to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.db.models.functions import TruncDate

from cameras.models import Camera, SharingAgreement
from cameras.selectors import SharingCounts, sharing_agreements, sharing_counts
from core.models import Agency, City
from searches.charts import Series, month_labels, monthly_series
from searches.models import SearchDay
from searches.selectors.coverage import audited_agency_ids
from searches.selectors.stats import COUNTED_FLAGS, SearchStats, source_stats_cached

# The searches figure and chart cover the audits' latest months, up to this many.
RECENT_MONTHS = 12


@dataclass(frozen=True)
class SearchFigures:
    """The city page's search figures (``stats``: every search in the audits of the city's
    agencies) and the searches of the audits' latest ``RECENT_MONTHS`` months."""

    stats: SearchStats
    recent_total: int
    recent_first: dt.date
    recent_last: dt.date
    # (flag name, searches) of each flag the city page counts, in its order.
    flags: list[tuple[str, int]] = field(default_factory=list)

    @property
    def flagged_counts(self) -> list[tuple[str, int]]:
        return [(name, n) for name, n in self.flags if n]


@dataclass(frozen=True)
class CitySummary:
    city: City
    active_cameras: int
    sharing: SharingCounts
    searches: SearchFigures | None


def _audited_ids(city: City) -> list[int]:
    ids = list(Agency.objects.filter(home_city=city).values_list("pk", flat=True))
    return audited_agency_ids(agency_ids=ids)


def city_search_stats(*, city: City) -> SearchStats | None:
    """What the city page's search section counts (``source_stats`` over the audits of the
    city's agencies), cached under the rollups' stamp; None without an audit."""
    audited = _audited_ids(city)
    if not audited:
        return None
    return source_stats_cached(source_ids=audited)


def _recent(stats: SearchStats) -> list[dt.date]:
    return stats.months[-RECENT_MONTHS:]


def city_summary(*, city: City) -> CitySummary:
    """Cameras, sharing and search figures of a city, as its page counts them.

    ``city`` comes from ``cameras.selectors.city_get`` (it carries ``active_camera_count``)."""
    stats = city_search_stats(city=city)
    searches = None
    if stats is not None and stats.total:
        recent = _recent(stats)
        searches = SearchFigures(
            stats=stats,
            recent_total=sum(n for (month, _c), n in stats.monthly.items() if month in recent),
            recent_first=recent[0],
            recent_last=recent[-1],
            flags=[(name, stats.by_flag.get(name, 0)) for name in COUNTED_FLAGS],
        )
    return CitySummary(
        city=city,
        active_cameras=getattr(city, "active_camera_count", 0),
        sharing=sharing_counts(agreements=sharing_agreements(owner_city=city)),
        searches=searches,
    )


@dataclass(frozen=True)
class SearchChart:
    """The searches chart's months and series: the city page's series (its categories, its
    "other"), cut to the latest ``RECENT_MONTHS`` months."""

    months: list[dt.date]
    labels: list[str]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(month, value per series, month total) for the data table."""
        out = []
        for i, label in enumerate(self.labels):
            values = [s.values[i] for s in self.series]
            out.append((label, values, sum(values)))
        return out

    @property
    def total(self) -> int:
        return sum(sum(s.values) for s in self.series)


def city_search_chart(*, city: City) -> SearchChart | None:
    stats = city_search_stats(city=city)
    if stats is None or not stats.total:
        return None
    keep = len(_recent(stats))
    return SearchChart(
        months=stats.months[-keep:],
        labels=month_labels(stats)[-keep:],
        series=[
            Series(label=s.label, values=s.values[-keep:], color=s.color)
            for s in monthly_series(stats)
        ],
    )


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def city_as_of(
    *, city: City, parts: tuple[str, ...] = ("cameras", "sharing", "searches")
) -> dt.date | None:
    """The newest date behind what an embed shows: cameras last verified (or, never verified,
    last changed), sharing agreements last seen in a source, the last day of the audits."""
    dates: list[dt.date | None] = []
    if "cameras" in parts:
        cameras = Camera.objects.filter(city=city)
        found = cameras.aggregate(
            verified=Max("last_verified"), changed=Max(TruncDate("updated_at"))
        )
        dates.append(found["verified"] or _day(found["changed"]))
    if "sharing" in parts:
        dates.append(
            SharingAgreement.objects.current()
            .filter(owner__home_city=city)
            .aggregate(last=Max("last_seen"))["last"]
        )
    if "searches" in parts:
        audited = _audited_ids(city)
        if audited:
            dates.append(
                SearchDay.objects.filter(source_agency_id__in=audited).aggregate(last=Max("day"))[
                    "last"
                ]
            )
    known = [d for d in dates if d is not None]
    return max(known) if known else None
