"""CSV for every endpoint (``?format=csv``), with nested values flattened and every cell made
safe for spreadsheets. Lists stream every matching row through ``csv_stream``; the renderer
serves single objects and anything else DRF renders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from django.http import QueryDict
from django.utils.text import slugify
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from core.csvstream import csv_lines


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of ``dotted.keys`` for nested objects; lists joined with ``;``."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat[name] = ";".join(str(v) for v in value)
        else:
            flat[name] = value
    return flat


def csv_columns(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """The flattened column names of a serializer, known before any row is read."""
    columns: list[str] = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns.extend(csv_columns(field, f"{prefix}{name}."))
        else:
            columns.append(f"{prefix}{name}")
    return columns


def csv_stream(*, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A header line, then one safe, flattened line per row."""
    flat_rows = (flatten(row) for row in rows)
    return csv_lines(chain([columns], ([flat.get(c, "") for c in columns] for flat in flat_rows)))


# A filename's stem stays below this, whatever the filters: some systems cap names at 255 bytes.
FILENAME_STEM_MAX = 120
FILENAME_PART_MAX = 40
# Query parameters that never change which rows a file holds.
UNNAMED_PARAMS = frozenset({"format", "page", "page_size", "cursor", "ordering", "kind"})


def _slug(value: str) -> str:
    # Underscores separate the filters in a name, so none inside a value.
    return slugify(value.replace("_", "-"))[:FILENAME_PART_MAX].strip("-")


def filename_parts(
    params: QueryDict | Mapping[str, Any], spec: Sequence[tuple[str, str]]
) -> list[str]:
    """``prefix-value`` for each filter of ``spec`` (name, prefix; a blank prefix leaves the
    value alone) that ``params`` holds, in ``spec`` order; several values of one filter in
    sorted order. Values are slugged: lowercase ASCII letters, digits and hyphens only."""
    parts = []
    for name, prefix in spec:
        raw = params.getlist(name) if hasattr(params, "getlist") else [params.get(name, "")]
        for value in sorted({_slug(str(v)) for v in raw if str(v).strip()} - {""}):
            parts.append(f"{prefix}-{value}" if prefix else value)
    return parts


def export_filename_for(view: Any, params: QueryDict | Mapping[str, Any], extension: str) -> str:
    """The download name of a list (a viewset or its class) filtered by ``params``: the list's
    ``export_name`` then its filters, e.g. ``cameras_city-prairie-junction-il.csv``.

    A viewset may name its filters itself (``export_filename_parts(params)``); otherwise each
    filter of its filter set counts, in declaration order, as ``name-value``. Always the same
    name for the same filters, whatever their order in the URL."""
    name = getattr(view, "export_name", None) or getattr(view, "basename", None) or "export"
    parts_of = getattr(view, "export_filename_parts", None)
    if parts_of is not None:
        parts = parts_of(params)
    else:
        filterset_class = getattr(view, "filterset_class", None)
        names = [n for n in getattr(filterset_class, "base_filters", {}) if n not in UNNAMED_PARAMS]
        parts = filename_parts(params, [(n, n.replace("_", "-")) for n in names])
    stem = _slug(name) or "export"
    for part in parts:
        if len(stem) + 1 + len(part) > FILENAME_STEM_MAX:
            break
        stem = f"{stem}_{part}"
    return f"{stem}.{extension}"


def export_filename(view: Any, extension: str) -> str:
    """The download name of ``view``'s response, after the filters of its request."""
    request = getattr(view, "request", None)
    params = getattr(request, "query_params", None) or getattr(request, "GET", None) or {}
    return export_filename_for(view, params, extension)


class PortalCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, Mapping) and "results" in data:
            rows: Iterable[Any] = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        flat_rows = [flatten(r) if isinstance(r, Mapping) else {"value": r} for r in rows]
        columns: list[str] = []
        for row in flat_rows:
            columns.extend(k for k in row if k not in columns)
        body = "".join(csv_stream(columns=columns, rows=flat_rows))
        response = renderer_context and renderer_context.get("response")
        view = renderer_context and renderer_context.get("view")
        if response is not None and view is not None:
            filename = export_filename(view, "csv")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return body.encode(self.charset)
