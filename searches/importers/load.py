"""Writing normalized audit rows.

Only per-distinct work happens in Python: each new (reason, offense) pair is scrubbed of names,
classified with the current rules and inserted once, already classified (``ReasonBook``); each
(searching agency, reason flags) pair gets its state-law flags once (``searches.classifier.
search_flags``). Rows then go to the database in bulk with their final category and flags, so
no classification pass runs after the load.

PostgreSQL (``PostgresLoader``): rows are copied into a bare load table of the job (no index, no
key), segment by segment; ``finish`` drops the file's repeated rows (the first in file order
wins) and either attaches the table, indexed once, as the source's partition (a source seen for
the first time) or inserts into the source's partition only the rows whose dedupe key it lacks
(``searches.partitions``). SQLite and others (``BatchLoader``): batched inserts of the rows whose
key is new. Both count the same way: a row is new when no search of the same source has its
dedupe key yet, earlier rows of the same file included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Field

from core.chunks import chunks
from core.imports import bulk_insert
from core.models import Agency
from searches import partitions
from searches.classifier import StateLaw, classify, search_flags
from searches.importers.rows import AuditRow
from searches.models import OffenseType, Reason, Search
from searches.scrub import mask_names
from searches.selectors.rules import rules_current, state_laws

# Reasons known to this import, so that a chunk looks up only reasons it has not seen; bounded
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


# The same columns as they are named in the table, in COPY order (``id`` from its sequence).
SEARCH_DB_COLUMNS = [
    str(f.column)
    for f in (Search._meta.get_field(n) for n in SEARCH_COLUMNS)
    if isinstance(f, Field)
]


@dataclass
class LoadResult:
    loaded: int = 0  # rows handed to the loader
    created: int = 0
    first_id: int | None = None
    months: set[dt.date] = field(default_factory=set)

    @property
    def duplicates(self) -> int:
        return self.loaded - self.created


class AgencyBook:
    """Searching agencies of an import: name as written (None: the source) -> id, and what the
    flags read of each (state, federal)."""

    def __init__(self, source: Agency) -> None:
        self.source = source
        self.ids: dict[str | None, int] = {None: source.pk}
        self.facts: dict[int, tuple[str, bool]] = {
            source.pk: (source.state, source.kind == Agency.Kind.FEDERAL)
        }
        self.unusable: set[str] = set()

    def add(self, resolved: dict[str, Agency], unresolved: Iterable[str]) -> None:
        for name, agency in resolved.items():
            self.ids[name] = agency.pk
            self.facts[agency.pk] = (agency.state, agency.kind == Agency.Kind.FEDERAL)
        self.unusable.update(unresolved)


class ReasonBook:
    """Distinct reasons of an import: key -> (id, category id, flags). New ones are inserted
    with names masked for review and classified with the rules of the import's start."""

    def __init__(self) -> None:
        self.rules = rules_current()
        self.known: dict[str, tuple[int, int | None, int]] = {}

    def resolve(self, rows: list[AuditRow]) -> dict[str, tuple[int, int | None, int]]:
        wanted: dict[str, tuple[str, str]] = {}
        for row in rows:
            if row.reason_key not in self.known:
                wanted.setdefault(row.reason_key, (row.reason, row.offense))
        if wanted:
            if len(self.known) + len(wanted) > KNOWN_REASONS_MAX:
                self.known = {}
                wanted = {row.reason_key: (row.reason, row.offense) for row in rows}
            self._fetch(list(wanted))
            missing = {key: value for key, value in wanted.items() if key not in self.known}
            if missing:
                self._create(missing)
                # Inserted by another import meanwhile (PostgreSQL), or on other databases.
                self._fetch([key for key in missing if key not in self.known])
        return self.known

    def _fetch(self, keys: list[str]) -> None:
        if not keys:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT key, id, category_id, flags FROM {Reason._meta.db_table} "
                    "WHERE key = ANY(%s)",
                    [keys],
                )
                for key, pk, category_id, flags in cursor.fetchall():
                    self.known[key] = (pk, category_id, flags)
            return
        for chunk in chunks(keys, SQLITE_BATCH):
            for key, pk, category_id, flags in Reason.objects.filter(key__in=chunk).values_list(
                "key", "pk", "category_id", "flags"
            ):
                self.known[key] = (pk, category_id, flags)

    def _create(self, missing: dict[str, tuple[str, str]]) -> None:
        rows: list[tuple[Any, ...]] = []
        unknown: dict[str, None] = {}
        for key, (text, offense) in missing.items():
            masked = mask_names(text)
            shown = masked or text
            result = classify(shown, offense, rules=self.rules)
            unknown.update(dict.fromkeys(result.unknown_offenses))
            rows.append(
                (
                    key,
                    shown,
                    text if masked else "",
                    Reason.NameReview.PENDING if masked else Reason.NameReview.NONE,
                    offense,
                    result.category_id,
                    result.offense_family_id,
                    result.flags,
                    self.rules.version,
                )
            )
        self.known.update(_insert_reasons(rows))
        if unknown:
            OffenseType.objects.bulk_create(
                [OffenseType(name=name[:300]) for name in unknown], ignore_conflicts=True
            )


REASON_FIELDS = [
    "key",
    "text",
    "held_text",
    "name_review",
    "offense_text",
    "category",
    "offense_family",
    "flags",
    "rules_version",
]


def _insert_reasons(rows: list[tuple[Any, ...]]) -> dict[str, tuple[int, int | None, int]]:
    """Insert new reasons, skipping keys another import inserted meanwhile; returns what it
    inserted (PostgreSQL; elsewhere the caller reads the keys back)."""
    fields = [Reason._meta.get_field(f) for f in REASON_FIELDS]
    attnames = [f.attname for f in fields if isinstance(f, Field)]
    if connection.vendor != "postgresql":
        Reason.objects.bulk_create(
            [Reason(**dict(zip(attnames, row, strict=True))) for row in rows],
            batch_size=SQLITE_BATCH,
            ignore_conflicts=True,
        )
        return {}
    columns = ", ".join(str(f.column) for f in fields if isinstance(f, Field))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.audit_stage_reason') IS NULL")
        if cursor.fetchone()[0]:
            cursor.execute(
                f"CREATE TEMP TABLE audit_stage_reason ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM {Reason._meta.db_table} WITH NO DATA"
            )
        with cursor.copy(f"COPY audit_stage_reason ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {Reason._meta.db_table} ({columns}) "
            f"SELECT {columns} FROM audit_stage_reason ON CONFLICT (key) DO NOTHING "
            "RETURNING key, id, category_id, flags"
        )
        inserted = {key: (pk, category_id, flags) for key, pk, category_id, flags in cursor}
        cursor.execute("TRUNCATE audit_stage_reason")
    return inserted


class Loader:
    """Loads the chunks of one audit (source agency) for one job."""

    def __init__(self, *, source: Agency, job_id: int, agencies: AgencyBook) -> None:
        self.source_id = source.pk
        self.job_id = job_id
        self.agencies = agencies
        self.reasons = ReasonBook()
        self.laws: dict[str, StateLaw] = state_laws()
        self._flags: dict[tuple[int, int], int] = {}
        self.result = LoadResult()

    def flags_for(self, searching_id: int, reason_flags: int) -> int:
        key = (searching_id, reason_flags)
        flags = self._flags.get(key)
        if flags is None:
            source_state = self.agencies.facts[self.source_id][0]
            state, federal = self.agencies.facts[searching_id]
            flags = search_flags(
                reason_flags=reason_flags,
                source_state=source_state,
                searcher_state=state,
                searcher_federal=federal,
                laws=self.laws,
            )
            self._flags[key] = flags
        return flags

    def load(self, rows: list[AuditRow]) -> None:
        raise NotImplementedError

    def finish(self) -> LoadResult:
        raise NotImplementedError

    def discard(self) -> None:
        """Drop what a failed import loaded (outside the job's transaction, if anything)."""
        raise NotImplementedError


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


COPY_BLOCK_ROWS = 2000


class PostgresLoader(Loader):
    """COPY into the job's load table; ``finish`` attaches or merges it (see the module)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with connection.cursor() as cursor:
            self.table = partitions.load_table_create(cursor, self.job_id)

    def load(self, rows: list[AuditRow]) -> None:
        reasons = self.reasons.resolve(rows)
        ids = self.agencies.ids
        source, job = self.source_id, self.job_id
        flags_for = self.flags_for
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {self.table} ({', '.join(SEARCH_DB_COLUMNS)}) FROM STDIN") as copy,
        ):
            for start in range(0, len(rows), COPY_BLOCK_ROWS):
                lines = []
                for r in rows[start : start + COPY_BLOCK_ROWS]:
                    searcher = ids[r.searching_name]
                    reason_id, category_id, reason_flags = reasons[r.reason_key]
                    lines.append(
                        f"{source}\t{searcher}\t{_ts(r.searched_at)}\t{reason_id}\t"
                        f"{_int(category_id)}\t{flags_for(searcher, reason_flags)}\t"
                        f"{_bool(r.case_number_present)}\t{_int(r.networks)}\t"
                        f"{_int(r.devices)}\t{_ts(r.time_frame_start)}\t"
                        f"{_ts(r.time_frame_end)}\t{_text(r.search_type)}\t"
                        f"{_text(r.moderation)}\t{_text(r.external_id)}\t"
                        f"{_text(r.dedupe_key)}\t{r.searcher_hash}\t{job}\n"
                    )
                copy.write("".join(lines))
        self.result.loaded += len(rows)

    def finish(self) -> LoadResult:
        """Dedupe the load, then attach it as the source's partition or merge its new rows;
        in the caller's transaction."""
        source, table, job = self.source_id, self.table, self.job_id
        result = self.result
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            result.loaded = cursor.fetchone()[0]  # every committed segment's rows
            partitions.load_table_dedupe(cursor, table)
            if partitions.partition_exists(cursor, source):
                result.created, result.first_id, result.months = partitions.load_table_merge(
                    cursor, table, source
                )
                return result
            partitions.attach_lock(cursor)
            partitions.load_table_take_default(cursor, table, source)
            cursor.execute(
                f"SELECT count(*), min(id), array_agg(DISTINCT "
                f"date_trunc('month', searched_at AT TIME ZONE 'UTC')::date) "
                f"FROM {table} WHERE job_id = %s",
                [job],
            )
            created, first_id, months = cursor.fetchone()
            result.created, result.first_id, result.months = created, first_id, set(months or ())
            partitions.load_table_index(cursor, table)
            partitions.load_table_attach(cursor, table, source)
        return result

    def discard(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


# --- SQLite and others ------------------------------------------------------------------------


class BatchLoader(Loader):
    """Batched inserts with keys checked first, so the counts are exact without COPY."""

    _max_id: int | None = None

    def load(self, rows: list[AuditRow]) -> None:
        if self._max_id is None:
            self._max_id = Search.objects.order_by("-id").values_list("id", flat=True).first() or 0
        reasons = self.reasons.resolve(rows)
        existing: set[str] = set()
        keys = list({row.dedupe_key for row in rows})
        for chunk in chunks(keys, SQLITE_BATCH):
            existing.update(
                Search.objects.filter(
                    source_agency_id=self.source_id, dedupe_key__in=chunk
                ).values_list("dedupe_key", flat=True)
            )
        fresh: list[tuple[Any, ...]] = []
        ids = self.agencies.ids
        for r in rows:
            if r.dedupe_key in existing:
                continue
            existing.add(r.dedupe_key)
            searcher = ids[r.searching_name]
            reason_id, category_id, reason_flags = reasons[r.reason_key]
            self.result.months.add(dt.date(r.searched_at.year, r.searched_at.month, 1))
            fresh.append(
                (
                    self.source_id,
                    searcher,
                    r.searched_at,
                    reason_id,
                    category_id,
                    self.flags_for(searcher, reason_flags),
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
        self.result.loaded += len(rows)
        if created and self.result.first_id is None:
            # SQLite ids only grow (AUTOINCREMENT), so the first new id follows the old maximum.
            self.result.first_id = self._max_id + 1
        self.result.created += created

    def finish(self) -> LoadResult:
        return self.result

    def discard(self) -> None:
        """Nothing to drop: the rows were written in the job's transaction."""


def loader_for(
    *, source: Agency, job_id: int, agencies: AgencyBook
) -> PostgresLoader | BatchLoader:
    if partitions.is_partitioned():
        return PostgresLoader(source=source, job_id=job_id, agencies=agencies)
    return BatchLoader(source=source, job_id=job_id, agencies=agencies)
