"""Sharing lists as a transparency-page scraper aggregates them: a JSON array of records.

Each record is ``{"source_slug": "auburn-wa-pd", "partner_name": "Aberdeen WA PD",
"direction": "shares_with", "verified_portal": null}``: the agency whose transparency page was
read (by the page's slug), one organization of its list, and the list it came from
(``shares_with``: the partner can search the source's cameras, like "Sharing Network Data
With"; ``receives_from``: the source can search the partner's, like "Receiving Network Data
From"). Each source's list on each side is taken as complete unless the job is partial.

Scrapers that do not stop at the next section leave the page's dividers in the list
(``ADDITIONAL INFO``); those, Flock's placeholders and empty names are reported as rejected
records with their line, never made into agencies. Status tags (``[Federal]``,
``[DEACTIVATED]``) are read off the names as the page importer does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from cameras.importers.base import JSON_MAX_BYTES, date_from_name, open_text, parse_json
from cameras.importers.portal_page import NOT_AGENCIES, OWNER, RECIPIENT, read_tags
from cameras.importers.sharing import note_refused_tags, sharing_kind_for
from cameras.services import (
    SharingEdge,
    SharingListComplete,
    agency_status_tags_apply,
    sharing_import,
)
from core.import_scope import ImportScope
from core.imports import ImportFileError, ImportReport, import_job_heartbeat, job_date, option_date
from core.models import ImportJob
from core.states import STATES

# Section dividers of a transparency page (L1 layout and later), never organizations.
PAGE_SECTIONS = {
    "overview",
    "policies",
    "usage",
    "additional info",
    "community impact",
    "policy & trust",
    "more info",
    "data & usage summary",
}
SIDES = {"shares_with": OWNER, "receives_from": RECIPIENT}
UPPER_WORDS = {"pd", "so", "sd", "dps", "da", "hoa", "llc", "us", "usa"}


def looks_like_records(head: str) -> bool:
    """The file opens as a JSON array of objects with ``source_slug`` and ``partner_name``."""
    text = head.lstrip()
    return text.startswith("[") and '"source_slug"' in text and '"partner_name"' in text


def agency_from_slug(slug: str) -> str:
    """``auburn-wa-pd`` -> ``Auburn WA PD``; ``centralia-pd-wa`` -> ``Centralia PD WA`` (the
    name normalizer files both orders under the same agency)."""
    words = [w for w in slug.strip().split("-") if w]
    return " ".join(
        w.upper() if w.upper() in STATES or w in UPPER_WORDS else w.capitalize() for w in words
    )


@dataclass(frozen=True)
class Record:
    line: int
    value: Any


def _records(text: str) -> Iterator[Record]:
    """The array's elements with the line each starts on."""
    decoder = json.JSONDecoder()
    index = text.index("[") + 1
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            return
        value, end = decoder.raw_decode(text, index)
        yield Record(line=text.count("\n", 0, index) + 1, value=value)
        index = end


def _problem(value: Any) -> str:
    if not isinstance(value, dict):
        return _("not a record (expected an object with source_slug and partner_name)")
    if not str(value.get("source_slug") or "").strip():
        return _("no source_slug")
    if str(value.get("direction") or "shares_with") not in SIDES:
        return _("unknown direction “%(direction)s”; expected shares_with or receives_from") % {
            "direction": value.get("direction")
        }
    name = " ".join(str(value.get("partner_name") or "").split())
    if name.casefold() in PAGE_SECTIONS:
        return _("skipped: “%s” is a section heading of the page, not an organization") % name
    if read_tags(0, name).name.casefold() in NOT_AGENCIES:
        return _("skipped: “%s” names no organization") % name
    return ""


@dataclass
class RecordsFile:
    """What a records file says: its edges in order, and the agencies its tags mark (each
    with the line that first tags it)."""

    edges: list[SharingEdge | SharingListComplete] = field(default_factory=list)
    federal: dict[str, int] = field(default_factory=dict)
    inactive: dict[str, int] = field(default_factory=dict)


def read_records(stream: IO[bytes], *, report: ImportReport, partial: bool) -> RecordsFile:
    """The sharing edges of a records file; bad records are rejected with their line."""
    text = open_text(stream).read(JSON_MAX_BYTES + 1)
    if len(text) > JSON_MAX_BYTES:
        raise ImportFileError(_("This sharing file is larger than any scraper's export."))
    data = parse_json(text)  # bounded depth, control characters refused
    if not isinstance(data, list):
        raise ImportFileError(_("A scraper's sharing file is a JSON array of records."))
    result = RecordsFile()
    complete: set[tuple[str, str]] = set()
    for record in _records(text):
        problem = _problem(record.value)
        if problem:
            report.read += 1
            report.reject(line=record.line, message=problem, excerpt=json.dumps(record.value)[:200])
            continue
        value = record.value
        source = agency_from_slug(str(value["source_slug"]))
        side = SIDES[str(value.get("direction") or "shares_with")]
        item = read_tags(record.line, str(value["partner_name"]))
        if item.federal:
            result.federal.setdefault(item.name, record.line)
        if item.inactive:
            result.inactive.setdefault(item.name, record.line)
        if not partial and (source, side) not in complete:
            complete.add((source, side))
            result.edges.append(SharingListComplete(line=record.line, agency=source, side=side))
        kind = sharing_kind_for(item.name)
        if side == OWNER:
            edge = SharingEdge(line=record.line, owner=source, recipient=item.name, kind=kind)
        else:
            edge = SharingEdge(line=record.line, owner=item.name, recipient=source, kind=kind)
        result.edges.append(edge)
    return result


def run(*, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope) -> None:
    """Import a scraper's JSON records: every source's list is as complete as a page's."""
    options = job.options or {}
    seen_on = option_date(options) or date_from_name(job.original_name) or job_date(job)
    records = read_records(stream, report=report, partial=bool(options.get("partial")))
    report.add(
        sharing_import(
            items=iter(records.edges),
            seen_on=seen_on,
            source=job.original_name,
            on_batch=lambda: import_job_heartbeat(job=job),
            scope=scope,
        )
    )
    tags = agency_status_tags_apply(
        federal=records.federal, inactive=records.inactive, actor=job.created_by, scope=scope
    )
    note_refused_tags(tags=tags, lines={**records.inactive, **records.federal}, report=report)
