"""Transparency-page metrics and policies, kept as dated snapshots.

Reads CSVs like ``latest_usage04262023.csv`` (retention, cameras, 30-day counts, external
organizations) and ``agency_policies.csv`` (what is detected, use and access policies), or any
mix of their columns. Each row becomes the snapshot of its agency on the date in ``updated``
(else ``accessed``, else the job option ``date``, the date in the file name, or the job's date);
rows for the same agency and date merge, and blank or "NA" cells never erase a value.

When ``external_organizations_with_access`` lists names instead of a count, they are recorded
as sharing agreements of that agency (its complete list on that date) as well. A saved
transparency page (HTML or text) is handed to ``cameras.importers.portal_page``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from typing import IO, Any

from django.utils.translation import gettext as _

from cameras.importers.base import (
    CsvTable,
    date_from_name,
    is_null,
    parse_count,
    parse_date,
    read_csv,
)
from cameras.importers.sharing import sharing_kind_for, split_names
from cameras.services import (
    SharingEdge,
    SharingListComplete,
    SnapshotRecord,
    sharing_import,
    snapshot_import,
)
from core.import_scope import ImportScope
from core.imports import (
    ImportFileError,
    ImportReport,
    import_job_heartbeat,
    job_date,
    option_date,
)
from core.models import ImportJob
from core.names import normalize_agency_name

AGENCY_KEYS = ("agency", "agency_name", "organization_name", "name")
DATE_KEYS = ("updated", "captured_on", "date")
FALLBACK_DATE_KEYS = ("accessed",)
EXTERNAL_KEY = "external_organizations_with_access"
URL_MAX = 500

RETENTION = re.compile(r"^\s*(\d+)\s*(days?|d|months?|years?|yrs?)?\s*$", re.I)
RETENTION_UNITS = {"d": 1, "day": 1, "month": 30, "year": 365, "yr": 365}
# How pages show a retention they do not state ("-Infinity days" is a rendering of no value).
NO_RETENTION = re.compile(r"^\s*[-+]?\s*(infinity|inf|indefinite(ly)?|unlimited|none)\b", re.I)


def parse_retention(value: str) -> int | None:
    """``30 days`` -> 30, ``1 year`` -> 365; None when blank or not stated."""
    if is_null(value) or NO_RETENTION.match(value):
        return None
    match = RETENTION.match(value)
    if not match:
        raise ValueError(_("“%s” is not a retention period") % value.strip()[:40])
    unit = (match.group(2) or "d").lower().rstrip("s")
    return int(match.group(1)) * RETENTION_UNITS.get(unit, 1)


def parse_text(value: str) -> str | None:
    return None if is_null(value) else value.strip()


def parse_url(value: str) -> str | None:
    if is_null(value):
        return None
    text = value.strip()
    if not re.match(r"^https?://\S+$", text) or len(text) > URL_MAX:
        raise ValueError(_("“%s” is not a web address") % text[:60])
    return text


# column -> (snapshot field, parser)
COLUMNS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "url": ("portal_url", parse_url),
    "portal_url": ("portal_url", parse_url),
    "data_retention_in_days": ("retention_days", parse_retention),
    "data_retention": ("retention_days", parse_retention),
    "retention_days": ("retention_days", parse_retention),
    "number_of_owned_cameras": ("total_cameras", parse_count),
    "total_cameras": ("total_cameras", parse_count),
    "lpr_cameras": ("lpr_cameras", parse_count),
    "vehicles_detected_in_the_last_30_days": ("vehicles_detected_30d", parse_count),
    "hotlist_hits_in_the_last_30_days": ("hotlist_hits_30d", parse_count),
    "searches_in_the_last_30_days": ("searches_30d", parse_count),
    "hotlists_alerted_on": ("hotlists", parse_text),
    "whats_detected": ("whats_detected", parse_text),
    "whats_not_detected": ("whats_not_detected", parse_text),
    "acceptable_use_policy": ("acceptable_use", parse_text),
    "prohibited_uses": ("prohibited_uses", parse_text),
    "access_policy": ("access_policy", parse_text),
    "hotlist_policy": ("hotlist_policy", parse_text),
}
USAGE_HINT = "data_retention_in_days, number_of_owned_cameras, searches_in_the_last_30_days"
POLICY_HINT = "whats_detected, acceptable_use_policy, access_policy"


def _external(value: str) -> tuple[int | None, list[str]]:
    """(count, names) from a cell holding a count, a list of names, or NA."""
    if is_null(value):
        return None, []
    try:
        return parse_count(value), []
    except ValueError:
        names = list(dict.fromkeys(n.strip() for n in split_names(value)))
        return len(names), names


def run(*, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope) -> None:
    """Import one metrics/policies CSV into ``job``'s report. Rows for agencies outside
    ``scope`` are rejected. Pages and agency lists uploaded as metrics go to their importers
    first (``cameras.importers.entry``)."""
    run_table(job=job, table=read_csv(stream), report=report, scope=scope)


def run_table(*, job: ImportJob, table: CsvTable, report: ImportReport, scope: ImportScope) -> None:
    """The metrics/policies importer on a table already read."""
    options = job.options or {}
    default_date = option_date(options) or date_from_name(job.original_name) or job_date(job)
    columns = table.require({"agency": AGENCY_KEYS}, what=_("a transparency metrics file"))
    metric_columns = [c for c in table.header if c in COLUMNS and c not in ("url", "portal_url")]
    has_external = EXTERNAL_KEY in table.header
    if not metric_columns and not has_external:
        raise ImportFileError(
            _(
                "No metrics or policy columns found. Expected usage columns such as %(usage)s, "
                "or policy columns such as %(policy)s. Found columns: %(found)s."
            )
            % {
                "usage": USAGE_HINT,
                "policy": POLICY_HINT,
                "found": ", ".join(table.raw_header)[:800],
            }
        )
    value_columns = [c for c in table.header if c in COLUMNS]
    date_col, fallback_col = table.pick(*DATE_KEYS), table.pick(*FALLBACK_DATE_KEYS)

    # Lists repeat the same few thousand names across rows; normalize each once.
    key_of = functools.lru_cache(maxsize=None)(normalize_agency_name)
    records: list[SnapshotRecord] = []
    edges: dict[dt.date, list[SharingEdge | SharingListComplete]] = defaultdict(list)
    for row in table.rows:
        if row.error:
            report.read += 1
            report.reject(line=row.line, message=row.error, excerpt=row.excerpt())
            continue
        try:
            captured_on = (
                (parse_date(row.data[date_col]) if date_col else None)
                or (parse_date(row.data[fallback_col]) if fallback_col else None)
                or default_date
            )
            values: dict[str, Any] = {}
            for column in value_columns:
                name, parser = COLUMNS[column]
                try:
                    value = parser(row.data[column])
                except ValueError as exc:
                    raise ValueError(f"{column}: {exc}") from None
                if value is not None:
                    values[name] = value
            count, names = _external(row.data[EXTERNAL_KEY]) if has_external else (None, [])
        except ValueError as exc:
            report.read += 1
            report.reject(line=row.line, message=str(exc), excerpt=row.excerpt())
            continue
        if count is not None:
            values["external_organizations_count"] = count
        agency = row.data[columns["agency"]]
        records.append(
            SnapshotRecord(
                line=row.line,
                agency=agency,
                captured_on=captured_on,
                values=values,
                excerpt=row.excerpt(),
            )
        )
        if names and agency.strip():
            # Pages often list their own agency among those with access; that is not sharing.
            own_key = key_of(agency)
            edges[captured_on].append(SharingListComplete(line=row.line, agency=agency))
            edges[captured_on].extend(
                SharingEdge(line=row.line, owner=agency, recipient=n, kind=sharing_kind_for(n))
                for n in names
                if key_of(n) != own_key
            )
    import_job_heartbeat(job=job)
    snapshots = snapshot_import(records=records, source=job.original_name, scope=scope)
    report.add(snapshots)
    # A row refused as a whole (its agency is outside the scope) says nothing about sharing.
    refused = {issue.line for issue in snapshots.issues}
    for seen_on, items in sorted(edges.items()):
        shared = sharing_import(
            items=[item for item in items if item.line not in refused],
            seen_on=seen_on,
            source=job.original_name,
            on_batch=lambda: import_job_heartbeat(job=job),
            scope=scope,
        )
        # The rows were imported as snapshots; a name that could not become an agreement is
        # noted on its line without rejecting the row.
        for issue in shared.issues:
            report.note(
                line=issue.line,
                message=_("external organization not recorded: %s") % issue.message,
                excerpt=issue.excerpt,
            )
