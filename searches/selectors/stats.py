"""Figures of search audits for pages and the API: totals, months, categories, flags, searching
agencies, distinct searchers, flagged groups; from the rollup tables only (``SearchRollup``,
``SearcherMonth`` and their summaries), so their cost follows the rollup rows, never the
searches. Computed figures are cached under a stamp of the data (``stats_version``).

Privacy: no selector returns ``searcher_hash``; distinct searchers leave as a count.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    F,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.utils.translation import get_language

from core.models import Agency, ImportJob
from searches.filters import (
    SearchRollupFilter,
    next_month,
    with_any_flag,
)
from searches.models import (
    DRILL_DOWN_FLAGS,
    FLAG_NAMES,
    ReasonCategory,
    RuleSet,
    SearchDay,
    SearcherCount,
    SearcherSet,
    SearchFlag,
    SearchMonthTotal,
    SearchNationalTotal,
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


def flag_names(flags: int) -> list[str]:
    """The public names of the bits set in ``flags``, in the order of ``FLAG_NAMES``."""
    return list(_flag_names(int(flags)))


@functools.lru_cache(maxsize=1024)
def _flag_names(flags: int) -> tuple[str, ...]:
    # Called once per rollup row a page reads (a thousand on a large city's page); the flag
    # bits are enum members, whose ``&`` costs microseconds, and the flag sets are few.
    return tuple(name for name, bit in FLAG_NAMES.items() if flags & bit)


# Rollups only change when an import or a reclassification rewrites them, so what pages compute
# from them is cached under a stamp of the data: a refresh deletes and re-inserts rollup rows
# (their largest id moves), rule changes bump the rule version, finished imports cover deletions.
# A timeout bounds anything the stamp cannot see (e.g. agencies merged in the admin).
def stats_version() -> str:
    """A stamp that changes whenever the rollups or the rules change (one small query)."""
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


def search_stats(*, rollups: QuerySet[SearchRollup] | QuerySet[SearchMonthTotal]) -> SearchStats:
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


def source_stats_cached(*, source_ids: Sequence[int], version: str | None = None) -> SearchStats:
    """``source_stats`` under the rollups' stamp, one cache entry per set of audited agencies,
    shared by every page that shows them (the city and agency sections, compare, the embeds)."""
    ids = sorted(source_ids)
    return cached(
        f"source_stats:{ids}", version or stats_version(), lambda: source_stats(source_ids=ids)
    )


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


def _with_agencies(rows: Sequence[Mapping[str, Any]], key: str) -> list[AgencyCount]:
    agencies = Agency.objects.in_bulk([row[key] for row in rows])
    return [
        AgencyCount(agency=agencies[row[key]], searches=row["n"] or 0, flagged=row["flagged"] or 0)
        for row in rows
        if row[key] in agencies
    ]


def distinct_searchers(
    *,
    source_ids: Sequence[int] | None = None,
    searching_id: int | None = None,
    version: str | None = None,
) -> int:
    """How many different people (keyed hashes, per searching agency) searched.

    Redacted searchers (no hash) are not counted. The hashes never leave this function. The
    count is kept in ``SearcherCount`` under the rollups' stamp, so a page counts once per data
    change; this is the one write a read makes (a row it computed, under the stamp it saw).
    ``version`` is that stamp when the caller has read it already.
    """
    what = f"sources:{sorted(source_ids) if source_ids is not None else 'all'}|by:{searching_id}"
    key = hashlib.sha1(f"{what}|{version or stats_version()}".encode()).hexdigest()  # noqa: S324
    stored = SearcherCount.objects.filter(key=key).values_list("searchers", flat=True).first()
    if stored is not None:
        return stored
    qs = SearcherSet.objects.all()
    if source_ids is not None:
        qs = qs.filter(source_agency_id__in=list(source_ids))
    if searching_id is not None:
        qs = qs.filter(searching_agency_id=searching_id).exclude(source_agency_id=searching_id)
    count = qs.order_by().values("searching_agency_id", "searcher_hash").distinct().count()
    SearcherCount.objects.bulk_create(
        [SearcherCount(key=key, searchers=count)], ignore_conflicts=True
    )
    return count


GROUP_BY_FIELDS: dict[str, str] = {
    "month": "month",
    "category": "category_id",
    "flag": "flags",
    "source_agency": "source_agency_id",
    "searching_agency": "searching_agency_id",
    "state": "source_agency__state",
}


SEARCHING_FILTERS = ("searching_agency", "searching_agency_name", "searching_state")


# Filters and groups the national totals can answer (no agency, state or city in them).
NATIONAL_FILTERS = frozenset({"category", "flag", "month_from", "month_to"})
NATIONAL_GROUPS = frozenset({"month", "category", "flag"})


def rollup_table(
    filters: Mapping[str, Any], *, group_by: Sequence[str] = ()
) -> QuerySet[SearchRollup] | QuerySet[SearchMonthTotal] | QuerySet[SearchNationalTotal]:
    """The smallest table that answers: national totals when no agency, state or city is
    asked about, per-source monthly totals unless the searching agency matters."""
    if "searching_agency" in group_by or any(filters.get(name) for name in SEARCHING_FILTERS):
        return SearchRollup.objects.all()
    used = {name for name in SearchRollupFilter.base_filters if filters.get(name)}
    if used <= NATIONAL_FILTERS and set(group_by) <= NATIONAL_GROUPS:
        return SearchNationalTotal.objects.all()
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
    queryset = rollup_table(filters or {}, group_by=group_by)
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


def top_searchers(
    *, filters: Mapping[str, Any] | None, exclude_ids: Iterable[int] = (), limit: int = 10
) -> list[dict[str, Any]]:
    """The ``limit`` searching agencies with the most searches under ``filters``, most first,
    ties by name: the rows ``stats_grouped(group_by=["searching_agency"])`` gives for them.

    Ranked and cut in SQL: a large city is searched by thousands of agencies, and grouping and
    labelling them all to keep ten took most of an annual report's time.
    """
    queryset = rollup_table(filters or {}, group_by=["searching_agency"])
    qs = SearchRollupFilter(filters or {}, queryset=queryset).qs
    rows = (
        qs.order_by()
        .filter(searching_agency__isnull=False)
        .exclude(searching_agency_id__in=list(exclude_ids))
        .alias(_blank=F("flags").bitand(int(SearchFlag.BLANK)))
        .values("searching_agency__slug", "searching_agency__name")
        .annotate(
            blank_reason=Sum("searches", filter=Q(_blank__gt=0)),
            searches=Sum("searches"),
            devices_total=Sum("devices_total"),
            devices_max=Max("devices_max"),
            networks_total=Sum("networks_total"),
        )
        .order_by("-searches", "searching_agency__name")[:limit]
    )
    return [
        {
            "searching_agency": row["searching_agency__slug"],
            "searching_agency_name": row["searching_agency__name"],
            "searches": row["searches"] or 0,
            "devices_total": row["devices_total"] or 0,
            "devices_max": row["devices_max"],
            "networks_total": row["networks_total"] or 0,
            "blank_reason": row["blank_reason"] or 0,
        }
        for row in rows
    ]


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
    # Set by the national view: the explorer link and the counts of its drill-down flags.
    url: str = ""
    flag_counts: list[int] = field(default_factory=list)


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
