"""Audit layouts as agencies publish them: portal files with and without ``userId``, ``reason``,
``offenseType`` or ``caseNumber``, unquoted CRLF newest-first files, header-only files, the
nearest-layout message, and every real audit in ``../shared/data`` (skipped when absent).

Counts asserted on the invented fixtures are worked out by hand from them; the real files are
counted independently here with the csv module.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from core.models import ImportJob
from searches.importers.layouts import choose_layout
from searches.models import Search, SearchFlag
from tests.searches.test_importers import by_id, counts, run_audit

REAL = Path(settings.BASE_DIR).parent / "shared" / "data"
PAGES = REAL / "transparency-pages"
REAL_AUDITS = [
    *(
        PAGES / slug / "audit.csv"
        for slug in (
            "herrin-il-pd",
            "lowell-mi-pd",
            "ovilla-tx-pd",
            "st-pauls-nc-pd",
            "st-peters-mo-pd",
            "stanwood-wa-pd",
        )
    ),
    REAL / "eugene-or" / "EPDSearchAuditLogs.csv",
]

pytestmark = pytest.mark.django_db


def category(external_id: str) -> str:
    search = by_id(external_id)
    return search.category.slug if search.category_id else ""


@pytest.mark.parametrize(
    "header",
    [
        "id,userId,searchDate,networkCount,reason,offenseType",
        "id,userId,searchDate,networkCount,reason",
        "id,userId,searchDate,networkCount,offenseType",
        "id,searchDate,networkCount,reason,offenseType",
        "id,searchDate,networkCount,offenseType",
        "id,userId,searchDate,networkCount,caseNumber,offenseType",
    ],
)
def test_every_portal_header_reads_as_the_portal_layout(header):
    assert choose_layout(header.split(","))[0].slug == "portal"


def test_portal_file_without_reason_takes_its_category_from_the_offense_type():
    job = run_audit("portal_no_reason.csv")
    assert counts(job) == (4, 4, 0, 0)
    n1 = by_id("n1")
    assert n1.reason.text == "" and n1.reason.offense_text == "Larceny/Theft Offenses"
    assert n1.networks_searched == 18 and n1.searcher_hash == ""
    # Blank reasons all: each still carries the blank flag, whatever family it is counted in.
    assert all(s.flags & SearchFlag.BLANK for s in Search.objects.all())
    assert [category(i) for i in ("n1", "n2", "n3", "n4")] == [
        "theft-fraud",
        "traffic",
        "assault",
        "blank",  # no offense type either
    ]


def test_portal_file_without_user_id_imports_with_its_reasons():
    job = run_audit("portal_no_user.csv")
    assert counts(job) == (3, 3, 0, 0)
    u1 = by_id("u1")
    assert u1.reason.text == "stolen vehicle"  # form-encoded like every portal reason
    assert u1.searcher_hash == ""
    assert category("u1") == "stolen-vehicle"
    assert category("u2") == "weapons" and by_id("u2").flags & SearchFlag.BLANK
    assert category("u3") == "blank"


def test_unquoted_crlf_newest_first_file_without_user_or_reason():
    job = run_audit("portal_offense_only_crlf.csv")
    assert counts(job) == (3, 3, 0, 0)
    assert list(Search.objects.order_by("searched_at").values_list("external_id", flat=True)) == [
        "c1",
        "c2",
        "c3",
    ]
    assert by_id("c3").reason.offense_text == "Destruction/Damage/Vandalism of Property"
    assert category("c2") == "traffic"  # Driving Under the Influence (DUI/DWI/OWI/OVI)
    # A Flock type no family covers stays blank (and is listed for clerks to map).
    assert category("c1") == "blank"
    again = run_audit("portal_offense_only_crlf.csv")
    assert counts(again) == (3, 0, 3, 0)


def test_case_number_variant_keeps_only_whether_a_case_number_was_given():
    job = run_audit("portal_case_number.csv")
    assert counts(job) == (2, 2, 0, 0)
    k1, k2 = by_id("k1"), by_id("k2")
    assert (k1.case_number_present, k2.case_number_present) == (True, False)
    assert category("k1") == "sex-offense-trafficking" and category("k2") == "traffic"
    stored = " ".join(
        str(v) for row in Search.objects.values_list("reason__text", "external_id") for v in row
    )
    assert "004411" not in stored


@pytest.mark.parametrize(
    "header",
    [
        b"id,userId,searchDate,networkCount,offenseType\n",
        b'"id","searchDate","networkCount","offenseType"',
        b"id,searchDate,networkCount,offenseType\r\n",
        b"Date,Officer,Plate,Notes\n",  # a header no layout knows: still "no data rows"
    ],
)
def test_header_only_file_ends_with_no_data_rows(header):
    job = run_audit(header)
    assert job.status == ImportJob.Status.FAILED
    assert "no data rows" in job.error
    assert "Unknown search-audit layout" not in job.error


def test_unknown_layout_names_the_layout_with_most_columns_in_common():
    # A portal file without its time column: the portal layout shares five of its names.
    job = run_audit(b"id,userId,networkCount,reason,offenseType\n1,***,3,theft,\n")
    assert job.status == ImportJob.Status.FAILED
    assert "The closest layout, transparency-portal audit CSV (networkCount)" in job.error
    assert "also needs: searchDate / Search Time." in job.error
    # A records-request export without its time: the records layout is named.
    job = run_audit(
        b"ID,Name,Org Name,Total Networks Searched,Time Frame,Reason,Case #,Search Type\n"
        b"1,x,Maple Falls IL PD,3,,theft,,search\n"
    )
    assert "The closest layout, records-request network audit (with Org Name)" in job.error


def test_org_name_never_reads_as_the_sources_own_search():
    """A header with the portal's columns and an Org Name is not a portal file."""
    job = run_audit(b"id,searchDate,networkCount,reason,Org Name\n1,2026-01-01T00:00:00Z,3,x,A\n")
    assert job.status == ImportJob.Status.FAILED
    assert not Search.objects.exists()


# --- the real audits -----------------------------------------------------------------------------


def independent_count(path: Path) -> tuple[int, int]:
    """(data rows, distinct ids) of a real audit, read with the csv module alone."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.DictReader(f) if any(v.strip() for v in row.values())]
    return len(rows), len({row["id"] for row in rows})


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data is not present")
@pytest.mark.parametrize("path", REAL_AUDITS, ids=lambda p: p.parent.name)
def test_every_real_audit_imports_each_row_and_reimports_as_duplicates(path):
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    rows, ids = independent_count(path)
    job = run_audit(path.read_bytes(), name=path.name)
    assert counts(job) == (rows, ids, rows - ids, 0)
    assert Search.objects.count() == ids
    again = run_audit(path.read_bytes(), name=path.name)
    assert counts(again) == (rows, 0, rows, 0)
    assert Search.objects.count() == ids
