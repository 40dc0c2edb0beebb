"""Privacy of search audits: plates, officer names and user ids in every audit format go in,
and none of them comes out anywhere: not in any column of any portal or searches table, not on
any page, not in any API response (JSON or CSV) or export. The searcher hash stays internal.

The files go through the real import path (``import_job_create`` + ``import_job_run``), in
every layout the importer reads, including rows it rejects.
"""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from core.imports import import_job_create, import_job_run
from core.models import Agency, ImportJob
from searches.demo import audit_csv
from searches.importers.layouts import NETWORK_AUDIT_HEADER, PORTAL_AUDIT_HEADER
from searches.models import Search
from tests.factories import AgencyFactory, CityFactory

pytestmark = pytest.mark.django_db

PLATES = ["ZQX4471", "7PRV913", "KWB0042", "JHX8820", "QQL5150", "TTZ9001"]
OFFICERS = ["Zebulon Quackenbush", "Philomena Grindlethorpe", "Octavia Wimbleton"]
USER_IDS = [
    "uid-5e1f0c9a-8d7b-4e55-a1b2-privacy00001",
    "uid-93c2aa10-77d1-4b0c-9e0e-privacy00002",
    "officer.q.badge4471@pd.example.org",
]
SECRETS = [*PLATES, *OFFICERS, *USER_IDS]


def audit_files() -> list[tuple[str, bytes, str]]:
    """(file name, content, source agency) in every layout, private values everywhere."""
    portal = audit_csv(
        PORTAL_AUDIT_HEADER,
        [
            ["p-1", USER_IDS[0], "2026-05-01T10:00:00.000Z", "3", "stolen vehicle", ""],
            ["p-2", USER_IDS[1], "2026-05-02T11:00:00.000Z", "1", "ICE", "Robbery"],
            # A bad date: rejected, with its line number and no private value in the error.
            ["p-3", USER_IDS[2], "not-a-date " + PLATES[5], "1", "inv", ""],
        ],
    )
    legacy = audit_csv(
        ["id", "userId", "searchDate", "cameraCount", "reason"],
        [
            ["l-1", USER_IDS[0], "2026-05-03 09:15:00.125", "2510", "investigation"],
            ["l-2", USER_IDS[2], "2026-05-04 09:15:00.125", "94", "warrant+service"],
        ],
    )
    frame = "05/01/2026, 09:00:00 AM UTC\n05/05/2026, 09:00:00 AM UTC"
    network = audit_csv(
        NETWORK_AUDIT_HEADER,
        [
            [
                "n-1", OFFICERS[0], "Bramble WI PD", "900", "41000", frame, PLATES[0],
                "ICE WARRANT", "***", f"plate:{PLATES[1]}", "05/05/2026, 09:00:01 AM UTC",
                "search", f"find {PLATES[2]}", "",
            ],
            [
                "n-2", OFFICERS[1], "Privacy Test IL PD", "2", "80", frame, PLATES[3],
                "stolen vehicle", "26-00012", "", "05/06/2026, 10:00:00 PM UTC",
                "lookup", "", "",
            ],
            [
                # Too few fields: rejected.
                "n-3", OFFICERS[2], PLATES[4],
            ],
        ],
    )  # fmt: skip
    organization = audit_csv(
        [h for h in NETWORK_AUDIT_HEADER if h != "Org Name"],
        [
            [
                "o-1", OFFICERS[2], "3", "120", frame, PLATES[4], "burglary", "", PLATES[5],
                "05/07/2026, 01:02:03 PM UTC", "convoy", f"white van {PLATES[5]}", "",
            ],
        ],
    )  # fmt: skip
    cleaned = audit_csv(
        [
            "ID", "Name", "Org_Name", "Total_Networks_Searched", "Time_Frame_Start",
            "Time_Frame_End", "License_Plate", "Reason", "Case_#", "Search_Time", "Search_Type",
        ],
        [
            [
                "c-1", OFFICERS[1], "Bramble WI PD", "12", "05/01/2026, 09:00:00 AM UTC",
                "05/08/2026, 09:00:00 AM UTC", PLATES[1], "abortion", "",
                "05/08/2026, 09:30:00 AM UTC", "search",
            ],
        ],
    )  # fmt: skip
    return [
        ("portal.csv", portal, "Privacy Test IL PD"),
        ("legacy.csv", legacy, "Privacy Test IL PD"),
        ("network.csv", network, "Privacy Test IL PD"),
        ("organization.csv", organization, "Privacy Test IL PD"),
        ("cleaned.csv", cleaned, "Privacy Test IL PD"),
        ("network.xlsx", _xlsx(network), "Privacy Test IL PD"),
    ]


def _xlsx(data: bytes) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        sheet.append(row)
    # A distinct id per row, so the XLSX adds searches rather than duplicates.
    for cell in list(sheet["A"])[1:]:
        cell.value = f"x{cell.value}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def imported():
    city = CityFactory(name="Privacy Town", state="IL", slug="privacy-town-il")
    source = AgencyFactory(name="Privacy Test IL PD", home_city=city)
    AgencyFactory(name="Bramble WI PD", state="WI")
    jobs = []
    for name, data, agency in audit_files():
        job = import_job_create(
            kind=ImportJob.Kind.AUDIT,
            file=ContentFile(data, name=name),
            original_name=name,
            city=city,
            options={"agency": agency},
            run=False,
        )
        jobs.append(import_job_run(job=job))
    return {"city": city, "source": source, "jobs": jobs}


def test_every_format_imported(imported):
    statuses = {job.original_name: (job.status, job.error) for job in imported["jobs"]}
    assert all(status == "succeeded" for status, _error in statuses.values()), statuses
    assert Search.objects.filter(source_agency=imported["source"]).count() >= 9
    assert sum(job.rows_rejected for job in imported["jobs"]) >= 2


def _dump_tables() -> str:
    """Every column of every row of every portal_* and searches_* table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith(("portal_", "searches_")):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.append(f"{table}: " + " | ".join(str(value) for value in row))
    return "\n".join(chunks)


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [secret for secret in SECRETS if secret.lower() in lowered]


def test_no_private_value_in_any_table(imported):
    dump = _dump_tables()
    assert "searches_search" in dump  # the dump did read the searches
    assert _leaks(dump) == []


def _public_urls(imported) -> list[str]:
    searching = Agency.objects.filter(
        pk__in=Search.objects.values("searching_agency_id")
    ).values_list("slug", flat=True)
    api = [
        reverse("api:search-list"),
        reverse("api:search-list") + "?format=csv",
        reverse("api:search-list") + "?reason=ice&format=csv",
        reverse("api:search-stats-list") + "?group_by=searching_agency,flag,month",
        reverse("api:search-stats-list") + "?group_by=source_agency,category&format=csv",
        reverse("api:import-list"),
        reverse("api:import-list") + "?format=csv",
        reverse("api:reason-category-list"),
        reverse("api:agency-list") + "?format=csv",
    ]
    api += [
        reverse("api:search-detail", args=[pk])
        for pk in Search.objects.values_list("pk", flat=True)
    ]
    api += [reverse("api:import-detail", args=[job.pk]) for job in imported["jobs"]]
    pages = [
        imported["city"].get_absolute_url(),
        reverse("searches:explorer"),
        reverse("searches:explorer")
        + f"?source_agency={imported['source'].slug}&sort=-devices_searched",
        reverse("searches:explorer") + "?reason=a",
        reverse("searches:national"),
        *[reverse("portal:agency-detail", args=[slug]) for slug in searching],
    ]
    return api + pages


def test_no_private_value_or_searcher_hash_on_any_page_or_api_response(client, imported):
    hashes = [h for h in Search.objects.values_list("searcher_hash", flat=True) if h]
    assert hashes, "the import keeps keyed hashes of the searchers"
    for url in _public_urls(imported):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8")
        assert _leaks(text) == [], url
        assert not any(h in text for h in hashes), url
