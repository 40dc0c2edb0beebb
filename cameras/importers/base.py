"""Reading uploaded files safely: encoding detection, streaming CSV with line numbers, JSON.

Every problem with a file as a whole raises ``ImportFileError`` with a message a clerk can act
on; problems with one row are returned with the row so the importer can reject just that row.
Line numbers are the file's own: 1 is the header line, and a row spanning several lines (a
quoted cell with line breaks) carries the number of its first line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import IO, Any

from django.utils.translation import gettext as _

from core.imports import EXCERPT_MAX, ImportFileError
from core.textfiles import (
    CONTROL_CHARS,
    SNIFF_BYTES,
    control_char_error,
    csv_error,
    detect_encoding,
    guess_delimiter,
)

HEADER_MAX = 64 * 1024
JSON_MAX_BYTES = 64 * 1024 * 1024
# GeoJSON needs 7 levels (a MultiPolygon's coordinates), Overpass 4; tag values nest a little.
JSON_MAX_DEPTH = 64
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
JSON_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
JSON_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# \u0000-style escapes of the characters no text column can hold (PostgreSQL refuses NUL).
JSON_CONTROL_ESCAPE = re.compile(r"(?<!\\)(\\u00(?:0[0-8bBeEfF]|1[0-9a-fA-F]|7[fF]))")
BLANK = " \t\r\n\x0c\x1a"
NULL_TOKENS = frozenset({"", "na", "n/a", "null", "none", "-", "--", "data unavailable"})


def normalize_header(name: str) -> str:
    """``Networks I'm Sharing`` -> ``networks_i_m_sharing``; ``camera:direction`` ->
    ``camera_direction``; ``@id`` -> ``id``."""
    return re.sub(r"[^a-z0-9]+", "_", (name or "").strip().lstrip("\ufeff").lower()).strip("_")


def is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in NULL_TOKENS)


def excerpt(values: Iterable[Any]) -> str:
    text = ", ".join(str(v) for v in values if v not in (None, ""))
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


def rewind(stream: IO[bytes]) -> None:
    stream.seek(0)


def open_text(stream: IO[bytes]) -> io.TextIOWrapper:
    """A text stream over the upload in its detected encoding, newlines left for the CSV reader."""
    encoding = detect_encoding(stream)
    rewind(stream)
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def sniff_text(stream: IO[bytes]) -> str:
    """The first few kilobytes as text, to tell formats apart; the stream is rewound."""
    encoding = detect_encoding(stream)
    rewind(stream)
    head = stream.read(SNIFF_BYTES)
    rewind(stream)
    return head.decode(encoding, errors="ignore").lstrip("\ufeff")


def load_json(stream: IO[bytes]) -> Any:
    """Parse a whole JSON file. JSON camera exports are small (a city's Overpass result is a few
    hundred kilobytes), so reading them at once is fine; very large ones are refused."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if size > JSON_MAX_BYTES:
        raise ImportFileError(
            _("JSON files are limited to %(mb)s MB; split the file or export it as CSV.")
            % {"mb": JSON_MAX_BYTES // (1024 * 1024)}
        )
    return parse_json(open_text(stream).read())


def parse_json(text: str) -> Any:
    """Parse JSON text with the same bounds as ``load_json`` (depth, control characters)."""
    if _json_depth(text) > JSON_MAX_DEPTH:
        raise ImportFileError(
            _("The JSON nests more than %(n)s levels deep; no camera export does.")
            % {"n": JSON_MAX_DEPTH}
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("The JSON is invalid or cut short at line %(line)s, column %(col)s: %(msg)s.")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from None
    control = JSON_CONTROL_ESCAPE.search(text)
    if control:
        raise ImportFileError(
            _(
                "The JSON holds a control character (%(escape)s) at line %(line)s, which is "
                "not text; the export is damaged."
            )
            % {"escape": control.group(1), "line": text.count("\n", 0, control.start()) + 1}
        )
    return data


def _json_depth(text: str) -> int:
    """How deep the JSON's arrays and objects nest (brackets inside strings do not count),
    computed in C-speed passes: the parser itself would recurse once per level."""
    brackets = JSON_NOT_BRACKET.sub("", JSON_STRING.sub("", text))
    return max(accumulate(map(JSON_STEP.__getitem__, brackets)), default=0)


# --- CSV ------------------------------------------------------------------------------------


class _LineTracker:
    """Feeds lines to the CSV reader and remembers the last one, to spot a cut-off file."""

    def __init__(self, text: Iterable[str]):
        self._lines = iter(text)
        self.last = ""

    def __iter__(self) -> _LineTracker:
        return self

    def __next__(self) -> str:
        self.last = next(self._lines)
        return self.last


@dataclass(frozen=True)
class CsvRow:
    line: int
    data: dict[str, str]
    error: str = ""

    def excerpt(self) -> str:
        return excerpt(self.data.values())


@dataclass
class CsvTable:
    """A CSV file's normalized header and a one-pass iterator over its rows."""

    header: list[str]
    raw_header: list[str]
    rows: Iterator[CsvRow]

    def pick(self, *candidates: str) -> str | None:
        """The first of ``candidates`` present in the header."""
        return next((c for c in candidates if c in self.header), None)

    def require(self, groups: Mapping[str, tuple[str, ...]], *, what: str) -> dict[str, str]:
        """Map each required field to the header column that holds it, or fail naming what was
        expected and what was found."""
        found: dict[str, str] = {}
        missing: list[str] = []
        for field, candidates in groups.items():
            column = self.pick(*candidates)
            if column is None:
                missing.append(" / ".join(candidates))
            else:
                found[field] = column
        if missing:
            raise ImportFileError(
                _(
                    "This does not look like %(what)s: missing column(s) %(missing)s. "
                    "Found columns: %(found)s."
                )
                % {
                    "what": what,
                    "missing": "; ".join(missing),
                    "found": ", ".join(self.raw_header)[:800] or _("none"),
                }
            )
        return found


def read_csv(stream: IO[bytes]) -> CsvTable:
    """Open a CSV upload: detect its encoding and delimiter, read and normalize the header."""
    text = open_text(stream)
    first, skipped = text.readline(HEADER_MAX), 0
    while first and not first.strip():
        first, skipped = text.readline(HEADER_MAX), skipped + 1
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    if len(first) >= HEADER_MAX and not first.endswith(("\n", "\r")):
        raise ImportFileError(_("The first line is too long to be a header; this is not a CSV."))
    tracker = _LineTracker(_prepend(first, text))
    reader = csv.reader(tracker, delimiter=guess_delimiter(first), strict=True)
    try:
        raw_header = next(reader)
    except csv.Error as exc:
        raise csv_error(exc, 1 + skipped) from None
    header = [normalize_header(h) for h in raw_header]
    rows = _rows(reader, tracker, header, offset=skipped)
    first_row = next(rows, None)
    if first_row is None:
        raise ImportFileError(_("The file has a header line but no data rows."))
    return CsvTable(
        header=header,
        raw_header=[h.strip().lstrip("\ufeff") for h in raw_header],
        rows=_prepend(first_row, rows),
    )


def _prepend(first, rest: Iterable) -> Iterator:
    yield first
    yield from rest


def _rows(reader, tracker: _LineTracker, header: list[str], *, offset: int) -> Iterator[CsvRow]:
    width = len(header)
    while True:
        start = reader.line_num + 1 + offset
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise csv_error(exc, start) from None
        if not any(v.strip(BLANK) for v in values):
            continue  # blank lines, rows of empty cells, a DOS end-of-file mark
        if len(values) > width and not any(v.strip() for v in values[width:]):
            values = values[:width]  # trailing empty cells from a spreadsheet export
        problem = control_char_error(values)
        if problem:
            # Kept out of the stored excerpt too: PostgreSQL cannot hold a NUL.
            clean = [CONTROL_CHARS.sub("\ufffd", v) for v in values]
            yield CsvRow(line=start, data=dict(zip(header, clean, strict=False)), error=problem)
            continue
        data = dict(zip(header, values, strict=False))
        if len(values) == width:
            yield CsvRow(line=start, data=data)
            continue
        if len(values) < width and not tracker.last.endswith(("\n", "\r")):
            raise ImportFileError(
                _("Line %(line)s: the last row is incomplete; the file looks cut short.")
                % {"line": start}
            )
        yield CsvRow(
            line=start,
            data=data,
            error=_("expected %(width)s values, found %(found)s")
            % {"width": width, "found": len(values)},
        )


# --- values ---------------------------------------------------------------------------------

FILE_DATE = re.compile(r"(?<!\d)(20\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


def date_from_name(name: str) -> dt.date | None:
    """A YYYYMMDD (or YYYY-MM-DD) date in a file name, such as ``agency_access20240426.csv``."""
    for match in FILE_DATE.finditer(name or ""):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y")


def parse_date(value: str) -> dt.date | None:
    """ISO dates and timestamps (the date as written, e.g. ``2024-04-26T14:11:25Z``), US dates.

    Returns None for blank or "NA"; raises ValueError for anything else it cannot read.
    """
    if is_null(value):
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(_("“%s” is not a date") % text[:40])


INT_TEXT = re.compile(r"^\s*(\d{1,3}(,\d{3})+|\d+)(\.0+)?\s*$")


def parse_count(value: str) -> int | None:
    """A non-negative whole number such as ``1,234``; None for blank/NA; ValueError otherwise."""
    if is_null(value):
        return None
    match = INT_TEXT.match(value)
    if not match:
        raise ValueError(_("“%s” is not a whole number") % value.strip()[:40])
    return int(match.group(1).replace(",", ""))
