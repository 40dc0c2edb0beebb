"""The SVG helpers of the embeds: well-formed, labelled, to scale, escaped."""

import xml.etree.ElementTree as ET

import pytest

from embeds.svg import (
    BarSeries,
    MapPoint,
    distance_label,
    map_extent,
    nice_ticks,
    points_map_svg,
    stacked_bar_svg,
)

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (9, [0, 5, 10]),
        (1234, [0, 500, 1000, 1500]),
        (2000, [0, 500, 1000, 1500, 2000]),
        (41, [0, 20, 40, 60]),
    ],
)
def test_ticks_are_round_and_reach_the_maximum(maximum, ticks):
    assert nice_ticks(maximum) == ticks


def chart(**overrides):
    values = {
        "svg_id": "c",
        "labels": ["Mar", "Apr", "May"],
        "sublabels": ["2026", "", ""],
        "bar_titles": ["March 2026", "April 2026", "May 2026"],
        "series": [
            BarSeries(label="Stolen vehicle", values=[6, 2, 0], color="#0072B2"),
            BarSeries(label="Vague <b>", values=[0, 5, 3], color="#E69F00"),
        ],
        "title": "Searches per month",
        "desc": "13 searches from March to May",
        "y_title": "Searches",
        "x_title": "Month",
    }
    return stacked_bar_svg(**{**values, **overrides})


def test_bar_chart_is_an_image_with_title_desc_axes_and_stacked_bars():
    root = parse(chart())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find("s:title", NS).text == "Searches per month"
    assert root.find("s:desc", NS).text == "13 searches from March to May"
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert texts[0] == "Searches" and texts[-1] == "Month"  # both axis titles
    assert {"Mar", "Apr", "May", "2026", "2", "6"} <= set(texts)  # months, year, ticks 0-6
    rects = root.findall("s:rect", NS)
    # Zero values draw nothing: 2 + 0 segments would be 6 with them.
    assert len(rects) == 4
    titles = [r.find("s:title", NS).text for r in rects]
    assert "April 2026, Vague <b>: 5" in titles  # escaped in the markup, text when parsed
    heights = {t: float(r.get("height")) for t, r in zip(titles, rects, strict=True)}
    # Heights are to scale: 6 searches three times the height of 2.
    assert heights["March 2026, Stolen vehicle: 6"] == pytest.approx(
        3 * heights["April 2026, Stolen vehicle: 2"]
    )
    # April's segments stack: the second starts where the first ends.
    april = [r for r, t in zip(rects, titles, strict=True) if t.startswith("April")]
    assert float(april[1].get("y")) + float(april[1].get("height")) == pytest.approx(
        float(april[0].get("y"))
    )
    # Bars are placed in percentages of the width, inside it.
    for rect in rects:
        x, width = float(rect.get("x").rstrip("%")), float(rect.get("width").rstrip("%"))
        assert x > 0 and x + width <= 100


def test_bar_chart_escapes_and_formats_numbers_its_way():
    markup = chart(title="<script>alert(1)</script>", number_format=lambda n: f"{n}#")
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    texts = [t.text for t in parse(markup).iter(f"{{{NS['s']}}}text")]
    assert "6#" in texts


def test_bar_chart_of_nothing_still_draws_axes():
    root = parse(chart(series=[BarSeries(label="x", values=[0, 0, 0], color="#000")]))
    assert root.findall("s:rect", NS) == []
    assert len(root.findall("s:line", NS)) >= 2


def test_map_projects_points_north_up_to_scale_with_a_scale_bar():
    points = [
        MapPoint(latitude=41.50, longitude=-88.10, color="#0072B2", label="West <PD>"),
        MapPoint(
            latitude=41.52, longitude=-88.06, color="#E69F00", label="North-east", hollow=True
        ),
        MapPoint(latitude=41.51, longitude=-88.08, color="#0072B2", label="Mid", directions=[90]),
    ]
    root = parse(
        points_map_svg(
            svg_id="m", points=points, title="Cameras", desc="3 cameras", north_label="N"
        )
    )
    assert root.find("s:title", NS).text == "Cameras" and root.get("role") == "img"
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    circles = {
        g.find("s:title", NS).text: g.find("s:circle", NS)
        for g in root.iter(f"{{{NS['s']}}}g")
        if g.get("class") == "map-point"
    }
    west, north_east, mid = (
        (float(circles[name].get("cx")), float(circles[name].get("cy")))
        for name in ("West <PD>", "North-east", "Mid")
    )
    assert west[0] < mid[0] < north_east[0]  # east is right
    assert north_east[1] < mid[1] < west[1]  # north is up
    for x, y in (west, mid, north_east):
        assert 0 <= x <= width and 0 <= y <= height
    # Equal ground distances are equal on the map: 0.02° of latitude vs 0.02° of longitude
    # at 41.5°N, whose ratio is cos(41.5°).
    dx, dy = north_east[0] - west[0], west[1] - north_east[1]
    assert dx / 2 / (dy) == pytest.approx(0.749, abs=0.01)
    assert circles["North-east"].get("fill") == "#ffffff"  # planned: hollow
    assert any(
        t.text.endswith("km") or t.text.endswith(" m") for t in root.iter(f"{{{NS['s']}}}text")
    )
    extent = map_extent(points)
    assert extent.north_south_km == pytest.approx(2.23, abs=0.01)
    assert extent.east_west_km == pytest.approx(3.33, abs=0.02)


def test_one_point_is_centred_and_distances_read_in_metres_or_km():
    root = parse(
        points_map_svg(
            svg_id="m",
            points=[MapPoint(latitude=10, longitude=20, color="#000", label="Only")],
            title="t",
            desc="d",
            north_label="N",
        )
    )
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    circle = root.find("s:g/s:circle", NS)
    assert float(circle.get("cx")) == pytest.approx(width / 2)
    assert float(circle.get("cy")) == pytest.approx(height / 2)
    assert distance_label(0.2) == "200 m" and distance_label(2) == "2 km"
