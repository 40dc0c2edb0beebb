"""Search rows as a person reads them: the explorer's filters, sorts, counts and keyset pages,
the largest searches, the flagged drill-down and the newest flagged searches nationally. Raw
``Search`` rows are read only here, each read bounded by LIMIT over an index.

Privacy: rows carry ``SEARCH_ROW_FIELDS`` only; never ``searcher_hash``, ``job`` or
``dedupe_key``.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Q,
    QuerySet,
    Sum,
)
from django.utils.datastructures import MultiValueDict

from core.models import StateLawProfile
from searches.filters import (
    SearchFilter,
    SearchRollupFilter,
    next_month,
    utc_midnight,
    with_any_flag,
)
from searches.models import (
    DRILL_DOWN_FLAGS,
    Search,
    SearchDay,
    SearchNationalTotal,
)
from searches.selectors.rules import law_for_flags
from searches.selectors.stats import flag_names, rollup_table

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
    data: MultiValueDict[str, Any] = MultiValueDict()
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
    filterset = SearchRollupFilter(data, queryset=rollup_table(data))
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
        assert first is not None  # the month after partial_from
        ends |= Q(searched_at__lt=utc_midnight(first))
    if partial_to:
        assert last is not None  # the month before partial_to
        ends |= Q(searched_at__gte=utc_midnight(next_month(last)))
    edge = bounded_count(queryset.filter(ends), bound=bound)
    return ResultCount(value=inside + edge.value, exact=edge.exact)


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
        with_any_flag(SearchNationalTotal.objects.all(), DRILL_DOWN_FLAGS)
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
