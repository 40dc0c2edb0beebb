"""Server-rendered SVG figures for the embeds: a stacked bar chart and a map of points.

No script and no third-party request: the markup is the figure. The bar chart places bars in
percentages of its width and text in pixels, so it fills any iframe without shrinking its
labels; the map scales as a whole (a viewBox), points and all. Each figure is an ``img`` with a
``<title>`` and a ``<desc>``; the pages put the same numbers in a table or a list next to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Tick steps are 1, 2 or 5 times a power of ten.
NICE_STEPS = (1, 2, 5)
KM_PER_DEGREE = 111.32
SCALE_STEPS_KM = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def nice_ticks(maximum: int, *, intervals: int = 4) -> list[int]:
    """Round ticks from 0 to at least ``maximum``: ``nice_ticks(1234)`` -> 0, 500, 1000, 1500."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / intervals
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next((n * power for n in NICE_STEPS if n * power >= raw), 10 * power)
    step = max(1, int(step))
    top = step * math.ceil(maximum / step)
    return list(range(0, top + 1, step))


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(value: object) -> str:
    return str(escape(str(value)))


@dataclass(frozen=True)
class BarSeries:
    """One stacked series: a label for the legend, a value per bar, a fill colour."""

    label: str
    values: Sequence[int]
    color: str


def stacked_bar_svg(
    *,
    svg_id: str,
    labels: Sequence[str],
    series: Sequence[BarSeries],
    title: str,
    desc: str,
    y_title: str,
    x_title: str,
    sublabels: Sequence[str] = (),
    bar_titles: Sequence[str] = (),
    height: int = 260,
    number_format: Callable[[int], str] = "{:,}".format,
) -> SafeString:
    """Bars stacked from ``series`` over ``labels`` (one bar each), with a y axis of round ticks
    labelled on their gridlines, the x labels (``sublabels`` as a second line, e.g. the year),
    both axis titles and a ``<title>`` per segment (``bar_titles`` names each bar in it)."""
    count = len(labels)
    totals = [sum(s.values[i] for s in series) for i in range(count)]
    ticks = nice_ticks(max(totals, default=0))
    top, bottom = 32, height - 52
    span = bottom - top
    # The bars start right of the widest tick label as it would be in an iframe 300 px wide:
    # the labels keep their pixel size at any width, the bars fill what is left.
    longest = max(len(number_format(t)) for t in ticks)
    gutter = min(20.0, longest * 7 / 300 * 100 + 2)

    def y_of(value: float) -> float:
        return bottom - span * value / ticks[-1]

    parts = [
        f'<svg id="{_text(svg_id)}" class="bar-chart" width="100%" height="{height}" '
        f'role="img" aria-labelledby="{_text(svg_id)}-title {_text(svg_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_text(svg_id)}-title">{_text(title)}</title>',
        f'<desc id="{_text(svg_id)}-desc">{_text(desc)}</desc>',
        f'<text class="axis-title" x="0" y="11">{_text(y_title)}</text>',
    ]
    for tick in ticks:
        y = _num(y_of(tick))
        parts.append(f'<line class="grid" x1="0" x2="100%" y1="{y}" y2="{y}"/>')
    slot = (100 - gutter) / count if count else 100
    width = slot * 0.72
    for i in range(count):
        x = _num(gutter + i * slot + (slot - width) / 2)
        base = 0
        name = bar_titles[i] if i < len(bar_titles) else labels[i]
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            y_top, y_bottom = y_of(base + value), y_of(base)
            parts.append(
                f'<rect x="{x}%" y="{_num(y_top)}" width="{_num(width)}%" '
                f'height="{_num(y_bottom - y_top)}" fill="{_text(s.color)}">'
                f"<title>{_text(name)}, {_text(s.label)}: {_text(number_format(value))}"
                "</title></rect>"
            )
            base += value
    # Tick labels sit just above their gridlines, over a halo, so the plot needs no margin.
    for tick in ticks[1:]:
        parts.append(
            f'<text class="tick" x="0" y="{_num(y_of(tick) - 3)}">'
            f"{_text(number_format(tick))}</text>"
        )
    every = max(1, math.ceil(count / 12))
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = _num(gutter + (i + 0.5) * slot)
        parts.append(
            f'<text class="x-label" x="{x}%" y="{bottom + 16}" text-anchor="middle">'
            f"{_text(label)}</text>"
        )
        if i < len(sublabels) and sublabels[i]:
            parts.append(
                f'<text class="x-label x-sublabel" x="{x}%" y="{bottom + 30}" '
                f'text-anchor="middle">{_text(sublabels[i])}</text>'
            )
    parts.append(f'<line class="axis" x1="0" x2="100%" y1="{bottom}" y2="{bottom}"/>')
    parts.append(
        f'<text class="axis-title" x="{_num(gutter + (100 - gutter) / 2)}%" y="{height - 4}" '
        'text-anchor="middle">'
        f"{_text(x_title)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@dataclass(frozen=True)
class MapPoint:
    """A point of the map: where, its colour, a hover label, hollow for planned cameras, and the
    bearings it faces (degrees, drawn as short strokes)."""

    latitude: float
    longitude: float
    color: str
    label: str
    hollow: bool = False
    directions: Sequence[float] = field(default_factory=tuple)


@dataclass(frozen=True)
class MapExtent:
    """How much ground the points cover, in kilometres."""

    east_west_km: float
    north_south_km: float


def map_extent(points: Sequence[MapPoint]) -> MapExtent:
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    if not points:
        return MapExtent(0.0, 0.0)
    mid = math.radians((min(lats) + max(lats)) / 2)
    return MapExtent(
        east_west_km=(max(lons) - min(lons)) * KM_PER_DEGREE * math.cos(mid),
        north_south_km=(max(lats) - min(lats)) * KM_PER_DEGREE,
    )


def _scale_km(units_per_km: float, *, target: float) -> float:
    """The round distance whose bar is closest to ``target`` units long, not longer."""
    fitting = [km for km in SCALE_STEPS_KM if km * units_per_km <= target]
    return fitting[-1] if fitting else SCALE_STEPS_KM[0]


def distance_label(km: float) -> str:
    return f"{round(km * 1000)} m" if km < 1 else f"{_num(km)} km"


def points_map_svg(
    *,
    svg_id: str,
    points: Sequence[MapPoint],
    title: str,
    desc: str,
    north_label: str,
    width: int = 600,
    min_height: int = 280,
    max_height: int = 420,
    min_span_km: float = 0.6,
) -> SafeString:
    """The points on a plain background, north up, lat/lon projected equirectangularly around
    their middle latitude (true to scale at city size), with a scale bar and a north arrow."""
    pad = 24
    lats = [p.latitude for p in points] or [0.0]
    lons = [p.longitude for p in points] or [0.0]
    mid_lat = (min(lats) + max(lats)) / 2
    cos_mid = max(math.cos(math.radians(mid_lat)), 0.01)
    min_span = min_span_km / KM_PER_DEGREE
    span_x = max((max(lons) - min(lons)) * cos_mid, min_span)
    span_y = max(max(lats) - min(lats), min_span)
    height = int(min(max(width * span_y / span_x, min_height), max_height))
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    center_x = (min(lons) + max(lons)) / 2 * cos_mid
    center_y = (min(lats) + max(lats)) / 2

    def project(point: MapPoint) -> tuple[float, float]:
        x = width / 2 + (point.longitude * cos_mid - center_x) * scale
        y = height / 2 - (point.latitude - center_y) * scale
        return x, y

    parts = [
        f'<svg id="{_text(svg_id)}" class="point-map" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_text(svg_id)}-title {_text(svg_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_text(svg_id)}-title">{_text(title)}</title>',
        f'<desc id="{_text(svg_id)}-desc">{_text(desc)}</desc>',
        f'<rect class="map-ground" x="0" y="0" width="{width}" height="{height}"/>',
    ]
    # Planned (hollow) points first, so an active camera on the same pole is drawn on top.
    for point in sorted(points, key=lambda p: not p.hollow):
        x, y = project(point)
        strokes = "".join(
            f'<line x1="{_num(x)}" y1="{_num(y)}" '
            f'x2="{_num(x + 15 * math.sin(math.radians(d)))}" '
            f'y2="{_num(y - 15 * math.cos(math.radians(d)))}"/>'
            for d in point.directions
        )
        fill = "#ffffff" if point.hollow else _text(point.color)
        parts.append(
            f'<g class="map-point" stroke="{_text(point.color)}">{strokes}'
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="6" fill="{fill}"/>'
            f"<title>{_text(point.label)}</title></g>"
        )
    units_per_km = scale / KM_PER_DEGREE
    km = _scale_km(units_per_km, target=width / 4)
    bar = km * units_per_km
    parts.append(
        f'<g class="map-scale"><line x1="{pad}" x2="{_num(pad + bar)}" '
        f'y1="{height - 12}" y2="{height - 12}"/>'
        f'<text x="{pad}" y="{height - 20}">{_text(distance_label(km))}</text></g>'
        f'<g class="map-north"><line x1="{width - 22}" y1="40" x2="{width - 22}" y2="16"/>'
        f'<path d="M{width - 29} 24 L{width - 22} 12 L{width - 15} 24 Z"/>'
        f'<text x="{width - 22}" y="60" text-anchor="middle">{_text(north_label)}</text></g>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
