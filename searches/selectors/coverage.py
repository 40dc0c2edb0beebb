"""Which agencies have audits, which days and months they cover and where the gaps are
(``SearchDay``), and the import jobs behind them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.db.models import (
    QuerySet,
)

from core.models import Agency, ImportJob
from searches.models import (
    SearchDay,
    SearchPairTotal,
)


def audited_agency_ids(*, agency_ids: Iterable[int]) -> list[int]:
    """Those of ``agency_ids`` with at least one day of audit data (one indexed query)."""
    ids = list(agency_ids)
    if not ids:
        return []
    return sorted(
        SearchDay.objects.filter(source_agency_id__in=ids)
        .values_list("source_agency_id", flat=True)
        .distinct()
    )


def has_search_data(*, agency_ids: Iterable[int], as_searcher: int | None = None) -> bool:
    """Whether any of these agencies has an audit, or ``as_searcher`` appears in another
    agency's audit (two indexed EXISTS queries at most)."""
    if audited_agency_ids(agency_ids=agency_ids):
        return True
    if as_searcher is None:
        return False
    return (
        SearchPairTotal.objects.filter(searching_agency_id=as_searcher)
        .exclude(source_agency_id=as_searcher)
        .exists()
    )


def audited_agencies() -> list[Agency]:
    """Every agency whose audit the portal holds, by name (for the explorer's pick list)."""
    ids = SearchDay.objects.values("source_agency_id").distinct()
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


@dataclass(frozen=True)
class Gap:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Coverage:
    """The days an agency's audits cover, and the runs of days inside that range they miss."""

    agency: Agency
    first: dt.date
    last: dt.date
    days_with_searches: int
    searches: int
    gaps: list[Gap]

    @property
    def span_days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def missing_days(self) -> int:
        return sum(g.days for g in self.gaps)


def search_coverage(*, source_ids: Sequence[int]) -> list[Coverage]:
    """First and last day, and gaps, of each source's audit data (from ``SearchDay``)."""
    days: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for source_id, day, n in (
        SearchDay.objects.filter(source_agency_id__in=list(source_ids))
        .order_by("source_agency_id", "day")
        .values_list("source_agency_id", "day", "searches")
    ):
        days[source_id].append((day, n))
    agencies = Agency.objects.in_bulk(list(days))
    coverage = []
    for source_id, rows in days.items():
        gaps = []
        for (before, _n), (after, _m) in pairwise(rows):
            if (after - before).days > 1:
                gaps.append(Gap(before + dt.timedelta(days=1), after - dt.timedelta(days=1)))
        coverage.append(
            Coverage(
                agency=agencies[source_id],
                first=rows[0][0],
                last=rows[-1][0],
                days_with_searches=len(rows),
                searches=sum(n for _day, n in rows),
                gaps=gaps,
            )
        )
    return sorted(coverage, key=lambda c: c.agency.name)


def import_job_list() -> QuerySet[ImportJob]:
    """Import jobs, newest first; callers serialize only their public summary."""
    return ImportJob.objects.order_by("-created_at", "-pk")
