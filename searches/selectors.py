"""Reads of search audits for pages and the API.

Aggregates (totals, months, categories, flags, searching agencies, distinct searchers, coverage)
come from the rollup tables only (``SearchRollup``, ``SearchDay``, ``SearcherMonth``), so their
cost follows the number of rollup rows, never the number of searches. Raw ``Search`` rows are
read only where a person reads rows: the largest searches and the flagged drill-down (both
bounded by LIMIT over an index, paged by keyset) and the explorer.

Privacy: no selector returns ``searcher_hash``; distinct searchers leave as a count.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language

from core.models import Agency, ImportJob, StateLawProfile
from searches.classification import OFFENSE_SEPARATOR
from searches.filters import (
    SearchFilter,
    SearchRollupFilter,
    next_month,
    utc_midnight,
    with_any_flag,
)
from searches.models import (
    DRILL_DOWN_FLAGS,
    FLAG_NAMES,
    OffenseType,
    Reason,
    ReasonCategory,
    RuleSet,
    Search,
    SearchDay,
    SearcherSet,
    SearchFlag,
    SearchMonthTotal,
    SearchPairTotal,
    SearchRollup,
)

# Flags counted on the figure cards, in the order shown.
COUNTED_FLAGS = (
    "immigration",
    "reproductive_care",
    "protest",
    "forbidden_use",
    "forbidden_sharing",
    "out_of_state",
    "federal",
)
# The uses a state law profile can forbid, by the concern flag that marks them.
FLAG_USES = {
    SearchFlag.IMMIGRATION: "immigration",
    SearchFlag.REPRODUCTIVE_CARE: "reproductive_care",
    SearchFlag.PROTEST: "protest",
}

# The public fields of a search row. Never ``searcher_hash``, ``job`` or ``dedupe_key``.
SEARCH_ROW_FIELDS = (
    "id",
    "searched_at",
    "source_agency__name",
    "source_agency__slug",
    "source_agency__state",
    "searching_agency__name",
    "searching_agency__slug",
    "searching_agency__state",
    "searching_agency__kind",
    "networks_searched",
    "devices_searched",
    "reason__text",
    "reason__offense_text",
    "category__name",
    "category__slug",
    "flags",
    "case_number_present",
    "search_type",
)

# Explorer sort keys -> (field, descending). Devices and networks need one audited agency:
# only then does an index (or a bounded set of rows) serve the order.
SORTS: dict[str, tuple[str, bool]] = {
    "-searched_at": ("searched_at", True),
    "searched_at": ("searched_at", False),
    "-devices_searched": ("devices_searched", True),
    "devices_searched": ("devices_searched", False),
    "-networks_searched": ("networks_searched", True),
    "networks_searched": ("networks_searched", False),
}
DEFAULT_SORT = "-searched_at"
# The sorts any filters allow; the others need one audited agency (see ``explorer_sorts``).
TIME_SORTS = ("-searched_at", "searched_at")


def flag_names(flags: int) -> list[str]:
    """The public names of the bits set in ``flags``, in the order of ``FLAG_NAMES``."""
    return [name for name, bit in FLAG_NAMES.items() if flags & bit]


# --- Cache of aggregates ------------------------------------------------------------------------
# Rollups only change when an import or a reclassification rewrites them, so what pages compute
# from them is cached under a stamp of the data: a refresh deletes and re-inserts rollup rows
# (their largest id moves), rule changes bump the rule version, finished imports cover deletions.
# A timeout bounds anything the stamp cannot see (e.g. agencies merged in the admin).


def stats_version() -> str:
    """A stamp that changes whenever the rollups or the rules change (one small query)."""
    from django.db import connection

    quote = connection.ops.quote_name
    tables = {
        name: quote(model._meta.db_table)
        for name, model in (
            ("rollup", SearchRollup),
            ("day", SearchDay),
            ("rules", RuleSet),
            ("job", ImportJob),
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {tables['rollup']}), "
            f"(SELECT max(id) FROM {tables['day']}), "
            f"(SELECT max(version) FROM {tables['rules']}), "
            f"(SELECT max(finished_at) FROM {tables['job']} WHERE kind = %s)",
            [ImportJob.Kind.AUDIT],
        )
        return ":".join(str(value) for value in cursor.fetchone())


def cached(key: str, version: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` cached under ``key`` for this data ``version`` and the active language
    (``SEARCH_STATS_CACHE_SECONDS``, default 600; 0 turns the cache off)."""
    seconds = getattr(settings, "SEARCH_STATS_CACHE_SECONDS", 600)
    if not seconds:
        return compute()
    digest = hashlib.sha1(f"{key}|{version}|{get_language()}".encode()).hexdigest()  # noqa: S324
    full_key = f"searches:stats:{digest}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout=seconds)
    return value


# --- Sources -----------------------------------------------------------------------------------


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


# --- Aggregates from rollups ---------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTotal:
    id: int | None
    name: str
    slug: str
    kind: str
    searches: int


@dataclass
class SearchStats:
    """What a set of rollup rows says: totals, flags, and searches per month and category."""

    total: int = 0
    devices_total: int = 0
    devices_max: int | None = None
    by_flag: dict[str, int] = field(default_factory=dict)
    months: list[dt.date] = field(default_factory=list)
    categories: list[CategoryTotal] = field(default_factory=list)
    # (month, category id) -> searches
    monthly: dict[tuple[dt.date, int | None], int] = field(default_factory=dict)
    # Searches with a blank reason (the blank flag) per category they are counted in: a blank
    # reason with a mapped offense type counts in that offense family, not in "Blank".
    blank_by_category: dict[int | None, int] = field(default_factory=dict)

    def share(self, flag: str) -> float:
        """Share of searches carrying a flag, in percent (0 when there is nothing)."""
        return 100 * self.by_flag.get(flag, 0) / self.total if self.total else 0.0

    @property
    def vague_percent(self) -> float:
        return self.share("vague")

    @property
    def blank_percent(self) -> float:
        return self.share("blank")

    @property
    def blank_in_offense_families(self) -> int:
        """Blank-reason searches counted in the offense family of their offense type."""
        kinds = {c.id: c.kind for c in self.categories}
        return sum(n for pk, n in self.blank_by_category.items() if kinds.get(pk) == "offense")

    @property
    def flagged(self) -> int:
        return sum(self.by_flag.get(name, 0) for name in COUNTED_FLAGS)

    def month_series(self, category_id: int | None) -> list[int]:
        return [self.monthly.get((month, category_id), 0) for month in self.months]


def _rollups(
    *, source_ids: Sequence[int] | None = None, searching_id: int | None = None
) -> QuerySet[SearchRollup]:
    qs = SearchRollup.objects.all()
    if source_ids is not None:
        qs = qs.filter(source_agency_id__in=list(source_ids))
    if searching_id is not None:
        qs = qs.filter(searching_agency_id=searching_id).exclude(source_agency_id=searching_id)
    return qs


def search_stats(*, rollups: QuerySet[SearchRollup]) -> SearchStats:
    """Totals, per-flag counts and the month x category series of some rollup rows.

    One grouped query (by month, category and flag set) plus one for category names; a search
    with several flags counts once under each.
    """
    rows = list(
        rollups.order_by()
        .values("month", "category_id", "flags")
        .annotate(n=Sum("searches"), devices=Sum("devices_total"), dmax=Max("devices_max"))
    )
    stats = SearchStats()
    if not rows:
        return stats
    by_flag: dict[str, int] = defaultdict(int)
    per_category: dict[int | None, int] = defaultdict(int)
    monthly: dict[tuple[dt.date, int | None], int] = defaultdict(int)
    months: set[dt.date] = set()
    for row in rows:
        n = row["n"] or 0
        stats.total += n
        stats.devices_total += row["devices"] or 0
        if row["dmax"] is not None:
            stats.devices_max = max(stats.devices_max or 0, row["dmax"])
        for name in flag_names(row["flags"]):
            by_flag[name] += n
        per_category[row["category_id"]] += n
        if row["flags"] & SearchFlag.BLANK:
            stats.blank_by_category[row["category_id"]] = (
                stats.blank_by_category.get(row["category_id"], 0) + n
            )
        monthly[(row["month"], row["category_id"])] += n
        months.add(row["month"])
    stats.by_flag = {name: by_flag.get(name, 0) for name in FLAG_NAMES}
    stats.monthly = dict(monthly)
    stats.months = _month_range(min(months), max(months))
    categories = {
        c.pk: c
        for c in ReasonCategory.objects.filter(pk__in=[k for k in per_category if k is not None])
    }
    stats.categories = sorted(
        (
            CategoryTotal(
                id=pk,
                name=categories[pk].name if pk in categories else "",
                slug=categories[pk].slug if pk in categories else "",
                kind=categories[pk].kind if pk in categories else "",
                searches=n,
            )
            for pk, n in per_category.items()
        ),
        key=lambda c: (-c.searches, c.name),
    )
    return stats


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from first to last, so months without searches show as zero, not vanish."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def source_stats(*, source_ids: Sequence[int]) -> SearchStats:
    """Searches of the cameras of these agencies (their audits), whoever searched."""
    return search_stats(rollups=SearchMonthTotal.objects.filter(source_agency_id__in=source_ids))


def searcher_stats(*, agency: Agency) -> SearchStats:
    """Searches an agency ran on other agencies' cameras, as those agencies' audits show."""
    return search_stats(rollups=_rollups(searching_id=agency.pk))


@dataclass(frozen=True)
class AgencyCount:
    agency: Agency
    searches: int
    flagged: int


def top_searching_agencies(
    *, source_ids: Sequence[int], exclude_ids: Iterable[int] = (), limit: int = 10
) -> list[AgencyCount]:
    """The agencies that searched these sources' cameras most, leaving out ``exclude_ids``
    (the sources' own agencies), with how many of their searches were flagged."""
    rows = list(
        SearchPairTotal.objects.filter(source_agency_id__in=list(source_ids))
        .exclude(searching_agency_id__in=list(exclude_ids))
        .values("searching_agency_id")
        .annotate(n=Sum("searches"), flagged=Sum("flagged"))
        .order_by("-n", "searching_agency_id")[:limit]
    )
    return _with_agencies(rows, "searching_agency_id")


def top_searched_sources(*, agency: Agency, limit: int = 10) -> list[AgencyCount]:
    """Whose cameras an agency searched most (other agencies' audits), with flagged counts."""
    rows = list(
        SearchPairTotal.objects.filter(searching_agency_id=agency.pk)
        .exclude(source_agency_id=agency.pk)
        .values("source_agency_id")
        .annotate(n=Sum("searches"), flagged=Sum("flagged"))
        .order_by("-n", "source_agency_id")[:limit]
    )
    return _with_agencies(rows, "source_agency_id")


def _bitand(field_name: str, mask: int) -> Any:
    return F(field_name).bitand(int(mask))


def _with_agencies(rows: list[dict[str, Any]], key: str) -> list[AgencyCount]:
    agencies = Agency.objects.in_bulk([row[key] for row in rows])
    return [
        AgencyCount(agency=agencies[row[key]], searches=row["n"] or 0, flagged=row["flagged"] or 0)
        for row in rows
        if row[key] in agencies
    ]


def distinct_searchers(
    *, source_ids: Sequence[int] | None = None, searching_id: int | None = None
) -> int:
    """How many different people (keyed hashes, per searching agency) searched.

    Redacted searchers (no hash) are not counted. The hashes never leave this function.
    """
    qs = SearcherSet.objects.all()
    if source_ids is not None:
        qs = qs.filter(source_agency_id__in=list(source_ids))
    if searching_id is not None:
        qs = qs.filter(searching_agency_id=searching_id).exclude(source_agency_id=searching_id)
    return qs.order_by().values("searching_agency_id", "searcher_hash").distinct().count()


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


# The explorer's filters that rollups carry (whose agencies, where), as the explorer names them.
ROLLUP_FILTERS = (
    "source_agency",
    "city",
    "searching_agency",
    "searching_agency_name",
    "source_state",
    "searching_state",
)


def _rollup_data(cleaned: Mapping[str, Any]) -> MultiValueDict:
    """The explorer's cleaned filters that rollups carry, as ``SearchRollupFilter`` data."""
    data = MultiValueDict()
    for name in ROLLUP_FILTERS:
        if cleaned.get(name):
            data[name] = cleaned[name]
    if cleaned.get("category"):
        data["category"] = cleaned["category"].slug
    if cleaned.get("flag"):
        data.setlist("flag", list(cleaned["flag"]))
    return data


def _rollup_sum(
    cleaned: Mapping[str, Any], *, first: dt.date | None, last: dt.date | None
) -> int | None:
    """Searches in the rollups matching ``cleaned`` in the whole months of ``first`` to
    ``last`` (either open); None when the filters do not hold as rollup filters."""
    data = _rollup_data(cleaned)
    if first:
        data["month_from"] = first.isoformat()
    if last:
        data["month_to"] = last.isoformat()
    filterset = SearchRollupFilter(data, queryset=_rollup_table(data))
    if not filterset.is_valid():
        return None
    return filterset.qs.order_by().aggregate(n=Sum("searches"))["n"] or 0


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def _month_before(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s month."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _active_filters(cleaned: Mapping[str, Any]) -> set[str]:
    # ``min_devices=0`` filters (it drops searches without a device count): only None,
    # blanks and empty lists are "not asked".
    return {name for name, value in cleaned.items() if value not in (None, "", [], ())}


def stats_count(*, cleaned: Mapping[str, Any]) -> int | None:
    """Searches matching the explorer's cleaned filters, counted from rollups; None when the
    filters ask for what rollups do not hold (reason text, device counts, part of a month)."""
    active = _active_filters(cleaned)
    if "reason" in active or "min_devices" in active:
        return None
    date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
    if date_from and date_from.day != 1:
        return None
    if date_to and not _is_month_end(date_to):
        return None
    return _rollup_sum(cleaned, first=date_from, last=date_to)


@dataclass(frozen=True)
class ResultCount:
    """How many searches match: exact, or a lower bound (``exact`` False: "more than value")."""

    value: int
    exact: bool = True


# Filters the per-day table answers with any dates: it counts searches per audited agency and
# UTC day, the same days ``SearchFilter`` bounds ``date_from``/``date_to`` by.
DAY_FILTERS = frozenset({"source_agency", "city", "source_state", "date_from", "date_to"})


def bounded_count(queryset: QuerySet, *, bound: int) -> ResultCount:
    """COUNT over ``LIMIT bound + 1``: exact up to ``bound`` rows, else "more than bound"."""
    n = queryset.order_by().values("pk")[: bound + 1].count()
    return ResultCount(value=bound, exact=False) if n > bound else ResultCount(value=n)


def _day_sum(cleaned: Mapping[str, Any]) -> int:
    days = SearchDay.objects.all()
    for name, lookup in (
        ("source_agency", "source_agency__slug"),
        ("city", "source_agency__home_city__slug"),
        ("source_state", "source_agency__state"),
    ):
        if cleaned.get(name):
            days = days.filter(**{lookup: cleaned[name]})
    if cleaned.get("date_from"):
        days = days.filter(day__gte=cleaned["date_from"])
    if cleaned.get("date_to"):
        days = days.filter(day__lte=cleaned["date_to"])
    return days.aggregate(n=Sum("searches"))["n"] or 0


def explorer_count(
    *, cleaned: Mapping[str, Any], queryset: QuerySet[Search], bound: int | None = None
) -> ResultCount:
    """How many of ``queryset`` (the searches the explorer's ``cleaned`` filters select) there
    are, at a cost that does not follow the size of the searches table where rollups answer.

    Whole months (or no dates): the monthly rollups, exact. Dates inside a month with filters
    on the audited agency only: the per-day table, exact. Other dates inside a month: the
    rollups for the whole months in the range plus a bounded count of the searches in the
    partial months at its ends. Reason text or a device count: a bounded count of
    ``queryset``. A bounded count stops at ``bound`` (``SEARCH_EXPLORER_COUNT_BOUND``).
    """
    if bound is None:
        bound = settings.SEARCH_EXPLORER_COUNT_BOUND
    active = _active_filters(cleaned)
    if "reason" in active or "min_devices" in active:
        return bounded_count(queryset, bound=bound)
    date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
    partial_from = date_from if date_from and date_from.day != 1 else None
    partial_to = date_to if date_to and not _is_month_end(date_to) else None
    if not partial_from and not partial_to:
        whole = _rollup_sum(cleaned, first=date_from, last=date_to)
        return bounded_count(queryset, bound=bound) if whole is None else ResultCount(whole)
    if active <= DAY_FILTERS:
        return ResultCount(value=_day_sum(cleaned))
    first = next_month(partial_from) if partial_from else date_from
    last = _month_before(partial_to) if partial_to else date_to
    if first and last and first > last:
        # No whole month inside the range: only the searches themselves can tell.
        return bounded_count(queryset, bound=bound)
    inside = _rollup_sum(cleaned, first=first, last=last)
    if inside is None:
        return bounded_count(queryset, bound=bound)
    # ``queryset`` already holds the range; keep the days outside its whole months.
    ends = Q()
    if partial_from:
        ends |= Q(searched_at__lt=utc_midnight(first))
    if partial_to:
        ends |= Q(searched_at__gte=utc_midnight(next_month(last)))
    edge = bounded_count(queryset.filter(ends), bound=bound)
    return ResultCount(value=inside + edge.value, exact=edge.exact)


# --- Stats for the API -----------------------------------------------------------------------

GROUP_BY_FIELDS: dict[str, str] = {
    "month": "month",
    "category": "category_id",
    "flag": "flags",
    "source_agency": "source_agency_id",
    "searching_agency": "searching_agency_id",
    "state": "source_agency__state",
}


SEARCHING_FILTERS = ("searching_agency", "searching_agency_name", "searching_state")


def _rollup_table(
    filters: Mapping[str, Any], *, group_by: Sequence[str] = ()
) -> QuerySet[SearchRollup] | QuerySet[SearchMonthTotal]:
    """The smallest table that answers: per-month totals unless the searching agency matters."""
    if "searching_agency" in group_by or any(filters.get(name) for name in SEARCHING_FILTERS):
        return SearchRollup.objects.all()
    return SearchMonthTotal.objects.all()


def stats_grouped(
    *, filters: Mapping[str, Any] | None, group_by: Sequence[str]
) -> list[dict[str, Any]]:
    """Rollup sums grouped by ``group_by`` (names of ``GROUP_BY_FIELDS``), ordered by group.

    ``flag`` expands flag sets in Python: a search with two flags counts under each, and
    searches without a flag under ``None``. Group keys come back as public values (month as
    ``YYYY-MM``, category slug, flag name, agency slug, state code); ``*_name`` keys hold labels.
    ``blank_reason`` counts the group's searches whose reason was blank (the blank flag), in
    whichever category they are counted: its sum is the pages' "gave no reason" figure.
    """
    queryset = _rollup_table(filters or {}, group_by=group_by)
    qs = SearchRollupFilter(filters or {}, queryset=queryset).qs
    columns = [GROUP_BY_FIELDS[g] for g in group_by]
    rows = (
        qs.order_by()
        .alias(_blank=F("flags").bitand(int(SearchFlag.BLANK)))
        .values(*columns)
        .annotate(
            # Before ``searches``, whose name it would otherwise read as that aggregate's.
            blank_reason=Sum("searches", filter=Q(_blank__gt=0)),
            searches=Sum("searches"),
            devices_total=Sum("devices_total"),
            devices_max=Max("devices_max"),
            networks_total=Sum("networks_total"),
        )
    )
    groups: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        keys = [row[c] for c in columns]
        variants = [keys]
        if "flag" in group_by:
            i = group_by.index("flag")
            variants = [[*keys[:i], name, *keys[i + 1 :]] for name in flag_names(keys[i])]
            variants = variants or [[*keys[:i], None, *keys[i + 1 :]]]
        for variant in variants:
            key = tuple(variant)
            group = groups.get(key)
            if group is None:
                groups[key] = {
                    "key": key,
                    "searches": row["searches"] or 0,
                    "devices_total": row["devices_total"] or 0,
                    "devices_max": row["devices_max"],
                    "networks_total": row["networks_total"] or 0,
                    "blank_reason": row["blank_reason"] or 0,
                }
                continue
            group["searches"] += row["searches"] or 0
            group["blank_reason"] += row["blank_reason"] or 0
            group["devices_total"] += row["devices_total"] or 0
            group["networks_total"] += row["networks_total"] or 0
            if row["devices_max"] is not None:
                group["devices_max"] = max(group["devices_max"] or 0, row["devices_max"])
    return _label_groups(list(groups.values()), group_by)


def _label_groups(groups: list[dict[str, Any]], group_by: Sequence[str]) -> list[dict[str, Any]]:
    agency_ids = {
        g["key"][i]
        for g in groups
        for i, name in enumerate(group_by)
        if name in ("source_agency", "searching_agency") and g["key"][i] is not None
    }
    agencies = Agency.objects.only("slug", "name").in_bulk(agency_ids) if agency_ids else {}
    categories = (
        ReasonCategory.objects.only("slug", "name").in_bulk() if "category" in group_by else {}
    )
    out = []
    for group in groups:
        row: dict[str, Any] = {}
        for name, value in zip(group_by, group["key"], strict=True):
            if name == "month":
                row["month"] = value.strftime("%Y-%m")
            elif name == "category":
                category = categories.get(value)
                row["category"] = category.slug if category else None
                row["category_name"] = category.name if category else ""
            elif name in ("source_agency", "searching_agency"):
                agency = agencies.get(value)
                row[name] = agency.slug if agency else None
                row[f"{name}_name"] = agency.name if agency else ""
            elif name == "state":
                row["state"] = value or ""
            else:
                row[name] = value
        row.update({k: group[k] for k in ("searches", "devices_total", "devices_max")})
        row["networks_total"] = group["networks_total"]
        row["blank_reason"] = group["blank_reason"]
        out.append(row)

    def order(row: dict[str, Any]) -> tuple:
        return tuple("" if row.get(name) is None else str(row.get(name)) for name in group_by)

    return sorted(out, key=order)


@dataclass
class FlaggedGroup:
    """Flagged searches of one state or agency, split by flag, for the national view."""

    key: str
    label: str
    total: int
    # Overlapping: a search flagged "immigration" and "forbidden_use" counts under both.
    by_flag: dict[str, int]
    # Exclusive (sums to ``total``), for stacked charts: see ``primary_flag``.
    by_primary: dict[str, int]
    agency: Agency | None = None
    url: str = ""


PRIMARY_ORDER = (
    "immigration",
    "reproductive_care",
    "protest",
    "forbidden_sharing",
    "forbidden_use",
)


def primary_flag(flags: int) -> str:
    """The one drill-down flag a search is charted under: its concern first, then the law."""
    for name in PRIMARY_ORDER:
        if flags & FLAG_NAMES[name]:
            return name
    return ""


def flagged_by(*, dimension: str, limit: int | None = None) -> list[FlaggedGroup]:
    """Flagged searches (drill-down flags) grouped by ``source_state``, ``source_agency`` or
    ``searching_agency``, largest first, from rollups."""
    column = {
        "source_state": "source_agency__state",
        "source_agency": "source_agency_id",
        "searching_agency": "searching_agency_id",
    }[dimension]
    rows = (
        with_any_flag(SearchRollup.objects.all(), DRILL_DOWN_FLAGS)
        .order_by()
        .values(column, "flags")
        .annotate(n=Sum("searches"))
    )
    totals: dict[Any, int] = defaultdict(int)
    split: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    primary: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key, n = row[column], row["n"] or 0
        totals[key] += n
        for name in flag_names(row["flags"] & DRILL_DOWN_FLAGS):
            split[key][name] += n
        primary[key][primary_flag(row["flags"])] += n
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], str(kv[0])))
    if limit is not None:
        ranked = ranked[:limit]
    agencies = (
        Agency.objects.in_bulk([k for k, _n in ranked]) if dimension != "source_state" else {}
    )
    groups = []
    for key, total in ranked:
        agency = agencies.get(key)
        groups.append(
            FlaggedGroup(
                key=agency.slug if agency else (key or ""),
                label=agency.name if agency else (key or ""),
                total=total,
                by_flag=dict(split[key]),
                by_primary=dict(primary[key]),
                agency=agency,
            )
        )
    return groups


# --- Raw rows: largest searches, flagged drill-down, explorer ----------------------------------


def _search_rows(queryset: QuerySet[Search]) -> QuerySet:
    return queryset.values(*SEARCH_ROW_FIELDS)


def largest_searches(*, source_ids: Sequence[int], limit: int = 10) -> list[dict[str, Any]]:
    """The searches that reached the most devices, over the (source, -devices) index.

    One LIMIT query per source (each an ordered index scan) merged here: a single query over
    several sources would have to sort all their rows.
    """
    rows: list[dict[str, Any]] = []
    for source_id in source_ids:
        rows.extend(
            _search_rows(
                Search.objects.filter(
                    source_agency_id=source_id, devices_searched__isnull=False
                ).order_by("-devices_searched", "-id")
            )[:limit]
        )
    rows.sort(key=lambda r: (-r["devices_searched"], -r["id"]))
    return [_decorate(r) for r in rows[:limit]]


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    row["flag_names"] = flag_names(row["flags"])
    return row


@dataclass
class RowPage:
    """One keyset page of search rows; ``next_token`` continues after the last row."""

    rows: list[dict[str, Any]]
    next_token: str = ""
    sort: str = DEFAULT_SORT


def encode_token(value: Any, pk: int) -> str:
    text = f"{value.isoformat() if hasattr(value, 'isoformat') else value}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_token(token: str, field_name: str) -> tuple[Any, int] | None:
    """(value, id) from a token, or None when it is malformed (the first page is shown)."""
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        raw, pk = text.rsplit("|", 1)
        value: Any = dt.datetime.fromisoformat(raw) if field_name == "searched_at" else int(raw)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return None
        return value, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def keyset_page(
    *, queryset: QuerySet[Search], sort: str = DEFAULT_SORT, after: str = "", size: int = 50
) -> RowPage:
    """A page of rows ordered by ``sort`` then id, starting after the ``after`` token.

    Keyset paging reads ``size + 1`` rows from wherever the token points, so page 1,000 costs
    what page 1 costs; there is no COUNT over the whole result.
    """
    field_name, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    qs = queryset
    if field_name != "searched_at":
        qs = qs.filter(**{f"{field_name}__isnull": False})
    position = decode_token(after, field_name)
    if position is not None:
        value, pk = position
        op = "lt" if descending else "gt"
        qs = qs.filter(
            Q(**{f"{field_name}__{op}": value}) | Q(**{field_name: value, f"pk__{op}": pk})
        )
    prefix = "-" if descending else ""
    rows = list(_search_rows(qs.order_by(f"{prefix}{field_name}", f"{prefix}id"))[: size + 1])
    page = RowPage(rows=[_decorate(r) for r in rows[:size]], sort=sort)
    if len(rows) > size:
        last = rows[size - 1]
        page.next_token = encode_token(last[field_name], last["id"])
    return page


def flagged_searches(
    *,
    source_ids: Sequence[int] | None = None,
    searching_id: int | None = None,
    after: str = "",
    size: int = 25,
) -> RowPage:
    """Searches carrying a drill-down flag, newest first, one keyset page.

    For several sources, each source is read over its (source, time) index and the pages are
    merged, so the cost is a few short index scans however many searches the sources hold.
    """
    base = with_any_flag(Search.objects.all(), DRILL_DOWN_FLAGS)
    if searching_id is not None:
        base = base.filter(searching_agency_id=searching_id).exclude(source_agency_id=searching_id)
        return keyset_page(queryset=base, after=after, size=size)
    rows: list[dict[str, Any]] = []
    for source_id in source_ids or []:
        page = keyset_page(
            queryset=base.filter(source_agency_id=source_id), after=after, size=size + 1
        )
        rows.extend(page.rows)
    rows.sort(key=lambda r: (r["searched_at"], r["id"]), reverse=True)
    page = RowPage(rows=rows[:size])
    if len(rows) > size:
        last = rows[size - 1]
        page.next_token = encode_token(last["searched_at"], last["id"])
    return page


def explorer_sorts(*, cleaned: Mapping[str, Any]) -> list[str]:
    """The explorer's sort keys these cleaned filters allow, in ``SORTS`` order: by devices or
    networks only within one audited agency, whose (source, devices) index serves the order;
    across every audit it would sort millions of rows per page view."""
    if cleaned.get("source_agency"):
        return list(SORTS)
    return [key for key in SORTS if key in TIME_SORTS]


def search_explore(*, filters: Mapping[str, Any]) -> SearchFilter:
    """The explorer's filter set over all searches (``.qs`` is unordered and unevaluated)."""
    return SearchFilter(filters, queryset=Search.objects.all())


def search_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Search]:
    """Searches with their agencies, reason and category, newest first (API and exports)."""
    qs = Search.objects.select_related(
        "source_agency", "searching_agency", "reason", "category"
    ).order_by("-searched_at", "-id")
    return SearchFilter(filters, queryset=qs).qs if filters else qs


# --- Laws, categories, imports -----------------------------------------------------------------


def law_for_flags(
    *,
    flags: int,
    source_state: str,
    searching_state: str,
    profiles: Mapping[str, StateLawProfile],
) -> StateLawProfile | None:
    """The state law a state-law flag rests on: the source's state for forbidden sharing, and
    for a forbidden use whichever of the two states forbids that use (the source's first)."""
    if flags & SearchFlag.FORBIDDEN_SHARING:
        return profiles.get(source_state)
    if flags & SearchFlag.FORBIDDEN_USE:
        uses = {use for bit, use in FLAG_USES.items() if flags & bit}
        for state in (source_state, searching_state):
            profile = profiles.get(state)
            if profile and uses & set(profile.forbidden_uses or []):
                return profile
        return profiles.get(source_state)
    return None


def reason_category_list() -> QuerySet[ReasonCategory]:
    """Active reason categories with their ordered patterns, in priority order."""
    return (
        ReasonCategory.objects.filter(is_active=True)
        .prefetch_related("patterns")
        .order_by("priority", "name")
    )


def import_job_list() -> QuerySet[ImportJob]:
    """Import jobs, newest first; callers serialize only their public summary."""
    return ImportJob.objects.order_by("-created_at", "-pk")


def offense_type_list() -> QuerySet[OffenseType]:
    """Offense types with ``n_reasons`` and ``n_searches``: the distinct reasons and searches
    whose offense text names them (alone or among others joined by ", "), for clerks."""
    name, sep = OuterRef("name"), Value(OFFENSE_SEPARATOR)

    def names_it(field: str) -> Q:
        return (
            Q(**{f"{field}__iexact": name})
            | Q(**{f"{field}__istartswith": Concat(name, sep)})
            | Q(**{f"{field}__iendswith": Concat(sep, name)})
            | Q(**{f"{field}__icontains": Concat(sep, name, sep)})
        )

    def counted(queryset: QuerySet) -> QuerySet:
        return queryset.order_by().annotate(g=Value(1)).values("g").annotate(n=Count("pk"))

    n_reasons = counted(Reason.objects.filter(names_it("offense_text"))).values("n")
    n_searches = counted(Search.objects.filter(names_it("reason__offense_text"))).values("n")
    return OffenseType.objects.select_related("family").annotate(
        n_reasons=Coalesce(Subquery(n_reasons, output_field=IntegerField()), 0),
        n_searches=Coalesce(Subquery(n_searches, output_field=IntegerField()), 0),
    )


# --- Portal-wide news ---------------------------------------------------------------------------

# Where the searched cameras are, for rows shown outside any one city's page.
NEWS_ROW_FIELDS = (
    *SEARCH_ROW_FIELDS,
    "source_agency__home_city__name",
    "source_agency__home_city__slug",
    "source_agency__home_city__state",
)


def latest_flagged_searches(
    *, profiles: Mapping[str, StateLawProfile], limit: int = 5
) -> list[dict[str, Any]]:
    """The newest searches carrying a drill-down flag across every audit, with ``flag_names``
    and the state ``law`` (from ``profiles``) a state-law flag rests on. Two queries, however
    many searches.

    The rollup says which months hold the newest ``limit`` flagged searches and which flag sets
    they carry; the rows are then read over the partial (flags, searched_at) index inside that
    window, so neither a sort of every flagged search nor a walk over unflagged ones happens.
    """
    months = (
        with_any_flag(SearchMonthTotal.objects.all(), DRILL_DOWN_FLAGS)
        .order_by()
        .values("month", "flags")
        .annotate(n=Sum("searches"))
    )
    by_month: dict[dt.date, dict[int, int]] = defaultdict(dict)
    for row in months:
        by_month[row["month"]][row["flags"]] = row["n"] or 0
    flag_sets: set[int] = set()
    found, since = 0, None
    for month in sorted(by_month, reverse=True):
        flag_sets |= set(by_month[month])
        found += sum(by_month[month].values())
        since = month
        if found >= limit:
            break
    if since is None:
        return []
    rows = (
        Search.objects.filter(
            flags__gt=0,  # the partial index's condition, spelled out for the planner
            flags__in=sorted(flag_sets),
            searched_at__gte=dt.datetime(since.year, since.month, 1, tzinfo=dt.UTC),
        )
        .order_by("-searched_at", "-id")
        .values(*NEWS_ROW_FIELDS)[:limit]
    )
    out = []
    for row in rows:
        row = _decorate(row)
        row["law"] = law_for_flags(
            flags=row["flags"],
            source_state=row["source_agency__state"],
            searching_state=row["searching_agency__state"],
            profiles=profiles,
        )
        out.append(row)
    return out
