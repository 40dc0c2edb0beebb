"""The public API for cities, agencies and state laws, and what every endpoint shares:
CSV downloads, JSON errors, throttling, CORS and the privacy walk."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from rest_framework.test import APIClient

from cameras.models import Camera
from core.models import Agency, AgencyAlias, ImportJob, StateLawProfile
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    ClerkFactory,
    SharingAgreementFactory,
    StateLawProfileFactory,
    TransparencySnapshotFactory,
)
from tests.helpers import csv_rows
from tests.portal.test_schema import ENDPOINTS

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def joliet():
    city = CityFactory(
        name="Joliet",
        state="IL",
        slug="joliet-il",
        population=150_000,
        clerk_name="Pat Clerkson",
        clerk_email="pat.clerkson@joliet.example",
        clerk_phone="815-555-0100",
    )
    police = AgencyFactory(name="Joliet IL PD", kind=Agency.Kind.POLICE, home_city=city)
    AgencyAlias.objects.create(agency=police, name="IL - Joliet PD", normalized_name="x:joliet")
    CameraFactory.create_batch(3, city=city, owner=police)
    CameraFactory(
        city=city, owner=police, status=Camera.Status.REMOVED, removed_on=dt.date(2024, 1, 2)
    )
    return city


# --- cities --------------------------------------------------------------------------------


def test_city_list_and_detail_show_public_fields_and_active_camera_count(client, joliet):
    CityFactory(name="Oakland", state="CA", slug="oakland-ca")

    data = client.get(f"{API}cities/").json()

    assert data["count"] == 2
    by_slug = {c["slug"]: c for c in data["results"]}
    city = by_slug["joliet-il"]
    assert city["name"] == "Joliet"
    assert city["state"] == "IL"
    assert city["state_name"] == "Illinois"
    assert city["population"] == 150_000
    assert city["active_camera_count"] == 3
    assert city["latitude"] == pytest.approx(41.525)
    assert city["page_url"] == "http://testserver/cities/joliet-il/"
    # The clerk's contact details are for the admin, not for the open API.
    assert not {"clerk_name", "clerk_email", "clerk_phone"} & city.keys()

    detail = client.get(f"{API}cities/joliet-il/").json()
    assert detail == city
    assert client.get(f"{API}cities/nowhere-il/").status_code == 404


def test_city_filters_and_ordering(client, joliet):
    CityFactory(name="Oakland", state="CA", slug="oakland-ca")
    CityFactory(name="Oak Park", state="IL", slug="oak-park-il")

    def slugs(params):
        return [c["slug"] for c in client.get(f"{API}cities/", params).json()["results"]]

    assert slugs({"state": "CA"}) == ["oakland-ca"]
    assert slugs({"q": "oak"}) == ["oak-park-il", "oakland-ca"]
    assert slugs({"ordering": "-active_camera_count,name"})[0] == "joliet-il"


# --- agencies ------------------------------------------------------------------------------


def test_agency_detail_has_aliases_home_city_and_sharing_counts(client, joliet):
    police = Agency.objects.get(name="Joliet IL PD")
    for n in range(3):
        SharingAgreementFactory(owner=police, recipient=AgencyFactory(name=f"Town {n} IN PD"))
    SharingAgreementFactory(
        owner=police, ended_on=dt.date(2024, 5, 1), last_seen=dt.date(2024, 5, 1)
    )
    SharingAgreementFactory(recipient=police)

    data = client.get(f"{API}agencies/{police.slug}/").json()

    assert data["name"] == "Joliet IL PD"
    assert data["kind"] == "police"
    assert data["state"] == "IL"
    assert data["home_city"] == "joliet-il"
    assert data["aliases"] == ["IL - Joliet PD"]
    assert data["camera_count"] == 3
    # The ended agreement no longer counts.
    assert data["sharing_out_count"] == 3
    assert data["sharing_in_count"] == 1
    assert data["page_url"].endswith(f"/agencies/{police.slug}/")


def test_agency_filters(client, joliet):
    AgencyFactory(name="Federal Bureau of Investigation", kind=Agency.Kind.FEDERAL, state="")
    AgencyFactory(name="Maple Grove HOA IL", kind=Agency.Kind.HOA, home_city=joliet)
    AgencyFactory(name="Dallas TX PD", state="TX", is_active=False)

    def names(params):
        return sorted(a["name"] for a in client.get(f"{API}agencies/", params).json()["results"])

    assert names({"kind": ["federal", "hoa"]}) == [
        "Federal Bureau of Investigation",
        "Maple Grove HOA IL",
    ]
    assert names({"state": "TX"}) == ["Dallas TX PD"]
    assert names({"active": "false"}) == ["Dallas TX PD"]
    assert names({"city": "joliet-il"}) == ["Joliet IL PD", "Maple Grove HOA IL"]
    # q finds an agency by one of its other spellings.
    assert names({"q": "IL - Joliet"}) == ["Joliet IL PD"]


def test_agency_list_query_count_does_not_grow_with_rows(
    client, joliet, django_assert_max_num_queries
):
    for n in range(60):
        agency = AgencyFactory(name=f"Town {n} IL PD")
        AgencyAlias.objects.create(agency=agency, name=f"Town {n} PD", normalized_name=f"t{n}")
        SharingAgreementFactory(owner=agency)

    with django_assert_max_num_queries(3):
        data = client.get(f"{API}agencies/", {"page_size": 500}).json()
    assert data["count"] == 121  # 60 owners, 60 recipients, Joliet PD
    # Rows, aliases, and the bounded count that decides inline or a background file.
    with django_assert_max_num_queries(3):
        rows = csv_rows(client.get(f"{API}agencies/", {"format": "csv"}))
    assert len(rows) == 121
    assert {r["aliases"] for r in rows if r["name"] == "Town 7 IL PD"} == {"Town 7 PD"}


# --- state laws ----------------------------------------------------------------------------


@pytest.fixture
def laws():
    # Migrations seed real profiles; these tests need a table holding exactly their own.
    StateLawProfile.objects.all().delete()
    illinois = StateLawProfileFactory(state="IL", retention_limit_days=None)
    california = StateLawProfileFactory(
        state="CA",
        statute_citation="Cal. Civ. Code 1798.90.5",
        statute_url="https://leginfo.legislature.ca.gov/",
        forbidden_uses=[],
        forbids_out_of_state_sharing=True,
        forbids_federal_sharing=True,
        requires_written_declaration=False,
    )
    return illinois, california


def test_state_law_list_detail_and_filters(client, laws):
    data = client.get(f"{API}state-laws/").json()
    assert [p["state"] for p in data["results"]] == ["CA", "IL"]
    illinois = data["results"][1]
    assert illinois["statute_citation"] == "625 ILCS 5/2-130"
    assert illinois["forbidden_uses"] == ["immigration", "reproductive_care"]
    assert illinois["requires_written_declaration"] is True
    assert illinois["forbids_out_of_state_sharing"] is False

    # Codes are case-insensitive in the URL.
    detail = client.get(f"{API}state-laws/ca/").json()
    assert detail["state_name"] == "California"
    assert detail["forbids_federal_sharing"] is True

    def states(params):
        return [p["state"] for p in client.get(f"{API}state-laws/", params).json()["results"]]

    assert states({"forbids_federal_sharing": "true"}) == ["CA"]
    assert states({"forbidden_use": "immigration"}) == ["IL"]
    assert client.get(f"{API}state-laws/TX/").status_code == 404


# --- what every endpoint shares -------------------------------------------------------------


def test_api_root_lists_every_endpoint(client):
    data = client.get(API).json()
    assert set(data) == set(ENDPOINTS)
    assert data["cameras"] == "http://testserver/api/v1/cameras/"


def test_csv_returns_every_matching_row_not_one_page(client, joliet):
    CityFactory.create_batch(4, state="WI")

    response = client.get(f"{API}cities/", {"format": "csv", "page_size": 1, "state": "WI"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # Named after its filters; paging never names a file.
    assert response["Content-Disposition"] == 'attachment; filename="cities_state-wi.csv"'
    assert response.streaming
    lines = response.getvalue().decode().splitlines()
    assert lines[0].startswith("slug,name,state,state_name,population,")
    assert len(lines) == 5  # header and the four Wisconsin cities, not one page of one


def test_csv_neutralizes_formula_cells(client):
    CityFactory(name='=HYPERLINK("http://evil.example")', slug="evil-il")

    row = csv_rows(client.get(f"{API}cities/", {"format": "csv"}))[0]

    assert row["name"] == '\'=HYPERLINK("http://evil.example")'


def test_csv_of_an_empty_result_still_has_its_header(client):
    response = client.get(f"{API}agencies/", {"format": "csv"})
    header = response.getvalue().decode().splitlines()
    assert header == [
        "slug,name,kind,state,state_name,home_city,aliases,is_active,website,"
        "transparency_url,camera_count,sharing_out_count,sharing_in_count,page_url"
    ]


def test_detail_as_csv_is_one_flattened_row(client, joliet):
    response = client.get(f"{API}cities/joliet-il/", {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="cities.csv"'
    assert [r["slug"] for r in csv_rows(response)] == ["joliet-il"]


def test_errors_stay_json_when_a_download_was_asked_for(client):
    response = client.get(f"{API}cities/", {"format": "csv", "state": "XX"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "state" in response.json()


def test_unknown_format_is_a_404(client):
    assert client.get(f"{API}cities/", {"format": "geojson"}).status_code == 404


def test_page_size_is_capped_at_1000(client, joliet):
    data = client.get(f"{API}cities/", {"page_size": 5000}).json()
    assert data["count"] == 1
    assert data["next"] is None


def test_throttled_request_gets_a_json_429_with_the_wait(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_burst": "2/min", "anon_sustained": "100/day"},
    }

    assert client.get(f"{API}cities/").status_code == 200
    assert client.get(f"{API}cities/", {"format": "csv"}).status_code == 200
    response = client.get(f"{API}cities/", {"format": "csv"})

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] == "Request was throttled. Please slow down."
    assert 0 < body["retry_after_seconds"] <= 60
    assert response["Retry-After"] == str(body["retry_after_seconds"])
    # Another address has its own allowance.
    assert client.get(f"{API}cities/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_forwarded_for_header_does_not_dodge_the_limit(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_burst": "1/min", "anon_sustained": "100/day"},
    }
    assert client.get(f"{API}cities/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    response = client.get(f"{API}cities/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 429


def test_cors_is_open_for_reads(client, joliet):
    response = client.get(f"{API}cities/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"

    preflight = client.options(
        f"{API}cameras/",
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_the_api_is_read_only(client, joliet):
    assert client.post(f"{API}cities/", {"name": "X"}).status_code == 405
    assert client.delete(f"{API}cities/joliet-il/").status_code == 405


# --- privacy --------------------------------------------------------------------------------

PRIVATE_KEY_WORDS = {"email", "ip", "plate", "officer", "user", "userid", "password"}


def private_keys(keys) -> set[str]:
    found = set()
    for key in keys:
        words = set(re.split(r"[^a-z]+", key.lower()))
        if words & PRIVATE_KEY_WORDS or "created_by" in key or "email" in key:
            found.add(key)
    return found


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        keys = set(value)
        for item in value.values():
            keys |= all_keys(item)
        return keys
    if isinstance(value, list):
        return set().union(*(all_keys(v) for v in value)) if value else set()
    return set()


def test_no_endpoint_serves_private_keys_or_values(client, joliet, laws):
    clerk = ClerkFactory(username="pclerk", email="clerk.user@joliet.example", city=joliet)
    police = Agency.objects.get(name="Joliet IL PD")
    police.notes = "internal note"
    police.save()
    ImportJob.objects.create(
        kind=ImportJob.Kind.CAMERAS, file="imports/2024/04/secret-upload.csv", created_by=clerk
    )
    SharingAgreementFactory(owner=police)
    TransparencySnapshotFactory(agency=police)
    camera = Camera.objects.filter(city=joliet).first()
    agreement = police.sharing_out.get()
    snapshot = police.snapshots.get()

    urls = [
        f"{API}cities/",
        f"{API}cities/joliet-il/",
        f"{API}agencies/",
        f"{API}agencies/{police.slug}/",
        f"{API}cameras/",
        f"{API}cameras/{camera.pk}/",
        f"{API}sharing-agreements/",
        f"{API}sharing-agreements/{agreement.pk}/",
        f"{API}snapshots/",
        f"{API}snapshots/{snapshot.pk}/",
        f"{API}state-laws/",
        f"{API}state-laws/IL/",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert private_keys(all_keys(response.json())) == set(), url
        bodies.append(response.content.decode())

        response = client.get(url, {"format": "csv"})
        assert response.status_code == 200, url
        header = next(csv.reader(io.StringIO(response.getvalue().decode())))
        assert private_keys(header) == set(), url
        bodies.append(response.getvalue().decode())

    for url in (f"{API}cameras/", f"{API}cameras/{camera.pk}/"):
        response = client.get(url, {"format": "geojson"})
        assert private_keys(all_keys(json.loads(response.getvalue()))) == set(), url
        bodies.append(response.getvalue().decode())

    everything = "\n".join(bodies)
    for secret in ("joliet.example", "Pat Clerkson", "815-555-0100", "secret-upload", "pclerk"):
        assert secret not in everything
    assert "internal note" not in everything


def test_private_key_check_catches_what_it_should():
    assert private_keys(["owner.email", "ip_address", "license_plate", "created_by", "userId"]) == {
        "owner.email",
        "ip_address",
        "license_plate",
        "created_by",
        "userId",
    }
    assert private_keys(["recipient_out_of_state", "description", "shipping"]) == set()
