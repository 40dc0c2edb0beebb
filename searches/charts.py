"""Plotly figures for the search-audit sections, built from selector output.

Each figure sits next to a table with the same numbers (in a ``<details>`` below it), so
nothing is only in a chart; colours come from the Okabe-Ito palette and every series is named
in the legend and the hover text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.charts import FONT, Figure, figure_html, trace
from searches.models import FLAG_LABELS
from searches.selectors.stats import FlaggedGroup, SearchStats

# Okabe-Ito, then two greys for the catch-all series.
CATEGORY_COLORS = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]
OTHER_COLOR = "#8C959F"
# Series of the national chart, one per primary flag (see ``selectors.primary_flag``).
PRIMARY_SERIES = {
    "immigration": ("#D55E00", FLAG_LABELS["immigration"]),
    "reproductive_care": ("#CC79A7", FLAG_LABELS["reproductive_care"]),
    "protest": ("#E69F00", FLAG_LABELS["protest"]),
    "forbidden_sharing": ("#0072B2", FLAG_LABELS["forbidden_sharing"]),
    "forbidden_use": ("#8F1414", _lazy("Other use forbidden by state law")),
}
# Categories drawn as their own series; the rest are summed into one "other" series.
MAX_SERIES = 7


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]
    color: str


def monthly_series(stats: SearchStats, *, max_series: int = MAX_SERIES) -> list[Series]:
    """The categories with most searches as their own series, the rest as one; also what the
    data table under the chart shows, so both always agree."""
    shown = stats.categories[:max_series]
    rest = stats.categories[max_series:]
    series = [
        Series(
            label=_(c.name) if c.name else _("Not yet classified"),
            values=stats.month_series(c.id),
            color=CATEGORY_COLORS[i % len(CATEGORY_COLORS)],
        )
        for i, c in enumerate(shown)
    ]
    if rest:
        values = [0] * len(stats.months)
        for category in rest:
            for i, n in enumerate(stats.month_series(category.id)):
                values[i] += n
        series.append(
            Series(
                label=_("Other categories (%(count)s)") % {"count": len(rest)},
                values=values,
                color=OTHER_COLOR,
            )
        )
    return series


def month_labels(stats: SearchStats) -> list[str]:
    return [date_format(month, "YEAR_MONTH_FORMAT") for month in stats.months]


def monthly_category_chart(*, stats: SearchStats, div_id: str, height: int = 380) -> SafeString:
    """Searches per month, stacked by reason category."""
    # A date axis lets plotly thin the month ticks to what fits (a phone shows fewer).
    months = [month.isoformat() for month in stats.months]
    labels = month_labels(stats)
    figure: Figure = {
        "data": [
            trace(
                "bar",
                x=months,
                xperiod="M1",
                xperiodalignment="middle",
                y=series.values,
                name=escape(series.label),
                customdata=labels,
                marker={"color": series.color, "line": {"color": "#ffffff", "width": 0.5}},
                hovertemplate="%{customdata}: %{y:,}<extra>" + escape(series.label) + "</extra>",
            )
            for series in monthly_series(stats)
        ],
        "layout": {
            "barmode": "stack",
            "height": height,
            "margin": {"l": 55, "r": 10, "t": 10, "b": 40},
            "font": FONT,
            "plot_bgcolor": "#ffffff",
            "paper_bgcolor": "#ffffff",
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
            "xaxis": {
                "type": "date",
                "tickformat": "%b %Y",
                "automargin": True,
                "ticklabelmode": "period",
            },
            "yaxis": {
                "title": {"text": escape(_("Searches"))},
                "gridcolor": "#e5e7eb",
                "rangemode": "tozero",
            },
            "bargap": 0.2,
        },
    }
    return figure_html(figure, div_id)


def flagged_by_state_chart(*, groups: Sequence[FlaggedGroup], div_id: str) -> SafeString:
    """Flagged searches per state of the audited agency, stacked by each search's primary flag
    (horizontal bars, largest on top, so long names stay readable on a phone)."""
    groups = list(groups)[::-1]
    names = [escape(g.label) for g in groups]
    traces = []
    for flag, (color, lazy_label) in PRIMARY_SERIES.items():
        values = [g.by_primary.get(flag, 0) for g in groups]
        if not any(values):
            continue
        label = str(lazy_label)
        traces.append(
            trace(
                "bar",
                y=names,
                x=values,
                orientation="h",
                name=escape(label),
                marker={"color": color},
                hovertemplate="%{y}: %{x:,}<extra>" + escape(label) + "</extra>",
            )
        )
    layout = {
        "barmode": "stack",
        "height": max(200, 36 * len(groups) + 110),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "font": FONT,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        "xaxis": {"gridcolor": "#e5e7eb", "rangemode": "tozero"},
        "yaxis": {"automargin": True, "type": "category"},
    }
    return figure_html({"data": traces, "layout": layout}, div_id)
