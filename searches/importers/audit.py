"""The search-audit importer registered for ``ImportJob.Kind.AUDIT``.

Job options: ``agency`` (whose audit the file is: the source agency; required, since no audit
layout names it) and ``format`` (``auto`` or one of :data:`layouts.FORMAT_CHOICES`).

The file streams through in chunks: rows are parsed in Python (private columns dropped on the
spot), searching agencies resolved once per distinct name, and each chunk loaded by
:mod:`searches.importers.load`. The whole import runs inside ``import_job_run``'s transaction,
so a worker killed halfway commits nothing and the rerun starts from a clean slate; re-importing
a file, or a file that overlaps an earlier one, adds only searches not seen before.
"""

from __future__ import annotations

import itertools
import logging
from typing import IO

from django.utils.translation import gettext as _

from core.import_scope import ImportScope
from core.imports import (
    ImportFileError,
    ImportReport,
    import_job_heartbeat,
    import_job_progress,
)
from core.models import Agency, ImportJob
from core.services import agency_find, agency_resolver
from searches.importers.layouts import choose_layout
from searches.importers.load import LoadResult, loader_for
from searches.importers.readers import open_table
from searches.importers.rows import AuditRow, RowError, RowParser
from searches.services.reclassification import (
    reasons_classify_pending,
    searches_apply_classification,
)
from searches.services.rollups import rollups_refresh

logger = logging.getLogger(__name__)

CHUNK_ROWS = 20_000


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


def after_load(*, source: Agency, result: LoadResult) -> None:
    """Classify what the load added and refresh the rollups it touched, in the job's
    transaction, so that the statistics change exactly when the searches become visible."""
    reasons_classify_pending()
    if not result.created:
        return
    searches_apply_classification(source_agency_ids=[source.pk], min_search_id=result.first_id)
    rollups_refresh(source_agency_ids=[source.pk], months=sorted(result.months))


class _Agencies(dict):
    """{searching name as written (None: the source itself): agency id}, filled per chunk and
    kept across chunks (a network audit names a few thousand agencies over millions of rows)."""

    def __init__(self, source: Agency):
        super().__init__({None: source.pk})
        self.unusable: set[str] = set()

    def resolve(self, rows: list[AuditRow]) -> None:
        names = {r.searching_name for r in rows if r.searching_name not in self}
        if names:
            resolved = agency_resolver(names=names)
            self.update((name, agency.pk) for name, agency in resolved.items())
            self.unusable.update(names - resolved.keys())


def run(*, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope) -> None:
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
    loader = loader_for(
        source_id=source.pk,
        job_id=job.pk,
        classify=lambda ids: reasons_classify_pending(reason_ids=ids),
    )
    agencies = _Agencies(source)

    def flush(chunk: list[AuditRow]) -> None:
        agencies.resolve(chunk)
        if agencies.unusable:
            for row in chunk:
                if row.searching_name in agencies.unusable:
                    report.reject(
                        line=row.line,
                        message=_("the searching organization “%s” is not an agency name")
                        % row.searching_name[:100],
                    )
            chunk = [row for row in chunk if row.searching_name not in agencies.unusable]
        created = loader.load(chunk, agencies)
        report.created += created
        report.unchanged += len(chunk) - created
        import_job_heartbeat(job=job)
        import_job_progress(
            job=job,
            done=table.position(),
            total=table.size,
            rows=report.read,
            unit="bytes" if table.kind == "csv" else "rows",
        )

    chunk: list[AuditRow] = []
    parse = parser.parse
    for line, values, error in itertools.chain([first], table.rows):
        report.read += 1
        if values is None:
            report.reject(line=line, message=error)
            continue
        try:
            chunk.append(parse(line, values))
        except RowError as exc:
            report.reject(line=line, message=str(exc))
            continue
        if len(chunk) >= CHUNK_ROWS:
            flush(chunk)
            chunk = []
    if chunk:
        flush(chunk)
    result = loader.finish()
    if result.created:
        scope.touch(source.home_city_id)
    after_load(source=source, result=result)
    logger.info(
        "Audit import %s (%s, %s): %s",
        job.pk,
        layout.slug,
        source,
        {"read": report.read, "new": report.created, "duplicate": report.unchanged},
    )
