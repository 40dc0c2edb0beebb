"""Camera directions as published -> compass bearings in degrees.

OpenStreetMap and agency lists write a camera's facing as degrees (``90``), several cameras on
one pole (``180;90``), a range of view (``239-284``, kept as its middle bearing), or compass
points (``NE``, ``north-east``). Bearings are whole degrees except the 16-point compass ones
(``NNE`` is 22.5).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

POINTS = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
]  # fmt: skip
CARDINAL: dict[str, float] = {point: index * 22.5 for index, point in enumerate(POINTS)}
WORDS = {"north": "N", "east": "E", "south": "S", "west": "W"}
WORD_POINT = re.compile(r"^(north|south)?[\s_-]*(north|south|east|west)?$")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
RANGE = re.compile(r"^(.+?)\s*(?:-|\u2013|\u2014|\.\.|to)\s*(.+)$")
SEPARATORS = re.compile(r"\s*[;,/|]\s*")


class DirectionError(ValueError):
    pass


def _tidy(value: float) -> float | int:
    # A bearing just under a full turn rounds up to 360.0, which is north: 0.
    value = round(value % 360, 1) % 360
    return int(value) if value == int(value) else value


def _single(text: str) -> float:
    token = text.strip()
    if NUMBER.match(token):
        value = float(token)
        # Mappers write counter-clockwise bearings too: OpenStreetMap has "-45" for 315.
        if not -360 <= value <= 360:
            raise DirectionError(_("bearing %s is outside -360 to 360") % token)
        return value % 360
    upper = token.upper().replace(" ", "")
    if upper in CARDINAL:
        return CARDINAL[upper]
    match = WORD_POINT.match(token.lower())
    if match and any(match.groups()):
        point = "".join(WORDS[w] for w in match.groups() if w)
        if point in CARDINAL:
            return CARDINAL[point]
    raise DirectionError(_("“%s” is not a direction") % token[:40])


def _one(part: str) -> float | int:
    try:
        return _tidy(_single(part))
    except DirectionError:
        match = RANGE.match(part)
        if not match:
            raise
    start, end = _single(match.group(1)), _single(match.group(2))
    # The middle of the arc swept clockwise from start to end, so 350-10 faces north.
    span = (end - start) % 360
    return _tidy(start + span / 2)


def parse_directions(text: str | None) -> list[float | int]:
    """Bearings for a published direction; ``[]`` when blank; DirectionError when unreadable."""
    text = (text or "").strip()
    if not text:
        return []
    return [_one(part) for part in SEPARATORS.split(text) if part.strip()]
