"""What a comparison request asks for (``?cities=`` or ``?agencies=``), and the CSV of its
measures: shared by the page, its download and the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from compare.selectors import (
    ROW_COLUMNS,
    CompareError,
    Measures,
    compare_agencies,
    compare_cities,
    measures_row,
    parse_slugs,
)
from core.csvstream import CSV_CONTENT_TYPE, csv_lines


def requested_measures(params: Any) -> tuple[str, list[Measures]]:
    """("city" or "agency", the measures) for ``?cities=`` or ``?agencies=``; ``CompareError``
    for bad input. Shared by the page, its CSV and the API."""
    cities = parse_slugs(params.getlist("cities"))
    agencies = parse_slugs(params.getlist("agencies"))
    if cities and agencies:
        raise CompareError(_("Compare cities or agencies, not both at once."))
    if agencies:
        return "agency", compare_agencies(slugs=agencies)
    return "city", compare_cities(slugs=cities)


def csv_response(measures: Sequence[Measures], *, filename: str) -> HttpResponse:
    """The measures as one CSV body (small, so the page cache can keep it), cells made safe."""
    rows: list[Sequence[Any]] = [ROW_COLUMNS]
    for m in measures:
        row = measures_row(m)
        row["search_months"] = ";".join(row["search_months"])
        rows.append(tuple("" if row[c] is None else row[c] for c in ROW_COLUMNS))
    response = HttpResponse("".join(csv_lines(rows)), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_filename(kind: str, measures: Sequence[Measures]) -> str:
    slugs = "_".join(m.slug for m in measures[:4])
    more = f"_and-{len(measures) - 4}-more" if len(measures) > 4 else ""
    return f"compare-{kind}_{slugs}{more}.csv"
