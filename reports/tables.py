"""The report's tables as rows, for the CSV downloads (one CSV per table and a zip of all).

Every cell goes through ``core.csvstream.csv_lines`` (and so ``csv_safe``); the rows hold only
what the public report shows.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.utils.translation import gettext as _

from cameras.sections import KIND_LABELS
from core.csvstream import csv_lines
from reports.selectors import Report, Table


def _month(value) -> str:
    return value.strftime("%Y-%m")


def _searches(report: Report) -> list[Table]:
    s, links = report.searches, report.links
    return [
        Table(
            key="searches-by-month",
            title=_("Searches by month"),
            columns=[_("Month"), _("Searches")],
            rows=[[_month(m), n] for m, n in s.by_month],
            source=links["searches_month"],
        ),
        Table(
            key="searches-by-category",
            title=_("Searches by reason category"),
            columns=[_("Category"), _("Searches"), _("Blank reason")],
            rows=[
                [row["category_name"] or _("Unclassified"), row["searches"], row["blank_reason"]]
                for row in s.by_category
            ],
            source=links["searches_category"],
        ),
        Table(
            key="searches-by-flag",
            title=_("Searches by flag"),
            columns=[_("Flag"), _("Searches")],
            rows=[[name, n] for name, n in sorted(s.by_flag.items())],
            source=links["searches_flag"],
        ),
        Table(
            key="outside-searchers",
            title=_("Outside agencies that searched most"),
            columns=[_("Agency"), _("Searches"), _("Most devices in one search")],
            rows=[
                [row["searching_agency_name"], row["searches"], row["devices_max"]]
                for row in report.outside
            ],
            source=links["searches_searcher"],
        ),
        Table(
            key="flagged-searches",
            title=_("Flagged searches (newest)"),
            columns=[
                _("Searched at (UTC)"),
                _("Audited agency"),
                _("Searching agency"),
                _("Reason"),
                _("Flags"),
                _("State law"),
            ],
            rows=[_search_row(row) for row in report.flagged_rows],
            source=links["explorer"],
        ),
        Table(
            key="largest-searches",
            title=_("Largest searches by devices reached"),
            columns=[
                _("Searched at (UTC)"),
                _("Audited agency"),
                _("Searching agency"),
                _("Reason"),
                _("Flags"),
                _("State law"),
                _("Devices"),
            ],
            rows=[[*_search_row(row), row["devices_searched"]] for row in report.largest_rows],
            source=links["explorer"],
        ),
    ]


def _search_row(row: dict) -> list:
    law = row.get("law")
    return [
        row["searched_at"].strftime("%Y-%m-%d %H:%M"),
        row["source_agency__name"],
        row["searching_agency__name"],
        row["reason__text"],
        "; ".join(str(label) for label in row["flag_labels"]),
        law.statute_citation if law else "",
    ]


def _cameras(report: Report) -> list[Table]:
    c = report.cameras

    def rows(points: list[dict]) -> list[list]:
        return [
            [
                p["pk"],
                p["owner__name"],
                p["kind_label"],
                p["vendor"],
                p["address"],
                p["latitude"],
                p["longitude"],
                p["installed_on"] or "",
                p["removed_on"] or "",
            ]
            for p in points
        ]

    columns = [
        _("Camera"),
        _("Owner"),
        _("Owner kind"),
        _("Vendor"),
        _("Location"),
        _("Latitude"),
        _("Longitude"),
        _("Installed"),
        _("Removed"),
    ]
    return [
        Table(
            key="cameras-by-owner-kind",
            title=_("Active cameras by owner kind"),
            columns=[_("Owner kind"), _("Cameras")],
            rows=[list(row) for row in c.by_kind],
            source=report.links["cameras"],
        ),
        Table(
            key="cameras-installed",
            title=_("Cameras installed during the period"),
            columns=columns,
            rows=rows(c.installed),
            source=report.links["cameras_all"],
        ),
        Table(
            key="cameras-removed",
            title=_("Cameras removed during the period"),
            columns=columns,
            rows=rows(c.removed),
            source=report.links["cameras_removed"],
        ),
    ]


def _sharing(report: Report) -> list[Table]:
    sh = report.sharing
    columns = [
        _("Owner"),
        _("Recipient"),
        _("Recipient state"),
        _("Recipient kind"),
        _("First seen"),
        _("Ended"),
        _("Out of state"),
        _("Federal"),
        _("Forbidden by state law"),
    ]

    def rows(agreements) -> list[list]:
        return [
            [
                a.owner.name,
                a.recipient.name,
                a.recipient.state,
                str(KIND_LABELS.get(a.recipient.kind, a.recipient.kind)),
                a.first_seen,
                a.ended_on or "",
                _("yes") if a.recipient_out_of_state else "",
                _("yes") if a.federal_recipient else "",
                _("yes") if a.forbidden_by_state_law else "",
            ]
            for a in agreements
        ]

    return [
        Table(
            key="sharing-at-end",
            title=_("Agencies with access at the end of the period"),
            columns=columns,
            rows=rows(sh.at_end),
            source=report.links["sharing"],
        ),
        Table(
            key="sharing-added",
            title=_("Sharing added during the period"),
            columns=columns,
            rows=rows(sh.added_all),
            source=report.links["sharing_all"],
        ),
        Table(
            key="sharing-removed",
            title=_("Sharing ended during the period"),
            columns=columns,
            rows=rows(sh.removed_all),
            source=report.links["sharing_all"],
        ),
    ]


def _policy(report: Report) -> list[Table]:
    p = report.policy
    return [
        Table(
            key="snapshots",
            title=_("Transparency snapshots of the period"),
            columns=[
                _("Agency"),
                _("Captured on"),
                _("Retention (days)"),
                _("Searches in 30 days"),
                _("Hotlist hits in 30 days"),
                _("Hotlists alerted on"),
            ],
            rows=[
                [
                    s.agency.name,
                    s.captured_on,
                    s.retention_days,
                    s.searches_30d,
                    s.hotlist_hits_30d,
                    s.hotlists,
                ]
                for s in p.snapshots
            ],
            source=report.links["snapshots"],
        ),
        Table(
            key="policy-changes",
            title=_("Retention and policy changes"),
            columns=[_("Date"), _("Change")],
            rows=[[e.occurred_on, e.summary] for e in p.changes],  # type: ignore[attr-defined]
            source=p.changes_source,
        ),
    ]


def _participation(report: Report) -> list[Table]:
    part = report.participation
    return [
        Table(
            key="hearings",
            title=_("Hearings"),
            columns=[_("Date"), _("Hearing"), _("Body"), _("Status")],
            rows=[
                [h.starts_at.date(), h.title, h.body_name, h.get_status_display()]
                for h in part.hearings
            ],
            source=report.links["hearings"],
        ),
        Table(
            key="agenda-items",
            title=_("Agenda items and published comments"),
            columns=[
                _("Hearing"),
                _("Item"),
                _("Outcome"),
                _("Support"),
                _("Oppose"),
                _("Neutral"),
            ],
            rows=[
                [
                    item.hearing.title,
                    item.title,
                    item.get_outcome_display(),
                    getattr(item, "support_count", 0),
                    getattr(item, "oppose_count", 0),
                    getattr(item, "neutral_count", 0),
                ]
                for item in part.items
            ],
            source=report.links["comments"] or report.links["hearings"],
        ),
        Table(
            key="petitions",
            title=_("Petitions"),
            columns=[_("Petition"), _("Status"), _("Signatures"), _("Goal"), _("Response")],
            rows=[
                [p.title, p.get_status_display(), p.signature_count, p.signature_goal, p.response]
                for p in part.petitions
            ],
            source=report.links["petitions"],
        ),
    ]


def _gaps(report: Report) -> list[Table]:
    return [
        Table(
            key="audit-gaps",
            title=_("Months without audit data"),
            columns=[_("Agency"), _("Audit held"), _("Months with data"), _("Months without data")],
            rows=[
                [
                    g.agency.name,
                    _("yes") if g.audited else _("no"),
                    g.covered,
                    " ".join(_month(m) for m in g.missing),
                ]
                for g in report.gaps
            ],
            source=report.links["imports"],
        ),
    ]


SECTIONS: tuple[Callable[[Report], list[Table]], ...] = (
    _cameras,
    _policy,
    _sharing,
    _searches,
    _participation,
    _gaps,
)


def report_tables(report: Report) -> list[Table]:
    """Every table of the report, in the report's order."""
    return [table for section in SECTIONS for table in section(report)]


def table_csv(table: Table) -> str:
    """One table as CSV text: a header row, then its rows."""
    return "".join(csv_lines([table.columns, *table.rows]))


def tables_zip(tables: list[Table], *, prefix: str) -> bytes:
    """A zip of one CSV per table, named ``<prefix>-<table key>.csv``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{prefix}-{table.key}.csv", table_csv(table))
    return buffer.getvalue()
