"""Small helpers shared by test modules."""

import csv
import io
import json
import re

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

FIGURE = re.compile(r'<script type="application/json" data-plotly-figure=[^>]*>(.*?)</script>')


def csv_rows(response) -> list[dict[str, str]]:
    """The rows of a (possibly streamed) CSV response as dicts."""
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"))))


def figure_of(html) -> dict:
    """The (first) figure of a chart fragment or page, checked against plotly's schema.

    The figures are plain dicts; plotly (python, the schema of the plotly.js we serve) must
    accept every property and write back the same JSON, so a misspelt or misplaced property
    fails here rather than being ignored by plotly.js in the browser.
    """
    figure = json.loads(FIGURE.search(str(html)).group(1))
    checked = go.Figure(figure).to_plotly_json()  # raises ValueError on an unknown property
    # plotly.py adds its default template; the portal's figures carry none (core/charts.py).
    checked["layout"].pop("template")
    assert json.loads(json.dumps(checked, cls=PlotlyJSONEncoder)) == figure
    return figure
