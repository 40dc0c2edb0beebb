"""The public API for cameras (JSON, CSV, GeoJSON), sharing agreements and snapshots."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cameras.models import Camera, SharingAgreement
from core.models import Agency, StateLawProfile
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    SharingAgreementFactory,
    StateLawProfileFactory,
    TransparencySnapshotFactory,
)
from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def client():
    return APIClient()


# --- cameras -------------------------------------------------------------------------------


@pytest.fixture
def cameras():
    """Joliet: three police cameras (one removed), an HOA camera and a retail camera."""
    joliet = CityFactory(name="Joliet", state="IL", slug="joliet-il")
    oakland = CityFactory(name="Oakland", state="CA", slug="oakland-ca")
    police = AgencyFactory(name="Joliet IL PD", kind=Agency.Kind.POLICE, home_city=joliet)
    hoa = AgencyFactory(name="Cedar Creek HOA IL", kind=Agency.Kind.HOA, home_city=joliet)
    store = AgencyFactory(name="Big Box Store IL", kind=Agency.Kind.BUSINESS)
    oakland_pd = AgencyFactory(name="Oakland CA PD", state="CA", home_city=oakland)
    return {
        "pole": CameraFactory(
            city=joliet,
            owner=police,
            latitude=Decimal("41.525031"),
            longitude=Decimal("-88.081512"),
            directions=[180, 90],
            direction_text="180;90",
            vendor="Flock Safety",
            address="Jefferson St & Larkin Ave",
            installed_on=dt.date(2023, 5, 1),
            last_verified=dt.date(2024, 4, 1),
            source="osm",
            source_id="node/123",
        ),
        "police": CameraFactory(city=joliet, owner=police, vendor="Flock Safety"),
        "removed": CameraFactory(
            city=joliet,
            owner=police,
            status=Camera.Status.REMOVED,
            removed_on=dt.date(2024, 1, 2),
            vendor="Motorola",
        ),
        "hoa": CameraFactory(city=joliet, owner=hoa, vendor="Flock Safety"),
        "store": CameraFactory(city=joliet, owner=store, vendor="Flock Safety"),
        "oakland": CameraFactory(
            city=oakland,
            owner=oakland_pd,
            vendor="Flock Safety",
            camera_type=Camera.Type.MOBILE,
            latitude=Decimal("37.804400"),
            longitude=Decimal("-122.271100"),
        ),
    }


def test_camera_detail_has_every_public_field(client, cameras):
    pole = cameras["pole"]

    data = client.get(f"{API}cameras/{pole.pk}/").json()

    assert data == {
        "id": pole.pk,
        "city": "joliet-il",
        "owner": {"slug": pole.owner.slug, "name": "Joliet IL PD", "kind": "police", "state": "IL"},
        "latitude": 41.525031,
        "longitude": -88.081512,
        "directions": [180.0, 90.0],
        "direction_text": "180;90",
        "vendor": "Flock Safety",
        "camera_type": "alpr",
        "status": "active",
        "installed_on": "2023-05-01",
        "planned_on": None,
        "removed_on": None,
        "address": "Jefferson St & Larkin Ave",
        "source": "osm",
        "source_id": "node/123",
        "last_verified": "2024-04-01",
        "page_url": f"http://testserver/cameras/{pole.pk}/",
    }


def test_camera_list_is_paginated_json(client, cameras):
    data = client.get(f"{API}cameras/", {"page_size": 2}).json()

    assert data["count"] == 6
    assert len(data["results"]) == 2
    assert data["next"].endswith("page=2&page_size=2")
    assert [c["id"] for c in data["results"]] == sorted(c.pk for c in cameras.values())[:2]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "oakland-ca"}, {"oakland"}),
        ({"state": "CA"}, {"oakland"}),
        ({"owner_kind": ["hoa", "business"]}, {"hoa", "store"}),
        ({"status": "removed"}, {"removed"}),
        ({"vendor": "motorola"}, {"removed"}),
        ({"camera_type": "mobile"}, {"oakland"}),
        ({"source": "osm"}, {"pole"}),
        ({"verified_since": "2024-03-01"}, {"pole"}),
        ({"min_lat": "37", "max_lat": "38", "min_lon": "-123", "max_lon": "-122"}, {"oakland"}),
        ({"city": "joliet-il", "status": "active", "owner_kind": "police"}, {"pole", "police"}),
    ],
)
def test_camera_filters(client, cameras, params, expected):
    names = {c.pk: name for name, c in cameras.items()}

    results = client.get(f"{API}cameras/", params).json()["results"]

    assert {names[c["id"]] for c in results} == expected


def test_camera_owner_filter_and_ordering(client, cameras):
    owner = cameras["pole"].owner.slug
    results = client.get(f"{API}cameras/", {"owner": owner, "ordering": "-id"}).json()["results"]
    assert [c["id"] for c in results] == sorted(
        (cameras[n].pk for n in ("pole", "police", "removed")), reverse=True
    )


def test_camera_csv_flattens_owner_and_directions(client, cameras):
    cameras["pole"].address = "@SUM(A1:A9)"
    cameras["pole"].save()

    response = client.get(f"{API}cameras/", {"format": "csv", "city": "joliet-il"})

    assert response["Content-Disposition"] == 'attachment; filename="cameras_city-joliet-il.csv"'
    rows = csv_rows(response)
    assert len(rows) == 5
    pole = next(r for r in rows if r["id"] == str(cameras["pole"].pk))
    assert pole["owner.name"] == "Joliet IL PD"
    assert pole["owner.kind"] == "police"
    assert pole["directions"] == "180.0;90.0"
    assert pole["latitude"] == "41.525031"
    assert pole["address"] == "'@SUM(A1:A9)"


def test_cameras_geojson_is_a_feature_collection_of_every_match(client, cameras):
    response = client.get(f"{API}cameras/", {"format": "geojson", "page_size": 1})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.getvalue())
    assert set(data) == {"type", "features"}
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 6
    feature = next(f for f in data["features"] if f["id"] == cameras["pole"].pk)
    assert feature["type"] == "Feature"
    # RFC 7946: longitude first, then latitude, as JSON numbers.
    assert feature["geometry"] == {"type": "Point", "coordinates": [-88.081512, 41.525031]}
    assert feature["properties"]["owner"]["name"] == "Joliet IL PD"
    assert feature["properties"]["vendor"] == "Flock Safety"
    assert feature["properties"]["directions"] == [180.0, 90.0]


def test_cameras_geojson_by_accept_header_with_filters(client, cameras):
    response = client.get(
        f"{API}cameras/", {"owner_kind": "hoa"}, HTTP_ACCEPT="application/geo+json"
    )

    data = json.loads(response.getvalue())
    assert response["Content-Type"] == "application/geo+json"
    assert [f["id"] for f in data["features"]] == [cameras["hoa"].pk]


def test_empty_geojson_is_still_valid(client):
    data = json.loads(client.get(f"{API}cameras/", {"format": "geojson"}).getvalue())
    assert data == {"type": "FeatureCollection", "features": []}


def test_camera_detail_as_geojson_is_one_feature(client, cameras):
    oakland = cameras["oakland"]
    response = client.get(f"{API}cameras/{oakland.pk}/", {"format": "geojson"})
    data = json.loads(response.getvalue())
    assert data["type"] == "Feature"
    assert data["geometry"]["coordinates"] == [-122.2711, 37.8044]


def test_camera_list_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    city = CityFactory(slug="big-il")
    for n in range(40):
        CameraFactory.create_batch(3, city=city, owner=AgencyFactory(name=f"Town {n} IL PD"))

    with django_assert_max_num_queries(2):
        assert client.get(f"{API}cameras/", {"page_size": 1000}).json()["count"] == 120
    # The rows, and the bounded count that decides inline or a background file.
    with django_assert_max_num_queries(2):
        assert len(csv_rows(client.get(f"{API}cameras/", {"format": "csv"}))) == 120
    with django_assert_max_num_queries(1):
        response = client.get(f"{API}cameras/", {"format": "geojson"})
        assert len(json.loads(response.getvalue())["features"]) == 120


# --- sharing agreements --------------------------------------------------------------------


@pytest.fixture
def sharing():
    """California forbids out-of-state and federal sharing; Illinois does not."""
    # Migrations seed the real profiles; these tests state the law they rely on.
    StateLawProfile.objects.all().delete()
    StateLawProfileFactory(state="IL")
    StateLawProfileFactory(
        state="CA",
        statute_citation="Cal. Civ. Code 1798.90.5",
        forbids_out_of_state_sharing=True,
        forbids_federal_sharing=True,
    )
    oakland = CityFactory(name="Oakland", state="CA", slug="oakland-ca")
    joliet = CityFactory(name="Joliet", state="IL", slug="joliet-il")
    oakland_pd = AgencyFactory(name="Oakland CA PD", state="CA", home_city=oakland)
    joliet_pd = AgencyFactory(name="Joliet IL PD", state="IL", home_city=joliet)
    austin = AgencyFactory(name="Austin TX PD", state="TX")
    berkeley = AgencyFactory(name="Berkeley CA PD", state="CA")
    fbi = AgencyFactory(name="FBI", state="", kind=Agency.Kind.FEDERAL)
    return {
        "ca_to_tx": SharingAgreementFactory(owner=oakland_pd, recipient=austin),
        "ca_to_fbi": SharingAgreementFactory(owner=oakland_pd, recipient=fbi),
        "ca_to_ca": SharingAgreementFactory(owner=oakland_pd, recipient=berkeley),
        "il_to_tx": SharingAgreementFactory(
            owner=joliet_pd, recipient=austin, kind=SharingAgreement.Kind.NATIONAL
        ),
        "il_ended": SharingAgreementFactory(
            owner=joliet_pd,
            recipient=berkeley,
            first_seen=dt.date(2023, 1, 1),
            last_seen=dt.date(2023, 6, 1),
            ended_on=dt.date(2023, 6, 1),
        ),
    }


def test_sharing_detail_has_both_agencies_and_the_computed_flags(client, sharing):
    agreement = sharing["ca_to_tx"]

    data = client.get(f"{API}sharing-agreements/{agreement.pk}/").json()

    assert data["owner"] == {
        "slug": agreement.owner.slug,
        "name": "Oakland CA PD",
        "kind": "police",
        "state": "CA",
    }
    assert data["owner_city"] == "oakland-ca"
    assert data["recipient"]["name"] == "Austin TX PD"
    assert data["recipient"]["state"] == "TX"
    assert data["kind"] == "direct"
    assert data["first_seen"] == "2024-04-26"
    assert data["current"] is True
    assert data["recipient_out_of_state"] is True
    assert data["federal_recipient"] is False
    assert data["forbidden_by_state_law"] is True
    assert data["source"] == "test"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"forbidden": "true"}, {"ca_to_tx", "ca_to_fbi"}),
        ({"forbidden": "false"}, {"ca_to_ca", "il_to_tx", "il_ended"}),
        ({"out_of_state": "true"}, {"ca_to_tx", "il_to_tx", "il_ended"}),
        ({"federal": "true"}, {"ca_to_fbi"}),
        ({"owner_state": "IL"}, {"il_to_tx", "il_ended"}),
        ({"recipient_state": "TX"}, {"ca_to_tx", "il_to_tx"}),
        ({"recipient_kind": "federal"}, {"ca_to_fbi"}),
        ({"city": "joliet-il"}, {"il_to_tx", "il_ended"}),
        ({"current": "false"}, {"il_ended"}),
        ({"current": "true", "owner_state": "IL"}, {"il_to_tx"}),
        ({"kind": "national"}, {"il_to_tx"}),
        ({"seen_since": "2024-01-01", "recipient_state": "CA"}, {"ca_to_ca"}),
    ],
)
def test_sharing_filters(client, sharing, params, expected):
    names = {a.pk: name for name, a in sharing.items()}

    results = client.get(f"{API}sharing-agreements/", params).json()["results"]

    assert {names[a["id"]] for a in results} == expected


def test_sharing_filters_by_agency_on_either_side(client, sharing):
    austin = sharing["ca_to_tx"].recipient.slug
    results = client.get(f"{API}sharing-agreements/", {"agency": austin}).json()["results"]
    assert {a["owner"]["name"] for a in results} == {"Oakland CA PD", "Joliet IL PD"}


def test_sharing_csv_has_flag_columns(client, sharing):
    response = client.get(f"{API}sharing-agreements/", {"format": "csv", "owner_state": "CA"})

    disposition = 'attachment; filename="sharing-agreements_owner-state-ca.csv"'
    assert response["Content-Disposition"] == disposition
    rows = {r["recipient.name"]: r for r in csv_rows(response)}
    assert set(rows) == {"Austin TX PD", "FBI", "Berkeley CA PD"}
    assert rows["FBI"]["federal_recipient"] == "True"
    assert rows["FBI"]["forbidden_by_state_law"] == "True"
    assert rows["Berkeley CA PD"]["forbidden_by_state_law"] == "False"
    assert rows["Austin TX PD"]["owner.state"] == "CA"


def test_sharing_list_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    owner = AgencyFactory(name="Joliet IL PD", home_city=CityFactory(slug="joliet-il"))
    SharingAgreementFactory.create_batch(150, owner=owner)

    with django_assert_max_num_queries(2):
        data = client.get(f"{API}sharing-agreements/", {"page_size": 1000}).json()
    assert data["count"] == 150
    assert all(a["owner_city"] == "joliet-il" for a in data["results"])
    # The rows, and the bounded count that decides inline or a background file.
    with django_assert_max_num_queries(2):
        assert len(csv_rows(client.get(f"{API}sharing-agreements/", {"format": "csv"}))) == 150


# --- snapshots -----------------------------------------------------------------------------


@pytest.fixture
def snapshots():
    joliet = CityFactory(name="Joliet", state="IL", slug="joliet-il")
    police = AgencyFactory(name="Joliet IL PD", home_city=joliet)
    other = AgencyFactory(name="Austin TX PD", state="TX")
    return {
        "old": TransparencySnapshotFactory(
            agency=police, captured_on=dt.date(2023, 4, 26), searches_30d=300
        ),
        "new": TransparencySnapshotFactory(
            agency=police,
            captured_on=dt.date(2024, 4, 26),
            searches_30d=1200,
            retention_days=30,
            hotlists="NCIC, state hotlist",
            acceptable_use="Criminal investigations only.",
            prohibited_uses="Immigration enforcement.",
            whats_not_detected="Facial recognition, people",
            portal_url="https://transparency.example/joliet",
        ),
        "other": TransparencySnapshotFactory(agency=other, captured_on=dt.date(2024, 1, 1)),
    }


def test_snapshot_detail_has_metrics_and_policies(client, snapshots):
    snapshot = snapshots["new"]

    data = client.get(f"{API}snapshots/{snapshot.pk}/").json()

    assert data["agency"]["name"] == "Joliet IL PD"
    assert data["captured_on"] == "2024-04-26"
    assert data["retention_days"] == 30
    assert data["searches_30d"] == 1200
    assert data["vehicles_detected_30d"] == 250_000
    assert data["hotlists"] == "NCIC, state hotlist"
    assert data["acceptable_use"] == "Criminal investigations only."
    assert data["prohibited_uses"] == "Immigration enforcement."
    assert data["whats_not_detected"] == "Facial recognition, people"
    assert data["portal_url"] == "https://transparency.example/joliet"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "joliet-il"}, ["new", "old"]),
        ({"state": "TX"}, ["other"]),
        ({"captured_after": "2024-01-01"}, ["other", "new"]),
        ({"captured_before": "2023-12-31"}, ["old"]),
        ({"city": "joliet-il", "ordering": "captured_on"}, ["old", "new"]),
        ({"ordering": "-searches_30d"}, ["new", "other", "old"]),
    ],
)
def test_snapshot_filters_and_ordering(client, snapshots, params, expected):
    names = {s.pk: name for name, s in snapshots.items()}
    results = client.get(f"{API}snapshots/", params).json()["results"]
    assert [names[s["id"]] for s in results] == expected


def test_snapshot_agency_filter_and_csv(client, snapshots):
    slug = snapshots["new"].agency.slug

    response = client.get(f"{API}snapshots/", {"agency": slug, "format": "csv"})

    rows = csv_rows(response)
    assert [r["captured_on"] for r in rows] == ["2024-04-26", "2023-04-26"]
    assert rows[0]["agency.slug"] == slug
    assert rows[0]["prohibited_uses"] == "Immigration enforcement."
