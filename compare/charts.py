"""One horizontal bar chart per measure (names stay readable on a phone), built as plotly.js
figure dicts with ``core.charts``. Every chart sits above a table with the same numbers, and
its caption names the subjects it leaves out and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from compare.selectors import Measures, MeasureSpec
from core.charts import FONT, SERIES_COLORS, figure_html, text, trace


@dataclass(frozen=True)
class MeasureChart:
    spec: MeasureSpec
    chart: SafeString | None
    # (name, why) of the subjects without a value, named under the chart.
    left_out: list[tuple[str, str]]


def measure_chart(*, spec: MeasureSpec, measures: Sequence[Measures], div_id: str) -> MeasureChart:
    """Bars of one measure, in the order of ``measures`` (top to bottom)."""
    shown = [m for m in measures if getattr(m, spec.key) is not None]
    left_out = [(m.name, str(spec.missing(m))) for m in measures if m not in shown]
    if not shown:
        return MeasureChart(spec=spec, chart=None, left_out=left_out)
    names = [text(m.name) for m in shown]
    number = f",.{spec.decimals}f"
    suffix = "%" if spec.percent else ""
    traces = []
    if spec.key == "sharing_total":
        # All agreements, and the out-of-state and federal ones among them, side by side.
        series = [
            (_("All agreements"), [m.sharing.total for m in shown]),
            (_("Out of state"), [m.sharing.out_of_state for m in shown]),
            (_("Federal"), [m.sharing.federal for m in shown]),
        ]
    else:
        series = [(str(spec.label), [getattr(m, spec.key) for m in shown])]
    for index, (label, values) in enumerate(series):
        traces.append(
            trace(
                "bar",
                y=names,
                x=values,
                orientation="h",
                name=text(label),
                marker={"color": SERIES_COLORS[index]},
                hovertemplate=f"%{{y}}: %{{x:{number}}}{suffix}<extra>{text(label)}</extra>",
            )
        )
    rows = len(shown) * len(series)
    layout = {
        "barmode": "group",
        "height": max(170, 26 * rows + 24 * len(shown) + 90),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "font": FONT,
        # The reader's decimal and thousands marks, as the table beside the chart writes them.
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "showlegend": len(series) > 1,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        "xaxis": {
            "gridcolor": "#e5e7eb",
            "rangemode": "tozero",
            "ticksuffix": suffix,
            "tickformat": ",",
        },
        "yaxis": {"automargin": True, "type": "category", "autorange": "reversed"},
    }
    return MeasureChart(
        spec=spec, chart=figure_html({"data": traces, "layout": layout}, div_id), left_out=left_out
    )
