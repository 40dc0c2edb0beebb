"""What the report's templates get besides the report: its SVG charts and its tables by key.

The HTML page and the PDF share one context, so they show the same figures and drawings.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from cameras.models import Camera
from reports.selectors import Report
from reports.svg import Chart, MapPoint, bar_chart, line_chart, point_map
from reports.tables import report_tables


def _month_label(month) -> str:
    return formats.date_format(month, "M")


def report_charts(report: Report) -> dict[str, Chart | None]:
    """The searches per month, the hotlist hits and retention over the snapshots, and the
    camera map (None where there is nothing to draw)."""
    charts: dict[str, Chart | None] = {}
    months = report.searches.by_month
    charts["months"] = (
        bar_chart(
            labels=[_month_label(m) for m, _n in months],
            values=[n for _m, n in months],
            title=_("Searches per month"),
            value_label=_("Searches"),
            chart_id="chart-months",
        )
        if report.searches.total
        else None
    )
    snapshots = report.policy.snapshots
    dates = sorted({s.captured_on for s in snapshots})
    agencies = sorted({s.agency.name for s in snapshots})
    by_key = {(s.agency.name, s.captured_on): s for s in snapshots}

    def series(field: str) -> list[tuple[str, list[int | None]]]:
        out = []
        for name in agencies:
            values = [
                getattr(by_key[(name, d)], field) if (name, d) in by_key else None for d in dates
            ]
            if any(v is not None for v in values):
                out.append((name, values))
        return out

    labels = [formats.date_format(d, "SHORT_DATE_FORMAT") for d in dates]
    hits = series("hotlist_hits_30d")
    charts["hotlists"] = (
        line_chart(
            labels=labels,
            series=hits,
            title=_("Hotlist hits in the 30 days before each snapshot"),
            value_label=_("Hotlist hits"),
            chart_id="chart-hotlists",
        )
        if len(dates) > 1 and hits
        else None
    )
    retention = series("retention_days")
    charts["retention"] = (
        line_chart(
            labels=labels,
            series=retention,
            title=_("Retention (days) in each snapshot"),
            value_label=_("Days"),
            chart_id="chart-retention",
            height=220,
        )
        if len(dates) > 1 and retention
        else None
    )
    shown = [p for p in report.cameras.points if p["status"] != Camera.Status.REMOVED]
    groups = [kind for kind, _n in report.cameras.by_kind]
    for p in shown:
        if p["kind_label"] not in groups:
            groups.append(p["kind_label"])
    charts["map"] = (
        point_map(
            points=[
                MapPoint(float(p["latitude"]), float(p["longitude"]), p["kind_label"])
                for p in shown
            ],
            groups=groups,
            title=_("Camera locations by owner kind"),
            desc=_("%(n)s cameras (active and planned) drawn from their coordinates.")
            % {"n": len(shown)},
            chart_id="chart-map",
        )
        if shown
        else None
    )
    return charts


def report_context(report: Report, **extra: Any) -> dict[str, Any]:
    tables = report_tables(report)
    subject, year = report.subject, report.period.year
    return {
        "report": report,
        "charts": report_charts(report),
        # By key with underscores, for the templates' dot lookups.
        "tables": {t.key.replace("-", "_"): t for t in tables},
        "csv_links": [(t, subject.url("csv", year=year, table=t.key)) for t in tables],
        "zip_url": subject.url("zip", year=year),
        "pdf_url": subject.url("pdf", year=year),
        "index_url": reverse(f"reports:{subject.kind}-index", kwargs={"slug": subject.slug}),
        **extra,
    }
