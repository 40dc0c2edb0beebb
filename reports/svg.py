"""Small server-side SVG charts for the reports: bars, lines and a camera point map.

WeasyPrint runs no JavaScript, so the PDF cannot use the site's plotly charts; these draw the
same figures as plain SVG that both the HTML page and the PDF embed. Every chart carries a
``<title>`` and ``<desc>`` and comes with its figures as rows, which the templates print as a
table beside it (the text alternative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours readable on white and told apart without colour (series also differ by marker).
PALETTE = ("#1f5f99", "#b5441b", "#2e7d32", "#6a3d9a", "#8a6d00", "#00796b")
INK = "#1b1f24"
MUTED = "#5b6570"
GRID = "#d9dee3"
FONT = "DejaVu Sans, Arial, sans-serif"


@dataclass
class Chart:
    """An SVG drawing and the figures it shows (``columns`` head ``rows``)."""

    svg: SafeString
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)


def nice_ticks(top: float, *, count: int = 5) -> list[int]:
    """Round axis steps from 0 to at least ``top`` (integers: the charts count things)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, math.ceil(step))
    last = math.ceil(top / step) * step
    return list(range(0, int(last) + 1, step))


def _text(
    x: float, y: float, text: str, *, size: int = 11, anchor: str = "middle", transform: str = ""
) -> str:
    turn = f' transform="{transform}"' if transform else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{INK}" font-family="{FONT}"{turn}>{escape(text)}</text>'
    )


def _open(width: int, height: int, title: str, desc: str, chart_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="report-svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _y_axis(ticks: Sequence[int], *, left: int, right: int, top: int, bottom: int) -> list[str]:
    parts = []
    span = ticks[-1] or 1
    for tick in ticks:
        y = bottom - (bottom - top) * tick / span
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" />')
        parts.append(_text(left - 6, y + 4, f"{tick:,}", size=10, anchor="end"))
    return parts


def _thin_labels(labels: Sequence[str], *, room: float, per_char: float = 6.5) -> list[str]:
    """Every label when they fit, else every second, third... (the table has them all)."""
    widest = max((len(label) for label in labels), default=1) * per_char + 6
    every = max(1, math.ceil(widest / room)) if room > 0 else 1
    return [label if i % every == 0 else "" for i, label in enumerate(labels)]


def bar_chart(
    *,
    labels: Sequence[str],
    values: Sequence[int],
    title: str,
    value_label: str,
    chart_id: str,
    width: int = 640,
    height: int = 240,
) -> Chart:
    """Vertical bars, one per label, with a y axis of round steps and the value over each."""
    left, right, top, bottom = 56, width - 12, 16, height - 40
    ticks = nice_ticks(max(values, default=0))
    span = ticks[-1] or 1
    slot = (right - left) / max(len(values), 1)
    bar = slot * 0.7
    parts = [_open(width, height, title, _describe(labels, values, value_label), chart_id)]
    parts += _y_axis(ticks, left=left, right=right, top=top, bottom=bottom)
    shown = _thin_labels(labels, room=slot)
    for i, value in enumerate(values):
        x = left + slot * i + (slot - bar) / 2
        h = (bottom - top) * value / span
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}" />'
        )
        if len(values) <= 16 and value:
            parts.append(_text(x + bar / 2, bottom - h - 3, f"{value:,}", size=9))
        if shown[i]:
            parts.append(_text(x + bar / 2, bottom + 14, shown[i], size=10))
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}" />')
    parts.append(
        _text(
            14,
            (top + bottom) / 2,
            value_label,
            size=10,
            transform=f"rotate(-90 14 {(top + bottom) / 2:.1f})",
        )
    )
    parts.append("</svg>")
    return Chart(
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above went through escape()
        title=title,
        columns=["", value_label],
        rows=[[label, value] for label, value in zip(labels, values, strict=True)],
    )


def line_chart(
    *,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    title: str,
    value_label: str,
    chart_id: str,
    width: int = 640,
    height: int = 260,
) -> Chart:
    """One line per series over the labels (a gap where a value is None), with a legend."""
    legend_h = 18 * math.ceil(len(series) / 2)
    left, right, top, bottom = 56, width - 40, 16 + legend_h, height - 40
    top_value = max((v for _name, values in series for v in values if v is not None), default=0)
    ticks = nice_ticks(top_value)
    span = ticks[-1] or 1
    step = (right - left) / max(len(labels) - 1, 1)
    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{label} {v:,}" for label, v in zip(labels, values, strict=True) if v is not None
        )
        for name, values in series
    )
    parts = [_open(width, height, title, desc, chart_id)]
    parts += _y_axis(ticks, left=left, right=right, top=top, bottom=bottom)
    for i, label in enumerate(_thin_labels(labels, room=step)):
        if label:
            parts.append(_text(left + step * i, bottom + 14, label, size=10))
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [
            (left + step * i, bottom - (bottom - top) * v / span)
            for i, v in enumerate(values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = ' stroke-dasharray="5 3"' if n % 2 else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash} />'
            )
        for x, y in points:
            parts.append(_marker(n, x, y, colour))
        lx, ly = 60 + (n % 2) * (width // 2), 12 + 18 * (n // 2)
        parts.append(_marker(n, lx, ly - 4, colour))
        parts.append(_text(lx + 10, ly, name, size=11, anchor="start"))
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}" />')
    parts.append(
        _text(
            14,
            (top + bottom) / 2,
            value_label,
            size=10,
            transform=f"rotate(-90 14 {(top + bottom) / 2:.1f})",
        )
    )
    parts.append("</svg>")
    return Chart(
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above went through escape()
        title=title,
        columns=["", *[name for name, _values in series]],
        rows=[[label, *[values[i] for _name, values in series]] for i, label in enumerate(labels)],
    )


def _marker(n: int, x: float, y: float, colour: str) -> str:
    if n % 2:
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}" />'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}" />'


def _describe(labels: Sequence[str], values: Sequence[int], value_label: str) -> str:
    return f"{value_label}: " + ", ".join(
        f"{label} {value:,}" for label, value in zip(labels, values, strict=True)
    )


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    group: str


def point_map(
    *,
    points: Sequence[MapPoint],
    groups: Sequence[str],
    title: str,
    desc: str,
    chart_id: str,
    width: int = 640,
    height: int = 380,
) -> Chart:
    """Points projected from latitude and longitude (equirectangular, scaled by the cosine of
    the middle latitude so distances read alike both ways), one colour and marker per group,
    with a legend and a scale bar; no map tiles."""
    legend_h = 18 * math.ceil(len(groups) / 2) + 8
    pad = 16
    box = (pad, pad + legend_h, width - pad, height - pad - 18)
    lats = [p.latitude for p in points] or [0.0]
    lons = [p.longitude for p in points] or [0.0]
    mid = math.radians((max(lats) + min(lats)) / 2)
    xs = [lon * math.cos(mid) for lon in lons]
    x_span = max(max(xs) - min(xs), 1e-4)
    y_span = max(max(lats) - min(lats), 1e-4)
    scale = min((box[2] - box[0]) / x_span, (box[3] - box[1]) / y_span)
    x0 = box[0] + ((box[2] - box[0]) - x_span * scale) / 2
    y0 = box[1] + ((box[3] - box[1]) - y_span * scale) / 2
    parts = [_open(width, height, title, desc, chart_id)]
    parts.append(
        f'<rect x="{box[0]}" y="{box[1]}" width="{box[2] - box[0]}" height="{box[3] - box[1]}" '
        f'fill="#f4f6f8" stroke="{GRID}" />'
    )
    index = {group: n for n, group in enumerate(groups)}
    for p in points:
        x = x0 + (p.longitude * math.cos(mid) - min(xs)) * scale
        y = y0 + (max(lats) - p.latitude) * scale
        n = index.get(p.group, 0)
        parts.append(_marker(n, x, y, PALETTE[n % len(PALETTE)]))
    for n, group in enumerate(groups):
        lx, ly = pad + 8 + (n % 2) * (width // 2), pad + 12 + 18 * (n // 2)
        parts.append(_marker(n, lx, ly - 4, PALETTE[n % len(PALETTE)]))
        parts.append(_text(lx + 10, ly, group, size=11, anchor="start"))
    # A scale bar of a round number of kilometres, about a fifth of the width.
    km_per_px = 111.32 / scale
    target = (box[2] - box[0]) / 5 * km_per_px
    km = next((k for k in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if k >= target), 1000)
    bar_px = km / km_per_px
    sy = height - pad
    parts.append(
        f'<line x1="{box[0]}" x2="{box[0] + bar_px:.1f}" y1="{sy}" y2="{sy}" '
        f'stroke="{INK}" stroke-width="2" />'
    )
    parts.append(_text(box[0] + bar_px + 6, sy + 4, f"{km:g} km", size=10, anchor="start"))
    parts.append(_text(box[2], sy + 4, "N ↑", size=10, anchor="end"))
    parts.append("</svg>")
    return Chart(svg=mark_safe("".join(parts)), title=title)  # noqa: S308 - escaped texts
