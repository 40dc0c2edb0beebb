"""The audit layouts seen in the wild and how a header is matched to one of them.

Headers are compared squashed: lower case with everything but letters and digits removed, so
``Org Name``, ``Org_Name``, ``ORG NAME`` and ``orgName`` are one column and ``Case #`` is
``case``. Each layout names the columns it needs; every other known column is optional, and
columns the importer does not know are ignored (plates, text prompts and filters are never read).

Portal files come in many shapes (with or without ``userId``, ``reason``, ``offenseType`` or
``caseNumber``): a portal row needs only its time, since a search without a stated reason is
still a search (it counts as blank). An unknown header is answered with the layout that shares
the most columns with it, by header name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportFileError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# field -> squashed header names that hold it, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "searchid", "auditid"),
    "searcher": ("userid", "user", "username", "name", "officer", "officername"),
    "searched_at": ("searchdate", "searchtime", "searchedat", "searchdatetime", "timestamp"),
    "networks": ("networkcount", "totalnetworkssearched", "networkssearched", "networks"),
    "devices": (
        "cameracount",
        "totaldevicessearched",
        "devicessearched",
        "devicecount",
        "totalcamerassearched",
        "devices",
    ),
    "reason": ("reason", "searchreason"),
    "offense": ("offensetype", "offensetypes", "offense"),
    "org": ("orgname", "organizationname", "organization", "agencyname", "agency"),
    "time_frame": ("timeframe",),
    "time_frame_start": ("timeframestart", "timeframefrom", "startdate", "starttime"),
    "time_frame_end": ("timeframeend", "timeframeto", "enddate", "endtime"),
    "case_number": ("case", "casenumber", "caseno", "casenum"),
    "search_type": ("searchtype", "type"),
    "moderation": ("moderation", "moderationstatus"),
}
# Columns that hold plates or free text that can hold plates: recognised so that they are
# accounted for, and never read.
PRIVATE_COLUMNS = frozenset(
    {"licenseplate", "plate", "platenumber", "lpn", "textprompt", "prompt", "filters", "filter"}
)


def squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", (name or "").lstrip("\ufeff").lower())


@dataclass(frozen=True)
class Layout:
    slug: str
    label: StrOrPromise
    # Each entry is a field that must be present, or a tuple of fields of which one must be.
    required: tuple[str | tuple[str, ...], ...]
    # The portal form-encodes reasons ("Person+Crime").
    url_encoded_reasons: bool = False
    # Organization audits list only the agency's own searches.
    searcher_is_source: bool = False
    # Columns that decide between two layouts that otherwise match the same header.
    forbidden: tuple[str, ...] = ()
    # The squashed header names the layout writes, to find the nearest layout of a header.
    headers: frozenset[str] = frozenset()

    def missing(self, columns: dict[str, int]) -> list[str]:
        """Human names of the required columns a header lacks."""
        names = []
        for need in self.required:
            options = need if isinstance(need, tuple) else (need,)
            if not any(option in columns for option in options):
                names.append(" / ".join(FIELD_LABELS[option] for option in options))
        return names

    def matches(self, columns: dict[str, int]) -> bool:
        return not self.missing(columns) and not any(f in columns for f in self.forbidden)

    def tolerates(self, columns: dict[str, int]) -> bool:
        """Whether a header with every required column but some forbidden ones can still be
        read this way: an extra column is harmless, but a searching organization never is
        (reading it as the source's own search would misattribute every row)."""
        return not self.missing(columns) and not ("org" in columns and "org" in self.forbidden)

    def in_common(self, raw_header: list[str]) -> int:
        return len(self.headers & {squash(name) for name in raw_header})


FIELD_LABELS = {
    "external_id": "ID",
    "searcher": "userId / Name",
    "searched_at": "searchDate / Search Time",
    "networks": "networkCount / Total Networks Searched",
    "devices": "cameraCount / Total Devices Searched",
    "reason": "Reason",
    "offense": "offenseType / Offense Type",
    "org": "Org Name",
    "time_frame": "Time Frame",
    "time_frame_start": "Time_Frame_Start",
    "time_frame_end": "Time_Frame_End",
    "case_number": "Case #",
    "search_type": "Search Type",
    "moderation": "Moderation",
}

PORTAL_FORBIDDEN = ("org", "time_frame", "time_frame_start", "search_type")
PORTAL = Layout(
    slug="portal",
    label=gettext_lazy("transparency-portal audit CSV (networkCount)"),
    # id, userId, reason, offenseType and caseNumber each come and go between agencies' files.
    required=("searched_at",),
    url_encoded_reasons=True,
    searcher_is_source=True,
    forbidden=PORTAL_FORBIDDEN,
    headers=frozenset(
        {"id", "userid", "searchdate", "networkcount", "reason", "offensetype", "casenumber"}
    ),
)
PORTAL_LEGACY = Layout(
    slug="portal-legacy",
    label=gettext_lazy("older transparency-portal audit CSV (cameraCount)"),
    required=("searched_at", "devices"),
    url_encoded_reasons=True,
    searcher_is_source=True,
    forbidden=(*PORTAL_FORBIDDEN, "networks"),
    headers=frozenset({"id", "userid", "searchdate", "cameracount", "reason"}),
)
RECORDS_HEADERS = frozenset(
    {
        "id",
        "name",
        "totalnetworkssearched",
        "totaldevicessearched",
        "timeframe",
        "timeframestart",
        "timeframeend",
        "licenseplate",
        "reason",
        "case",
        "filters",
        "searchtime",
        "searchtype",
        "textprompt",
        "moderation",
        "offensetype",
    }
)
RECORDS_NETWORK = Layout(
    slug="records-network",
    label=gettext_lazy("records-request network audit (with Org Name)"),
    required=(
        "org",
        "searched_at",
        "reason",
        ("networks", "devices"),
        ("time_frame", "time_frame_start", "search_type", "case_number"),
    ),
    headers=RECORDS_HEADERS | {"orgname"},
)
# The headings of a records-request network audit as agencies publish it, in their order, and
# of a transparency-portal audit: what the demo data, the privacy tests and the benchmark write.
NETWORK_AUDIT_HEADER = (
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
)
PORTAL_AUDIT_HEADER = ("id", "userId", "searchDate", "networkCount", "reason", "offenseType")
RECORDS_ORGANIZATION = Layout(
    slug="records-organization",
    label=gettext_lazy("records-request organization audit (no Org Name)"),
    required=(
        "searched_at",
        "reason",
        ("networks", "devices"),
        ("time_frame", "time_frame_start", "search_type", "case_number"),
    ),
    searcher_is_source=True,
    forbidden=("org",),
    headers=RECORDS_HEADERS,
)
# Detection order: the most specific first (an older portal file has cameraCount and no
# networkCount; every other portal file reads as the current layout).
LAYOUTS: tuple[Layout, ...] = (RECORDS_NETWORK, RECORDS_ORGANIZATION, PORTAL_LEGACY, PORTAL)
LAYOUT_BY_SLUG = {layout.slug: layout for layout in LAYOUTS}
FORMAT_CHOICES = ("auto", *LAYOUT_BY_SLUG)


def header_columns(raw_header: list[str]) -> dict[str, int]:
    """{field: column index} for the known fields of a header (the first column wins)."""
    positions: dict[str, int] = {}
    for index, name in enumerate(raw_header):
        positions.setdefault(squash(name), index)
    columns: dict[str, int] = {}
    for field, names in ALIASES.items():
        for name in names:
            if name in positions:
                columns[field] = positions[name]
                break
    return columns


def choose_layout(raw_header: list[str], *, wanted: str = "auto") -> tuple[Layout, dict[str, int]]:
    """The layout of a header (or the one asked for) and where its fields are; an unknown
    header fails naming the columns found and what the closest layout expects."""
    columns = header_columns(raw_header)
    found = ", ".join(h.strip().lstrip("\ufeff") for h in raw_header if h.strip())[:800]
    if wanted and wanted != "auto":
        layout = LAYOUT_BY_SLUG.get(wanted)
        if layout is None:
            raise ImportFileError(
                _("Unknown audit format “%(format)s”; use one of %(formats)s.")
                % {"format": wanted, "formats": ", ".join(FORMAT_CHOICES)}
            )
        missing = layout.missing(columns)
        if missing:
            raise ImportFileError(
                _(
                    "This is not a %(layout)s: missing column(s) %(missing)s. "
                    "Found columns: %(found)s."
                )
                % {"layout": layout.label, "missing": "; ".join(missing), "found": found}
            )
        return layout, columns
    for layout in LAYOUTS:
        if layout.matches(columns):
            return layout, columns
    for layout in LAYOUTS:
        # A portal file with an extra column of its own still reads as a portal file.
        if layout.tolerates(columns):
            return layout, columns
    closest = max(
        LAYOUTS,
        key=lambda layout: (layout.in_common(raw_header), -len(layout.missing(columns))),
    )
    raise ImportFileError(
        _(
            "Unknown search-audit layout. Found columns: %(found)s. The closest layout, "
            "%(layout)s, also needs: %(missing)s."
        )
        % {
            "found": found or _("none"),
            "layout": closest.label,
            "missing": "; ".join(closest.missing(columns)) or _("no other columns"),
        }
    )
