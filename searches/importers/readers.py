"""Reading audit files as a header and a stream of rows with their physical line numbers.

CSV (UTF-8 with or without BOM, UTF-16 with a BOM, or Windows-1252 when the whole file is
clearly that: the encoding is decided once for the file, never per row) and XLSX (openpyxl in
read-only mode, so rows stream from the sheet's XML). Nothing here evaluates a cell: a cell
that looks like a formula is text, and an XLSX formula is read as its formula text.

A row that cannot be read (a cell larger than the CSV limit, a broken quote) is yielded with an
error so the importer rejects that row and goes on; only a file that cannot be read at all
raises ``ImportFileError``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

# Importing the camera importers' base raises the CSV field limit to 1 MB for the process;
# a larger cell is a row error here.
from cameras.importers.base import MAX_CELL_CHARS, _delimiter
from portal.imports import ImportFileError

SCAN_CHUNK = 4 * 1024 * 1024
HEAD_BYTES = 64 * 1024
HEADER_MAX_CHARS = 64 * 1024
# The five byte values Windows-1252 leaves undefined: a file holding one is not Windows-1252.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
CONTROL_BYTES = frozenset(range(0x00, 0x09)) | {0x0B} | frozenset(range(0x0E, 0x20)) | {0x7F}

# A row yielded by a reader: (line of its first physical line, values or None, error).
Row = tuple[int, list[str] | None, str]


@dataclass
class Table:
    header: list[str]
    rows: Iterator[Row]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    # Progress: bytes read of total for CSV; rows read of the sheet's rows for XLSX.
    size: int = 0
    _position: Any = field(default=None, repr=False)
    # Held so that the text wrapper, when collected, does not close the job's stream early.
    _keep: Any = field(default=None, repr=False)

    def position(self) -> int:
        return self._position() if self._position else 0


def _size(stream: IO[bytes]) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        current = stream.tell()
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(current)
        return size


def _decodes(stream: IO[bytes], encoding: str) -> bool:
    """Whether the whole stream decodes under ``encoding`` (one pass, constant memory)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(SCAN_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _is_cp1252(stream: IO[bytes]) -> bool:
    stream.seek(0)
    try:
        while chunk := stream.read(SCAN_CHUNK):
            if not CP1252_UNDEFINED.isdisjoint(chunk):
                return False
    finally:
        stream.seek(0)
    return True


def detect_encoding(stream: IO[bytes], head: bytes) -> str:
    """The encoding of a CSV upload, decided once for the whole file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(stream, "utf-16"):
            raise ImportFileError(_("The file says it is UTF-16 but does not decode as UTF-16."))
        return "utf-16"
    if b"\x00" in head:
        raise ImportFileError(
            _(
                "This is not a CSV text file in a known encoding (it holds NUL bytes: UTF-16 "
                "without a byte-order mark, or binary data). Save it as CSV (UTF-8)."
            )
        )
    controls = sum(1 for byte in head if byte in CONTROL_BYTES)
    if controls > 2 and controls * 1000 > len(head):
        raise ImportFileError(_("This is not a text file: it holds binary data."))
    if _decodes(stream, "utf-8"):
        return "utf-8-sig"
    if _is_cp1252(stream):
        return "cp1252"
    raise ImportFileError(
        _(
            "The file's text encoding is not UTF-8, UTF-16 or Windows-1252; save it as CSV "
            "(UTF-8) and upload it again."
        )
    )


def open_table(stream: IO[bytes]) -> Table:
    """Open a CSV or XLSX audit file and read its header."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head.strip(b" \t\r\n\x1a\xef\xbb\xbf\xff\xfe\x00"):
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(stream)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel (.xls) file; save it as .xlsx or CSV and upload that.")
        )
    return _open_csv(stream, head)


# --- CSV ------------------------------------------------------------------------------------


def _open_csv(stream: IO[bytes], head: bytes) -> Table:
    encoding = detect_encoding(stream, head)
    size = _size(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first = text.readline(HEADER_MAX_CHARS)
    skipped = 0
    while first and not first.strip():
        first, skipped = text.readline(HEADER_MAX_CHARS), skipped + 1
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    if len(first) >= HEADER_MAX_CHARS and not first.endswith(("\n", "\r")):
        raise ImportFileError(_("The first line is too long to be a header; this is not a CSV."))
    header = next(csv.reader([first], delimiter=_delimiter(first)))
    # The reader continues after the header line; its line numbers start from there.
    reader = csv.reader(text, delimiter=_delimiter(first), strict=False)
    return Table(
        header=header,
        rows=_csv_rows(reader, width=len(header), offset=1 + skipped),
        kind="csv",
        encoding=encoding,
        size=size,
        _position=stream.tell,
        _keep=text,
    )


def _csv_rows(reader, *, width: int, offset: int) -> Iterator[Row]:
    last = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line, last = last + 1 + offset, reader.line_num
            if "field larger than field limit" in str(exc):
                message = _("a cell is larger than %(mb)s MB") % {"mb": MAX_CELL_CHARS // 1024**2}
            else:
                message = _("the row is not valid CSV (%s)") % exc
            yield line, None, message
            continue
        line, last = last + 1 + offset, reader.line_num
        if len(values) == width:
            yield line, values, ""
            continue
        if not values or not any(v.strip(" \t\r\n\x0c\x1a") for v in values):
            continue  # blank lines and rows of empty cells
        if len(values) > width and not any(v.strip() for v in values[width:]):
            yield line, values[:width], ""  # trailing empty cells from a spreadsheet
            continue
        yield (
            line,
            None,
            _("expected %(width)s values, found %(found)s")
            % {"width": width, "found": len(values)},
        )


# --- XLSX -----------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        # Spreadsheet times carry no zone; audit exports write them in UTC.
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_xlsx(stream: IO[bytes]) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False: a formula cell is read as its formula text, never a computed value.
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFileError(
            _("This looks like a ZIP archive but is not a readable Excel (.xlsx) workbook.")
        ) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ImportFileError(_("The workbook has no sheet."))
    rows = sheet.iter_rows(values_only=True)
    line = 0
    header: list[str] = []
    for values in rows:
        line += 1
        header = [_cell_text(v).strip() for v in values]
        if any(header):
            break
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(_("The file is empty."))
    done = [line]
    return Table(
        header=header,
        rows=_xlsx_rows(rows, width=len(header), start=line, done=done, workbook=workbook),
        kind="xlsx",
        size=sheet.max_row or 0,
        _position=lambda: done[0],
    )


def _xlsx_rows(rows, *, width: int, start: int, done: list[int], workbook) -> Iterator[Row]:
    line = start
    try:
        for values in rows:
            line += 1
            done[0] = line
            cells = [_cell_text(v) for v in values[:width]]
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            if any(len(c) > MAX_CELL_CHARS for c in cells):
                yield line, None, _("a cell is larger than 1 MB")
                continue
            yield line, cells, ""
    finally:
        workbook.close()
