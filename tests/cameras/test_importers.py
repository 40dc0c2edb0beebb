"""The three importers on small invented files: every format, re-imports, broken files."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from cameras.importers.cameras import normalize_vendor
from cameras.importers.directions import DirectionError, parse_directions
from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.imports import import_job_create, import_job_run
from core.models import Agency, AuditEvent, ImportJob
from tests.factories import CityFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
KIND = ImportJob.Kind

pytestmark = pytest.mark.django_db


def run_import(job_kind, source, *, name="", city=None, **options):
    """Create and run one job from a fixture name or raw bytes."""
    if isinstance(source, bytes):
        file = ContentFile(source, name=name or "upload.csv")
    else:
        file = FIXTURES / source
    job = import_job_create(
        kind=job_kind, file=file, original_name=name, city=city, options=options, run=False
    )
    return import_job_run(job=job)


def counts(job):
    return {
        "read": job.rows_read,
        "created": job.rows_created,
        "updated": job.rows_updated,
        "unchanged": job.rows_unchanged,
        "rejected": job.rows_rejected,
        "removed": job.rows_removed,
    }


def errors(job):
    return [(e.line, e.message) for e in job.row_errors.order_by("line")]


def assert_balanced(job):
    assert job.rows_read == (
        job.rows_created + job.rows_updated + job.rows_unchanged + job.rows_rejected
    )


@pytest.fixture
def city():
    return CityFactory(name="Maplewood", state="IL", slug="maplewood-il")


# --- directions and vendors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bearings"),
    [
        ("90", [90]),
        (" 45 ", [45]),
        ("90.5", [90.5]),
        ("360", [0]),
        ("180;90", [180, 90]),
        ("45, 135", [45, 135]),
        ("239-284", [261.5]),
        ("350-10", [0]),
        ("N", [0]),
        ("NE", [45]),
        ("ene", [67.5]),
        ("SSW", [202.5]),
        ("north-east", [45]),
        ("West", [270]),
        ("N-NE", [22.5]),
        ("SW;NW", [225, 315]),
        ("", []),
        (None, []),
    ],
)
def test_directions_are_read_as_bearings(text, bearings):
    assert parse_directions(text) == bearings


@pytest.mark.parametrize("text", ["sideways", "400", "-400", "10-", "N;up", "NNNE"])
def test_unreadable_directions_raise(text):
    with pytest.raises(DirectionError):
        parse_directions(text)


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        ("flock", "Flock Safety"),
        ("FLOCK SAFETY", "Flock Safety"),
        ("Flock Group Inc", "Flock Safety"),
        ("  Motorola   Solutions ", "Motorola Solutions"),
        ("Flockton Cameras", "Flockton Cameras"),
    ],
)
def test_vendor_names_are_normalized_only_for_flock(text, vendor):
    assert normalize_vendor(text) == vendor


# --- cameras ----------------------------------------------------------------------------------


def test_overpass_json_imports_alpr_nodes(city):
    job = run_import(KIND.CAMERAS, "cameras_overpass.json", city=city)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    # The untagged node is way geometry, not a record; the surveillance camera is not an ALPR.
    assert counts(job) == {
        "read": 5,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        "removed": 0,
    }
    assert errors(job) == [
        (5, "not a license plate reader (surveillance:type=camera)"),
        (6, "bad direction: “sideways” is not a direction"),
    ]
    pole = Camera.objects.get(source="osm", source_id="node/1001")
    assert pole.directions == [180, 90]
    assert pole.direction_text == "180;90"
    assert pole.vendor == "Flock Safety"
    assert pole.address == "Main St at 3rd Ave"
    assert pole.latitude == Decimal("41.525100")
    assert pole.city == city
    assert pole.owner.name == "Maplewood IL PD"
    assert pole.owner.kind == Agency.Kind.POLICE
    assert pole.owner.home_city == city
    ranged = Camera.objects.get(source_id="node/1002")
    assert (ranged.directions, ranged.direction_text, ranged.vendor) == (
        [261.5],
        "239-284",
        "Flock Safety",
    )
    hoa = Camera.objects.get(source_id="node/1003")
    assert (hoa.owner.kind, hoa.vendor, hoa.directions) == (
        Agency.Kind.HOA,
        "Motorola Solutions",
        [45],
    )


def test_geojson_imports_points_with_status(city):
    job = run_import(KIND.CAMERAS, "cameras.geojson", city=city)

    assert_balanced(job)
    assert (job.rows_created, job.rows_rejected) == (3, 1)
    assert errors(job) == [(3, "only Point features are cameras (found LineString)")]
    by_id = {c.source_id: c for c in Camera.objects.filter(source="geojson-maplewood-il")}
    assert set(by_id) == {"cam-1", "cam-2", "cam-4"}
    assert by_id["cam-2"].status == Camera.Status.PLANNED
    assert by_id["cam-2"].vendor == "Flock Safety"
    assert by_id["cam-4"].status == Camera.Status.REMOVED
    assert by_id["cam-4"].removed_on == timezone.localdate()
    assert by_id["cam-4"].installed_on == dt.date(2022, 3, 1)
    assert by_id["cam-4"].owner.kind == Agency.Kind.HOUSING
    assert by_id["cam-1"].longitude == Decimal("-88.071100")


def test_csv_row_errors_carry_file_line_numbers(city):
    # Row c1 spans lines 2-3 (a quoted address with a line break), so c3 is on line 5.
    job = run_import(KIND.CAMERAS, "cameras.csv", city=city, owner="Maplewood IL PD")

    assert job.status == ImportJob.Status.SUCCEEDED
    assert errors(job) == [
        (5, "latitude 91.0 is out of range"),
        (6, "bad direction: “up” is not a direction"),
    ]
    assert job.row_errors.get(line=5).excerpt.startswith("c3, 91.0, -88.0503")
    c1 = Camera.objects.get(source_id="c1")
    assert c1.address == "Elm St near the school"
    assert c1.installed_on == dt.date(2023, 5, 1)
    assert c1.vendor == "Flock Safety"
    # No owner column value: the --owner default applies.
    assert Camera.objects.get(source_id="c5").owner.name == "Maplewood IL PD"
    assert Camera.objects.get(source_id="c5").status == Camera.Status.PLANNED


@pytest.mark.parametrize(
    "header", ["lat,lng,vendor", "Y;X;Vendor", "latitude\tlongitude\tvendor", "LON,LAT,vendor"]
)
def test_csv_coordinate_header_variants(city, header):
    delimiter = ";" if ";" in header else "\t" if "\t" in header else ","
    first, second = ("-88.1", "41.5") if header.startswith("LON") else ("41.5", "-88.1")
    body = f"{header}\n{delimiter.join([first, second, 'flock'])}\n"
    job = run_import(KIND.CAMERAS, body.encode(), city=city)

    assert job.rows_created == 1, (job.error, errors(job))
    camera = Camera.objects.get()
    assert (camera.latitude, camera.longitude) == (Decimal("41.500000"), Decimal("-88.100000"))
    # Without an id column the location is the id, so a re-import still matches.
    assert camera.source_id == "@41.500000,-88.100000"
    assert counts(run_import(KIND.CAMERAS, body.encode(), city=city))["unchanged"] == 1


def test_camera_reimport_is_idempotent(city):
    first = run_import(KIND.CAMERAS, "cameras_overpass.json", city=city)
    before = list(Camera.objects.order_by("pk").values())

    second = run_import(KIND.CAMERAS, "cameras_overpass.json", city=city)

    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (0, 0, 3)
    assert second.rows_rejected == first.rows_rejected == 2
    after = list(Camera.objects.order_by("pk").values())
    strip = [{k: v for k, v in row.items() if k != "last_verified"} for row in after]
    assert strip == [{k: v for k, v in row.items() if k != "last_verified"} for row in before]
    assert Agency.objects.count() == 2


def _overpass(*nodes):
    elements = [
        {
            "type": "node",
            "id": node_id,
            "lat": 41.5 + node_id / 1000,
            "lon": -88.1,
            "tags": {"surveillance:type": "ALPR", "direction": direction, "operator": "Maple PD"},
        }
        for node_id, direction in nodes
    ]
    return json.dumps({"elements": elements}).encode()


def test_full_reimport_marks_missing_cameras_removed_and_restores_returning_ones(city):
    run_import(KIND.CAMERAS, _overpass((1, "90"), (2, "180"), (3, "270")), city=city)
    other_city = CityFactory(name="Elsewhere", state="IL", slug="elsewhere-il")
    run_import(KIND.CAMERAS, _overpass((50, "90")), city=other_city)

    job = run_import(KIND.CAMERAS, _overpass((1, "90"), (2, "45")), city=city)

    assert counts(job) == {
        "read": 2,
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "rejected": 0,
        "removed": 1,
    }
    gone = Camera.objects.get(source_id="node/3")
    assert (gone.status, gone.removed_on) == (Camera.Status.REMOVED, timezone.localdate())
    assert Camera.objects.get(source_id="node/2").directions == [45]
    # Another city's cameras of the same source are not this file's business.
    assert Camera.objects.get(source_id="node/50").status == Camera.Status.ACTIVE
    assert AuditEvent.objects.filter(action="camera.remove", object_id=str(gone.pk)).exists()

    back = run_import(KIND.CAMERAS, _overpass((1, "90"), (2, "45"), (3, "270")), city=city)

    assert (back.rows_updated, back.rows_removed) == (1, 0)
    gone.refresh_from_db()
    assert (gone.status, gone.removed_on) == (Camera.Status.ACTIVE, None)


def test_partial_import_marks_nothing_removed(city):
    run_import(KIND.CAMERAS, _overpass((1, "90"), (2, "180")), city=city)

    job = run_import(KIND.CAMERAS, _overpass((1, "90")), city=city, partial=True)

    assert job.rows_removed == 0
    assert not Camera.objects.filter(status=Camera.Status.REMOVED).exists()


def test_rejected_rows_do_not_count_as_missing(city):
    run_import(KIND.CAMERAS, _overpass((1, "90"), (2, "180")), city=city)

    job = run_import(KIND.CAMERAS, _overpass((1, "90"), (2, "upwards")), city=city)

    assert (job.rows_rejected, job.rows_removed) == (1, 0)
    assert Camera.objects.get(source_id="node/2").status == Camera.Status.ACTIVE


def test_duplicate_camera_ids_in_one_file_are_rejected(city):
    body = b"id,lat,lon\nA,41.5,-88.1\nA,41.6,-88.2\n"
    job = run_import(KIND.CAMERAS, body, city=city)

    assert errors(job) == [(3, "the same camera (id A) is already on line 2")]
    assert Camera.objects.count() == 1


# --- sharing ----------------------------------------------------------------------------------


def agreements():
    return {
        (a.owner.name, a.recipient.name, a.kind): (a.first_seen, a.last_seen, a.ended_on)
        for a in SharingAgreement.objects.select_related("owner", "recipient")
    }


APRIL = dt.date(2024, 4, 26)


def test_sharing_pairs_csv():
    job = run_import(KIND.SHARING, "sharing_pairs_20240426.csv")

    assert job.status == ImportJob.Status.SUCCEEDED
    assert counts(job) == {
        "read": 9,
        "created": 6,
        "updated": 0,
        "unchanged": 1,  # "Harbor City WI PD " is the same agency listed twice
        "rejected": 2,
        "removed": 0,
    }
    assert errors(job) == [
        (7, "an agency cannot share with itself (Maplewood IL PD)"),
        (8, "the agency name is blank"),
    ]
    # The date comes from the file name.
    assert agreements() == {
        ("Maplewood IL PD", "Fox Hollow IL PD", "direct"): (APRIL, APRIL, None),
        ("Maplewood IL PD", "Prairie County IL SO", "direct"): (APRIL, APRIL, None),
        ("Maplewood IL PD", "Harbor City WI PD", "direct"): (APRIL, APRIL, None),
        ("Maplewood IL PD", "US Border Patrol", "direct"): (APRIL, APRIL, None),
        ("Fox Hollow IL PD", "Maplewood IL PD", "direct"): (APRIL, APRIL, None),
        ("Fox Hollow IL PD", "National Lookup", "national"): (APRIL, APRIL, None),
    }
    assert Agency.objects.get(name="US Border Patrol").kind == Agency.Kind.FEDERAL
    assert Agency.objects.filter(normalized_name="wi:harbor city pd").count() == 1


def test_sharing_reimport_changes_nothing():
    run_import(KIND.SHARING, "sharing_pairs_20240426.csv")
    before = agreements()

    job = run_import(KIND.SHARING, "sharing_pairs_20240426.csv")

    assert (job.rows_created, job.rows_updated, job.rows_unchanged, job.rows_removed) == (
        0,
        0,
        7,
        0,
    )
    assert agreements() == before


def test_sharing_lists_end_missing_agreements_and_reopen_returning_ones():
    may = b"src_agency,external_agency\nMaple IL PD,Oak IL PD\nMaple IL PD,Elm IL PD\n"
    june = b"src_agency,external_agency\nMaple IL PD,Oak IL PD\nBirch IL PD,Elm IL PD\n"
    july = may
    run_import(KIND.SHARING, may, name="access20240501.csv")

    ended = run_import(KIND.SHARING, june, name="access20240601.csv")

    assert (ended.rows_created, ended.rows_unchanged, ended.rows_removed) == (1, 1, 1)
    state = agreements()
    assert state[("Maple IL PD", "Elm IL PD", "direct")] == (
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 1),
        dt.date(2024, 6, 1),
    )
    assert state[("Maple IL PD", "Oak IL PD", "direct")][1:] == (dt.date(2024, 6, 1), None)

    reopened = run_import(KIND.SHARING, july, name="access20240701.csv")

    # Birch is not in July's file at all, so its list says nothing: it stays open.
    assert (reopened.rows_updated, reopened.rows_unchanged, reopened.rows_removed) == (1, 1, 0)
    state = agreements()
    assert state[("Maple IL PD", "Elm IL PD", "direct")] == (
        dt.date(2024, 5, 1),
        dt.date(2024, 7, 1),
        None,
    )
    assert state[("Birch IL PD", "Elm IL PD", "direct")][2] is None


def test_an_older_file_widens_first_seen_and_ends_nothing():
    run_import(
        KIND.SHARING, b"src_agency,external_agency\nMaple IL PD,Oak IL PD\n", date="2024-06-01"
    )

    job = run_import(
        KIND.SHARING,
        b"src_agency,external_agency\nMaple IL PD,Elm IL PD\nMaple IL PD,Oak IL PD\n",
        date="2024-01-01",
    )

    assert (job.rows_created, job.rows_updated, job.rows_removed) == (1, 1, 0)
    assert agreements()[("Maple IL PD", "Oak IL PD", "direct")] == (
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 1),
        None,
    )


def test_html_transparency_page():
    job = run_import(KIND.SHARING, "sharing_page.html", date="2025-02-01")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    day = dt.date(2025, 2, 1)
    # The agency comes from the page heading; the script's fake list item is ignored.
    assert agreements() == {
        ("Silver Lake MI PD", "Pine Ridge OH PD", "direct"): (day, day, None),
        ("Silver Lake MI PD", "Harbor City WI PD", "direct"): (day, day, None),
        ("Silver Lake MI PD", "National Lookup", "national"): (day, day, None),
        ("Pine Ridge OH PD", "Silver Lake MI PD", "direct"): (day, day, None),
        ("Lakeshore County MI SO", "Silver Lake MI PD", "direct"): (day, day, None),
    }
    assert job.rows_read == 6  # the five agreements and the page's snapshot


def test_pasted_page_text_with_agency_override():
    job = run_import(
        KIND.SHARING, "sharing_page.txt", date="2025-02-01", agency="Pine Ridge Ohio PD OH"
    )

    assert job.rows_created == 3, job.error  # two agreements and the page's snapshot
    assert set(agreements()) == {
        ("Pine Ridge Ohio PD OH", "Silver Lake MI PD", "direct"),
        ("Pine Ridge Ohio PD OH", "Cedar Bay CA SO", "direct"),
    }


def test_pasted_page_text_names_its_own_agency():
    job = run_import(KIND.SHARING, "sharing_page.txt", date="2025-02-01")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert {(o, r) for o, r, _k in agreements()} == {
        ("Pine Ridge OH PD", "Silver Lake MI PD"),
        ("Pine Ridge OH PD", "Cedar Bay CA SO"),
    }


PAGE_TEXT = b"Sharing Network Data With\n\nMaple IL PD\nOak IL PD\n"
PAGE_HTML = b"""<html><head><title>Maple IL PD</title></head><body>
<h2>Sharing Network Data With</h2>
<ul><li>Maple IL PD</li>
<li>Oak IL PD</li></ul>
</body></html>"""


@pytest.mark.parametrize(("body", "line"), [(PAGE_TEXT, 3), (PAGE_HTML, 3)])
def test_page_rows_that_name_the_page_itself_are_rejected_with_their_line(body, line):
    job = run_import(KIND.SHARING, body, name="page", agency="Maple IL PD", date="2025-01-01")

    assert errors(job) == [(line, "an agency cannot share with itself (Maple IL PD)")]
    assert job.rows_created == 2  # one agreement and the page's snapshot


def test_kind_option_limits_what_a_list_ends():
    run_import(
        KIND.SHARING, b"src_agency,external_agency\nMaple IL PD,Oak IL PD\n", date="2024-01-01"
    )

    job = run_import(
        KIND.SHARING,
        b"src_agency,external_agency\nMaple IL PD,Illinois Statewide Network\n",
        date="2024-02-01",
        kind="statewide",
    )

    assert job.rows_removed == 0
    assert agreements()[("Maple IL PD", "Illinois Statewide Network", "statewide")][2] is None
    assert agreements()[("Maple IL PD", "Oak IL PD", "direct")][2] is None


# --- portal metrics ---------------------------------------------------------------------------


def test_usage_and_policies_merge_into_one_snapshot_per_date():
    usage = run_import(KIND.PORTAL_METRICS, "portal_usage.csv")
    policies = run_import(KIND.PORTAL_METRICS, "portal_policies.csv", date="2024-03-01")

    assert counts(usage) == {
        "read": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "removed": 0,
    }
    assert errors(usage) == [(4, "searches_in_the_last_30_days: “many” is not a whole number")]
    assert (policies.rows_created, policies.rows_updated) == (1, 1)
    maple = TransparencySnapshot.objects.get(agency__name="Maplewood IL PD")
    assert maple.captured_on == APRIL
    assert (maple.retention_days, maple.total_cameras, maple.searches_30d) == (30, 80, 412)
    assert maple.vehicles_detected_30d == 1_234_567
    assert maple.hotlist_hits_30d is None  # "Data Unavailable"
    assert maple.external_organizations_count == 4
    assert maple.hotlists == "NCIC"
    assert maple.acceptable_use == "Law enforcement purposes only."
    assert maple.portal_url == "https://transparency.example.org/maplewood-il-pd"
    fox = TransparencySnapshot.objects.get(agency__name="Fox Hollow IL PD")
    assert (fox.retention_days, fox.total_cameras, fox.external_organizations_count) == (
        None,
        None,
        988,
    )
    # A policies row without any date takes the --date option.
    harbor = TransparencySnapshot.objects.get(agency__name="Harbor City WI PD")
    assert harbor.captured_on == dt.date(2024, 3, 1)
    assert Agency.objects.get(name="Maplewood IL PD").transparency_url.endswith("maplewood-il-pd")


def test_external_organization_names_become_agreements_of_the_agency():
    run_import(KIND.PORTAL_METRICS, "portal_usage.csv")

    # The page lists its own agency too; that is not an agreement.
    assert agreements() == {
        ("Maplewood IL PD", "Fox Hollow IL PD", "direct"): (APRIL, APRIL, None),
        ("Maplewood IL PD", "Harbor City WI PD", "direct"): (APRIL, APRIL, None),
        ("Maplewood IL PD", "US Border Patrol", "direct"): (APRIL, APRIL, None),
    }


def test_metrics_reimport_is_unchanged_and_blanks_never_erase():
    run_import(KIND.PORTAL_METRICS, "portal_usage.csv")
    run_import(KIND.PORTAL_METRICS, "portal_policies.csv", date="2024-03-01")
    before = list(TransparencySnapshot.objects.order_by("pk").values())

    again = run_import(KIND.PORTAL_METRICS, "portal_usage.csv")
    blanks = run_import(
        KIND.PORTAL_METRICS,
        b"agency,updated,data_retention_in_days,whats_detected\nMaplewood IL PD,2024-04-26,NA,\n",
    )

    assert (again.rows_unchanged, again.rows_created, again.rows_updated) == (2, 0, 0)
    assert (blanks.rows_unchanged, blanks.rows_updated) == (1, 0)
    assert list(TransparencySnapshot.objects.order_by("pk").values()) == before


def test_formula_looking_cells_are_stored_as_plain_text():
    run_import(KIND.PORTAL_METRICS, "portal_policies.csv", date="2024-03-01")
    run_import(
        KIND.SHARING,
        b'src_agency,external_agency\n=cmd|"/c calc"!A1,@SUM(A1)\n',
        date="2024-03-01",
    )

    harbor = TransparencySnapshot.objects.get(agency__name="Harbor City WI PD")
    assert harbor.acceptable_use == '=HYPERLINK("http://example.org")'
    assert harbor.prohibited_uses == "+ Personal use"
    assert set(Agency.objects.values_list("name", flat=True)) >= {'=cmd|"/c calc"!A1', "@SUM(A1)"}


def test_windows_1252_files_are_decoded():
    body = "src_agency,external_agency\nCañon City CO PD,Española NM PD\n".encode("cp1252")
    job = run_import(KIND.SHARING, body, date="2024-01-01")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert set(Agency.objects.values_list("name", flat=True)) == {
        "Cañon City CO PD",
        "Española NM PD",
    }


def test_a_stray_control_character_does_not_fail_a_text_file():
    body = b"src_agency,external_agency\nMaple IL PD,Oak IL PD\n\x1a"
    job = run_import(KIND.SHARING, body, date="2024-01-01")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert SharingAgreement.objects.count() == 1


def test_utf8_bom_and_utf16_are_decoded():
    text = "src_agency,external_agency\nMaple IL PD,Oak IL PD\n"
    for body in (text.encode("utf-8-sig"), text.encode("utf-16")):
        job = run_import(KIND.SHARING, body, date="2024-01-01")
        assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert SharingAgreement.objects.count() == 1


# --- broken files -----------------------------------------------------------------------------

TRUNCATED_JSON = (
    b'{"elements": [{"type": "node", "id": 1, "lat": 41.5, "lon": -88.1, "tags": {"surv'
)
BIG_CELL = b"src_agency,external_agency\nMaple IL PD," + b"x" * (1024 * 1024 + 10) + b"\n"


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        (KIND.CAMERAS, b"ID,Name\n1,Main St\n", "missing column(s) latitude / lat / y"),
        (KIND.SHARING, b"who,whom\nA,B\n", "Expected columns src_agency and external_agency"),
        (KIND.PORTAL_METRICS, b"name,color\nMaple IL PD,blue\n", "No metrics or policy columns"),
        (KIND.PORTAL_METRICS, b"updated,url\n2024-01-01,x\n", "missing column(s) agency"),
        (KIND.SHARING, b"src_agency,external_agency\n\x81\x8d\x90 PD,Oak PD\n", "text encoding"),
        (KIND.CAMERAS, b"\n  \n\n", "The file is empty."),
        (KIND.SHARING, b"src_agency,external_agency\n", "a header line but no data rows"),
        (KIND.CAMERAS, TRUNCATED_JSON, "The JSON is invalid or cut short at line 1"),
        (KIND.CAMERAS, b'{"type": "Topology"}', "neither an Overpass result nor a GeoJSON"),
        (KIND.CAMERAS, b'id,lat,lon\nA,41.5,-88.1\nB,41.6,"-88', "ends inside a quoted cell"),
        (KIND.CAMERAS, b"id,lat,lon\nA,41.5,-88.1\nB,41.6", "the file looks cut short"),
        (KIND.SHARING, BIG_CELL, "Line 2: a cell is larger than 1 MB"),
        (KIND.SHARING, b"x" * 70_000, "too long to be a header"),
        (KIND.CAMERAS, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text file"),
        (KIND.SHARING, b"PK\x03\x04\x14\x00\x06\x00", "save it as CSV"),
        (KIND.SHARING, bytes(range(1, 9)) * 200, "or it holds binary data"),
        (KIND.SHARING, b"Sharing Network Data With\n\nOak IL PD\n", "does not say whose it is"),
        (
            KIND.SHARING,
            b"<html><body><p>Hello</p></body></html>",
            "does not look like a transparency page",
        ),
    ],
)
def test_broken_files_fail_cleanly_with_nothing_written(kind, body, message):
    job = run_import(kind, body, name="broken.csv", date="2024-01-01")

    assert job.status == ImportJob.Status.FAILED
    assert message in job.error
    assert counts(job) == dict.fromkeys(counts(job), 0)
    assert not job.row_errors.exists()
    assert Agency.objects.count() == Camera.objects.count() == 0
    assert SharingAgreement.objects.count() == TransparencySnapshot.objects.count() == 0


def test_missing_columns_error_names_what_was_found():
    job = run_import(KIND.CAMERAS, b"ID,Name,Street\n1,Main,Elm\n")

    assert "Found columns: ID, Name, Street." in job.error
    assert "longitude / lon / lng / long / x" in job.error


def test_a_file_that_breaks_after_written_batches_leaves_nothing(monkeypatch):
    monkeypatch.setattr("cameras.services.SHARING_BATCH", 2)
    rows = "".join(f"Maple IL PD,Partner {n} IL PD\n" for n in range(7))
    body = f'src_agency,external_agency\n{rows}Maple IL PD,"Partner cut short'.encode()

    job = run_import(KIND.SHARING, body, date="2024-01-01")

    assert job.status == ImportJob.Status.FAILED
    assert "Line 9: the file ends inside a quoted cell" in job.error
    assert SharingAgreement.objects.count() == Agency.objects.count() == 0


def test_short_rows_in_the_middle_are_rejected_not_fatal():
    job = run_import(
        KIND.SHARING,
        b"src_agency,external_agency\nMaple IL PD\nMaple IL PD,Oak IL PD\n",
        date="2024-01-01",
    )

    assert job.status == ImportJob.Status.SUCCEEDED
    assert errors(job) == [(2, "expected 2 values, found 1")]
    assert_balanced(job)


def test_excerpts_are_capped():
    long_name = "Maple " + "Very " * 100 + "IL PD"
    job = run_import(KIND.SHARING, f"src_agency,external_agency\n{long_name},Oak IL PD\n".encode())

    error = job.row_errors.get()
    assert error.message == "an agency name is longer than 255 characters"
    assert len(error.excerpt) <= 300


# --- management commands ----------------------------------------------------------------------


def test_commands_print_counts(city):
    out = StringIO()
    call_command(
        "import_cameras",
        str(FIXTURES / "cameras_overpass.json"),
        "--city",
        city.slug,
        stdout=out,
        stderr=StringIO(),
    )
    call_command(
        "import_sharing",
        str(FIXTURES / "sharing_pairs_20240426.csv"),
        stdout=out,
        stderr=StringIO(),
    )
    call_command(
        "import_portal_metrics",
        str(FIXTURES / "portal_usage.csv"),
        "--date",
        "2024-04-26",
        stdout=out,
        stderr=StringIO(),
    )

    lines = out.getvalue().splitlines()
    assert "succeeded" in lines[0]
    assert "read 5, created 3, updated 0, unchanged 0, rejected 2, removed 0." in lines[0]
    assert "read 9, created 6, updated 0, unchanged 1, rejected 2, removed 0." in lines[1]
    assert "read 3, created 2" in lines[2]
    assert Camera.objects.filter(city=city).count() == 3


def test_command_prints_row_errors_to_stderr():
    err = StringIO()
    call_command(
        "import_sharing",
        str(FIXTURES / "sharing_pairs_20240426.csv"),
        stdout=StringIO(),
        stderr=err,
    )

    assert "line 7: an agency cannot share with itself (Maplewood IL PD)" in err.getvalue()


def test_command_fails_on_a_failed_job(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(TRUNCATED_JSON)

    with pytest.raises(CommandError, match="failed: The JSON is invalid"):
        call_command("import_cameras", str(broken), stdout=StringIO(), stderr=StringIO())
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_command_rejects_unknown_city_and_bad_date():
    with pytest.raises(CommandError, match="No city with the slug"):
        call_command("import_cameras", str(FIXTURES / "cameras.csv"), "--city", "atlantis")
    with pytest.raises(CommandError, match="not a date"):
        call_command("import_sharing", str(FIXTURES / "sharing_page.txt"), "--date", "26/04/2024")
    assert not ImportJob.objects.exists()
