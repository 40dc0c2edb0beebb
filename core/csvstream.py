"""CSV lines built one row at a time, every cell through ``csv_safe``, for downloads that
stream (``StreamingHttpResponse``) or are joined into one body."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

from core.csvsafe import csv_safe

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


class Echo:
    """A file-like object whose ``write`` hands the line back, so ``csv.writer`` streams."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """One CSV line per row, each cell neutralized so spreadsheets never run it as a formula."""
    writer = csv.writer(Echo())
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


def csv_download(lines: Iterable[str], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV attachment named ``filename``."""
    response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
