"""The figure plumbing of every chart on the public pages: one style, and ``figure_html``.

Each builder (``cameras.charts``, ``searches.charts``) returns an HTML fragment (the chart's box
and its figure as a JSON data block) for pages that include ``includes/plotly.html``, whose
static/js/charts.js draws each figure when its box scrolls into view with the partial plotly.js
bundle of static/vendor/plotly/. Every figure sits next to a table or a caption with the same
facts, so nothing is only in a chart.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
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
# A bare template keeps each embedded figure small; the few styles we want are set per figure.
TEMPLATE = "none"
FONT = {
    "family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    "color": "#1f2328",
}


# Characters that could end the data block or start markup inside it, as JSON escapes.
_JSON_BLOCK_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def figure_html(fig: go.Figure, div_id: str, *, waiting: str | None = None) -> SafeString:
    """The chart's box and its figure as a JSON data block, which static/js/charts.js draws.

    A data block is not a script, so the Content-Security-Policy needs no inline script (nor a
    per-response nonce, which a cached page could not carry). The box keeps the figure's height
    and says what it is waiting for, so the page reads the same before any script runs.
    """
    figure = pio.to_json(fig, validate=False, pretty=False).translate(_JSON_BLOCK_ESCAPES)
    config = json.dumps(PLOT_CONFIG).translate(_JSON_BLOCK_ESCAPES)
    height = int(fig.layout.height or 400)
    waiting = waiting or _("The chart is drawn here when scripts run; its table has the numbers.")
    return mark_safe(  # noqa: S308 - div_id is ours; the texts and the JSON are escaped
        f'<div id="{escape(div_id)}" class="plotly-graph-div js-plotly-figure" '
        f'style="min-height: {height}px"><p class="chart-waiting">{escape(waiting)}</p></div>'
        f'<script type="application/json" data-plotly-figure="{escape(div_id)}" '
        f'data-plotly-config="{escape(config)}">{figure}</script>'
    )
