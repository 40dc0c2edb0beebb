"""GeoJSON (RFC 7946) for cameras: a Feature per camera, a FeatureCollection per list."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

GEOJSON_MEDIA_TYPE = "application/geo+json"
COORDINATE_KEYS = ("longitude", "latitude")


def camera_feature(row: Mapping[str, Any]) -> dict[str, Any]:
    """A serialized camera as a Point Feature whose properties are all its public fields."""
    return {
        "type": "Feature",
        "id": row.get("id"),
        "geometry": {
            "type": "Point",
            "coordinates": [float(row["longitude"]), float(row["latitude"])],
        },
        "properties": dict(row),
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))


def feature_collection_stream(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A FeatureCollection written feature by feature, so no list of all rows is held."""
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    for row in rows:
        yield separator + _dumps(camera_feature(row))
        separator = ","
    yield "]}"


class GeoJSONRenderer(BaseRenderer):
    media_type = GEOJSON_MEDIA_TYPE
    format = "geojson"
    # RFC 7946 defines no charset parameter: GeoJSON is always UTF-8.
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, Mapping) and "results" in data:
            data = data["results"]
        if isinstance(data, list):
            body = "".join(feature_collection_stream(data))
        elif isinstance(data, Mapping) and all(k in data for k in COORDINATE_KEYS):
            body = _dumps(camera_feature(data))
        else:
            body = _dumps(data)
        return body.encode("utf-8")
