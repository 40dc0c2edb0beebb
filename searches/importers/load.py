"""Writing chunks of normalized audit rows: COPY and set-based SQL on PostgreSQL, batched
inserts elsewhere. Both count new and duplicate rows the same way: a row is new when no search
of the same source has its dedupe key yet, earlier rows of the same file included, and the first
row in file order wins.

Distinct reasons are upserted first (new ones are classified at once when the classifier is
installed), so each new search is inserted with its reason's category and concern flags and the
classification pass after the load only touches rows whose state-law flags differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection

from core.chunks import chunks
from core.imports import bulk_insert
from core.models import Agency
from searches.importers.rows import AuditRow
from searches.models import Reason, Search
from searches.services.reclassification import flags_sql, law_values_sql
from searches.services.scrubbing import reasons_hold_names

# Keys of reasons known to exist, so that a chunk stages only reasons it has not seen; bounded
# so that a file with millions of distinct reasons keeps a flat memory profile.
KNOWN_REASONS_MAX = 200_000
SQLITE_BATCH = 500  # parameters per IN (...) lookup

SEARCH_COLUMNS = [
    "source_agency",
    "searching_agency",
    "searched_at",
    "reason",
    "category",
    "flags",
    "case_number_present",
    "networks_searched",
    "devices_searched",
    "time_frame_start",
    "time_frame_end",
    "search_type",
    "moderation",
    "external_id",
    "dedupe_key",
    "searcher_hash",
    "job",
]


@dataclass
class LoadResult:
    created: int = 0
    duplicates: int = 0
    first_id: int | None = None
    months: set[dt.date] = field(default_factory=set)

    def add(self, *, created: int, first_id: int | None, months: Iterable[dt.date]) -> None:
        self.created += created
        if first_id is not None and (self.first_id is None or first_id < self.first_id):
            self.first_id = first_id
        self.months.update(months)


ClassifyReasons = Callable[[list[int]], object]


class Loader:
    """Loads chunks for one source agency and job; ``agency_ids`` maps searching names."""

    def __init__(self, *, source_id: int, job_id: int | None, classify: ClassifyReasons | None):
        self.source_id = source_id
        self.job_id = job_id
        self.classify = classify
        self.result = LoadResult()
        self._known_reasons: set[str] = set()

    def _fresh_reasons(self, rows: list[AuditRow]) -> dict[str, tuple[str, str]]:
        fresh: dict[str, tuple[str, str]] = {}
        known = self._known_reasons
        for row in rows:
            if row.reason_key not in known and row.reason_key not in fresh:
                fresh[row.reason_key] = (row.reason, row.offense)
        return fresh

    def _remember(self, keys: Iterable[str]) -> None:
        if len(self._known_reasons) > KNOWN_REASONS_MAX:
            self._known_reasons.clear()
        self._known_reasons.update(keys)

    def _new_reasons(self, reason_ids: list[int]) -> None:
        """Mask the names in reasons just inserted (before anything reads them), classify them."""
        if not reason_ids:
            return
        reasons_hold_names(reason_ids=reason_ids)
        if self.classify is not None:
            self.classify(reason_ids)

    def load(self, rows: list[AuditRow], agency_ids: dict[str | None, int]) -> int:
        raise NotImplementedError

    def finish(self) -> LoadResult:
        return self.result


# --- PostgreSQL -------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """A value in COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _ts(value: dt.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat(sep=" ")


def _int(value: int | None) -> str:
    return "\\N" if value is None else str(value)


def _bool(value: bool | None) -> str:
    return "\\N" if value is None else ("t" if value else "f")


STAGE_SEARCH = "audit_stage_search"
STAGE_REASON = "audit_stage_reason"
COPY_BLOCK_ROWS = 2000


class PostgresLoader(Loader):
    """COPY each chunk into temporary staging tables, then upsert with one statement each."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with connection.cursor() as cursor:
            # Dropped at commit; IF NOT EXISTS + TRUNCATE for a second import in one transaction.
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_REASON} "
                "(key text, text text, offense_text text) ON COMMIT DROP"
            )
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_SEARCH} ("
                "line integer, searching_agency_id bigint, searched_at timestamptz, "
                "reason_key text, case_number_present boolean, networks_searched integer, "
                "devices_searched integer, time_frame_start timestamptz, "
                "time_frame_end timestamptz, search_type text, moderation text, "
                "external_id text, dedupe_key text, searcher_hash text) ON COMMIT DROP"
            )
            cursor.execute(f"TRUNCATE {STAGE_REASON}, {STAGE_SEARCH}")
            # Sorting a chunk by line must not spill to disk (this transaction only).
            cursor.execute("SET LOCAL work_mem = '64MB'")
            # Django's foreign keys are checked at commit: millions of queued checks would sit
            # in the server's memory until then. Checked per chunk instead, the queue stays small.
            self._foreign_keys = [
                name
                for name, info in connection.introspection.get_constraints(
                    cursor, Search._meta.db_table
                ).items()
                if info["foreign_key"]
            ]
            self._set_foreign_keys(cursor, "IMMEDIATE")

    def _set_foreign_keys(self, cursor, mode: str) -> None:
        if self._foreign_keys:
            names = ", ".join(connection.ops.quote_name(n) for n in self._foreign_keys)
            cursor.execute(f"SET CONSTRAINTS {names} {mode}")

    def finish(self) -> LoadResult:
        with connection.cursor() as cursor:
            self._set_foreign_keys(cursor, "DEFERRED")
        return self.result

    def _upsert_reasons(self, cursor, fresh: dict[str, tuple[str, str]]) -> None:
        if not fresh:
            return
        with cursor.copy(f"COPY {STAGE_REASON} (key, text, offense_text) FROM STDIN") as copy:
            copy.write(
                "".join(
                    f"{key}\t{_text(text)}\t{_text(offense)}\n"
                    for key, (text, offense) in fresh.items()
                )
            )
        cursor.execute(
            f"INSERT INTO {Reason._meta.db_table} (key, text, offense_text, flags, rules_version, "
            "held_text, name_review) "
            f"SELECT key, text, offense_text, 0, 0, '', 'none' FROM {STAGE_REASON} "
            "ON CONFLICT (key) DO NOTHING RETURNING id"
        )
        new_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"TRUNCATE {STAGE_REASON}")
        self._new_reasons(new_ids)
        self._remember(fresh)

    def load(self, rows: list[AuditRow], agency_ids: dict[str | None, int]) -> int:
        with connection.cursor() as cursor:
            self._upsert_reasons(cursor, self._fresh_reasons(rows))
            with cursor.copy(
                f"COPY {STAGE_SEARCH} (line, searching_agency_id, searched_at, reason_key, "
                "case_number_present, networks_searched, devices_searched, time_frame_start, "
                "time_frame_end, search_type, moderation, external_id, dedupe_key, "
                "searcher_hash) FROM STDIN"
            ) as copy:
                for start in range(0, len(rows), COPY_BLOCK_ROWS):
                    copy.write(
                        "".join(
                            f"{r.line}\t{agency_ids[r.searching_name]}\t{_ts(r.searched_at)}\t"
                            f"{r.reason_key}\t{_bool(r.case_number_present)}\t"
                            f"{_int(r.networks)}\t{_int(r.devices)}\t"
                            f"{_ts(r.time_frame_start)}\t{_ts(r.time_frame_end)}\t"
                            f"{_text(r.search_type)}\t{_text(r.moderation)}\t"
                            f"{_text(r.external_id)}\t{_text(r.dedupe_key)}\t{r.searcher_hash}\n"
                            for r in rows[start : start + COPY_BLOCK_ROWS]
                        )
                    )
            flags_sql, law_sql, law_params = _search_flags()
            cursor.execute(
                f"""
                WITH {law_sql} inserted AS (
                    INSERT INTO {Search._meta.db_table} (
                        source_agency_id, searching_agency_id, searched_at, reason_id,
                        category_id, flags, case_number_present, networks_searched,
                        devices_searched, time_frame_start, time_frame_end, search_type,
                        moderation, external_id, dedupe_key, searcher_hash, job_id)
                    SELECT %s, s.searching_agency_id, s.searched_at, r.id, r.category_id,
                        {flags_sql}, s.case_number_present, s.networks_searched,
                        s.devices_searched, s.time_frame_start, s.time_frame_end,
                        s.search_type, s.moderation, s.external_id, s.dedupe_key,
                        s.searcher_hash, %s
                    FROM {STAGE_SEARCH} s
                    JOIN {Reason._meta.db_table} r ON r.key = s.reason_key
                    {_FLAG_JOINS if law_sql else ""}
                    ORDER BY s.line
                    ON CONFLICT (source_agency_id, dedupe_key) DO NOTHING
                    RETURNING id, searched_at
                )
                SELECT count(*), min(id),
                    array_agg(DISTINCT date_trunc('month', searched_at AT TIME ZONE 'UTC')::date)
                FROM inserted
                """,
                [*law_params, self.source_id, self.job_id, *([self.source_id] if law_sql else [])],
            )
            created, first_id, months = cursor.fetchone()
            cursor.execute(f"TRUNCATE {STAGE_SEARCH}")
        self.result.add(created=created, first_id=first_id, months=months or ())
        return created


# The agencies and state-law rows the flags expression of the classifier reads.
_FLAG_JOINS = f"""
    JOIN {Agency._meta.db_table} src ON src.id = %s
    LEFT JOIN law ls ON ls.column1 = src.state
    JOIN {Agency._meta.db_table} sa ON sa.id = s.searching_agency_id
    LEFT JOIN law la ON la.column1 = sa.state
"""


def _search_flags() -> tuple[str, str, list]:
    """(flags expression, law CTE, its parameters) from the classifier, so that a new search
    gets its final flags (concerns and state-law bits) as it is inserted and the classification
    pass after the load rewrites nothing: on a network audit most searches are out of state, and
    rewriting them doubled the cost of an import."""
    values, params = law_values_sql()
    return flags_sql(), f"law AS (SELECT * FROM (VALUES {values}) AS l),", params


# --- SQLite and others ------------------------------------------------------------------------


class BatchLoader(Loader):
    """Batched inserts with keys checked first, so the counts are exact without COPY."""

    _max_id: int | None = None

    def _reason_map(self, rows: list[AuditRow]) -> dict[str, tuple[int, int | None, int]]:
        wanted: dict[str, tuple[str, str]] = {}
        for row in rows:
            wanted.setdefault(row.reason_key, (row.reason, row.offense))
        found: dict[str, tuple[int, int | None, int]] = {}

        def fetch(keys: list[str]) -> None:
            for chunk in chunks(keys, SQLITE_BATCH):
                for key, pk, category_id, flags in Reason.objects.filter(key__in=chunk).values_list(
                    "key", "pk", "category_id", "flags"
                ):
                    found[key] = (pk, category_id, flags)

        fetch(list(wanted))
        missing = [key for key in wanted if key not in found]
        if missing:
            Reason.objects.bulk_create(
                [Reason(key=k, text=wanted[k][0], offense_text=wanted[k][1]) for k in missing],
                batch_size=SQLITE_BATCH,
                ignore_conflicts=True,
            )
            fetch(missing)
            self._new_reasons([found[k][0] for k in missing])
            if self.classify is not None:
                fetch(missing)  # now with their category and flags
        return found

    def load(self, rows: list[AuditRow], agency_ids: dict[str | None, int]) -> int:
        if self._max_id is None:
            self._max_id = Search.objects.order_by("-id").values_list("id", flat=True).first() or 0
        reasons = self._reason_map(rows)
        existing: set[str] = set()
        keys = list({row.dedupe_key for row in rows})
        for chunk in chunks(keys, SQLITE_BATCH):
            existing.update(
                Search.objects.filter(
                    source_agency_id=self.source_id, dedupe_key__in=chunk
                ).values_list("dedupe_key", flat=True)
            )
        fresh: list[tuple] = []
        months: set[dt.date] = set()
        for r in rows:
            if r.dedupe_key in existing:
                continue
            existing.add(r.dedupe_key)
            reason_id, category_id, flags = reasons[r.reason_key]
            months.add(dt.date(r.searched_at.year, r.searched_at.month, 1))
            fresh.append(
                (
                    self.source_id,
                    agency_ids[r.searching_name],
                    r.searched_at,
                    reason_id,
                    category_id,
                    flags,
                    r.case_number_present,
                    r.networks,
                    r.devices,
                    r.time_frame_start,
                    r.time_frame_end,
                    r.search_type,
                    r.moderation,
                    r.external_id,
                    r.dedupe_key,
                    r.searcher_hash,
                    self.job_id,
                )
            )
        created = bulk_insert(model=Search, fields=SEARCH_COLUMNS, rows=fresh)
        # SQLite ids only grow (AUTOINCREMENT), so the first new id follows the old maximum.
        self.result.add(
            created=created, first_id=self._max_id + 1 if created else None, months=months
        )
        return created


def loader_for(**kwargs) -> Loader:
    if connection.vendor == "postgresql":
        return PostgresLoader(**kwargs)
    return BatchLoader(**kwargs)
