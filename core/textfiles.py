"""Reading uploaded text files, shared by every importer: the encoding decided once for the
whole file, the CSV delimiter, the CSV cell limit and the messages for a broken CSV or a row
holding control characters."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from core.imports import ImportFileError

MAX_CELL_CHARS = 1024 * 1024
# Python's default (128 KiB) is below what real transparency lists and audit files reach; a
# cell larger than this is not data we can use and fails the file with a clear message instead.
csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))

SNIFF_BYTES = 64 * 1024
SCAN_CHUNK = 4 * 1024 * 1024
# C0 controls other than tab, line feed, form feed and carriage return are rare in text.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The same characters as bytes: in UTF-8 and Windows-1252 these bytes are only ever controls.
CONTROL_BYTES_RE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
BLANK_BYTES = b" \t\r\n\x1a\xef\xbb\xbf"


def control_char_error(values: Iterable[str]) -> str:
    """A row error naming the first control character in ``values`` (NUL, which PostgreSQL
    cannot store, or another C0 control no name or reason holds), or "" when there is none."""
    match = CONTROL_CHARS.search("".join(values))
    if match is None:
        return ""
    return _("the row holds a control character (U+%(code)04X), which is not text") % {
        "code": ord(match.group())
    }


def decodes(stream: IO[bytes], encoding: str) -> bool:
    """Whether the whole stream decodes under ``encoding`` (one pass, constant memory); the
    stream is rewound."""
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


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252 when the whole file is
    that, decided once for the file; anything else raises ``ImportFileError``.

    Whether it is text at all is judged from its first 64 KiB: no NUL byte (UTF-16 without a
    BOM, or binary) and control characters as rare as in real text (a stray DOS end-of-file
    mark is fine). Latin-1 decodes any bytes at all, so it is never guessed: Windows-1252 is
    accepted only when every byte is one of its characters (five byte values are not), which
    is what a Windows export looks like. The stream is rewound.
    """
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if not head.strip(BLANK_BYTES):
        raise ImportFileError(_("The file is empty."))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not decodes(stream, "utf-16"):
            raise ImportFileError(_("The file says it is UTF-16 but does not decode as UTF-16."))
        return "utf-16"
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _("This looks like a spreadsheet or ZIP archive; save it as CSV and upload that.")
        )
    if b"\x00" in head:
        raise ImportFileError(
            _(
                "This is not a text file in a known encoding: it holds NUL bytes (UTF-16 "
                "without a byte-order mark, or binary data). Save it as CSV (UTF-8)."
            )
        )
    controls = len(CONTROL_BYTES_RE.findall(head))
    if controls <= 2 or controls * 1000 <= len(head):
        if decodes(stream, "utf-8"):
            return "utf-8-sig"
        if decodes(stream, "cp1252"):
            return "cp1252"
    raise ImportFileError(
        _(
            "The file's text encoding is not UTF-8, UTF-16 or Windows-1252, or it holds binary "
            "data; save it as CSV (UTF-8) and upload it again."
        )
    )


def guess_delimiter(first_line: str) -> str:
    """The delimiter a CSV header line uses most: comma, semicolon or tab (comma if none)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] > 0 else ","


def csv_error(exc: csv.Error, line: int) -> ImportFileError:
    """The clerk-readable failure for a ``csv.Error`` raised while reading ``line``."""
    text = str(exc)
    if "field larger than field limit" in text:
        return ImportFileError(
            _("Line %(line)s: a cell is larger than 1 MB; this is not a usable data file.")
            % {"line": line}
        )
    if "unexpected end of data" in text:
        return ImportFileError(
            _("Line %(line)s: the file ends inside a quoted cell; it looks cut short.")
            % {"line": line}
        )
    return ImportFileError(
        _("Line %(line)s: the CSV is malformed (%(error)s).") % {"line": line, "error": text}
    )
