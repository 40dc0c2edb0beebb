"""What the import framework calls for each kind of camera job: the file is sniffed and handed to
the importer that reads it, because clerks upload what they have under the kind they think it
is (a saved transparency page as "sharing" or "metrics", a scraper's JSON as "sharing", an
agency list as "metrics")."""

from __future__ import annotations

from typing import IO

from cameras.importers import agency_list, portal_metrics, portal_page, sharing, sharing_json
from cameras.importers.base import read_csv, sniff_text
from core.import_scope import ImportScope
from core.imports import ImportReport
from core.models import ImportJob


def sharing_run(
    *, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope
) -> None:
    """A sharing job: a transparency page (kept as a dated snapshot too), JSON records or a
    sharing CSV."""
    head = sniff_text(stream)
    if portal_page.looks_like_page(head):
        portal_page.run(job=job, stream=stream, report=report, scope=scope)
    elif sharing_json.looks_like_records(head):
        sharing_json.run(job=job, stream=stream, report=report, scope=scope)
    else:
        sharing.run(job=job, stream=stream, report=report, scope=scope)


def portal_metrics_run(
    *, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope
) -> None:
    """A metrics job: a transparency page, an agency list or a metrics/policies CSV."""
    if portal_page.looks_like_page(sniff_text(stream)):
        portal_page.run(job=job, stream=stream, report=report, scope=scope)
        return
    table = read_csv(stream)
    if agency_list.looks_like_agency_list(table):
        agency_list.run_table(job=job, table=table, report=report, scope=scope)
    else:
        portal_metrics.run_table(job=job, table=table, report=report, scope=scope)
