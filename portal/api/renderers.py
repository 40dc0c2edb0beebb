"""CSV for every endpoint (``?format=csv``), with nested values flattened and every cell made
safe for spreadsheets. Lists stream every matching row through ``csv_stream``; the renderer
serves single objects and anything else DRF renders."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from portal.csvsafe import csv_safe

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


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


def csv_columns(serializer: serializers.BaseSerializer, prefix: str = "") -> list[str]:
    """The flattened column names of a serializer, known before any row is read."""
    columns: list[str] = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns.extend(csv_columns(field, f"{prefix}{name}."))
        else:
            columns.append(f"{prefix}{name}")
    return columns


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_stream(*, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A header line, then one safe, flattened line per row."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        flat = flatten(row)
        yield writer.writerow([csv_safe(flat.get(column, "")) for column in columns])


def export_filename(view: Any, extension: str) -> str:
    name = getattr(view, "export_name", None) or getattr(view, "basename", None) or "export"
    return f"{name}.{extension}"


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
