"""The figure plumbing of every chart on the public pages: one style, and ``figure_html``.

Each builder (``cameras.charts``, ``searches.charts``) returns an HTML fragment (the chart's box
and its figure as a JSON data block) for pages that include ``includes/plotly.html``, whose
static/js/charts.js draws each figure when its box scrolls into view with the partial plotly.js
bundle of static/vendor/plotly/. Every figure sits next to a table or a caption with the same
facts, so nothing is only in a chart.

A figure is the plain dict plotly.js draws, ``{"data": [traces], "layout": {...}}`` (the
plotly.js figure schema), built with ``trace`` and serialized by ``figure_html``. Building it
with ``plotly.graph_objects`` validated every property on every request and took most of an
uncached page's time; the tests check the figures against plotly's schema instead
(``tests.helpers.figure_of``).
"""

from __future__ import annotations

import datetime
import html
import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

SERIES_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
# Figures carry no template: plotly.js's own defaults are the bare look (what plotly's "none"
# template gave; it put only an empty scatter entry into the JSON), and the few styles we want
# are set per figure.
FONT = {
    "family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    "color": "#1f2328",
}


Figure = dict[str, Any]


def trace(kind: str, **properties: Any) -> dict[str, Any]:
    """One trace of a figure: ``trace("bar", x=..., y=...)`` is plotly.js's
    ``{"type": "bar", "x": ..., "y": ...}``."""
    return {"type": kind, **properties}


def text(value: object) -> str:
    """``value`` escaped for a figure's labels and hover text, which plotly.js reads as HTML.

    The same as Django's ``escape`` without its lazy-string wrapper, which costs more than the
    escaping in a map's five values for each of hundreds of cameras.
    """
    return html.escape(str(value))


def shared_x_rows(titles: Sequence[str], *, vertical_spacing: float) -> tuple[Figure, list[str]]:
    """The layout of plots stacked in one column that share the bottom one's x axis, and each
    row's axis suffix ("", "2", ...; a trace of row i takes ``xaxis="x"+suffix``).

    The same domains, axis links and title annotations as plotly's ``make_subplots(rows=n,
    cols=1, shared_xaxes=True, vertical_spacing=..., subplot_titles=titles)``.
    """
    rows = len(titles)
    height = (1.0 - vertical_spacing * (rows - 1)) / rows
    layout: Figure = {}
    annotations = []
    suffixes = [str(row) if row > 1 else "" for row in range(1, rows + 1)]
    bottom = f"x{suffixes[-1]}"
    for index, (suffix, title) in enumerate(zip(suffixes, titles, strict=True)):
        # Rows are numbered from the top; the same float arithmetic as make_subplots, so the
        # domains (and the titles placed on them) are equal to the last bit.
        below = rows - 1 - index
        start = sum([height] * below) + below * vertical_spacing
        domain = [_clamp(start), _clamp(start + height)]
        xaxis: dict[str, Any] = {"anchor": f"y{suffix}", "domain": [0.0, 1.0]}
        if index < rows - 1:
            # Zooming one row zooms all; only the bottom row labels the shared dates.
            xaxis.update(matches=bottom, showticklabels=False)
        layout[f"xaxis{suffix}"] = xaxis
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": domain}
        if title:
            annotations.append(
                {
                    "font": {"size": 16},
                    "showarrow": False,
                    "text": title,
                    "x": 0.5,
                    "xanchor": "center",
                    "xref": "paper",
                    "y": domain[1],
                    "yanchor": "bottom",
                    "yref": "paper",
                }
            )
    if annotations:
        layout["annotations"] = annotations
    return layout, suffixes


def _clamp(edge: float) -> float:
    # make_subplots rounds float error at the edges (1.0000000000000002) back onto the paper.
    return min(max(edge, 0.0), 1.0)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable in a figure")


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as null, as plotly wrote them (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def figure_json(figure: Mapping[str, Any]) -> str:
    """The figure as compact JSON."""
    options: dict[str, Any] = {"separators": (",", ":"), "allow_nan": False, "default": _jsonable}
    try:
        return json.dumps(figure, **options)
    except ValueError:
        return json.dumps(_finite(figure), **options)


# Characters that could end the data block or start markup inside it, as JSON escapes.
_JSON_BLOCK_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def _block_text(data: str) -> str:
    # str.replace, three times, is ten times faster than str.translate on a map's 20 kB of JSON.
    for character, escaped in _JSON_BLOCK_ESCAPES:
        data = data.replace(character, escaped)
    return data


def figure_html(
    figure: Mapping[str, Any], div_id: str, *, waiting: str | None = None
) -> SafeString:
    """The chart's box and its figure as a JSON data block, which static/js/charts.js draws.

    A data block is not a script, so the Content-Security-Policy needs no inline script (nor a
    per-response nonce, which a cached page could not carry). The box keeps the figure's height
    and says what it is waiting for, so the page reads the same before any script runs.
    """
    data = _block_text(figure_json(figure))
    config = _block_text(json.dumps(PLOT_CONFIG))
    height = int(figure.get("layout", {}).get("height") or 400)
    waiting = waiting or _("The chart is drawn here when scripts run; its table has the numbers.")
    return mark_safe(  # noqa: S308 - div_id is ours; the texts and the JSON are escaped
        f'<div id="{escape(div_id)}" class="plotly-graph-div js-plotly-figure" '
        f'style="min-height: {height}px"><p class="chart-waiting">{escape(waiting)}</p></div>'
        f'<script type="application/json" data-plotly-figure="{escape(div_id)}" '
        f'data-plotly-config="{escape(config)}">{data}</script>'
    )
