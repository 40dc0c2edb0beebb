"""The one encoding rule every importer uses (core/textfiles.py)."""

import codecs
import io

import pytest

from core.imports import ImportFileError
from core.textfiles import SNIFF_BYTES, detect_encoding, guess_delimiter

TEXT = "agency,reason\r\nOak PD,suspect\u2019s café\r\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
        # Two stray controls (a DOS end-of-file mark, a vertical tab) are still text.
        (TEXT.encode("utf-8") + b"\x0b\x1a", "utf-8-sig"),
    ],
)
def test_text_files_get_the_encoding_they_are_in(data, expected):
    stream = io.BytesIO(data)
    encoding = detect_encoding(stream)
    assert encoding == expected
    assert stream.tell() == 0
    assert stream.read().decode(encoding).lstrip("\ufeff").startswith(TEXT)


def test_utf8_is_decided_by_the_whole_file_not_its_head():
    # Valid UTF-8 for the first 64 KiB, then one Windows-1252 byte: the whole file is cp1252.
    data = b"a,b\n" + b"x" * SNIFF_BYTES + "caf\u00e9\n".encode("cp1252")
    assert detect_encoding(io.BytesIO(data)) == "cp1252"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \r\n\xef\xbb\xbf\x1a", "The file is empty."),
        (codecs.BOM_UTF16_LE + b"a\x00b", "does not decode as UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "save it as CSV"),
        ("agency,reason\n".encode("utf-16-le"), "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (bytes(range(1, 9)) * 200, "or it holds binary data"),
        # 0x81 is one of the five bytes Windows-1252 leaves undefined, and not UTF-8.
        (b"agency\ncaf\xe9 \x81\n", "text encoding is not UTF-8, UTF-16 or Windows-1252"),
    ],
)
def test_what_is_not_text_in_a_known_encoding_fails_the_file(data, message):
    with pytest.raises(ImportFileError) as raised:
        detect_encoding(io.BytesIO(data))
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [("a,b,c\n", ","), ("a;b;c\n", ";"), ("a\tb\tc\n", "\t"), ("a;b,c;d\n", ";"), ("abc\n", ",")],
)
def test_the_header_line_decides_the_delimiter(line, delimiter):
    assert guess_delimiter(line) == delimiter
