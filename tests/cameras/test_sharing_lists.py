"""Sharing lists read with their perspective: pairs and records requests, both directions."""

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from cameras.importers.sharing import requester_from_networks
from cameras.models import SharingAgreement
from core.imports import import_job_create, import_job_run
from core.models import Agency, ImportJob
from tests.factories import AgencyFactory, SharingAgreementFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
REAL_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
SHARING = ImportJob.Kind.SHARING
HEADER = ["Page", "Organization Name", "Networks Shared With Me", "Networks I'm Sharing"]

pytestmark = pytest.mark.django_db


def run_import(source, *, name="", **options):
    file = ContentFile(source, name=name or "upload.csv") if isinstance(source, bytes) else source
    job = import_job_create(
        kind=SHARING, file=file, original_name=name, city=None, options=options, run=False
    )
    return import_job_run(job=job)


def agreements():
    return {
        (a.owner.name, a.recipient.name, a.kind): (a.first_seen, a.last_seen, a.ended_on)
        for a in SharingAgreement.objects.select_related("owner", "recipient")
    }


def networks_of(owner, recipient):
    return SharingAgreement.objects.get(owner__name=owner, recipient__name=recipient).networks


def errors(job):
    return [(e.line, e.message) for e in job.row_errors.order_by("line")]


def to_csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --- requester --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "requester"),
    [
        (
            ["Polk County FL SO", "Polk County FL SO (LR)", "Polk County FL SO - Axon"],
            "Polk County FL SO",
        ),
        (["Polk County FL SO (LR)"], "Polk County FL SO"),
        (["Oakmont CA PD - Axon", "Florida Statewide Lookup", "National Lookup"], "Oakmont CA PD"),
        (["Polk County FL SO East", "Polk County FL SO West"], "Polk County FL SO"),
        (["Oakmont CA PD", "Cedar Bay CA SO"], ""),
        ([], ""),
    ],
)
def test_requester_is_the_agency_its_shared_networks_name(values, requester):
    assert requester_from_networks(values)[0] == requester


# --- records request: the small fixture ---------------------------------------------------------


def test_records_request_reads_each_direction_from_the_requesters_side():
    job = run_import(FIXTURES / "sharing_records_request.csv", date="2025-01-15")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    day = dt.date(2025, 1, 15)
    assert agreements() == {
        # Networks Shared With Me: the organization shares with the requester.
        ("Cedar Bay CA SO", "Oakmont CA PD", "direct"): (day, day, None),
        ("Harbor City WI PD", "Oakmont CA PD", "direct"): (day, day, None),
        ("University of California, Berkeley PD", "Oakmont CA PD", "direct"): (day, day, None),
        # Networks I'm Sharing: the requester shares with the organization.
        ("Oakmont CA PD", "Cedar Bay CA SO", "direct"): (day, day, None),
        ("Oakmont CA PD", "Lakeview CA PD", "direct"): (day, day, None),
        ("Oakmont CA PD", "University of California, Berkeley PD", "direct"): (day, day, None),
    }
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (6, 6, 0)
    # Networks are detail on the agreement, never agencies of their own.
    assert networks_of("Cedar Bay CA SO", "Oakmont CA PD") == [
        "Cedar Bay CA SO",
        "Cedar Bay CA SO (LR)",
    ]
    assert networks_of("Oakmont CA PD", "Cedar Bay CA SO") == [
        "Oakmont CA PD",
        "Oakmont CA PD (LR)",
    ]
    assert networks_of("Harbor City WI PD", "Oakmont CA PD") == ["Harbor City WI PD - Axon"]
    assert networks_of("University of California, Berkeley PD", "Oakmont CA PD") == [
        "University of California, Berkeley PD",
        "University of California, Berkeley PD (LR)",
    ]
    assert sorted(Agency.objects.values_list("name", flat=True)) == [
        "Cedar Bay CA SO",
        "Harbor City WI PD",
        "Lakeview CA PD",
        "Oakmont CA PD",
        "University of California, Berkeley PD",
    ]


def test_records_request_ends_the_requesters_missing_agreements_on_both_sides():
    earlier = dt.date(2024, 1, 1)
    oakmont = AgencyFactory(name="Oakmont CA PD", state="CA")
    cedar = AgencyFactory(name="Cedar Bay CA SO", state="CA")
    SharingAgreementFactory(
        owner__name="Old Partner CA PD", recipient=oakmont, first_seen=earlier, last_seen=earlier
    )
    SharingAgreementFactory(
        owner=oakmont, recipient__name="Gone CA SO", first_seen=earlier, last_seen=earlier
    )
    # Not the requester's: Cedar Bay's other agreements are not this list's to end.
    SharingAgreementFactory(
        owner=cedar, recipient__name="Elsewhere CA PD", first_seen=earlier, last_seen=earlier
    )

    job = run_import(FIXTURES / "sharing_records_request.csv", date="2025-01-15")

    assert job.rows_removed == 2
    state = agreements()
    assert state[("Old Partner CA PD", "Oakmont CA PD", "direct")][2] == dt.date(2025, 1, 15)
    assert state[("Oakmont CA PD", "Gone CA SO", "direct")][2] == dt.date(2025, 1, 15)
    assert state[("Cedar Bay CA SO", "Elsewhere CA PD", "direct")][2] is None


def test_partial_records_request_ends_nothing():
    oakmont = AgencyFactory(name="Oakmont CA PD", state="CA")
    SharingAgreementFactory(owner=oakmont, recipient__name="Gone CA SO")

    job = run_import(FIXTURES / "sharing_records_request.csv", date="2025-01-15", partial=True)

    assert (job.rows_created, job.rows_removed) == (6, 0)
    assert agreements()[("Oakmont CA PD", "Gone CA SO", "direct")][2] is None


def test_records_request_without_its_own_networks_asks_for_the_agency():
    body = to_csv([[1, "Cedar Bay CA SO", "Cedar Bay CA SO (LR)", ""]])

    failed = run_import(body, name="incoming.csv", date="2025-01-15")

    assert failed.status == ImportJob.Status.FAILED
    assert "--agency" in failed.error
    assert not SharingAgreement.objects.exists()

    job = run_import(body, name="incoming.csv", date="2025-01-15", agency="Oakmont CA PD")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert set(agreements()) == {("Cedar Bay CA SO", "Oakmont CA PD", "direct")}


def test_records_request_of_two_requesters_networks_fails_naming_them():
    body = to_csv(
        [
            [1, "Cedar Bay CA SO", "", "Oakmont CA PD"],
            [1, "Lakeview CA PD", "", "Harbor City WI PD (LR)"],
        ]
    )

    job = run_import(body, date="2025-01-15")

    assert job.status == ImportJob.Status.FAILED
    assert "Harbor City WI PD" in job.error and "Oakmont CA PD" in job.error
    assert "--agency" in job.error


def test_records_request_agency_option_overrides_the_detected_requester():
    body = to_csv([[1, "Cedar Bay CA SO", "Cedar Bay CA SO", "Oakmont Metro Network"]])

    job = run_import(body, date="2025-01-15", agency="Oakmont CA PD")

    assert set(agreements()) == {
        ("Cedar Bay CA SO", "Oakmont CA PD", "direct"),
        ("Oakmont CA PD", "Cedar Bay CA SO", "direct"),
    }
    assert networks_of("Oakmont CA PD", "Cedar Bay CA SO") == ["Oakmont Metro Network"]
    assert job.rows_created == 2


def test_records_request_rows_that_say_nothing_are_rejected_with_their_line():
    body = to_csv(
        [
            [1, "Cedar Bay CA SO", "Cedar Bay CA SO", "Oakmont CA PD"],
            [1, "", "Nowhere CA PD", "Oakmont CA PD"],
            [1, "Quiet CA PD", "", ""],
            [2, "Oakmont CA PD", "Oakmont CA PD (LR)", "Oakmont CA PD"],
            [2, "Lakeview CA PD", "", "Oakmont CA PD (LR)"],
        ]
    )

    job = run_import(body, date="2025-01-15")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert errors(job) == [
        (3, "the organization name is blank"),
        (4, "the row lists no network in either column"),
        (5, "the row names Oakmont CA PD itself: its own networks are no agreement"),
    ]
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (6, 3, 3)
    assert "an agency cannot share with itself" not in " ".join(m for _l, m in errors(job))
    assert set(agreements()) == {
        ("Cedar Bay CA SO", "Oakmont CA PD", "direct"),
        ("Oakmont CA PD", "Cedar Bay CA SO", "direct"),
        ("Oakmont CA PD", "Lakeview CA PD", "direct"),
    }


def test_records_request_networks_change_is_an_update_and_reimport_is_unchanged():
    first = to_csv([[1, "Cedar Bay CA SO", "Cedar Bay CA SO", "Oakmont CA PD"]])
    later = to_csv(
        [[1, "Cedar Bay CA SO", "Cedar Bay CA SO, Cedar Bay CA SO (LR)", "Oakmont CA PD"]]
    )
    run_import(first, date="2025-01-15")

    again = run_import(first, date="2025-02-15")
    changed = run_import(later, date="2025-03-15")

    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert (changed.rows_updated, changed.rows_unchanged, changed.rows_removed) == (1, 1, 0)
    assert networks_of("Cedar Bay CA SO", "Oakmont CA PD") == [
        "Cedar Bay CA SO",
        "Cedar Bay CA SO (LR)",
    ]
    # A pairs list names no networks: it leaves them as they are.
    run_import(b"src_agency,external_agency\nCedar Bay CA SO,Oakmont CA PD\n", date="2025-04-01")
    assert networks_of("Cedar Bay CA SO", "Oakmont CA PD") == [
        "Cedar Bay CA SO",
        "Cedar Bay CA SO (LR)",
    ]


def test_records_request_statewide_only_sharing_is_of_that_kind():
    body = to_csv(
        [
            [1, "Cedar Bay CA SO", "", "Oakmont CA PD, California Statewide Lookup"],
            [1, "Lakeview CA PD", "", "California Statewide Lookup"],
        ]
    )

    run_import(body, date="2025-01-15", agency="Oakmont CA PD")

    assert set(agreements()) == {
        ("Oakmont CA PD", "Cedar Bay CA SO", "direct"),
        ("Oakmont CA PD", "Lakeview CA PD", "statewide"),
    }


# --- records request: a realistic generated list ----------------------------------------------

REQUESTER = "Palmetto County FL SO"
OWN_NETWORKS = [REQUESTER, f"{REQUESTER} (LR)", f"{REQUESTER} - Axon"]
COMMA_ORGS = [
    "University of California, Berkeley PD",  # a built-in name
    "Montgomery County Constable, Precinct 3 (TX)",  # a built-in name
    "Port Authority, Marine Unit NJ",  # known from the database
    "Gotham Transit Authority, Harbor Division (NY)",  # known only as the row's organization
]


def _org_names(count: int, rng: random.Random) -> list[str]:
    heads = "Oak Cedar Maple Pine Elm Birch Willow Ash Spruce Aspen Hazel Laurel Juniper Alder "
    heads += "Cypress Magnolia Sycamore Poplar Hickory Walnut Chestnut Linden Rowan Sequoia"
    tails = "ville ton field wood dale port ford burg haven ridge brook crest mont view side"
    states = ["FL", "GA", "AL", "SC", "TN", "TX", "NC", "MS"]
    names: set[str] = set()
    while len(names) < count:
        town = rng.choice(heads.split()) + rng.choice(tails.split())
        kind = rng.choice(["PD", "PD", "PD", "County SO"])
        names.add(f"{town} {rng.choice(states)} {kind}")
    return sorted(names)


def _their_networks(org: str, rng: random.Random) -> list[str]:
    return rng.choice([[org], [org, f"{org} (LR)"], [f"{org} - Axon"], [org, f"{org} - Axon"]])


def generated_records_request(seed: int = 9) -> bytes:
    """A sheriff's office sharing with 535 organizations and receiving from 244."""
    rng = random.Random(seed)
    orgs = _org_names(600 - len(COMMA_ORGS), rng) + COMMA_ORGS
    rng.shuffle(orgs)
    rows = []
    for index, org in enumerate(sorted(orgs)):
        # The requester shares with the first 535; 179 of them and the other 65 share back.
        outgoing = index % 600 < 535
        incoming = index % 3 == 0 if outgoing else True
        theirs = ", ".join(_their_networks(org, rng)) if incoming else ""
        ours = ", ".join(rng.sample(OWN_NETWORKS, rng.randint(1, 3))) if outgoing else ""
        rows.append([index // 50 + 1, org, theirs, ours])
    return to_csv(rows)


def test_generated_records_request_counts_each_direction_exactly():
    AgencyFactory(name="Port Authority, Marine Unit NJ", state="NJ")
    body = generated_records_request()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    expected_out = sum(1 for r in rows if r["Networks I'm Sharing"].strip())
    expected_in = sum(1 for r in rows if r["Networks Shared With Me"].strip())
    assert (len(rows), expected_out, expected_in) == (600, 535, 244)

    job = run_import(body, name="palmetto_records_request.csv", date="2026-05-01")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    requester = Agency.objects.get(name=REQUESTER)
    outgoing = SharingAgreement.objects.filter(owner=requester)
    incoming = SharingAgreement.objects.filter(recipient=requester)
    assert (outgoing.count(), incoming.count()) == (expected_out, expected_in)
    assert SharingAgreement.objects.count() == expected_out + expected_in
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (779, 779, 0)
    # Every agency is an organization of the file or the requester; no network became one.
    assert Agency.objects.count() == 601
    assert not Agency.objects.filter(name__endswith="(LR)").exists()
    assert not Agency.objects.filter(name__endswith="Axon").exists()
    for org in COMMA_ORGS:
        assert Agency.objects.filter(name=org).exists(), org
    assert not Agency.objects.filter(name__in=["Berkeley PD", "Marine Unit NJ"]).exists()
    # The networks on each agreement are the ones its row names.
    by_org = {r["Organization Name"]: r for r in rows}
    for agreement in outgoing.select_related("recipient"):
        row = by_org[agreement.recipient.name]
        assert agreement.networks == [n.strip() for n in row["Networks I'm Sharing"].split(",")]
    for agreement in incoming.select_related("owner"):
        cell = by_org[agreement.owner.name]["Networks Shared With Me"]
        assert ", ".join(agreement.networks) == cell
        assert all(n.startswith(agreement.owner.name) for n in agreement.networks)

    again = run_import(body, name="palmetto_records_request.csv", date="2026-06-01")

    assert (again.rows_created, again.rows_updated, again.rows_removed) == (0, 0, 0)
    assert again.rows_unchanged == 779


def test_generated_records_request_ends_dropped_partners_of_the_requester_only():
    body = generated_records_request()
    run_import(body, date="2026-05-01")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    dropped = next(r for r in rows if r["Networks I'm Sharing"] and r["Networks Shared With Me"])
    kept = [r for r in rows if r is not dropped]

    job = run_import(to_csv([list(r.values()) for r in kept]), date="2026-06-01")

    assert job.rows_removed == 2
    state = agreements()
    org = dropped["Organization Name"]
    assert state[(REQUESTER, org, "direct")][2] == dt.date(2026, 6, 1)
    assert state[(org, REQUESTER, "direct")][2] == dt.date(2026, 6, 1)
    assert sum(1 for v in state.values() if v[2] is None) == 779 - 2


# --- pairs ------------------------------------------------------------------------------------


def test_pairs_source_shares_with_external():
    body = (
        b"src_agency,external_agency,src_agency_id,external_agency_id\n"
        b"Sylvan OH PD,Adrian MI PD,1,2\nSylvan OH PD,Ashland County OH SO,1,3\n"
        b"Adrian MI PD,Sylvan OH PD,2,1\n"
    )

    job = run_import(body, name="agency_access20240426.csv")

    day = dt.date(2024, 4, 26)
    assert agreements() == {
        ("Sylvan OH PD", "Adrian MI PD", "direct"): (day, day, None),
        ("Sylvan OH PD", "Ashland County OH SO", "direct"): (day, day, None),
        ("Adrian MI PD", "Sylvan OH PD", "direct"): (day, day, None),
    }
    assert (job.rows_read, job.rows_created) == (3, 3)
    assert SharingAgreement.objects.get(owner__name="Adrian MI PD").networks == []


def test_pairs_names_with_commas_stay_one_agency():
    body = b'src_agency,external_agency\n"University of California, Berkeley PD",Albany CA PD\n'

    run_import(body, date="2024-04-26")

    assert set(agreements()) == {
        ("University of California, Berkeley PD", "Albany CA PD", "direct")
    }


# --- the real pairs file ----------------------------------------------------------------------

REAL_PAIRS = REAL_DATA / "private-eyes" / "agency_access20240426.csv"


@pytest.mark.skipif(not REAL_PAIRS.is_file(), reason="shared/data is not here")
def test_real_pairs_file_every_row_accounted_for_and_reimport_changes_nothing():
    from core.names import normalize_agency_name

    with REAL_PAIRS.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = {
        (normalize_agency_name(r["src_agency"]), normalize_agency_name(r["external_agency"]))
        for r in rows
    }
    sources = {src for src, _ext in pairs}

    job = run_import(REAL_PAIRS, name=REAL_PAIRS.name)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.rows_read == len(rows)
    assert job.rows_created == len(pairs)
    assert job.rows_created + job.rows_unchanged + job.rows_rejected == len(rows)
    assert SharingAgreement.objects.count() == len(pairs)
    assert SharingAgreement.objects.values("owner").distinct().count() == len(sources)

    again = run_import(REAL_PAIRS, name=REAL_PAIRS.name)

    assert (again.rows_created, again.rows_updated, again.rows_removed) == (0, 0, 0)
    assert again.rows_unchanged + again.rows_rejected == len(rows)


# --- networks shown -----------------------------------------------------------------------------


def test_networks_are_in_the_api_its_csv_and_the_agency_page(client):
    run_import(FIXTURES / "sharing_records_request.csv", date="2025-01-15")
    agreement = SharingAgreement.objects.get(
        owner__name="Cedar Bay CA SO", recipient__name="Oakmont CA PD"
    )

    data = client.get(f"/api/v1/sharing-agreements/{agreement.pk}/").json()
    exported = client.get("/api/v1/sharing-agreements/", {"format": "csv"})
    page = client.get(agreement.owner.get_absolute_url()).content.decode()

    assert data["networks"] == ["Cedar Bay CA SO", "Cedar Bay CA SO (LR)"]
    rows = list(csv.DictReader(io.StringIO(exported.getvalue().decode("utf-8"))))
    by_pair = {(r["owner.name"], r["recipient.name"]): r["networks"] for r in rows}
    assert by_pair[("Cedar Bay CA SO", "Oakmont CA PD")] == "Cedar Bay CA SO;Cedar Bay CA SO (LR)"
    assert by_pair[("Oakmont CA PD", "Lakeview CA PD")] == "Oakmont CA PD - Axon"
    assert "Networks: Cedar Bay CA SO, Cedar Bay CA SO (LR)" in page
    assert "Networks: Oakmont CA PD, Oakmont CA PD (LR)" in page  # what Cedar Bay may search


# --- the real camera exports ------------------------------------------------------------------

OSM = sorted((REAL_DATA / "osm").glob("*.geojson")) if (REAL_DATA / "osm").is_dir() else []


def test_counter_clockwise_bearings_are_read_as_compass_bearings():
    from cameras.importers.directions import DirectionError, parse_directions

    assert parse_directions("-45") == [315]
    assert parse_directions("-90;90") == [270, 90]
    with pytest.raises(DirectionError):
        parse_directions("-400")


@pytest.mark.skipif(not OSM, reason="shared/data is not here")
@pytest.mark.parametrize("path", OSM, ids=lambda p: p.name)
def test_real_osm_export_imports_every_feature(path):
    import json

    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    ids = {f["properties"]["id"] for f in features}
    job = import_job_run(
        job=import_job_create(
            kind=ImportJob.Kind.CAMERAS, file=path, original_name=path.name, options={}, run=False
        )
    )

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (len(features), len(ids), 0)
