"""Plotly figures of cameras and sharing: camera maps with direction arrows, the transparency
snapshots' history and the sharing sunburst (the figure plumbing is ``core.charts``)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cameras.models import Camera
from core.charts import FONT, SERIES_COLORS, Figure, figure_html, shared_x_rows, text, trace
from core.models import Agency
from core.states import STATE_CHOICES

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); the legend
# and the hover text name the kind, so colour is never the only cue.
KIND_COLORS: dict[str, str] = {
    Agency.Kind.POLICE: "#0072B2",
    Agency.Kind.SHERIFF: "#009E73",
    Agency.Kind.STATE: "#56B4E9",
    Agency.Kind.FEDERAL: "#D55E00",
    Agency.Kind.UNIVERSITY: "#CC79A7",
    Agency.Kind.HOA: "#E69F00",
    Agency.Kind.BUSINESS: "#000000",
    Agency.Kind.HOUSING: "#8C6D1F",
    Agency.Kind.OTHER: "#777777",
}
KIND_LABELS = dict(Agency.Kind.choices)
STATE_NAMES = dict(STATE_CHOICES)

# The map's background where no tile loads (tiles unreachable or none configured).
MAP_BACKGROUND = "#e9eef2"
MAP_TILE_SOURCE = "tiles"


# Lazy: a label translates the point it needs, and a map or table of many cameras translates the
# eight once (``compass_names``) rather than for every bearing.
COMPASS_POINTS = [
    pgettext_lazy("compass point", "N"),
    pgettext_lazy("compass point", "NE"),
    pgettext_lazy("compass point", "E"),
    pgettext_lazy("compass point", "SE"),
    pgettext_lazy("compass point", "S"),
    pgettext_lazy("compass point", "SW"),
    pgettext_lazy("compass point", "W"),
    pgettext_lazy("compass point", "NW"),
]


def compass_names() -> list[str]:
    """The eight compass points, N to NW, in the current language."""
    return [str(point) for point in COMPASS_POINTS]


def compass_point(degrees: float, names: Sequence[str] | None = None) -> str:
    """The 8-point compass name of a bearing: 90 -> "E" (from ``names`` when given)."""
    index = round((degrees % 360) / 45) % 8
    return names[index] if names else str(COMPASS_POINTS[index])


def directions_label(
    directions: Iterable[Any] | None, fallback: str = "", *, compass: Sequence[str] | None = None
) -> str:
    """Compass text for a camera's bearings, e.g. "90° (E), 180° (S)"; shared by maps and tables.

    ``compass`` is ``compass_names()``, for callers that label many cameras.
    """
    parts = []
    for value in directions or []:
        try:
            degrees = float(value)
        except (TypeError, ValueError):
            continue
        parts.append(f"{degrees:g}° ({compass_point(degrees, compass)})")
    return ", ".join(parts) or fallback


def map_style() -> dict[str, Any]:
    """The MapLibre style of every camera map: a plain background, and above it the raster tiles
    of ``PORTAL_MAP_TILES`` when set. The style is inline, so markers draw even when no tile
    loads (static/js/charts.js then says the background is missing)."""
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": MAP_BACKGROUND}}
    ]
    sources: dict[str, Any] = {}
    if settings.MAP_TILE_URLS:
        sources[MAP_TILE_SOURCE] = {
            "type": "raster",
            "tiles": list(settings.MAP_TILE_URLS),
            "tileSize": 256,
            "maxzoom": settings.MAP_TILE_MAX_ZOOM,
            # MapLibre shows attribution as HTML; the setting is plain text.
            "attribution": escape(settings.MAP_TILE_ATTRIBUTION),
        }
        layers.append({"id": MAP_TILE_SOURCE, "type": "raster", "source": MAP_TILE_SOURCE})
    return {"version": 8, "id": "portal", "sources": sources, "layers": layers}


def _fit(
    lats: Sequence[float], lons: Sequence[float], *, max_zoom: float = 15.0
) -> tuple[dict[str, float], float]:
    """Centre and zoom that show every point on a map about 600 by 400 pixels.

    MapLibre's world is 512 pixels wide at zoom 0; a little is taken off for a margin.
    static/js/charts.js computes the zoom again at the size the map is drawn.
    """
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    center = {"lat": (south + north) / 2, "lon": (west + east) / 2}
    lon_span = max(east - west, 1e-4)
    lat_span = max(north - south, 1e-4)
    cos_lat = max(math.cos(math.radians(center["lat"])), 0.1)
    zoom_lon = math.log2(600 * 360 / (512 * lon_span))
    zoom_lat = math.log2(400 * 360 * cos_lat / (512 * lat_span))
    return center, max(1.0, min(max_zoom, min(zoom_lon, zoom_lat) - 0.35))


METERS_PER_DEGREE = 111_320.0
# A camera's own map shows at least this far around it, and its direction arrows reach this
# share of that distance.
FOCUS_MIN_RADIUS_M = 150.0
ARROW_SHARE = 0.4
ARROW_HEAD_DEGREES = 28.0
ARROW_HEAD_SHARE = 0.3
FOCUS_MAX_ZOOM = 17.0


def _offset(lat: float, lon: float, *, bearing: float, meters: float) -> tuple[float, float]:
    """The point ``meters`` from (lat, lon) toward the compass ``bearing`` (flat-earth: the
    distances here are a few hundred metres)."""
    radians = math.radians(bearing)
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    return (
        lat + meters * math.cos(radians) / METERS_PER_DEGREE,
        lon + meters * math.sin(radians) / (METERS_PER_DEGREE * cos_lat),
    )


def _bearings(directions: Iterable[Any] | None) -> list[float]:
    bearings = []
    for value in directions or []:
        try:
            degrees = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(degrees):
            bearings.append(degrees % 360)
    return bearings


def _direction_trace(focus: Mapping[str, Any], *, radius_m: float) -> dict[str, Any] | None:
    """Arrows from the camera toward each of its bearings, as one line trace (segments split
    by gaps); None when the camera has no recorded bearing."""
    bearings = _bearings(focus.get("directions"))
    if not bearings:
        return None
    lat, lon = float(focus["latitude"]), float(focus["longitude"])
    length = radius_m * ARROW_SHARE
    lats: list[float | None] = []
    lons: list[float | None] = []
    for bearing in bearings:
        tip = _offset(lat, lon, bearing=bearing, meters=length)
        barbs = [
            _offset(*tip, bearing=bearing + 180 + side, meters=length * ARROW_HEAD_SHARE)
            for side in (-ARROW_HEAD_DEGREES, ARROW_HEAD_DEGREES)
        ]
        for point in (lat, lon), tip, None, barbs[0], tip, barbs[1], None:
            lats.append(point[0] if point else None)
            lons.append(point[1] if point else None)
    return trace(
        "scattermap",
        lat=lats,
        lon=lons,
        mode="lines",
        name=escape(_("Facing %(directions)s") % {"directions": directions_label(bearings)}),
        line={"color": "#1f2328", "width": 3},
        hoverinfo="skip",
    )


def camera_map(
    *,
    points: Sequence[Mapping[str, Any]],
    div_id: str,
    height: int = 460,
    context_points: Sequence[Mapping[str, Any]] = (),
    focus: Mapping[str, Any] | None = None,
) -> SafeString:
    """A scatter map of cameras from ``camera_points`` rows, one trace per owner kind.

    ``context_points`` (e.g. a camera's neighbours) are drawn first, small and grey. With
    ``focus`` (one camera's row) the map is centred on that camera, shows its neighbours around
    it, and draws an arrow toward each of its directions.
    """
    by_kind: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in points:
        by_kind[row.get("owner__kind") or Agency.Kind.OTHER].append(row)
    words = _CameraText.current()
    traces = []
    if context_points:
        traces.append(
            _camera_trace(
                context_points,
                name=_("Nearby cameras (%(count)s)") % {"count": len(context_points)},
                marker={"size": 8, "color": "#8c959f", "opacity": 0.8},
                words=words,
            )
        )
    everything = [*points, *context_points]
    lats = [float(r["latitude"]) for r in everything]
    lons = [float(r["longitude"]) for r in everything]
    max_zoom = 15.0
    if focus is not None:
        # Bounds symmetric about the camera keep it at the centre at any drawn size.
        lat, lon = float(focus["latitude"]), float(focus["longitude"])
        cos_lat = max(math.cos(math.radians(lat)), 0.01)
        radius_m = max(
            [FOCUS_MIN_RADIUS_M]
            + [
                max(
                    abs(float(r["latitude"]) - lat) * METERS_PER_DEGREE,
                    abs(float(r["longitude"]) - lon) * METERS_PER_DEGREE * cos_lat,
                )
                for r in context_points
            ]
        )
        arrows = _direction_trace(focus, radius_m=radius_m)
        if arrows is not None:
            traces.append(arrows)
        dlat = radius_m / METERS_PER_DEGREE
        dlon = radius_m / (METERS_PER_DEGREE * cos_lat)
        lats, lons = [lat - dlat, lat + dlat], [lon - dlon, lon + dlon]
        max_zoom = FOCUS_MAX_ZOOM
    for kind in KIND_COLORS:
        rows = by_kind.get(kind)
        if rows:
            traces.append(
                _camera_trace(
                    rows,
                    name=f"{KIND_LABELS[kind]} ({len(rows)})",
                    marker={"size": 11, "color": KIND_COLORS[kind], "opacity": 0.9},
                    words=words,
                )
            )
    center, zoom = (
        _fit(lats, lons, max_zoom=max_zoom) if lats else ({"lat": 39.5, "lon": -98.35}, 3.0)
    )
    layout = {
        "map": {"style": map_style(), "center": center, "zoom": zoom},
        "margin": {"l": 0, "r": 0, "t": 8, "b": 0},
        "height": height,
        "font": FONT,
        # Above the map, so the legend never hides markers.
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        "showlegend": True,
    }
    graph = figure_html(
        {"data": traces, "layout": layout},
        div_id,
        waiting=_("The map is drawn here when scripts run; the list has every camera."),
    )
    # Shown by static/js/charts.js when a tile fails to load; always shown without tiles.
    if settings.MAP_TILE_URLS:
        note = format_html(
            '<p class="map-note" data-map-note hidden>{}</p>',
            _(
                "The background map could not be loaded, so the cameras are drawn on a plain "
                "background."
            ),
        )
    else:
        note = format_html(
            '<p class="map-note">{}</p>',
            _("This site shows no background map; the cameras are drawn on a plain background."),
        )
    bounds = ""
    if lats:
        # static/js/charts.js fits the zoom to these bounds at the map's drawn size, then draws.
        bounds = ",".join(f"{v:.6f}" for v in (min(lons), min(lats), max(lons), max(lats)))
    return format_html(
        '<div class="map-fit" data-bounds="{}" data-max-zoom="{}">{}{}</div>',
        bounds,
        f"{max_zoom:g}",
        graph,
        note,
    )


@dataclass(frozen=True)
class _CameraText:
    """The translated words of a map's camera traces, looked up once a map."""

    hover: str
    statuses: dict[str, str]
    unknown: str
    compass: list[str]

    @classmethod
    def current(cls) -> _CameraText:
        return cls(
            hover=(
                "<b>%{customdata[0]}</b><br>"
                + escape(_("Owner"))
                + ": %{customdata[1]}<br>"
                + escape(_("Vendor"))
                + ": %{customdata[2]}<br>"
                + escape(_("Direction"))
                + ": %{customdata[3]}<br>"
                + escape(_("Status"))
                + ": %{customdata[4]}<extra></extra>"
            ),
            statuses={value: str(label) for value, label in Camera.Status.choices},
            unknown=_("unknown"),
            compass=compass_names(),
        )


def _camera_trace(
    rows: Sequence[Mapping[str, Any]], *, name: str, marker: dict[str, Any], words: _CameraText
) -> dict[str, Any]:
    unknown = words.unknown
    return trace(
        "scattermap",
        lat=[float(r["latitude"]) for r in rows],
        lon=[float(r["longitude"]) for r in rows],
        mode="markers",
        name=escape(name),
        marker=marker,
        customdata=[
            [
                text(r.get("address") or _("Camera #%(pk)s") % {"pk": r["pk"]}),
                text(r.get("owner__name") or unknown),
                text(r.get("vendor") or unknown),
                text(
                    directions_label(
                        r.get("directions"), r.get("direction_text", ""), compass=words.compass
                    )
                    or unknown
                ),
                text(words.statuses.get(r.get("status") or "", r.get("status") or "")),
            ]
            for r in rows
        ],
        hovertemplate=words.hover,
    )


def snapshot_history_chart(*, history: Sequence[Any], div_id: str) -> SafeString:
    """Retention days, cameras and 30-day searches over time, one line per agency."""
    metrics = [
        ("retention_days", _("Retention (days)")),
        ("total_cameras", _("Cameras")),
        ("searches_30d", _("Searches in 30 days")),
    ]
    layout, axes = shared_x_rows([str(label) for _field, label in metrics], vertical_spacing=0.09)
    for suffix in axes:
        layout[f"xaxis{suffix}"].update(type="date", gridcolor="#e5e7eb")
        layout[f"yaxis{suffix}"].update(rangemode="tozero", gridcolor="#e5e7eb")
    by_agency: dict[str, list[Any]] = defaultdict(list)
    for snapshot in history:
        by_agency[snapshot.agency.name].append(snapshot)
    traces = []
    for index, (agency_name, snapshots) in enumerate(sorted(by_agency.items())):
        color = SERIES_COLORS[index % len(SERIES_COLORS)]
        snapshots = sorted(snapshots, key=lambda s: s.captured_on)
        dates = [s.captured_on.isoformat() for s in snapshots]
        for (field, label), suffix in zip(metrics, axes, strict=True):
            traces.append(
                trace(
                    "scatter",
                    x=dates,
                    y=[getattr(s, field) for s in snapshots],
                    mode="lines+markers",
                    name=escape(agency_name),
                    legendgroup=str(index),
                    showlegend=suffix == axes[0],
                    line={"color": color, "width": 2},
                    marker={"size": 7},
                    connectgaps=False,
                    hovertemplate="%{x}: %{y:,}<extra>" + escape(label) + "</extra>",
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                )
            )
    layout.update(
        height=520,
        margin={"l": 50, "r": 10, "t": 30, "b": 30},
        font=FONT,
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0},
        hovermode="x unified",
    )
    return figure_html({"data": traces, "layout": layout}, div_id)


# Sunburst colours: the owner's own state in blue, other states in orange, unknown in grey;
# federal recipients always in vermillion. Labels carry the same facts as text.
SUNBURST_COLORS = {
    "home": ("#0072B2", "#7FB8DC"),
    "other": ("#B35C00", "#F2C27F"),
    "unknown": ("#6E6E6E", "#C9C9C9"),
}
FEDERAL_COLOR = "#D55E00"


def sharing_sunburst(
    *, root_label: str, home_state: str, breakdown: Sequence[Mapping[str, Any]], div_id: str
) -> SafeString:
    """Who can search an agency's cameras: recipients grouped by state, then by kind.

    ``breakdown`` holds ``sharing_breakdown`` rows over ``recipient__state`` and
    ``recipient__kind``.
    """
    unknown_state = _("Unknown state")

    def group(state: str) -> str:
        if not state:
            return "unknown"
        return "home" if state == home_state else "other"

    root_id = "root"
    ids, labels, parents, values = [root_id], [escape(root_label)], [""], [0]
    colors = ["#ffffff"]
    state_totals: dict[str, int] = defaultdict(int)
    for row in breakdown:
        state_totals[row["recipient__state"] or ""] += row["count"]
    for state, total in sorted(state_totals.items(), key=lambda kv: -kv[1]):
        ids.append(f"s:{state}")
        labels.append(escape(str(STATE_NAMES.get(state, unknown_state))))
        parents.append(root_id)
        values.append(total)
        colors.append(SUNBURST_COLORS[group(state)][0])
    for row in breakdown:
        state = row["recipient__state"] or ""
        kind = row["recipient__kind"] or Agency.Kind.OTHER
        ids.append(f"s:{state}/k:{kind}")
        labels.append(escape(str(KIND_LABELS.get(kind, kind))))
        parents.append(f"s:{state}")
        values.append(row["count"])
        colors.append(
            FEDERAL_COLOR if kind == Agency.Kind.FEDERAL else SUNBURST_COLORS[group(state)][1]
        )
    values[0] = sum(state_totals.values())
    figure: Figure = {
        "data": [
            trace(
                "sunburst",
                ids=ids,
                labels=labels,
                parents=parents,
                values=values,
                branchvalues="total",
                maxdepth=3,
                insidetextorientation="radial",
                marker={"colors": colors, "line": {"color": "#ffffff", "width": 1}},
                hovertemplate="%{label}: %{value:,}<extra></extra>",
            )
        ],
        "layout": {
            "height": 460,
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "font": FONT,
            "paper_bgcolor": "#ffffff",
        },
    }
    return figure_html(figure, div_id)
