"""Audit files that are damaged or hostile: control characters, impossible times, files cut
short, oversize cells and XLSX/XML bombs. Each ends as a row error with the file's line, or as
a failed job that wrote nothing, never as an unexpected error."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from core.models import ImportJob
from searches.models import Search
from tests.searches.test_importers import counts, row_errors, run_audit

pytestmark = pytest.mark.django_db

HEADER = "id,userId,searchDate,networkCount,reason,offenseType\n"


def _row(n: int, when: str = "2025-11-20T14:03:11Z", reason: str = "investigation") -> str:
    return f"k{n},***,{when},3,{reason},\n"


def _failed(job: ImportJob) -> str:
    assert job.status == ImportJob.Status.FAILED
    assert Search.objects.count() == 0
    return job.error


def test_a_nul_after_the_first_64_kb_rejects_its_row_with_the_files_line():
    filler = "".join(_row(n, reason=f"investigation {n}") for n in range(2000))  # > 64 KB
    content = HEADER + filler + _row(9001, reason="stolen\x00 car") + _row(9002)
    assert len(HEADER + filler) > 64 * 1024
    job = run_audit(content.encode())
    assert counts(job) == (2002, 2001, 0, 1)
    assert row_errors(job) == [
        (2002, "the row holds a control character (U+0000), which is not text")
    ]
    assert not Search.objects.filter(external_id="k9001").exists()


@pytest.mark.parametrize(
    "when",
    ["9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "2099-06-01T00:00:00Z",
     "1999-12-31T23:59:59Z"],
)  # fmt: skip
def test_a_search_time_outside_the_plausible_window_rejects_its_row(when):
    job = run_audit((HEADER + _row(1, when) + _row(2)).encode())
    assert counts(job) == (2, 1, 0, 1)
    [(line, message)] = row_errors(job)
    assert line == 2 and "outside the plausible window (from 2000-01-01" in message
    assert list(Search.objects.values_list("external_id", flat=True)) == ["k2"]


def test_a_search_a_few_hours_ahead_is_kept_and_the_window_is_a_setting(settings):
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    job = run_audit((HEADER + _row(1, soon)).encode())
    assert counts(job) == (1, 1, 0, 0)
    settings.SEARCH_TIME_EARLIEST = "2025-12-01"
    job = run_audit((HEADER + _row(2)).encode())
    assert counts(job) == (1, 0, 0, 1)


def test_a_time_frame_bound_outside_the_window_leaves_the_time_frame_empty():
    header = (
        "ID,Org Name,Total Networks Searched,Time Frame Start,Time Frame End,Reason,Search Time\n"
    )
    content = (
        header
        + "t1,Maple Falls IL PD,1,0001-01-01T00:00:00Z,2025-11-14T09:00:00Z,ICE,"
        + "2025-11-14T09:53:36Z\n"
        + "t2,Maple Falls IL PD,1,2025-11-07T00:00:00Z,2025-11-14T09:00:00Z,ICE,"
        + "2025-11-14T09:53:37Z\n"
    )
    job = run_audit(content.encode())
    assert counts(job) == (2, 2, 0, 0)
    assert row_errors(job)[0][0] == 2
    assert (
        "time frame left empty: the time is outside the plausible window" in row_errors(job)[0][1]
    )
    t1, t2 = Search.objects.get(external_id="t1"), Search.objects.get(external_id="t2")
    assert (t1.time_frame_start, t1.time_frame_end) == (None, None)
    assert t2.time_frame_start == dt.datetime(2025, 11, 7, tzinfo=dt.UTC)


def test_a_file_ending_inside_a_quoted_cell_fails_and_writes_nothing():
    job = run_audit(
        (HEADER + _row(1) + _row(2) + 'k3,***,2025-11-20T14:03:13Z,3,"stolen\n').encode()
    )
    assert "Line 4: the file ends inside a quoted cell" in _failed(job)


def test_a_last_line_cut_mid_row_fails_but_a_short_line_with_a_line_break_is_a_row_error():
    job = run_audit((HEADER + _row(1) + _row(2) + "k3,***,2025-11").encode())
    assert "Line 4: the last row is incomplete" in _failed(job)
    job = run_audit((HEADER + _row(1) + "k3,***,2025-11\n" + _row(2)).encode())
    assert counts(job) == (3, 2, 0, 1)
    job = run_audit((HEADER + _row(4) + _row(5).rstrip("\n")).encode())  # no final line break
    assert counts(job) == (2, 2, 0, 0)


def test_a_cell_over_one_megabyte_fails_the_job_with_its_line():
    huge = "x" * (1024 * 1024 + 10)
    job = run_audit((HEADER + _row(1) + _row(2, reason=huge) + _row(3)).encode())
    assert "Line 3: a cell is larger than 1 MB" in _failed(job)


def _xlsx_with(parts: dict[str, bytes]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "userId", "searchDate", "networkCount", "reason", "offenseType"])
    sheet.append(["x1", "***", "2025-11-20T14:03:11Z", 3, "warrant", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, parts.get(item.filename, src.read(item.filename)))
    return out.getvalue()


def test_an_xlsx_that_inflates_a_thousand_times_is_refused_before_opening():
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        + b"A" * (50 * 1024**2)
        + b"</t></is></c></row></sheetData></worksheet>"
    )
    content = _xlsx_with({"xl/worksheets/sheet1.xml": sheet})
    assert len(content) < 1024**2
    assert "decompression bomb" in _failed(run_audit(content, name="bomb.xlsx"))


def test_an_xlsx_with_an_entity_expansion_bomb_is_refused_by_name():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    error = _failed(run_audit(_xlsx_with({"xl/worksheets/sheet1.xml": laughs}), name="x.xlsx"))
    assert "declares entities" in error and "unexpected" not in error
