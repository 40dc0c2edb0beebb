"""Rollups: the pre-aggregated tables pages and the API read instead of scanning searches.

Each refresh deletes whole partitions (a source agency, or a source agency and a UTC month) and
re-aggregates them from ``Search`` with one ``INSERT ... SELECT ... GROUP BY`` per table, so the
result is always the direct count, whatever happened to the rows before (imports,
reclassification, deletes).

* ``SearchRollup``: source, searching agency, month, category and flag set.
* ``SearchDay``: source and UTC day (coverage and gaps).
* ``SearcherSet``: source, searching agency and hashed searcher, over all months (distinct
  searchers, exact). A searcher set is not split by month (that table was nearly a copy of the
  searches), so it is refreshed per source; an import, which only adds searches, inserts just
  the pairs its new searches bring (``rollups_add_import``).

Only ``SearchRollup`` depends on the classification, so reclassification refreshes just that one.

Two summaries are derived from it (never from searches), per source agency, after every change:
``SearchMonthTotal`` (no searching agency) and ``SearchPairTotal`` (no month, category or
flags); ``SearchNationalTotal`` sums the first over every audit. A big city's page reads
these: a few thousand rows where the rollups hold hundreds of thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from core.pagecache import page_cache_invalidate
from searches.filters import next_month
from searches.models import (
    DRILL_DOWN_FLAGS,
    Search,
    SearchDay,
    SearcherCount,
    SearcherSet,
    SearchMonthTotal,
    SearchNationalTotal,
    SearchPairTotal,
    SearchRollup,
)

TABLES = ("rollup", "day", "searcher")
# Above this share of the existing partitions, one full pass beats many index range scans.
FULL_REBUILD_SHARE = 0.5


def month_sql() -> str:
    """The UTC month of ``s.searched_at`` as a date, in this database's SQL."""
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', s.searched_at AT TIME ZONE 'UTC') AS date)"
    # SQLite stores aware datetimes as UTC text.
    return "date(s.searched_at, 'start of month')"


def _day_sql() -> str:
    if connection.vendor == "postgresql":
        return "CAST(s.searched_at AT TIME ZONE 'UTC' AS date)"
    return "date(s.searched_at)"


def _first_of_month(value: dt.date) -> dt.date:
    return dt.date(value.year, value.month, 1)


def _utc(day: dt.date) -> object:
    """A month boundary as the database compares ``searched_at`` (text on SQLite)."""
    value = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return connection.ops.adapt_datetimefield_value(value)


def _insert_sql(table: str, *, join: str, where: str) -> tuple[str, str]:
    """(target table, INSERT ... SELECT) aggregating the searches selected by join/where."""
    search = Search._meta.db_table
    month = month_sql()
    if table == "rollup":
        return (
            SearchRollup._meta.db_table,
            f"""
            INSERT INTO {SearchRollup._meta.db_table} (source_agency_id, searching_agency_id,
                month, category_id, flags, searches, devices_total, devices_max, networks_total)
            SELECT s.source_agency_id, s.searching_agency_id, {month}, s.category_id, s.flags,
                COUNT(*), COALESCE(SUM(s.devices_searched), 0), MAX(s.devices_searched),
                COALESCE(SUM(s.networks_searched), 0)
            FROM {search} AS s {join}
            WHERE {where}
            GROUP BY s.source_agency_id, s.searching_agency_id, {month}, s.category_id, s.flags
        """,
        )
    if table == "day":
        day = _day_sql()
        return (
            SearchDay._meta.db_table,
            f"""
            INSERT INTO {SearchDay._meta.db_table} (source_agency_id, day, searches)
            SELECT s.source_agency_id, {day}, COUNT(*)
            FROM {search} AS s {join}
            WHERE {where}
            GROUP BY s.source_agency_id, {day}
        """,
        )
    return (
        SearcherSet._meta.db_table,
        f"""
        INSERT INTO {SearcherSet._meta.db_table} (source_agency_id, searching_agency_id,
            searcher_hash)
        SELECT DISTINCT s.source_agency_id, s.searching_agency_id, s.searcher_hash
        FROM {search} AS s {join}
        WHERE {where} AND s.searcher_hash <> ''
    """,
    )


def _refresh_all(table: str) -> None:
    target, insert = _insert_sql(table, join="", where="1 = 1")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {target}")
        cursor.execute(insert)


def _refresh_sources(table: str, source_ids: Sequence[int]) -> None:
    marks = ", ".join(["%s"] * len(source_ids))
    target, insert = _insert_sql(table, join="", where=f"s.source_agency_id IN ({marks})")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {target} WHERE source_agency_id IN ({marks})", source_ids)
        cursor.execute(insert, source_ids)


def _refresh_pairs(table: str, pairs: Sequence[tuple[int, dt.date]]) -> None:
    """Refresh (source, month) partitions: the searches are found by an index range scan each.
    Searcher sets have no month: their sources are recounted whole."""
    if table == "searcher":
        _refresh_sources(table, sorted({src for src, _ in pairs}))
        return
    date_col = "day" if table == "day" else "month"
    ranges = [(src, _first_of_month(m), next_month(_first_of_month(m))) for src, m in pairs]
    values = ", ".join(["(%s, %s, %s)"] * len(ranges))
    delete_params: list[Any] = []
    insert_params: list[Any] = []
    for src, start, end in ranges:
        adapt = connection.ops.adapt_datefield_value
        delete_params.extend([src, adapt(start), adapt(end)])
        insert_params.extend([src, _utc(start), _utc(end)])
    join = (
        f"JOIN (VALUES {values}) AS p ON s.source_agency_id = p.column1"
        " AND s.searched_at >= p.column2 AND s.searched_at < p.column3"
    )
    target, insert = _insert_sql(table, join=join, where="1 = 1")
    delete = f"""
        DELETE FROM {target} WHERE EXISTS (
            SELECT 1 FROM (VALUES {values}) AS p
            WHERE {target}.source_agency_id = p.column1
              AND {target}.{date_col} >= p.column2 AND {target}.{date_col} < p.column3)
    """
    with connection.cursor() as cursor:
        cursor.execute(delete, delete_params)
        cursor.execute(insert, insert_params)


def _tune() -> None:
    """Give the big aggregations room to hash in memory (PostgreSQL, this transaction only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


BATCH = 2000  # partitions per statement: far below every database's parameter limit


def _summary_sql() -> list[tuple[str, str]]:
    """(summary table, INSERT ... SELECT from the rollups with a ``{where}`` placeholder)."""
    rollup = SearchRollup._meta.db_table
    return [
        (
            SearchMonthTotal._meta.db_table,
            f"""
            INSERT INTO {SearchMonthTotal._meta.db_table} (source_agency_id, month, category_id,
                flags, searches, devices_total, devices_max, networks_total)
            SELECT source_agency_id, month, category_id, flags, SUM(searches),
                SUM(devices_total), MAX(devices_max), SUM(networks_total)
            FROM {rollup} WHERE {{where}}
            GROUP BY source_agency_id, month, category_id, flags
            """,
        ),
        (
            SearchPairTotal._meta.db_table,
            f"""
            INSERT INTO {SearchPairTotal._meta.db_table} (source_agency_id, searching_agency_id,
                searches, flagged)
            SELECT source_agency_id, searching_agency_id, SUM(searches),
                SUM(CASE WHEN (flags & {int(DRILL_DOWN_FLAGS)}) <> 0 THEN searches ELSE 0 END)
            FROM {rollup} WHERE {{where}}
            GROUP BY source_agency_id, searching_agency_id
            """,
        ),
    ]


def summaries_refresh(*, source_ids: Iterable[int] | None = None) -> None:
    """Re-derive the summaries of these source agencies (all when None) from the rollups."""
    ids = None if source_ids is None else sorted({int(i) for i in source_ids})
    if ids == []:
        return
    with connection.cursor() as cursor:
        for table, insert in _summary_sql():
            if ids is None:
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(insert.format(where="1 = 1"))
                continue
            for i in range(0, len(ids), BATCH):
                batch = ids[i : i + BATCH]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(f"DELETE FROM {table} WHERE source_agency_id IN ({marks})", batch)
                cursor.execute(insert.format(where=f"source_agency_id IN ({marks})"), batch)
        # The national totals, from the per-source ones (a few thousand rows).
        national = SearchNationalTotal._meta.db_table
        cursor.execute(f"DELETE FROM {national}")
        cursor.execute(
            f"""
            INSERT INTO {national} (month, category_id, flags, searches, devices_total,
                devices_max, networks_total)
            SELECT month, category_id, flags, SUM(searches), SUM(devices_total),
                MAX(devices_max), SUM(networks_total)
            FROM {SearchMonthTotal._meta.db_table}
            GROUP BY month, category_id, flags
            """
        )
        # Counts under the old stamp are never asked for again.
        cursor.execute(f"DELETE FROM {SearcherCount._meta.db_table}")
    # Every rollup writer ends here, in set-based SQL that sends no model signals.
    page_cache_invalidate()


@transaction.atomic
def rollups_refresh_partitions(
    *, partitions: Iterable[tuple[int, dt.date]], tables: Sequence[str] = TABLES
) -> None:
    """Re-aggregate these (source agency id, month) partitions of the given rollup tables.

    When they are most of what the rollups hold, the tables are rebuilt in one pass instead.
    """
    pairs = sorted({(int(src), _first_of_month(month)) for src, month in partitions})
    if not pairs:
        return
    _tune()
    existing = (
        SearchRollup.objects.order_by().values_list("source_agency_id", "month").distinct().count()
    )
    if len(pairs) > max(FULL_REBUILD_SHARE * existing, 50):
        for table in tables:
            _refresh_all(table)
        summaries_refresh()
        return
    for table in tables:
        for i in range(0, len(pairs), BATCH):
            _refresh_pairs(table, pairs[i : i + BATCH])
    summaries_refresh(source_ids={src for src, _ in pairs})


@dataclass(frozen=True)
class RollupDelta:
    """How one ``SearchRollup`` group changes when searches move between categories or flags.

    ``max_out``/``max_in``: the largest device counts of the searches leaving / joining it.
    """

    source_id: int
    searcher_id: int
    month: dt.date
    category_id: int | None
    flags: int
    searches: int
    devices: int
    networks: int
    max_out: int | None
    max_in: int | None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> RollupDelta:
        source, searcher, month, category, flags, n, devices, networks, max_out, max_in = row
        if isinstance(month, str):  # SQLite
            month = dt.date.fromisoformat(month)
        return cls(
            source, searcher, month, category, flags, int(n), int(devices or 0),
            int(networks or 0), max_out, max_in,
        )  # fmt: skip

    @property
    def key(self) -> tuple:
        return (self.source_id, self.searcher_id, self.month, self.category_id or 0, self.flags)


_KEY_MATCH = """
    {t}.source_agency_id = d.column1 AND {t}.searching_agency_id = d.column2
    AND {t}.month = d.column3 AND COALESCE({t}.category_id, 0) = d.column4
    AND {t}.flags = d.column5
"""


@transaction.atomic
def rollups_apply_deltas(*, deltas: Sequence[RollupDelta]) -> None:
    """Move counts between ``SearchRollup`` groups as reclassification moved searches.

    Counts and sums change by the deltas; a group gaining searches keeps the larger maximum; a
    group that lost the search holding its maximum has it recounted from its searches; empty
    groups are deleted. Work is proportional to the searches that moved, not to the table.
    """
    deltas = [d for d in deltas if d.searches or d.devices or d.networks or d.max_in]
    if not deltas:
        return
    table = SearchRollup._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    match = _KEY_MATCH.format(t=table)
    for i in range(0, len(deltas), BATCH):
        batch = deltas[i : i + BATCH]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
        params: list[Any] = []
        for d in batch:
            params.extend(
                [d.source_id, d.searcher_id, adapt(d.month), d.category_id or 0, d.flags,
                 d.searches, d.devices, d.networks, d.max_in]
            )  # fmt: skip
        rows = f"(VALUES {values}) AS d"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} SET
                    searches = searches + d.column6,
                    devices_total = devices_total + d.column7,
                    networks_total = networks_total + d.column8,
                    devices_max = CASE
                        WHEN d.column9 IS NOT NULL
                             AND (devices_max IS NULL OR CAST(d.column9 AS integer) > devices_max)
                        THEN CAST(d.column9 AS integer) ELSE devices_max END
                FROM {rows}
                WHERE {match}
                """,
                params,
            )
            # Groups that did not exist yet: only searches joining them, so all counts > 0.
            cursor.execute(
                f"""
                INSERT INTO {table} (source_agency_id, searching_agency_id, month, category_id,
                    flags, searches, devices_total, devices_max, networks_total)
                SELECT d.column1, d.column2, d.column3, NULLIF(d.column4, 0), d.column5,
                    d.column6, d.column7, CAST(d.column9 AS integer), d.column8
                FROM {rows}
                WHERE d.column6 > 0 AND NOT EXISTS (SELECT 1 FROM {table} WHERE {match})
                """,
                params,
            )
    _recount_max([d for d in deltas if d.max_out is not None])  # may have lost their maximum
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE searches <= 0")
    sources = {d.source_id for d in deltas}
    existing = SearchPairTotal.objects.order_by().values("source_agency_id").distinct().count()
    everything = len(sources) > max(FULL_REBUILD_SHARE * existing, 50)
    summaries_refresh(source_ids=None if everything else sources)


def _recount_max(deltas: Sequence[RollupDelta]) -> None:
    """Recount ``devices_max`` of groups that lost a search as large as their maximum.

    Recounted per (source, month) partition, each scanned once whatever the number of its
    groups; when the partitions are most of the table, one pass over all searches instead.
    (Recounting group by group measured slower at 10M searches: partner groups are many.)
    """
    table = SearchRollup._meta.db_table
    search = Search._meta.db_table
    month = month_sql()
    partitions = sorted({(d.source_id, d.month) for d in deltas})
    if not partitions:
        return
    existing = (
        SearchRollup.objects.order_by().values_list("source_agency_id", "month").distinct().count()
    )
    update = f"""
        UPDATE {table} SET devices_max = m.devices_max
        FROM (
            SELECT s.source_agency_id, s.searching_agency_id, {month} AS month,
                COALESCE(s.category_id, 0) AS category, s.flags,
                MAX(s.devices_searched) AS devices_max
            FROM {search} AS s {{join}}
            GROUP BY s.source_agency_id, s.searching_agency_id, {month},
                COALESCE(s.category_id, 0), s.flags
        ) AS m
        WHERE {table}.source_agency_id = m.source_agency_id
          AND {table}.searching_agency_id = m.searching_agency_id
          AND {table}.month = m.month AND COALESCE({table}.category_id, 0) = m.category
          AND {table}.flags = m.flags
          AND {table}.devices_max IS DISTINCT FROM m.devices_max
    """
    with connection.cursor() as cursor:
        if len(partitions) > max(FULL_REBUILD_SHARE * existing, 50):
            cursor.execute(update.format(join=""))
            return
        for i in range(0, len(partitions), BATCH):
            batch = partitions[i : i + BATCH]
            params: list[Any] = []
            for source_id, first in batch:
                params.extend([source_id, _utc(first), _utc(next_month(first))])
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            join = (
                f"JOIN (VALUES {values}) AS p ON s.source_agency_id = p.column1"
                " AND s.searched_at >= p.column2 AND s.searched_at < p.column3"
            )
            cursor.execute(update.format(join=join), params)


@transaction.atomic
def rollups_refresh(
    *, source_agency_ids: Iterable[int], months: Iterable[dt.date] | None = None
) -> None:
    """Re-aggregate the rollups of these source agencies (all months, or only ``months``)."""
    source_ids = sorted({int(i) for i in source_agency_ids})
    if not source_ids:
        return
    if months is None:
        _tune()
        for table in TABLES:
            _refresh_sources(table, source_ids)
        summaries_refresh(source_ids=source_ids)
        return
    month_list = sorted({_first_of_month(m) for m in months})
    rollups_refresh_partitions(
        partitions=[(src, m) for src in source_ids for m in month_list], tables=TABLES
    )


@transaction.atomic
def rollups_add_import(*, source_id: int, months: Iterable[dt.date], min_search_id: int) -> None:
    """The rollups after an import added searches (ids from ``min_search_id``) to one audit:
    the months it touched are re-aggregated, and the searcher pairs of its new searches join
    the source's searcher set (an import removes nothing, so no recount is needed)."""
    month_list = sorted({_first_of_month(m) for m in months})
    if not month_list:
        return
    _tune()
    pairs = [(int(source_id), m) for m in month_list]
    for table in ("rollup", "day"):
        for i in range(0, len(pairs), BATCH):
            _refresh_pairs(table, pairs[i : i + BATCH])
    _, insert = _insert_sql("searcher", join="", where="s.source_agency_id = %s AND s.id >= %s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} ON CONFLICT (source_agency_id, searching_agency_id, searcher_hash) "
            "DO NOTHING",
            [int(source_id), int(min_search_id)],
        )
    summaries_refresh(source_ids=[source_id])


@transaction.atomic
def rollups_rebuild_all() -> None:
    """Rebuild every rollup table from all searches."""
    _tune()
    for table in TABLES:
        _refresh_all(table)
    summaries_refresh()
