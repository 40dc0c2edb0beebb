"""Sharing agreements: who may search whose cameras.

Three shapes, told apart by content:

* a CSV of pairs, like ``agency_access20240426.csv``: ``src_agency, external_agency`` (the
  external agency has access to the source agency's cameras);
* a records-request CSV ``Organization Name, Networks Shared With Me, Networks I'm Sharing``,
  written from the side of the agency that produced it (the requester, found from its own
  networks in ``Networks I'm Sharing`` unless ``agency`` names it), with comma-joined network
  names that stay detail on the agreement;
* a transparency page, saved as HTML or pasted as text, with its lists "Sharing Network Data
  With", "Receiving Network Data From" or the older "External organizations with access".

Job options: ``date`` (else a YYYYMMDD in the file name, else the job's date), ``kind``
(direct, statewide or national; names such as "National Lookup" set their own kind),
``agency`` (the page's agency when the page does not name it; a records request's requester)
and ``partial`` (the lists are not complete, so nothing is ended). Each list in a file is taken
as complete: agreements of the same agency on the same side that are missing from it are ended.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import IO

from django.utils.translation import gettext as _

from cameras.importers.base import (
    CsvTable,
    date_from_name,
    read_csv,
)
from cameras.importers.namelists import NameResolver, network_base, split_joined
from cameras.models import SharingAgreement
from cameras.services import (
    SharingEdge,
    SharingListComplete,
    TagsApplied,
    sharing_import,
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

OWNER_KEYS = ("src_agency", "source_agency", "owner", "owner_agency", "sharing_agency")
RECIPIENT_KEYS = ("external_agency", "external_organization", "recipient", "recipient_agency")
ORG_KEYS = ("organization_name", "organization", "org_name")
SHARED_WITH_ME_KEYS = ("networks_shared_with_me",)
IM_SHARING_KEYS = ("networks_i_m_sharing", "networks_im_sharing")
PAGE_MAX_CHARS = 20 * 1024 * 1024

# Network entries, not agencies ("Illinois Statewide Auto Theft Taskforce" is an agency).
NATIONAL = re.compile(r"\b(national|nationwide)\s*(lookup|network|sharing|search)\b", re.I)
STATEWIDE = re.compile(r"\bstate\s*wide\s*(lookup|network|sharing|search)\b", re.I)


def sharing_kind_for(name: str, default: str = SharingAgreement.Kind.DIRECT) -> str:
    """ "National Lookup" and "... Statewide ..." entries are networks, not single agencies."""
    if NATIONAL.search(name):
        return SharingAgreement.Kind.NATIONAL
    if STATEWIDE.search(name):
        return SharingAgreement.Kind.STATEWIDE
    return default


@cache
def _builtin_resolver() -> NameResolver:
    return NameResolver()


def split_names(cell: str, *, resolver: NameResolver | None = None) -> list[str]:
    """A comma-joined list of names; names that contain a comma and are known stay whole."""
    return split_joined(cell, resolver=resolver or _builtin_resolver())


# --- CSV --------------------------------------------------------------------------------------


def _pairs(
    table: CsvTable, *, report: ImportReport, kind: str, partial: bool
) -> Iterator[SharingEdge | SharingListComplete]:
    """One pair a row: the source agency lets the external agency search its cameras."""
    owner_col, recipient_col = table.pick(*OWNER_KEYS), table.pick(*RECIPIENT_KEYS)
    assert owner_col is not None and recipient_col is not None  # _csv_items found both
    owners: set[str] = set()
    for row in table.rows:
        if row.error:
            report.read += 1
            report.reject(line=row.line, message=row.error, excerpt=row.excerpt())
            continue
        owner, recipient = row.data[owner_col], row.data[recipient_col]
        if not partial and owner not in owners:
            owners.add(owner)
            yield SharingListComplete(line=row.line, agency=owner, side="owner")
        yield SharingEdge(
            line=row.line, owner=owner, recipient=recipient, kind=sharing_kind_for(recipient, kind)
        )


def _common_words(names: list[str]) -> str:
    """The words all names start with ("Polk County FL SO" of "Polk County FL SO East", ...)."""
    split = [name.split() for name in names]
    common: list[str] = []
    for words in zip(*split, strict=False):
        if any(w.casefold() != words[0].casefold() for w in words):
            break
        common.append(words[0])
    return " ".join(common)


def requester_from_networks(values: Iterable[str]) -> tuple[str, list[str]]:
    """(the agency whose networks these are, or "", the candidates seen): ``Polk County FL SO``,
    ``Polk County FL SO (LR)`` and ``Polk County FL SO - Axon`` all name Polk County FL SO."""
    bases: dict[str, str] = {}
    for value in values:
        if sharing_kind_for(value) != SharingAgreement.Kind.DIRECT:
            continue  # "Statewide Lookup" is a network the requester joined, not its name
        base = network_base(value)
        if key := normalize_agency_name(base):
            bases.setdefault(key, base)
    names = sorted(bases.values(), key=len)
    if len(names) == 1:
        return names[0], names
    common = _common_words(names) if names else ""
    if len(common.split()) >= 2 and normalize_agency_name(common):
        return common, names
    return "", names


def _records_kind(networks: list[str], default: str) -> str:
    """An agreement that runs only through statewide or national networks is of that kind."""
    kinds = {sharing_kind_for(n, default) for n in networks}
    return kinds.pop() if len(kinds) == 1 else default


def _records_request(
    table: CsvTable, *, report: ImportReport, kind: str, partial: bool, agency: str
) -> Iterator[SharingEdge | SharingListComplete]:
    """A records-request export, from the side of the agency that produced it (the requester).

    On the row of organization X, ``Networks Shared With Me`` holds X's own networks that the
    requester can search (X -> requester) and ``Networks I'm Sharing`` the requester's networks
    that X can search (requester -> X); the network names are kept on the agreement. The list
    holds the requester's whole two sides, so its agreements missing here end.
    """
    org_col = table.pick(*ORG_KEYS)
    assert org_col is not None  # _csv_items found it
    with_me, sharing = table.pick(*SHARED_WITH_ME_KEYS), table.pick(*IM_SHARING_KEYS)
    # One agency's partners: a few thousand rows at most, read whole to find the requester.
    rows = list(table.rows)
    resolver = NameResolver.from_db(extra=[r.data.get(org_col, "") for r in rows if not r.error])
    requester = agency.strip()
    if not requester:
        shared = (
            n
            for r in rows
            if sharing and not r.error
            for n in split_names(r.data[sharing], resolver=resolver)
        )
        requester, candidates = requester_from_networks(shared)
        if not requester:
            raise ImportFileError(
                _(
                    "Cannot tell which agency produced this records-request list: the "
                    "“Networks I'm Sharing” column names %(found)s. Give the agency with "
                    "--agency (the job option “agency”)."
                )
                % {"found": ", ".join(candidates)[:400] or _("no network")}
            )
    requester_key = normalize_agency_name(requester)
    if not partial:
        if with_me:
            yield SharingListComplete(line=1, agency=requester, side="recipient")
        if sharing:
            yield SharingListComplete(line=1, agency=requester, side="owner")
    for row in rows:
        org = row.data.get(org_col, "").strip()
        problem = row.error
        if not problem and not org:
            problem = _("the organization name is blank")
        if not problem and normalize_agency_name(network_base(org)) == requester_key:
            problem = _("the row names %s itself: its own networks are no agreement") % requester
        theirs = (
            split_joined(row.data.get(with_me, ""), resolver=resolver, context=[org])
            if with_me
            else []
        )
        ours = (
            split_joined(row.data.get(sharing, ""), resolver=resolver, context=[requester])
            if sharing
            else []
        )
        if not problem and not theirs and not ours:
            problem = _("the row lists no network in either column")
        if problem:
            report.read += 1
            report.reject(line=row.line, message=problem, excerpt=row.excerpt())
            continue
        if theirs:
            yield SharingEdge(
                line=row.line,
                owner=org,
                recipient=requester,
                kind=_records_kind(theirs, kind),
                networks=tuple(dict.fromkeys(theirs)),
            )
        if ours:
            yield SharingEdge(
                line=row.line,
                owner=requester,
                recipient=org,
                kind=_records_kind(ours, kind),
                networks=tuple(dict.fromkeys(ours)),
            )


def _csv_items(
    stream: IO[bytes], *, report: ImportReport, kind: str, partial: bool, agency: str = ""
) -> Iterator[SharingEdge | SharingListComplete]:
    table = read_csv(stream)
    if table.pick(*OWNER_KEYS) and table.pick(*RECIPIENT_KEYS):
        return _pairs(table, report=report, kind=kind, partial=partial)
    if table.pick(*ORG_KEYS) and (table.pick(*SHARED_WITH_ME_KEYS) or table.pick(*IM_SHARING_KEYS)):
        return _records_request(table, report=report, kind=kind, partial=partial, agency=agency)
    raise ImportFileError(
        _(
            "This does not look like a sharing list. Expected columns src_agency and "
            "external_agency, or Organization Name with Networks Shared With Me and/or "
            "Networks I'm Sharing. Found columns: %s."
        )
        % (", ".join(table.raw_header)[:800] or _("none"))
    )


# --- transparency pages -----------------------------------------------------------------------


def note_refused_tags(*, tags: TagsApplied, lines: dict[str, int], report: ImportReport) -> None:
    """Note on its line each status tag the import's scope did not let it apply."""
    for name, message in tags.refused.items():
        report.note(
            line=lines.get(name, 0),
            message=_("status tag not applied: %s") % message,
            excerpt=name,
        )


def run(*, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope) -> None:
    """Import one sharing CSV into ``job``'s report (see the module docstring for options).

    Pairs that would change sharing outside ``scope`` are rejected, and never ended. Pages and
    JSON records uploaded as sharing go to their importers first (``cameras.importers.entry``).
    """
    options = job.options or {}
    kind = options.get("kind") or SharingAgreement.Kind.DIRECT
    if kind not in SharingAgreement.Kind.values:
        raise ImportFileError(
            _("Unknown sharing kind “%(kind)s”; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(SharingAgreement.Kind.values)}
        )
    seen_on = option_date(options) or date_from_name(job.original_name) or job_date(job)
    partial = bool(options.get("partial"))
    items = _csv_items(
        stream, report=report, kind=kind, partial=partial, agency=options.get("agency") or ""
    )
    result = sharing_import(
        items=items,
        seen_on=seen_on,
        source=job.original_name,
        # A --kind import speaks only for that kind; otherwise a list covers every kind it can
        # name, so a "National Lookup" entry that disappears ends too.
        end_kinds=[kind] if options.get("kind") else None,
        on_batch=lambda: import_job_heartbeat(job=job),
        scope=scope,
    )
    report.add(result)
