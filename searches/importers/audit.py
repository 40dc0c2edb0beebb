"""The search-audit importer registered for ``ImportJob.Kind.AUDIT``.

Job options: ``agency`` (whose audit the file is: the source agency; required, since no audit
layout names it) and ``format`` (``auto`` or one of :data:`layouts.FORMAT_CHOICES`).

The file streams through in chunks: rows are parsed in Python (private columns dropped on the
spot), searching agencies resolved once per distinct name, and each chunk loaded by
:mod:`searches.importers.load`. Chunks are committed in segments of ``AUDIT_SEGMENT_ROWS`` rows
with the job's checkpoint (PostgreSQL; the embedded SQLite runs the job in one transaction): a
worker killed halfway leaves a job that the next run continues after its last segment. The
searches become visible, with their rollups, only when the last segment is in, in one
transaction. Re-importing a file, or a file that overlaps an earlier one, adds only searches not
seen before. Two imports of one audit run one after the other (an advisory lock on the source);
imports of different audits run side by side.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.import_scope import ImportScope
from core.imports import (
    Checkpoint,
    ImportFileError,
    ImportReport,
    import_job_heartbeat,
    import_job_progress,
)
from core.models import Agency, ImportJob
from core.services import agency_find, agency_resolver
from searches import partitions
from searches.importers.layouts import choose_layout
from searches.importers.load import AgencyBook, Loader, LoadResult, loader_for
from searches.importers.readers import open_table
from searches.importers.rows import AuditRow, RowError, RowParser
from searches.selectors.rules import classification_stamp
from searches.services.reclassification import (
    classification_lock_shared,
    reasons_classify_pending,
    searches_apply_classification,
)
from searches.services.rollups import rollups_add_import

logger = logging.getLogger(__name__)

CHUNK_ROWS = 20_000
# pg_advisory_lock(namespace, source agency id): one import per audit at a time; "aud".
SOURCE_LOCK_NAMESPACE = 0x617564


def source_agency(job: ImportJob, *, scope: ImportScope | None = None) -> Agency:
    """The agency whose audit this is, from the job's ``agency`` option; every row of the file
    is that agency's data, so one outside ``scope`` fails the whole file."""
    scope = scope or ImportScope()
    name = str((job.options or {}).get("agency") or "").strip()
    if not name:
        raise ImportFileError(
            _(
                "Say whose audit this is: give the agency's name with the import (audit files "
                "do not name the agency whose data was searched)."
            )
        )
    agency = agency_find(name=name)
    if agency is None:
        if not scope.owns_city(job.city_id):
            raise ImportFileError(
                _("“%s” is not an agency of your cities; add it to your city first.") % name[:100]
            )
        resolved = agency_resolver(names=[name], home_city=job.city)
        if name not in resolved:
            raise ImportFileError(_("“%s” is not an agency name.") % name[:100])
        agency = resolved[name]
    if refusal := scope.agency_refusal(agency):
        raise ImportFileError(
            _("Whose audit this is: %(refusal)s. Nothing was imported.") % {"refusal": refusal}
        )
    return agency


def after_load(*, source: Agency, result: LoadResult, stamp: str) -> None:
    """Bring what the load added up to date, in the transaction that makes it visible: only if
    the rules or the state laws changed since the import began (its rows were classified with
    the old ones) are they classified again; then the rollups take the new searches."""
    if not result.created or result.first_id is None:
        return
    if stamp != classification_stamp():
        reasons_classify_pending()
        searches_apply_classification(source_agency_ids=[source.pk], min_search_id=result.first_id)
    rollups_add_import(source_id=source.pk, months=result.months, min_search_id=result.first_id)


@contextmanager
def _source_lock(source: Agency) -> Iterator[None]:
    """One import of an audit at a time (PostgreSQL: a session lock, released if the worker
    dies); other audits' imports are not held up."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [SOURCE_LOCK_NAMESPACE, source.pk])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [SOURCE_LOCK_NAMESPACE, source.pk])


def _drop_orphaned_load_tables() -> None:
    """Load tables of jobs that will not run again (failed for good, deleted)."""
    if not partitions.is_partitioned():
        return
    live = set(
        ImportJob.objects.filter(
            status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
        ).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        for name in partitions.load_tables_orphaned(cursor, live):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def run(
    *,
    job: ImportJob,
    stream: IO[bytes],
    report: ImportReport,
    scope: ImportScope,
    checkpoint: Checkpoint,
) -> None:
    """Import one audit file into ``job``'s report (see the module docstring for options);
    the audited agency must be inside ``scope``."""
    options = job.options or {}
    source = source_agency(job, scope=scope)
    table = open_table(stream)
    # A header-only file says so, whatever its header: "no data rows" is the useful answer
    # even when the header is one no layout knows.
    first = next(table.rows, None)
    if first is None:
        raise ImportFileError(_("The file has a header line but no data rows."))
    layout, columns = choose_layout(table.header, wanted=str(options.get("format") or "auto"))
    parser = RowParser(layout=layout, columns=columns, report=report)
    with _source_lock(source):
        _drop_orphaned_load_tables()
        agencies = AgencyBook(source)
        loader = loader_for(source=source, job_id=job.pk, agencies=agencies)
        try:
            _load(
                rows=itertools.chain([first], table.rows),
                parser=parser,
                loader=loader,
                agencies=agencies,
                job=job,
                report=report,
                checkpoint=checkpoint,
                progress=lambda: import_job_progress(
                    job=job,
                    done=table.position(),
                    total=table.size,
                    rows=report.read,
                    unit="bytes" if table.kind == "csv" else "rows",
                ),
            )
            with transaction.atomic():
                classification_lock_shared()
                result = loader.finish()
                report.created += result.created
                report.unchanged += result.duplicates
                after_load(source=source, result=result, stamp=checkpoint.state["stamp"])
                if result.created:
                    scope.touch(source.home_city_id)
        except SoftTimeLimitExceeded:
            raise  # the committed segments wait for the next run (core.imports continues it)
        except BaseException:
            # A failed import leaves nothing behind; a killed worker never gets here, and its
            # committed segments wait for the rerun.
            loader.discard()
            raise
    logger.info(
        "Audit import %s (%s, %s): %s",
        job.pk,
        layout.slug,
        source,
        {"read": report.read, "new": report.created, "duplicate": report.unchanged},
    )


def _load(
    *,
    rows: Iterator[tuple[int, list[str] | None, str]],
    parser: RowParser,
    loader: Loader,
    agencies: AgencyBook,
    job: ImportJob,
    report: ImportReport,
    checkpoint: Checkpoint,
    progress: Callable[[], None],
) -> None:
    """Parse and load the rows after the checkpoint, committing a segment (with the checkpoint)
    every ``AUDIT_SEGMENT_ROWS`` rows."""
    state = checkpoint.state
    if not state:
        state = {"line": 0, "stamp": classification_stamp()}
        with transaction.atomic():
            checkpoint.save(state)
    done_line = int(state["line"])
    segment_rows = int(getattr(settings, "AUDIT_SEGMENT_ROWS", 500_000))
    parse = parser.parse

    def flush(chunk: list[AuditRow]) -> None:
        _flush(chunk, agencies=agencies, loader=loader, report=report)
        import_job_heartbeat(job=job)
        progress()

    def take(line: int, values: list[str] | None, error: str, chunk: list[AuditRow]) -> None:
        report.read += 1
        if values is None:
            report.reject(line=line, message=error)
            return
        try:
            chunk.append(parse(line, values))
        except RowError as exc:
            report.reject(line=line, message=str(exc))

    finished = False
    while not finished:
        with transaction.atomic():
            chunk: list[AuditRow] = []
            in_segment = 0
            finished = True
            for line, values, error in rows:
                if line <= done_line:
                    continue  # committed by an earlier run
                take(line, values, error, chunk)
                in_segment += 1
                if len(chunk) >= CHUNK_ROWS:
                    flush(chunk)
                    chunk = []
                if in_segment >= segment_rows:
                    done_line, finished = line, False
                    break
                done_line = line
            if chunk:
                flush(chunk)
            checkpoint.save({**state, "line": done_line})


def _flush(
    chunk: list[AuditRow], *, agencies: AgencyBook, loader: Loader, report: ImportReport
) -> None:
    """Resolve the chunk's new searching names, reject rows naming no agency, load the rest."""
    names = {
        r.searching_name
        for r in chunk
        if r.searching_name is not None and r.searching_name not in agencies.ids
    }
    names -= agencies.unusable
    if names:
        resolved = agency_resolver(names=names)
        agencies.add(resolved, names - resolved.keys())
    if agencies.unusable:
        for row in chunk:
            if row.searching_name in agencies.unusable:
                report.reject(
                    line=row.line,
                    message=_("the searching organization “%s” is not an agency name")
                    % row.searching_name[:100],
                )
        chunk = [row for row in chunk if row.searching_name not in agencies.unusable]
    loader.load(chunk)
