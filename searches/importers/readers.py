"""Reading audit files as a header and a stream of rows with their physical line numbers.

CSV (UTF-8 with or without BOM, UTF-16 with a BOM, or Windows-1252 when the whole file is
clearly that: the encoding is decided once for the file, never per row) and XLSX (openpyxl in
read-only mode, so rows stream from the sheet's XML). Nothing here evaluates a cell: a cell
that looks like a formula is text, and an XLSX formula is read as its formula text.

A row that cannot be read (a broken quote, a control character such as NUL) is yielded with an
error so the importer rejects that row and goes on. A file that cannot be read at all, or that
is cut short (it ends inside a quoted cell, or its last line has no line break and fewer values
than the header), or that holds a cell over 1 MB, raises ``ImportFileError``: the job fails
and writes nothing. An XLSX is bounded before it is opened: what its ZIP members inflate to,
and how much, and openpyxl parses its XML through defusedxml (no DTD entities).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportFileError
from core.textfiles import (
    CONTROL_BYTES_RE,
    CONTROL_CHARS,
    MAX_CELL_CHARS,
    SCAN_CHUNK,
    control_char_error,
    csv_error,
    detect_encoding,
    guess_delimiter,
)

HEAD_BYTES = 64 * 1024
HEADER_MAX_CHARS = 64 * 1024
# What an XLSX may inflate to. Real workbooks compress their XML 5-30 times; a bomb 1000 times.
XLSX_MAX_UNCOMPRESSED = 4 * 1024**3
XLSX_MAX_RATIO = 200
XLSX_RATIO_FROM = 1024**2  # small members (styles, empty sheets) compress better and are harmless
# openpyxl reads every shared string into memory when it opens the workbook.
XLSX_MAX_SHARED_STRINGS = 256 * 1024**2

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


def _holds_controls(stream: IO[bytes], encoding: str) -> bool:
    """Whether any row may hold a control character, so that rows are only checked one by one
    when one does (a UTF-16 file always is: its bytes are full of zeros)."""
    if encoding == "utf-16":
        return True
    stream.seek(0)
    try:
        while chunk := stream.read(SCAN_CHUNK):
            if CONTROL_BYTES_RE.search(chunk):
                return True
    finally:
        stream.seek(0)
    return False


def _ends_with_line_break(stream: IO[bytes], encoding: str) -> bool:
    stream.seek(0, io.SEEK_END)
    stream.seek(max(0, stream.tell() - 8))
    tail = stream.read()
    stream.seek(0)
    if encoding == "utf-16":
        return tail.endswith((b"\n\x00", b"\r\x00", b"\x00\n", b"\x00\r"))
    return tail.rstrip(b"\x1a").endswith((b"\n", b"\r"))


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
    encoding = detect_encoding(stream)
    size = _size(stream)
    # Both read the raw stream, so before the text wrapper starts buffering it.
    controls = _holds_controls(stream, encoding)
    line_break_at_end = _ends_with_line_break(stream, encoding)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first = text.readline(HEADER_MAX_CHARS)
    skipped = 0
    while first and not first.strip():
        first, skipped = text.readline(HEADER_MAX_CHARS), skipped + 1
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    if len(first) >= HEADER_MAX_CHARS and not first.endswith(("\n", "\r")):
        raise ImportFileError(_("The first line is too long to be a header; this is not a CSV."))
    header = next(csv.reader([first], delimiter=guess_delimiter(first)))
    # The reader continues after the header line; its line numbers start from there. Strict,
    # so that a file ending inside a quoted cell is an error, not a short last cell.
    reader = csv.reader(text, delimiter=guess_delimiter(first), strict=True)
    return Table(
        header=header,
        rows=_csv_rows(
            reader,
            width=len(header),
            offset=1 + skipped,
            controls=controls,
            line_break_at_end=line_break_at_end,
        ),
        kind="csv",
        encoding=encoding,
        size=size,
        _position=stream.tell,
        _keep=text,
    )


def _csv_rows(
    reader, *, width: int, offset: int, controls: bool, line_break_at_end: bool
) -> Iterator[Row]:
    last = 0
    short_line = 0  # the line of the last row read when it had too few values
    while True:
        try:
            values = next(reader)
        except StopIteration:
            if short_line and not line_break_at_end:
                raise ImportFileError(
                    _("Line %(line)s: the last row is incomplete; the file looks cut short.")
                    % {"line": short_line}
                ) from None
            return
        except csv.Error as exc:
            line, last = last + 1 + offset, reader.line_num
            text = str(exc)
            if "field larger than field limit" in text or "unexpected end of data" in text:
                raise csv_error(exc, line) from None
            short_line = 0
            yield line, None, _("the row is not valid CSV (%s)") % exc
            continue
        line, last = last + 1 + offset, reader.line_num
        short_line = 0
        if controls and (problem := control_char_error(values)):
            yield line, None, problem
            continue
        if len(values) == width:
            yield line, values, ""
            continue
        if not values or not any(v.strip(" \t\r\n\x0c\x1a") for v in values):
            continue  # blank lines and rows of empty cells
        if len(values) > width and not any(v.strip() for v in values[width:]):
            yield line, values[:width], ""  # trailing empty cells from a spreadsheet
            continue
        if len(values) < width:
            short_line = line
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


NOT_XLSX = gettext_lazy(
    "This looks like a ZIP archive but is not a readable Excel (.xlsx) workbook."
)


def _check_zip(stream: IO[bytes]) -> None:
    """Refuse a workbook whose members would inflate beyond what an audit can be, before any
    of it is decompressed (the sizes are the archive's own; zipfile stops at them)."""
    try:
        members = zipfile.ZipFile(stream).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(NOT_XLSX) from None
    finally:
        stream.seek(0)
    total = sum(m.file_size for m in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ImportFileError(
            _("The workbook would inflate to %(mb)s MB; imports take at most %(max)s MB.")
            % {"mb": total // 1024**2, "max": XLSX_MAX_UNCOMPRESSED // 1024**2}
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_FROM and ratio > XLSX_MAX_RATIO:
            raise ImportFileError(
                _(
                    "The workbook's part %(name)s inflates %(ratio)s times (%(mb)s MB); no "
                    "spreadsheet compresses that well: this is a decompression bomb."
                )
                % {
                    "name": member.filename[:100],
                    "ratio": int(ratio),
                    "mb": member.file_size // 1024**2,
                }
            )
        if member.filename.lower().endswith("sharedstrings.xml") and (
            member.file_size > XLSX_MAX_SHARED_STRINGS
        ):
            raise ImportFileError(
                _("The workbook's shared strings take %(mb)s MB; imports take at most %(max)s MB.")
                % {"mb": member.file_size // 1024**2, "max": XLSX_MAX_SHARED_STRINGS // 1024**2}
            )


def _xml_error(exc: Exception) -> ImportFileError:
    from defusedxml import DefusedXmlException

    if isinstance(exc, DefusedXmlException):
        return ImportFileError(
            _(
                "The workbook's XML declares entities or external references (%s); a "
                "spreadsheet never needs them, so it is refused."
            )
            % type(exc).__name__
        )
    return ImportFileError(_("The workbook's XML is malformed (%s).") % str(exc)[:200])


def _open_xlsx(stream: IO[bytes]) -> Table:
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(stream)
    try:
        # data_only=False: a formula cell is read as its formula text, never a computed value.
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (DefusedXmlException, ParseError) as exc:
        raise _xml_error(exc) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        # openpyxl wraps the XML parser's error in a ValueError of its own.
        if isinstance(exc.__cause__, DefusedXmlException | ParseError):
            raise _xml_error(exc.__cause__) from None
        raise ImportFileError(NOT_XLSX) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ImportFileError(_("The workbook has no sheet."))
    rows = _xml_guarded(sheet.iter_rows(values_only=True))
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


def _xml_guarded(rows: Iterator[tuple]) -> Iterator[tuple]:
    """The sheet's rows; its XML is parsed as they stream, so a bad part shows up here."""
    from defusedxml import DefusedXmlException

    try:
        yield from rows
    except (DefusedXmlException, ParseError) as exc:
        raise _xml_error(exc) from None


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
                raise ImportFileError(
                    _("Line %(line)s: a cell is larger than 1 MB; this is not a usable data file.")
                    % {"line": line}
                )
            if CONTROL_CHARS.search("".join(cells)):
                yield line, None, control_char_error(cells)
                continue
            yield line, cells, ""
    finally:
        workbook.close()
