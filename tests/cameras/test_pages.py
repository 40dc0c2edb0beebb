"""Public camera pages: the filterable list and a camera's detail."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras.charts import directions_label
from cameras.models import Camera
from core.models import Agency
from tests.factories import AgencyFactory, CameraFactory, CityFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def table_body(response) -> str:
    return response.content.decode().split("<tbody>")[1].split("</tbody>")[0]


@pytest.fixture
def two_cities():
    prairie = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    harbor = CityFactory(name="Harbor Vista", state="CA", slug="harbor-vista-ca")
    police = AgencyFactory(name="Prairie Junction IL PD", home_city=prairie)
    store = AgencyFactory(name="Big Box Store #12", kind=Agency.Kind.BUSINESS, home_city=prairie)
    harbor_pd = AgencyFactory(name="Harbor Vista CA PD", state="CA", home_city=harbor)
    cameras = {
        "main": CameraFactory(
            city=prairie, owner=police, address="1 Main St", directions=[0, 135], vendor="Flock"
        ),
        "store": CameraFactory(city=prairie, owner=store, address="2 Mall Rd", vendor="Motorola"),
        "planned": CameraFactory(
            city=prairie,
            owner=police,
            address="3 Oak Ave",
            status=Camera.Status.PLANNED,
            planned_on=dt.date(2026, 1, 5),
        ),
        "harbor": CameraFactory(
            city=harbor,
            owner=harbor_pd,
            address="4 Pier Way",
            latitude=Decimal("34.0"),
            longitude=Decimal("-118.4"),
        ),
    }
    return {"prairie": prairie, "harbor": harbor, "police": police, **cameras}


def test_directions_are_shown_as_degrees_with_compass_points():
    assert directions_label([90]) == "90° (E)"
    assert directions_label([180, 90]) == "180° (S), 90° (E)"
    assert directions_label([337.5]) == "337.5° (N)"
    assert directions_label([], "north-east") == "north-east"
    assert directions_label(["bad", 225]) == "225° (SW)"


def test_camera_list_shows_every_camera_with_owner_and_direction(client, two_cities):
    response = client.get("/cameras/")
    text = text_of(response)
    assert "4 cameras" in text
    assert "1 Main St" in text and "4 Pier Way" in text
    assert "0° (N), 135° (SE)" in text
    assert "Big Box Store #12 (Business)" in text


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"city": "harbor-vista-ca"}, ["4 Pier Way"], ["1 Main St"]),
        ({"state": "IL"}, ["1 Main St", "2 Mall Rd"], ["4 Pier Way"]),
        ({"owner_kind": "business"}, ["2 Mall Rd"], ["1 Main St", "4 Pier Way"]),
        ({"vendor": "motorola"}, ["2 Mall Rd"], ["1 Main St"]),
        ({"status": "planned"}, ["3 Oak Ave"], ["1 Main St", "2 Mall Rd"]),
    ],
)
def test_camera_list_filters(client, two_cities, params, shown, hidden):
    body = table_body(client.get("/cameras/", params))
    for address in shown:
        assert address in body
    for address in hidden:
        assert address not in body


def test_camera_list_filter_form_has_labelled_fields_and_pick_lists(client, two_cities):
    html = client.get("/cameras/", {"city": "harbor-vista-ca"}).content.decode()
    for field in ("city", "state", "vendor"):
        assert f'<label for="id_{field}">' in html
    assert '<option value="harbor-vista-ca" selected>Harbor Vista, CA</option>' in html
    assert '<option value="Motorola">Motorola</option>' in html
    assert "<legend>Owner kind</legend>" in html and "<legend>Status</legend>" in html
    assert 'method="get"' in html


def test_camera_list_links_the_same_filter_as_csv_and_geojson(client, two_cities):
    html = client.get("/cameras/", {"city": "harbor-vista-ca", "status": "active"}).content.decode()
    assert "/api/v1/cameras/?city=harbor-vista-ca&amp;status=active&amp;format=csv" in html
    assert "/api/v1/cameras/?city=harbor-vista-ca&amp;status=active&amp;format=geojson" in html


def test_camera_list_is_paginated_by_50_with_constant_queries(client, two_cities):
    for n in range(60):
        CameraFactory(city=two_cities["prairie"], owner=two_cities["police"], address=f"{n} Elm")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/cameras/")
    assert table_body(first).count("<tr>") == 50
    assert "Page 1 of 2 (64 in all)" in text_of(first)
    assert 'href="?page=2"' in first.content.decode()
    assert len(queries) <= 8
    second = client.get("/cameras/", {"page": 2, "state": "IL"})
    assert "Page 2 of 2 (63 in all)" in text_of(second)
    assert 'href="?page=1&amp;state=IL"' in second.content.decode()


def test_camera_detail_shows_location_owner_status_source_and_nearby(client, two_cities):
    camera = two_cities["main"]
    camera.last_verified = dt.date(2025, 3, 1)
    camera.save()
    response = client.get(camera.get_absolute_url())
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert 'id="camera-map"' in html
    assert "1 Main St" in text
    assert "0° (N), 135° (SE)" in text
    assert "Prairie Junction IL PD (Police department)" in text
    assert f"manual · {camera.source_id}" in text
    assert "March 1, 2025" in text
    nearby = html.split('id="nearby-heading"')[1]
    assert "2 Mall Rd" in nearby and "3 Oak Ave" in nearby
    # Only the same city's cameras are nearby.
    assert "4 Pier Way" not in nearby


def test_planned_camera_shows_its_planned_date(client, two_cities):
    text = text_of(client.get(two_cities["planned"].get_absolute_url()))
    assert "Planned" in text and "Planned Jan. 5, 2026" in text


def test_unknown_camera_is_a_404(client):
    response = client.get("/cameras/999999/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_camera_detail_query_count_is_bounded(client, two_cities, django_assert_max_num_queries):
    for _n in range(20):
        CameraFactory(city=two_cities["prairie"], owner=two_cities["police"])
    with django_assert_max_num_queries(6):
        response = client.get(two_cities["main"].get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "1 Main St" in text and "Prairie Junction IL PD (Police department)" in text
    nearby = response.content.decode().split('id="nearby-heading"')[1]
    assert "2 Mall Rd" in nearby and "4 Pier Way" not in nearby
