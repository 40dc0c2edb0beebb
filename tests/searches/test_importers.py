"""The search-audit importer on small invented files: every layout, encodings, XLSX, broken
files, dedupe across overlapping files, privacy, the command and the admin upload.

The counts asserted here are computed by hand from the fixtures; the same tests run on SQLite
(``make test``) and on PostgreSQL (``make test-services``), so both load paths must agree.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from core import pagecache
from core.imports import (
    import_job_create,
    import_job_progress,
    import_job_run,
)
from core.models import Agency, ImportJob
from searches.importers import audit as audit_importer
from searches.importers.layouts import choose_layout
from searches.models import Reason, Search
from searches.normalize import reason_key, searcher_hash
from tests.factories import AgencyFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audits"
UTC = dt.UTC
SOURCE = "Joliet IL PD"

pytestmark = pytest.mark.django_db


def run_audit(source, *, name="", agency=SOURCE, fmt="auto", city=None) -> ImportJob:
    """Create and run one audit job from a fixture name or raw bytes."""
    if isinstance(source, bytes):
        file = ContentFile(source, name=name or "audit.csv")
    else:
        file = FIXTURES / source
    options = {"format": fmt}
    if agency:
        options["agency"] = agency
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT, file=file, original_name=name, city=city, options=options,
        run=False,
    )  # fmt: skip
    return import_job_run(job=job)


def counts(job: ImportJob) -> tuple[int, int, int, int]:
    """(read, new, duplicate, rejected), and every row accounted for."""
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.rows_read == job.rows_created + job.rows_unchanged + job.rows_rejected
    assert job.rows_updated == job.rows_removed == 0
    return job.rows_read, job.rows_created, job.rows_unchanged, job.rows_rejected


def row_errors(job: ImportJob) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in job.row_errors.order_by("line")]


def by_id(external_id: str) -> Search:
    return Search.objects.select_related("reason", "searching_agency", "source_agency").get(
        external_id=external_id
    )


# --- layouts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "layout"),
    [
        ("portal_new.csv", "portal"),
        ("portal_legacy.csv", "portal-legacy"),
        ("records_network.csv", "records-network"),
        ("records_organization.csv", "records-organization"),
        ("records_cleaned.csv", "records-network"),
    ],
)
def test_each_layout_is_detected_from_its_header(fixture, layout):
    header = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()[0]
    assert choose_layout(next(__import__("csv").reader([header])))[0].slug == layout


def test_header_matching_ignores_case_spaces_underscores_and_hash():
    layout, columns = choose_layout(
        ["  id", "NAME", "org_name", "Total_Networks_Searched", "time frame start",
         "TIME_FRAME_END", "Reason", "CASE #", "Search_Time", "search type"]
    )  # fmt: skip
    assert layout.slug == "records-network"
    assert columns["case_number"] == 7 and columns["time_frame_start"] == 4


# --- the four layouts, value by value ---------------------------------------------------------


def test_portal_csv_new_layout():
    job = run_audit("portal_new.csv")
    assert counts(job) == (6, 3, 1, 2)
    assert row_errors(job) == [
        (5, "the time is not a date and time in a known format"),
        (6, "networks is not a whole number"),
    ]
    p1 = by_id("p1")
    assert p1.source_agency.name == SOURCE
    assert p1.searching_agency_id == p1.source_agency_id  # the agency's own searches
    assert p1.searched_at == dt.datetime(2025, 11, 20, 14, 3, 11, 120000, tzinfo=UTC)
    assert p1.reason.text == "Stolen Vehicle"  # form-encoded "+" decoded
    assert p1.reason.offense_text == "Motor Vehicle Theft"
    assert p1.reason.key == reason_key("Stolen Vehicle", "Motor Vehicle Theft")
    assert (p1.networks_searched, p1.devices_searched) == (3, None)
    assert p1.case_number_present is None  # the layout has no case column
    assert p1.searcher_hash == ""  # userId is masked as ***
    assert p1.dedupe_key == "p1"
    p2 = by_id("p2")
    assert p2.reason.text == ""
    assert p2.reason.offense_text == (
        "Wanted Person (Arrest Warrant/Fugitive), Stolen Property Offenses"
    )
    assert p1.job_id == job.pk


def test_portal_csv_older_layout_like_eugene():
    job = run_audit("portal_legacy.csv")
    assert counts(job) == (5, 4, 0, 1)
    assert row_errors(job) == [(5, "expected 5 values, found 3")]
    l1 = by_id("l1")
    # No zone in the file: the portal writes UTC.
    assert l1.searched_at == dt.datetime(2025, 6, 18, 0, 2, 4, 789000, tzinfo=UTC)
    assert l1.devices_searched == 2510 and l1.networks_searched is None
    assert by_id("l2").reason.text == "investigative"
    assert by_id("l3").reason.text == "Person Crime"
    assert by_id("l5").reason.text == "felny person crime"
    assert by_id("l1").searcher_hash == by_id("l3").searcher_hash == searcher_hash("u-1")
    assert Search.objects.values("searcher_hash").distinct().count() == 3


def test_records_request_network_audit():
    job = run_audit("records_network.csv")
    # 10 rows: a1, a2, a content row and its exact copy, a4 (bad date), a5 (bad count),
    # a1 again (same id), a6 (redacted Org Name), a7 (time frame backwards), a8 (cut short).
    assert counts(job) == (10, 4, 2, 4)
    assert row_errors(job) == [
        (8, "the time is not a date and time in a known format"),
        (9, "networks is not a whole number"),
        (11, "the searching organization (Org Name) is blank or redacted"),
        (12, "time frame left empty: it ends before it starts"),  # a note, still imported
        (14, "expected 15 values, found 4"),
    ]
    a1 = by_id("a1")
    assert a1.source_agency.name == SOURCE
    assert a1.searching_agency.name == "Maple Falls IL PD"
    assert a1.searched_at == dt.datetime(2025, 11, 14, 9, 53, 36, tzinfo=UTC)
    assert a1.time_frame_start == dt.datetime(2025, 11, 7, 9, 53, 36, tzinfo=UTC)
    assert a1.time_frame_end == dt.datetime(2025, 11, 14, 9, 53, 36, tzinfo=UTC)
    assert a1.reason.text == "ICE+ERO"  # typed by an officer, not form-encoded
    assert a1.case_number_present is True  # "***": a case number was given, then redacted
    assert (a1.networks_searched, a1.devices_searched) == (12, 4521)
    assert a1.search_type == "search" and a1.moderation == ""
    assert a1.searcher_hash == searcher_hash("Officer Jane Roe")
    a2 = by_id("a2")
    assert a2.searching_agency.name == "Cedar Bluff WI SO"
    assert a2.searched_at == dt.datetime(2025, 11, 14, 22, 1, 2, tzinfo=UTC)
    assert (a2.search_type, a2.moderation) == ("lookup - Mobile", "approved")
    assert a2.reason.offense_text == "Motor Vehicle Theft"
    assert a2.searcher_hash == ""
    # The row with a redacted ID is kept under a content key; its exact copy is a duplicate.
    hsi = Search.objects.get(searching_agency__name="Homeland Security Investigations")
    assert hsi.external_id == "" and hsi.dedupe_key.startswith("h:")
    assert hsi.case_number_present is False
    assert hsi.time_frame_start is None and hsi.devices_searched is None
    a7 = by_id("a7")
    assert (a7.time_frame_start, a7.time_frame_end) == (None, None)
    # The first row with an id wins; the later row reusing id a1 changed nothing.
    assert a1.networks_searched == 12


def test_records_request_organization_audit_searcher_is_the_source():
    job = run_audit("records_organization.csv")
    assert counts(job) == (3, 3, 0, 0)
    assert set(Search.objects.values_list("searching_agency__name", flat=True)) == {SOURCE}
    o1, o2, o3 = by_id("o1"), by_id("o2"), by_id("o3")
    assert [o.case_number_present for o in (o1, o2, o3)] == [False, True, True]
    assert o1.searcher_hash == o3.searcher_hash != ""  # "Sgt Pat Doe", "sgt  pat doe "
    assert o2.searcher_hash == ""
    assert o2.search_type == "convoy" and o3.search_type == "visual"
    assert o3.reason.text == "-2+3"  # formula-looking, stored as written


def test_cleaned_variant_with_underscores_and_split_time_frame():
    job = run_audit("records_cleaned.csv")
    assert counts(job) == (2, 2, 0, 0)
    c1 = by_id("c1")
    assert c1.time_frame_start == dt.datetime(2025, 10, 1, tzinfo=UTC)
    assert c1.time_frame_end == dt.datetime(2025, 10, 8, tzinfo=UTC)
    assert c1.searching_agency.name == "Maple Falls IL PD"
    assert c1.reason.text == "@SUM(A1)"
    c2 = by_id("c2")
    assert c2.searching_agency.name == "Springfield IL PD"
    assert c2.case_number_present is True and c2.search_type == "apiV1"


def test_format_option_forces_a_layout_and_names_what_is_missing():
    job = run_audit("portal_new.csv", fmt="records-organization")
    assert job.status == ImportJob.Status.FAILED
    assert "records-request organization audit" in job.error
    assert "Found columns: id, userId, searchDate, networkCount, reason, offenseType" in job.error
    assert not Search.objects.exists()


# --- broken files -----------------------------------------------------------------------------


def test_unknown_layout_names_the_columns_found_and_expected():
    job = run_audit("unknown_layout.csv")
    assert job.status == ImportJob.Status.FAILED
    assert "Found columns: Date, Officer, Plate, Notes" in job.error
    # No header name in common with any layout: the one needing the fewest columns is named.
    assert "transparency-portal audit CSV (networkCount), also needs: searchDate" in job.error
    assert job.rows_read == 0


def test_missing_required_column_fails_the_file():
    job = run_audit("records_missing_search_time.csv")
    assert job.status == ImportJob.Status.FAILED
    assert "records-request network audit" in job.error
    assert "also needs: searchDate / Search Time." in job.error
    assert not Search.objects.exists() and not Reason.objects.exists()


def test_header_only_and_blank_files_fail():
    job = run_audit(b"id,userId,searchDate,networkCount,reason\n")
    assert job.status == ImportJob.Status.FAILED
    assert "no data rows" in job.error
    job = run_audit(b"\n\n  \n")
    assert job.status == ImportJob.Status.FAILED
    assert "empty" in job.error


def test_an_audit_needs_its_agency():
    job = run_audit("portal_new.csv", agency="")
    assert job.status == ImportJob.Status.FAILED
    assert "whose audit this is" in job.error


def test_a_long_reason_rejects_only_its_row():
    # A cell over 1 MB fails the whole file (tests/searches/test_bad_input.py).
    content = (
        "id,userId,searchDate,networkCount,reason,offenseType\n"
        "k1,***,2025-11-20T14:03:11Z,3,investigation,\n"
        f'k4,***,2025-11-20T14:03:14Z,3,"{"x" * 20000}",\n'
    ).encode()
    job = run_audit(content)
    assert counts(job) == (2, 1, 0, 1)
    assert row_errors(job) == [(3, "the reason is longer than 10,000 characters")]
    assert sorted(Search.objects.values_list("external_id", flat=True)) == ["k1"]


def test_wrong_encoding_fails_the_file_without_guessing_per_row():
    # Bytes that are neither UTF-8 nor Windows-1252 (0x81 is undefined there).
    content = b"id,userId,searchDate,networkCount,reason\n" + (
        b"z1,***,2025-11-20T14:03:11Z,1,caf\xe9 \x81\n"
    )
    job = run_audit(content)
    assert job.status == ImportJob.Status.FAILED
    assert "encoding" in job.error
    utf16_without_bom = "id,userId,searchDate,networkCount,reason\n".encode("utf-16-le")
    job = run_audit(utf16_without_bom)
    assert job.status == ImportJob.Status.FAILED
    assert "NUL bytes" in job.error


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE), ("cp1252", b"")],
)  # fmt: skip
def test_encodings(encoding, bom):
    text = (
        "id,userId,searchDate,networkCount,reason,offenseType\r\n"
        "u1,***,2025-11-20T14:03:11Z,3,suspect\u2019s café,\r\n"
        "u2,***,2025-11-20T14:04:11Z,3,investigation,\r\n"
    )
    job = run_audit(bom + text.encode(encoding))
    assert counts(job) == (2, 2, 0, 0)
    assert by_id("u1").reason.text == "suspect\u2019s café"


def test_xlsx_streams_rows_and_keeps_formulas_as_written():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["ID", "Name", "Org Name", "Total Networks Searched", "Time Frame", "License Plate",
         "Reason", "Case #", "Filters", "Search Time", "Search Type", "Text Prompt",
         "Moderation"]
    )  # fmt: skip
    sheet.append(
        ["x1", "Officer Jane Roe", "Maple Falls IL PD", 12,
         "11/07/2025, 09:53:36 AM UTC\n11/14/2025, 09:53:36 AM UTC", "ABC1234", "ICE", "",
         "", "11/14/2025, 09:53:36 AM UTC", "search", "", ""]
    )  # fmt: skip
    sheet.append([None] * 13)  # an empty row is skipped, not counted
    sheet.append(
        ["x2", "***", "Cedar Bluff WI SO", 3.0, None, "XYZ987", "=1+2", "24-1", "",
         dt.datetime(2025, 11, 15, 1, 2, 3), "lookup", "", ""]
    )  # fmt: skip
    sheet.append(["x3", "***", "Cedar Bluff WI SO", "lots", None, "", "inv", "", "",
                  "11/15/2025, 01:02:03 AM UTC", "search", "", ""])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_audit(buffer.getvalue(), name="network_audit.xlsx")
    assert counts(job) == (3, 2, 0, 1)
    assert row_errors(job) == [(5, "networks is not a whole number")]
    x1, x2 = by_id("x1"), by_id("x2")
    assert x1.time_frame_start == dt.datetime(2025, 11, 7, 9, 53, 36, tzinfo=UTC)
    assert x1.networks_searched == 12
    assert x2.reason.text == "=1+2"  # the formula's text, never its value
    assert x2.networks_searched == 3
    assert x2.searched_at == dt.datetime(2025, 11, 15, 1, 2, 3, tzinfo=UTC)


def test_a_corrupt_xlsx_fails_with_a_clear_message():
    job = run_audit(b"PK\x03\x04 not really a zip", name="audit.xlsx")
    assert job.status == ImportJob.Status.FAILED
    assert "not a readable Excel" in job.error


# --- dedupe -----------------------------------------------------------------------------------


def test_reimport_adds_nothing_and_overlapping_files_count_only_new_searches():
    first = run_audit("overlap_day1.csv")
    assert counts(first) == (4, 4, 0, 0)
    again = run_audit("overlap_day1.csv")
    assert counts(again) == (4, 0, 4, 0)
    second = run_audit("overlap_day2.csv")
    assert counts(second) == (4, 2, 2, 0)
    assert Search.objects.count() == 6
    assert sorted(Search.objects.values_list("external_id", flat=True)) == [
        "e1", "e2", "e3", "e4", "e5", "e6"
    ]  # fmt: skip
    # Another agency's audit with the same ids is another agency's searches.
    other = run_audit("overlap_day1.csv", agency="Aurora IL PD")
    assert counts(other) == (4, 4, 0, 0)


def test_an_imported_audit_file_is_not_kept_but_a_failed_one_is_for_a_rerun():
    ok = run_audit("overlap_day1.csv")
    assert ok.status == ImportJob.Status.SUCCEEDED
    assert not ok.file  # plates and officer names in it: deleted once imported
    failed = run_audit(b"foo,bar\n1,2\n", name="wrong.csv")
    assert failed.status == ImportJob.Status.FAILED
    assert failed.file and failed.file.storage.exists(failed.file.name)


def test_content_keys_dedupe_rows_without_ids_across_files():
    rows = (
        "ID,Name,Org Name,Total Networks Searched,Time Frame,License Plate,Reason,Case #,"
        "Filters,Search Time,Search Type,Text Prompt,Moderation\n"
        '***,A,Maple Falls IL PD,1,,P1,inv,,,"11/01/2025, 01:00:00 AM UTC",search,,\n'
        '***,B,Maple Falls IL PD,1,,P2,inv,,,"11/01/2025, 01:00:00 AM UTC",search,,\n'
        '***,A,Maple Falls IL PD,1,,P1,inv,,,"11/01/2025, 01:00:01 AM UTC",search,,\n'
    )
    assert counts(run_audit(rows.encode())) == (3, 3, 0, 0)
    extended = rows + '***,A,Maple Falls IL PD,2,,P3,inv,,,"11/02/2025, 01:00:00 AM UTC",lookup,,\n'
    assert counts(run_audit(extended.encode())) == (4, 1, 3, 0)


def test_reasons_are_shared_between_searches_and_imports():
    run_audit("overlap_day1.csv")
    run_audit("overlap_day2.csv")
    assert Reason.objects.filter(text="inv").count() == 1
    assert Reason.objects.get(text="inv").searches.count() == 1
    assert Reason.objects.count() == 6  # investigation, Stolen Vehicle, Missing Person, inv,
    # warrant, and the blank reason


# --- privacy ----------------------------------------------------------------------------------

PRIVATE_VALUES = [
    "ABC1234", "XYZ987", "DEF555", "GHI111", "GHI222", "JKL333", "MNO444", "PQR555",
    "QWE321", "LMN456", "STU777", "Jane Roe", "John Q Officer", "Pat Doe", "pat doe",
    "Lee Park", "Someone Else", "red pickup", "white van", "color", "u-1", "u-2", "u-3",
]  # fmt: skip


def _all_text_in_the_database() -> str:
    chunks = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_no_plate_name_user_id_prompt_or_filter_reaches_the_database():
    for fixture in (
        "records_network.csv", "records_organization.csv", "records_cleaned.csv",
        "portal_legacy.csv",
    ):  # fmt: skip
        counts(run_audit(fixture))
    text = _all_text_in_the_database()
    assert "Maple Falls IL PD" in text and "illegal immigration" in text  # what is kept
    for value in PRIVATE_VALUES:
        assert value not in text, value


# --- progress, command, admin -----------------------------------------------------------------


def test_progress_is_published_per_chunk(monkeypatch):
    published = []
    monkeypatch.setattr(audit_importer, "CHUNK_ROWS", 2)
    monkeypatch.setattr(
        audit_importer, "import_job_progress", lambda **kw: published.append(kw) or None
    )
    job = run_audit("portal_legacy.csv")
    assert counts(job) == (5, 4, 0, 1)
    assert [p["rows"] for p in published] == [2, 5]
    assert (
        published[-1]["done"]
        == published[-1]["total"]
        == (FIXTURES / "portal_legacy.csv").stat().st_size
    )
    assert {p["unit"] for p in published} == {"bytes"}


def test_import_audit_command_prints_counts_and_row_errors():
    out, err = StringIO(), StringIO()
    call_command(
        "import_audit", str(FIXTURES / "portal_new.csv"), "--agency", "Eugene OR PD",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "read 6, new 3, duplicate 1, rejected 2." in out.getvalue()
    assert "line 5: the time is not a date and time in a known format" in err.getvalue()
    assert Agency.objects.get(name="Eugene OR PD").audited_searches.count() == 3
    with pytest.raises(CommandError, match="--agency"):
        call_command("import_audit", str(FIXTURES / "portal_new.csv"))
    with pytest.raises(CommandError, match="Unknown search-audit layout"):
        call_command(
            "import_audit", str(FIXTURES / "unknown_layout.csv"), "--agency", "Eugene OR PD",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip


def test_import_audit_command_no_wait_queues_the_job(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command(
            "import_audit", str(FIXTURES / "portal_new.csv"), "--agency", "Eugene OR PD",
            "--format", "portal", "--no-wait", stdout=out,
        )  # fmt: skip
    job = ImportJob.objects.get()
    assert f"Queued import job #{job.pk}" in out.getvalue()
    assert job.options == {"agency": "Eugene OR PD", "format": "portal"}
    queued = [c for c in callbacks if c is not pagecache._bump]  # the page cache's aside
    assert len(queued) == 1 and job.status == ImportJob.Status.PENDING


def _admin_add_url() -> str:
    return reverse("admin:core_importjob_add")


def test_clerk_uploads_an_audit_of_their_citys_agency(
    clerk_client, clerk, clerk_city, django_capture_on_commit_callbacks
):
    AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    upload = SimpleUploadedFile(
        "audit.csv", (FIXTURES / "portal_new.csv").read_bytes(), content_type="text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            _admin_add_url(),
            {"kind": ImportJob.Kind.AUDIT, "file": upload, "city": clerk_city.pk,
             "agency": "Joliet IL Police Department", "format": "auto"},
        )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    job = ImportJob.objects.get()
    assert job.options == {"agency": "Joliet IL PD", "format": "auto"}
    job.refresh_from_db()
    assert counts(job) == (6, 3, 1, 2)
    html = clerk_client.get(response.url).content.decode()
    assert "2 rejected rows" in html and "networks is not a whole number" in html


def test_clerk_cannot_upload_another_citys_audit(clerk_client, clerk_city, other_city):
    AgencyFactory(name="Berkeley CA PD", home_city=other_city)
    for agency in ("Berkeley CA PD", "Nowhere TX PD", ""):
        upload = SimpleUploadedFile("audit.csv", (FIXTURES / "portal_new.csv").read_bytes())
        response = clerk_client.post(
            _admin_add_url(),
            {"kind": ImportJob.Kind.AUDIT, "file": upload, "city": clerk_city.pk,
             "agency": agency},
        )  # fmt: skip
        assert response.status_code == 200
        assert response.context["form"].errors["agency"]
    assert not ImportJob.objects.exists()


def test_running_job_page_shows_its_progress(clerk_client, clerk_city):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.AUDIT, status=ImportJob.Status.RUNNING, city=clerk_city,
        original_name="big_audit.csv",
    )  # fmt: skip
    import_job_progress(job=job, done=50 * 1024**2, total=200 * 1024**2, rows=210_000)
    html = clerk_client.get(reverse("admin:core_importjob_change", args=[job.pk])).content.decode()
    assert '<progress max="100" value="25"' in html
    assert "25% of the file read (50.0\xa0MB of 200.0\xa0MB), 210000 rows so far." in html


def test_searches_arrive_fully_classified_so_the_classification_pass_rewrites_nothing():
    from searches.models import SearchFlag
    from searches.services.reclassification import searches_apply_classification

    job = run_audit("records_network.csv")
    source = Agency.objects.get(name=SOURCE)
    # Cedar Bluff WI SO searched an Illinois agency's data: out of state, set at insert.
    assert by_id("a2").flags & SearchFlag.OUT_OF_STATE
    assert not by_id("a1").flags & SearchFlag.OUT_OF_STATE
    assert searches_apply_classification(source_agency_ids=[source.pk]) == 0
    assert job.rows_created == Search.objects.count() == 4
