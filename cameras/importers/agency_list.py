"""Agency lists: the names of agencies with Flock, one a row, with a note.

Reads files like Private Eyes' ``agency20240426.csv`` (``id, name, notes``): every listed agency
is made sure to exist (matched by normalized name or alias, never renamed), and the list's
note ("Duplicate of Adrian Township MI PD", "added from ex org check") is kept in the agency's
notes for a clerk to act on; ``NA`` means no note. Nothing is merged automatically: a note that
calls an entry a duplicate is a lead, not a fact. The metrics importer hands such a file here
when it holds names but no metrics.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cameras.importers.base import CsvTable, is_null
from core.import_scope import ImportScope
from core.imports import ImportReport, import_job_heartbeat
from core.models import ImportJob
from core.names import parse_agency_name
from core.services import AgencyListEntry, agency_list_import

NAME_KEYS = ("name", "agency", "agency_name", "organization_name")
NOTES_KEYS = ("notes", "note", "comment", "comments")
NAME_MAX = 255


def looks_like_agency_list(table: CsvTable) -> bool:
    """A name column and nothing else of substance (an id and notes at most)."""
    name = table.pick(*NAME_KEYS)
    others = set(table.header) - {name, "id", *NOTES_KEYS}
    return name is not None and not others


def run_table(*, job: ImportJob, table: CsvTable, report: ImportReport, scope: ImportScope) -> None:
    """Import an agency list; a note for another city's agency is a row error."""
    name_col, notes_col = table.pick(*NAME_KEYS), table.pick(*NOTES_KEYS)
    entries: list[AgencyListEntry] = []
    for row in table.rows:
        report.read += 1
        if row.error:
            report.reject(line=row.line, message=row.error, excerpt=row.excerpt())
            continue
        name = " ".join((row.data.get(name_col) or "" if name_col else "").split())
        if not name or not parse_agency_name(name).key:
            report.reject(line=row.line, message=_("no agency name"), excerpt=row.excerpt())
            continue
        if len(name) > NAME_MAX:
            report.reject(
                line=row.line,
                message=_("the name is longer than %(n)s characters") % {"n": NAME_MAX},
                excerpt=row.excerpt(),
            )
            continue
        notes = row.data.get(notes_col) or "" if notes_col else ""
        entries.append(
            AgencyListEntry(line=row.line, name=name, notes="" if is_null(notes) else notes)
        )
    import_job_heartbeat(job=job)
    result = agency_list_import(entries=entries, actor=job.created_by, scope=scope)
    report.created += result.created
    report.updated += result.updated
    report.unchanged += result.unchanged
    for line, message in result.repeats:
        report.note(line=line, message=message)
    for line, message in result.refused:
        report.reject(line=line, message=message)
