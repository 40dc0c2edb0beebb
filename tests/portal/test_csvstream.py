"""The one CSV writer of every download (core/csvstream.py)."""

import csv
import io

from core.csvstream import CSV_CONTENT_TYPE, csv_download, csv_lines


def test_each_row_is_one_line_and_formulas_stay_text():
    lines = csv_lines([["name", "n"], ['=HYPERLINK("x")', -3], ["a,b", "-2.5"], ["@SUM(A1)", None]])
    assert next(lines) == "name,n\r\n"  # a generator: rows are written as they are asked for
    rest = list(lines)
    assert len(rest) == 3
    rows = list(csv.reader(io.StringIO("".join(rest))))
    assert rows == [['\'=HYPERLINK("x")', "-3"], ["a,b", "-2.5"], ["'@SUM(A1)", ""]]


def test_a_download_streams_as_a_named_utf8_attachment():
    response = csv_download(csv_lines([["zip_code", "signatures"], ["60601", 4]]), filename="z.csv")
    assert response["Content-Type"] == CSV_CONTENT_TYPE == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="z.csv"'
    assert b"".join(response.streaming_content) == b"zip_code,signatures\r\n60601,4\r\n"
