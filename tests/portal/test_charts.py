"""Chart and map fragments (cameras/charts.py and the plumbing of core/charts.py), the tile
settings and the vendored plotly.js bundles: the right traces, the wheel's plotly.js version, the
licenses next to them."""

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from plotly.offline import get_plotlyjs_version
from plotly.subplots import make_subplots

from cameras import charts
from core.charts import SERIES_COLORS, figure_json, shared_x_rows
from tests.factories import CameraFactory, CityFactory
from tests.helpers import figure_of

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor" / "plotly"


def _figure(html: str) -> dict:
    return figure_of(html)


def _row(pk: int, lat: float, lon: float, directions=(), kind: str = "police") -> dict:
    return {
        "pk": pk,
        "latitude": lat,
        "longitude": lon,
        "directions": list(directions),
        "direction_text": "",
        "owner__kind": kind,
        "owner__name": "Prairie Junction IL PD",
        "vendor": "Flock Safety",
        "status": "active",
        "address": f"{pk} Main St",
    }


def _bounds(html: str) -> list[float]:
    return [float(v) for v in re.search(r'data-bounds="([^"]+)"', str(html)).group(1).split(",")]


# --- the bundles -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plotly-charts.min.js", "plotly-maps.min.js"])
def test_bundles_are_the_plotly_js_of_the_plotly_wheel(name):
    # The figure JSON comes from plotly (python); its plotly.js must draw it.
    head = (VENDOR / name).read_text(encoding="utf-8")[:400]
    assert f"plotly.js v{get_plotlyjs_version()} " in head
    assert "partial bundle" in head
    assert f"plotly.js {get_plotlyjs_version()}\n" in (VENDOR / "VERSION").read_text()


def test_bundles_carry_their_licenses_and_stay_small():
    assert "MIT License" in (VENDOR / "LICENSE.plotly.js.txt").read_text()
    assert (
        "BSD" in (VENDOR / "LICENSE.maplibre-gl.txt").read_text()
        or "Redistribution" in (VENDOR / "LICENSE.maplibre-gl.txt").read_text()
    )
    # The full plotly.min.js of the wheel is 4.8 MB; the map bundle adds MapLibre (1.7 MB).
    assert (VENDOR / "plotly-charts.min.js").stat().st_size < 1_600_000
    assert (VENDOR / "plotly-maps.min.js").stat().st_size < 3_400_000


def test_the_bundles_hold_the_traces_the_figures_use():
    """Every trace type the figure builders emit is registered in the bundle a page loads."""
    used = set()
    for module in ("cameras/charts.py", "searches/charts.py"):
        used |= set(re.findall(r"\btrace\(\s*\"(\w+)\"", (ROOT / module).read_text()))
    assert used == {"scatter", "scattermap", "bar", "sunburst"}
    for name, traces in {
        "plotly-charts.min.js": used - {"scattermap"},
        "plotly-maps.min.js": used,
    }.items():
        declared = (VENDOR / name).read_text(encoding="utf-8")[:400]
        listed = set(re.search(r"partial bundle: ([a-z, ]+)", declared).group(1).split(", "))
        assert listed == traces, name
        entry = (ROOT / "scripts" / "plotly" / name.split("-")[1].replace(".min", "")).read_text()
        registered = set(re.findall(r"plotly\.js/lib/(\w+)", entry)) - {"core"} | {"scatter"}
        assert registered == traces, name


# --- tiles -------------------------------------------------------------------------------------


def test_map_style_is_built_from_the_tile_settings(settings):
    settings.MAP_TILE_URLS = ["https://tiles.example.org/osm/{z}/{x}/{y}.png"]
    settings.MAP_TILE_ATTRIBUTION = "© OpenStreetMap <contributors>"
    settings.MAP_TILE_MAX_ZOOM = 18
    style = charts.map_style()
    assert style["layers"][0]["type"] == "background"
    source = style["sources"][charts.MAP_TILE_SOURCE]
    assert source["tiles"] == ["https://tiles.example.org/osm/{z}/{x}/{y}.png"]
    assert source["maxzoom"] == 18
    # MapLibre renders attribution as HTML; the setting is text.
    assert source["attribution"] == "© OpenStreetMap &lt;contributors&gt;"
    html = str(charts.camera_map(points=[_row(1, 41.5, -88.1)], div_id="m"))
    assert _figure(html)["layout"]["map"]["style"] == style
    assert "data-map-note hidden" in html


def test_without_tiles_the_map_has_no_raster_source_and_says_so(settings):
    settings.MAP_TILE_URLS = []
    style = charts.map_style()
    assert style["sources"] == {}
    assert [layer["type"] for layer in style["layers"]] == ["background"]
    html = str(charts.camera_map(points=[_row(1, 41.5, -88.1)], div_id="m"))
    assert '<p class="map-note">This site shows no background map' in html
    assert "tile.openstreetmap.org" not in html


def _settings_in_a_process(env: dict[str, str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; print(json.dumps({'urls': s.MAP_TILE_URLS,"
        " 'origins': s.MAP_TILE_ORIGINS, 'img': d['img-src'], 'connect': d['connect-src']}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_MAP_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_tile_setting_feeds_the_content_security_policy():
    found = _settings_in_a_process(
        {
            "PORTAL_MAP_TILES": "https://a.tiles.example.org/{z}/{x}/{y}.png,"
            "https://b.tiles.example.org:8443/raster/{z}/{x}/{y}.png",
            "PORTAL_MAP_TILE_ORIGINS": "https://cdn.example.org",
        }
    )
    origins = [
        "https://a.tiles.example.org",
        "https://b.tiles.example.org:8443",
        "https://cdn.example.org",
    ]
    assert found["origins"] == origins
    assert found["img"][-3:] == origins and found["connect"][-3:] == origins
    assert "https://tile.openstreetmap.org" not in found["img"]
    # Empty: no tile server at all, and none allowed.
    empty = _settings_in_a_process({"PORTAL_MAP_TILES": ""})
    assert empty["urls"] == [] and empty["origins"] == []
    assert empty["img"] == ["'self'", "data:", "blob:"]


# --- camera maps -------------------------------------------------------------------------------


def test_a_cameras_map_is_centred_on_it_with_an_arrow_per_direction():
    camera = _row(1, 41.5, -88.1, directions=[90, 180])
    far = _row(2, 41.504, -88.1, kind="hoa")  # about 445 m north
    html = str(
        charts.camera_map(points=[camera], context_points=[far], focus=camera, div_id="camera-map")
    )
    figure = _figure(html)
    assert figure["layout"]["map"]["center"] == pytest.approx({"lat": 41.5, "lon": -88.1})
    west, south, east, north = _bounds(html)
    # Symmetric about the camera, so charts.js's refit keeps it in the middle.
    assert (west + east) / 2 == pytest.approx(-88.1, abs=1e-6)
    assert (south + north) / 2 == pytest.approx(41.5, abs=1e-6)
    assert north == pytest.approx(41.504, abs=1e-5)
    assert 'data-max-zoom="17"' in html

    arrows = next(t for t in figure["data"] if t.get("mode") == "lines")
    assert arrows["name"] == "Facing 90° (E), 180° (S)"
    assert arrows["hoverinfo"] == "skip"
    # Each arrow: camera -> tip, gap, barb -> tip -> barb, gap.
    lats, lons = arrows["lat"], arrows["lon"]
    assert len(lats) == 14 and lats[2] is None and lats[6] is None
    east_tip, south_tip = (lats[1], lons[1]), (lats[8], lons[8])
    assert (lats[0], lons[0]) == (41.5, -88.1)
    assert east_tip[0] == pytest.approx(41.5) and east_tip[1] > -88.1
    assert south_tip[1] == pytest.approx(-88.1) and south_tip[0] < 41.5
    # 40% of the 445 m the map shows around the camera.
    metres = (east_tip[1] + 88.1) * charts.METERS_PER_DEGREE * math.cos(math.radians(41.5))
    assert metres == pytest.approx(0.4 * 0.004 * charts.METERS_PER_DEGREE, rel=0.01)
    # The arrowheads point back at the camera on both sides of the shaft.
    assert lats[3] < 41.5 < lats[5] and lons[3] < east_tip[1] and lons[5] < east_tip[1]
    # The camera's own marker is drawn last, over its arrows and its neighbours.
    assert figure["data"][-1]["lat"] == [41.5]


def test_a_lone_camera_without_directions_gets_no_arrow_and_a_close_view():
    camera = _row(1, 41.5, -88.1, directions=[])
    html = str(charts.camera_map(points=[camera], focus=camera, div_id="camera-map"))
    figure = _figure(html)
    assert [t.get("mode") for t in figure["data"]] == ["markers"]
    north = _bounds(html)[3]
    # At least 150 m around the camera, whatever its neighbours.
    assert (north - 41.5) * charts.METERS_PER_DEGREE == pytest.approx(150, rel=0.01)
    assert figure["layout"]["map"]["zoom"] > 15


def test_a_figure_box_reads_before_its_script_runs():
    html = str(charts.camera_map(points=[_row(1, 41.5, -88.1)], div_id="home-map", height=460))
    assert 'style="min-height: 460px"' in html
    assert "The map is drawn here when scripts run; the list has every camera." in html
    # Markup in the data cannot end the data block.
    nasty = _row(2, 41.6, -88.2)
    nasty["address"] = "</script><script>alert(1)</script>"
    html = str(charts.camera_map(points=[nasty], div_id="m"))
    assert "<script>alert" not in html and "</script><script>" not in html


@pytest.mark.django_db
def test_the_camera_page_centres_its_map_on_the_camera(client):
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    camera = CameraFactory(city=city, directions=[45], address="100 Main St")
    CameraFactory(
        city=city, latitude=camera.latitude + Decimal("0.001"), longitude=camera.longitude
    )
    response = client.get(camera.get_absolute_url())
    html = response.content.decode()
    figure = _figure(html)
    assert figure["layout"]["map"]["center"] == pytest.approx(
        {"lat": float(camera.latitude), "lon": float(camera.longitude)}
    )
    assert any(t.get("name") == "Facing 45° (NE)" for t in figure["data"])
    assert "an arrow points toward each direction it faces: 45° (NE)." in html
    assert "vendor/plotly/plotly-maps.min.js" in html
    assert re.search(r'<script src="[^"]+plotly-maps\.min\.js" defer>', html)


def test_a_city_map_has_one_trace_per_owner_kind_in_its_colour():
    points = [
        _row(1, 41.5, -88.1, directions=[90]),
        _row(2, 41.51, -88.12, kind="hoa"),
        _row(3, 41.52, -88.11),
    ]
    points[1]["address"] = "Oak & Elm"
    figure = _figure(charts.camera_map(points=points, div_id="city-map"))
    assert [(t["type"], t["name"], t["marker"]["color"]) for t in figure["data"]] == [
        ("scattermap", "Police department (2)", charts.KIND_COLORS["police"]),
        ("scattermap", "Homeowners association (1)", charts.KIND_COLORS["hoa"]),
    ]
    police, hoa = figure["data"]
    assert police["lat"] == [41.5, 41.52] and police["lon"] == [-88.1, -88.11]
    assert police["mode"] == "markers" and police["marker"]["size"] == 11
    assert police["customdata"][0] == [
        "1 Main St",
        "Prairie Junction IL PD",
        "Flock Safety",
        "90° (E)",
        "Active",
    ]
    # The hover text is markup: the data in it is escaped.
    assert hoa["customdata"][0][0] == "Oak &amp; Elm"
    assert police["hovertemplate"].startswith("<b>%{customdata[0]}</b><br>Owner: %{customdata[1]}")
    layout = figure["layout"]
    assert layout["height"] == 460 and layout["showlegend"] is True
    assert layout["map"]["center"] == pytest.approx({"lat": 41.51, "lon": -88.11})
    assert layout["legend"] == {
        "orientation": "h",
        "yanchor": "bottom",
        "y": 1.0,
        "xanchor": "left",
        "x": 0,
    }
    assert "template" not in layout


# --- figures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 2, 3, 4])
def test_stacked_rows_are_laid_out_as_make_subplots_does(rows):
    titles = [f"Row {n}" for n in range(1, rows + 1)]
    layout, axes = shared_x_rows(titles, vertical_spacing=0.09)
    expected = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=titles
    ).layout.to_plotly_json()
    expected.pop("template")
    assert json.loads(json.dumps(layout)) == json.loads(json.dumps(expected))
    assert axes == ["", "2", "3", "4"][:rows]


def _snapshot(agency: str, day: dt.date, retention: int, cameras: int, searches: int | None):
    return SimpleNamespace(
        agency=SimpleNamespace(name=agency),
        captured_on=day,
        retention_days=retention,
        total_cameras=cameras,
        searches_30d=searches,
    )


def test_the_snapshot_history_draws_each_metric_per_agency_on_shared_dates():
    jan, apr, jul = dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1)
    history = [
        _snapshot("Zeta PD", apr, 30, 12, 40),
        _snapshot("Zeta PD", jan, 90, 10, None),
        _snapshot("Alpha & Co SO", jul, 365, 3, 7),
        _snapshot("Alpha & Co SO", jan, 365, 2, 5),
    ]
    html = str(charts.snapshot_history_chart(history=history, div_id="city-snapshots"))
    assert 'style="min-height: 520px"' in html
    figure = _figure(html)
    data = figure["data"]
    assert {t["type"] for t in data} == {"scatter"} and len(data) == 6
    # Agencies by name, each in its own colour on all three rows; one legend entry each.
    assert [(t["name"], t["xaxis"], t["yaxis"], t["showlegend"]) for t in data] == [
        ("Alpha &amp; Co SO", "x", "y", True),
        ("Alpha &amp; Co SO", "x2", "y2", False),
        ("Alpha &amp; Co SO", "x3", "y3", False),
        ("Zeta PD", "x", "y", True),
        ("Zeta PD", "x2", "y2", False),
        ("Zeta PD", "x3", "y3", False),
    ]
    assert [t["line"]["color"] for t in data] == [SERIES_COLORS[0]] * 3 + [SERIES_COLORS[1]] * 3
    assert [t["legendgroup"] for t in data] == ["0"] * 3 + ["1"] * 3
    zeta = data[3:]
    assert all(t["x"] == ["2026-01-01", "2026-04-01"] for t in zeta)
    assert [t["y"] for t in zeta] == [[90, 30], [10, 12], [None, 40]]
    assert data[0]["hovertemplate"] == "%{x}: %{y:,}<extra>Retention (days)</extra>"
    assert data[0]["mode"] == "lines+markers" and data[0]["connectgaps"] is False
    layout = figure["layout"]
    assert [a["text"] for a in layout["annotations"]] == [
        "Retention (days)",
        "Cameras",
        "Searches in 30 days",
    ]
    # One date axis shared by the rows; the top row's plot reaches the top of the paper.
    assert layout["xaxis"]["matches"] == layout["xaxis2"]["matches"] == "x3"
    assert all(layout[f"xaxis{s}"]["type"] == "date" for s in ("", "2", "3"))
    assert all(layout[f"yaxis{s}"]["rangemode"] == "tozero" for s in ("", "2", "3"))
    assert layout["yaxis"]["domain"] == [pytest.approx(0.72666667), 1.0]
    assert layout["yaxis3"]["domain"] == [0.0, pytest.approx(0.27333333)]
    assert layout["hovermode"] == "x unified" and layout["height"] == 520


def test_the_sharing_sunburst_groups_recipients_by_state_then_kind():
    breakdown = [
        {"recipient__state": "IL", "recipient__kind": "police", "count": 5},
        {"recipient__state": "IL", "recipient__kind": "federal", "count": 1},
        {"recipient__state": "TX", "recipient__kind": "sheriff", "count": 2},
        {"recipient__state": "", "recipient__kind": "", "count": 1},
    ]
    html = charts.sharing_sunburst(
        root_label="Prairie Junction IL PD & co",
        home_state="IL",
        breakdown=breakdown,
        div_id="agency-network",
    )
    (sunburst,) = _figure(html)["data"]
    assert sunburst["type"] == "sunburst" and sunburst["branchvalues"] == "total"
    assert sunburst["ids"] == [
        "root",
        "s:IL",
        "s:TX",
        "s:",
        "s:IL/k:police",
        "s:IL/k:federal",
        "s:TX/k:sheriff",
        "s:/k:other",
    ]
    assert sunburst["parents"] == ["", "root", "root", "root", "s:IL", "s:IL", "s:TX", "s:"]
    assert sunburst["values"] == [9, 6, 2, 1, 5, 1, 2, 1]
    assert sunburst["labels"][:4] == [
        "Prairie Junction IL PD &amp; co",
        "Illinois",
        "Texas",
        "Unknown state",
    ]
    home, other, unknown = (charts.SUNBURST_COLORS[k] for k in ("home", "other", "unknown"))
    assert sunburst["marker"]["colors"] == [
        "#ffffff",
        home[0],
        other[0],
        unknown[0],
        home[1],
        charts.FEDERAL_COLOR,
        other[1],
        unknown[1],
    ]
    assert 'style="min-height: 460px"' in str(html)


def test_figure_json_writes_what_plotly_wrote_for_odd_values():
    figure = {
        "data": [{"type": "scatter", "y": [1.5, math.nan, math.inf], "x": [dt.date(2026, 1, 2)]}],
        "layout": {"title": {"text": gettext_lazy("Cameras")}, "width": Decimal("300")},
    }
    assert json.loads(figure_json(figure)) == {
        "data": [{"type": "scatter", "y": [1.5, None, None], "x": ["2026-01-02"]}],
        "layout": {"title": {"text": "Cameras"}, "width": 300.0},
    }
    with pytest.raises(TypeError, match="object is not JSON serializable in a figure"):
        figure_json({"data": [object()]})


@pytest.mark.parametrize("language", ["en", "es"])
def test_compass_names_label_bearings_as_one_at_a_time_does(language):
    bearings = [0, 44, 90, 135.5, 180, 225, 270, 315, 359, "bad", None]
    with translation.override(language):
        compass = charts.compass_names()
        assert charts.directions_label(bearings, compass=compass) == charts.directions_label(
            bearings
        )
        assert charts.compass_point(270, compass) == ("W" if language == "en" else "O")
