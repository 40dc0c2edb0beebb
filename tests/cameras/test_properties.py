"""Properties of the camera direction parser (cameras/importers/directions.py)."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cameras.importers.directions import CARDINAL, DirectionError, parse_directions

whole = st.integers(min_value=0, max_value=359)
tenths = st.integers(min_value=0, max_value=3599).map(lambda n: n / 10)
separators = st.sampled_from([";", ",", "/", "|", " ; ", ", ", " / "])
compass_words = {
    "NE": ["north-east", "northeast", "North East", "north_east"],
    "SW": ["south-west", "southwest", "South West"],
    "N": ["north", "North", "NORTH"],
    "W": ["west", "West"],
}


def _close(a: float, b: float) -> bool:
    return min(abs(a - b), 360 - abs(a - b)) < 0.051


@given(st.text())
def test_any_text_gives_bearings_from_0_to_360_or_a_direction_error(text):
    try:
        bearings = parse_directions(text)
    except DirectionError as exc:
        assert str(exc)
        return
    assert all(0 <= b < 360 for b in bearings)


@given(st.floats(min_value=-360, max_value=360, allow_nan=False))
# Just below a full turn rounds up to it: the bearing is then 0, never 360.
@example(359.96)
@example(-0.04)
def test_any_bearing_from_minus_360_to_360_is_kept_in_0_to_360(value):
    text = f"{value:.3f}"
    (bearing,) = parse_directions(text)
    assert 0 <= bearing < 360
    assert _close(bearing, float(text) % 360)


@given(st.lists(st.one_of(whole, tenths), min_size=1, max_size=6), separators)
def test_formatted_bearings_parse_back(bearings, separator):
    text = separator.join(f"{b:g}" for b in bearings)
    assert parse_directions(text) == bearings


@given(whole)
def test_a_counter_clockwise_bearing_is_the_same_direction(bearing):
    assert parse_directions(str(bearing - 360)) == [bearing]


@given(st.sampled_from(sorted(CARDINAL)), st.sampled_from(["{}", "{} ", " {}", "{}"]))
def test_compass_points_in_any_case_are_their_bearings(point, shape):
    for spelling in (point, point.lower(), point.title()):
        assert parse_directions(shape.format(spelling)) == [pytest.approx(CARDINAL[point])]


@given(st.sampled_from(sorted(compass_words)), st.data())
def test_compass_words_are_their_points(point, data):
    word = data.draw(st.sampled_from(compass_words[point]))
    assert parse_directions(word) == parse_directions(point)


@given(whole, whole, st.sampled_from(["-", " - ", "\u2013", "..", " to "]))
def test_a_range_faces_the_middle_of_its_clockwise_arc(start, end, dash):
    (middle,) = parse_directions(f"{start}{dash}{end}")
    assert 0 <= middle < 360
    sweep = (end - start) % 360
    assert _close((middle - start) % 360, sweep / 2)
    assert _close((end - middle) % 360, sweep / 2)


@given(st.text(alphabet="xyzqk!?#", min_size=1, max_size=12))
def test_words_that_are_no_direction_raise_a_direction_error(text):
    with pytest.raises(DirectionError, match="is not a direction"):
        parse_directions(text)
