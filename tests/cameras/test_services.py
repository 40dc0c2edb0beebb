"""Camera, sharing and snapshot write services, called directly."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from cameras.services import (
    CameraRecord,
    SharingEdge,
    SharingListComplete,
    SnapshotRecord,
    camera_import,
    camera_mark_removed,
    sharing_import,
    snapshot_import,
)
from core.models import Agency, AuditEvent
from core.services import agency_add_alias
from tests.factories import AgencyFactory, CameraFactory, CityFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 4, 26)


# --- camera_mark_removed ----------------------------------------------------------------------


def test_mark_removed_sets_status_date_and_one_audit_row_per_camera():
    clerk = UserFactory()
    city = CityFactory()
    cameras = CameraFactory.create_batch(3, city=city)
    already = CameraFactory(city=city, status=Camera.Status.REMOVED, removed_on=dt.date(2020, 1, 1))

    changed = camera_mark_removed(
        cameras=Camera.objects.filter(city=city), actor=clerk, on=dt.date(2024, 5, 1)
    )

    assert changed == 3
    for camera in cameras:
        camera.refresh_from_db()
        assert (camera.status, camera.removed_on) == (Camera.Status.REMOVED, dt.date(2024, 5, 1))
    already.refresh_from_db()
    assert already.removed_on == dt.date(2020, 1, 1)
    events = AuditEvent.objects.filter(action="camera.remove")
    assert sorted(int(e.object_id) for e in events) == sorted(c.pk for c in cameras)
    assert {(e.actor, e.city) for e in events} == {(clerk, city)}
    assert events.first().changes == {
        "status": {"old": "active", "new": "removed"},
        "removed_on": {"old": None, "new": "2024-05-01"},
    }


def test_mark_removed_defaults_to_today_and_returns_zero_when_nothing_changes():
    camera = CameraFactory()

    assert camera_mark_removed(cameras=Camera.objects.all()) == 1
    camera.refresh_from_db()
    assert camera.removed_on == timezone.localdate()
    assert camera_mark_removed(cameras=Camera.objects.all()) == 0


# --- camera_import ----------------------------------------------------------------------------


def record(source_id, **kwargs):
    defaults = {"line": 2, "latitude": Decimal("41.500000"), "longitude": Decimal("-88.100000")}
    return CameraRecord(source_id=source_id, **{**defaults, **kwargs})


def test_camera_import_keeps_clerk_values_the_file_leaves_blank():
    city = CityFactory()
    owner = AgencyFactory(name="Maple IL PD")
    camera = CameraFactory(
        city=city,
        owner=owner,
        source="csv",
        source_id="A",
        vendor="Flock Safety",
        address="Clerk's note: north lot",
        directions=[90],
        latitude=Decimal("41.500000"),
        longitude=Decimal("-88.100000"),
        status=Camera.Status.PLANNED,
    )

    report = camera_import(records=[record("A")], source="csv", seen_on=DAY)

    assert (report.unchanged, report.updated) == (1, 0)
    camera.refresh_from_db()
    assert (camera.city, camera.owner, camera.vendor, camera.address) == (
        city,
        owner,
        "Flock Safety",
        "Clerk's note: north lot",
    )
    assert (camera.directions, camera.status, camera.last_verified) == (
        [90],
        Camera.Status.PLANNED,
        DAY,
    )


def test_camera_import_creates_owners_in_the_city_once():
    city = CityFactory()

    report = camera_import(
        records=[record("A", owner="Maple HOA"), record("B", line=3)],
        source="csv",
        seen_on=DAY,
        city=city,
        default_owner="Maple IL PD",
    )

    assert report.created == 2
    owners = {c.source_id: c.owner for c in Camera.objects.select_related("owner")}
    assert owners["A"].name == "Maple HOA" and owners["A"].kind == Agency.Kind.HOA
    assert owners["B"].name == "Maple IL PD" and owners["B"].home_city == city
    assert Agency.objects.count() == 2


def test_full_import_without_readable_rows_removes_nothing():
    city = CityFactory()
    CameraFactory(city=city, source="csv", source_id="A")

    report = camera_import(records=[], source="csv", seen_on=DAY, city=city, full=True)

    assert report.removed == 0
    assert Camera.objects.get().status == Camera.Status.ACTIVE


# --- sharing_import ---------------------------------------------------------------------------


def edge(owner, recipient, line=2, kind=SharingAgreement.Kind.DIRECT):
    return SharingEdge(line=line, owner=owner, recipient=recipient, kind=kind)


def test_sharing_import_counts_and_agreement_dates():
    report = sharing_import(
        items=[
            SharingListComplete(line=2, agency="Maple IL PD"),
            edge("Maple IL PD", "Oak IL PD"),
            edge("Maple IL PD", "Oak IL PD", line=3),
            edge("Maple IL PD", "Oak IL PD", line=4, kind=SharingAgreement.Kind.NATIONAL),
            edge("Maple IL PD", "", line=5),
        ],
        seen_on=DAY,
        source="test.csv",
    )

    assert (report.read, report.created, report.unchanged, report.rejected) == (4, 2, 1, 1)
    assert [(i.line, i.message) for i in report.issues] == [(5, "the agency name is blank")]
    agreement = SharingAgreement.objects.get(kind=SharingAgreement.Kind.DIRECT)
    assert (agreement.first_seen, agreement.last_seen, agreement.ended_on, agreement.source) == (
        DAY,
        DAY,
        None,
        "test.csv",
    )


def test_sharing_import_rejects_self_sharing_through_an_alias():
    maple = AgencyFactory(name="Maple IL PD")
    agency_add_alias(agency=maple, name="Maplewood Village Police")

    report = sharing_import(items=[edge("Maple IL PD", "Maplewood Village Police")], seen_on=DAY)

    assert report.rejected == 1
    assert "cannot share with itself" in report.issues[0].message
    assert not SharingAgreement.objects.exists()


def test_sharing_import_ends_only_complete_lists():
    later = DAY + dt.timedelta(days=30)
    sharing_import(
        items=[edge("Maple IL PD", "Oak IL PD"), edge("Birch IL PD", "Oak IL PD")], seen_on=DAY
    )

    report = sharing_import(
        items=[
            SharingListComplete(line=2, agency="Maple IL PD"),
            SharingListComplete(line=2, agency="Elm IL PD", side="recipient"),
        ],
        seen_on=later,
    )

    assert (report.read, report.removed) == (0, 1)
    ended = {a.owner.name: a.ended_on for a in SharingAgreement.objects.select_related("owner")}
    assert ended == {"Maple IL PD": later, "Birch IL PD": None}


def test_sharing_import_batches_give_the_same_result_as_one_batch():
    items = [edge("Maple IL PD", f"Partner {n} IL PD", line=n + 2) for n in range(25)]
    items.insert(10, edge("Maple IL PD", "Partner 3 IL PD", line=99))

    small = sharing_import(items=items, seen_on=DAY, batch_size=4)
    assert (small.created, small.unchanged) == (25, 1)
    SharingAgreement.objects.all().delete()
    big = sharing_import(items=items, seen_on=DAY)
    assert (big.created, big.unchanged) == (25, 1)


# --- snapshot_import --------------------------------------------------------------------------


def test_snapshot_rows_for_one_agency_and_date_merge():
    report = snapshot_import(
        records=[
            SnapshotRecord(
                line=2, agency="Maple IL PD", captured_on=DAY, values={"searches_30d": 5}
            ),
            SnapshotRecord(
                line=3,
                agency="Maple IL PD",
                captured_on=DAY,
                values={"retention_days": 30, "searches_30d": 7},
            ),
            SnapshotRecord(line=4, agency=" ", captured_on=DAY, values={"searches_30d": 1}),
        ],
        source="usage.csv",
    )

    assert (report.read, report.created, report.unchanged, report.rejected) == (3, 1, 1, 1)
    snapshot = TransparencySnapshot.objects.get()
    assert (snapshot.searches_30d, snapshot.retention_days, snapshot.source) == (
        7,
        30,
        "usage.csv",
    )


def test_snapshot_import_sets_missing_transparency_links_only():
    linked = AgencyFactory(name="Oak IL PD", transparency_url="https://example.org/oak")

    snapshot_import(
        records=[
            SnapshotRecord(
                line=2,
                agency="Maple IL PD",
                captured_on=DAY,
                values={"portal_url": "https://x.org/m"},
            ),
            SnapshotRecord(
                line=3,
                agency="Oak IL PD",
                captured_on=DAY,
                values={"portal_url": "https://x.org/o"},
            ),
        ]
    )

    assert Agency.objects.get(name="Maple IL PD").transparency_url == "https://x.org/m"
    linked.refresh_from_db()
    assert linked.transparency_url == "https://example.org/oak"
