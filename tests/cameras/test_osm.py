"""OpenStreetMap areas refreshed from an Overpass endpoint: a local HTTP server in a thread
answers as Overpass would, with the project's fixture or a saved real export."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera, OsmArea
from cameras.osm import osm_area_refresh, osm_areas_refresh_due, overpass_query
from core.models import AuditEvent, ImportJob
from tests.fetchserver import local_server  # noqa: F401 - fixture

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "imports" / "cameras_overpass.json"
OSM_EXPORTS = Path(settings.BASE_DIR).parent / "shared" / "data" / "osm"
OREGON = OSM_EXPORTS / "alpr-sync-usa_Oregon.geojson"

pytestmark = pytest.mark.django_db


@pytest.fixture
def overpass(local_server, settings):  # noqa: F811 - the fixture imported above
    settings.OVERPASS_URL = local_server.url("/api/interpreter")
    local_server.content_type = "application/json"
    return local_server


@pytest.fixture
def area(clerk_city):
    created = OsmArea.objects.create(
        city=clerk_city,
        kind=OsmArea.Kind.BBOX,
        south=Decimal("41.5"),
        west=Decimal("-88.2"),
        north=Decimal("41.6"),
        east=Decimal("-88.0"),
    )
    return OsmArea.objects.select_related("city").get(pk=created.pk)  # as the task loads it


def query_sent(server) -> str:
    return parse_qs(urlsplit(server.requests[-1]["path"]).query)["data"][0]


def test_refresh_imports_the_areas_alpr_cameras_then_marks_a_vanished_one_removed(
    overpass, area, clerk_city
):
    data = json.loads(FIXTURE.read_text())
    overpass.files["/api/interpreter"] = json.dumps(data).encode()
    osm_area_refresh(area=area, now=timezone.now() - dt.timedelta(days=1))
    area.refresh_from_db()
    assert area.last_status == OsmArea.Status.REFRESHED, area.last_error
    query = query_sent(overpass)
    assert '["man_made"="surveillance"]["surveillance:type"="ALPR"]' in query
    assert "(41.500000,-88.200000,41.600000,-88.000000)" in query and "out center" in query
    cameras = Camera.objects.filter(source="osm", city=clerk_city)
    assert sorted(cameras.values_list("source_id", flat=True)) == [
        "node/1001", "node/1002", "node/1003",
    ]  # fmt: skip
    assert area.last_job.kind == ImportJob.Kind.CAMERAS
    assert area.last_job.rows_rejected == 2  # the non-ALPR camera and the bad direction

    data["elements"] = [e for e in data["elements"] if e["id"] != 1002]
    overpass.files["/api/interpreter"] = json.dumps(data).encode()
    osm_area_refresh(area=area)
    area.refresh_from_db()
    assert area.last_status == OsmArea.Status.REFRESHED, area.last_error
    statuses = dict(cameras.values_list("source_id", "status"))
    assert statuses == {"node/1001": "active", "node/1002": "removed", "node/1003": "active"}
    assert area.last_job.rows_removed == 1
    assert AuditEvent.objects.filter(action="osmarea.refresh", city=clerk_city).count() == 2


def test_an_overpass_answer_that_ran_out_of_time_changes_nothing(overpass, area, clerk_city):
    overpass.files["/api/interpreter"] = FIXTURE.read_bytes()
    osm_area_refresh(area=area)
    partial = {
        "elements": [],
        "remark": 'runtime error: Query timed out in "query" at line 1 after 121 seconds.',
    }
    overpass.files["/api/interpreter"] = json.dumps(partial).encode()
    osm_area_refresh(area=area)
    area.refresh_from_db()
    assert area.last_status == OsmArea.Status.FAILED
    assert "Overpass could not finish the query" in area.last_error
    assert not Camera.objects.filter(status=Camera.Status.REMOVED).exists()
    assert ImportJob.objects.count() == 1


def test_a_failing_endpoint_is_recorded(overpass, area):
    overpass.failures["/api/interpreter"] = [400]
    osm_area_refresh(area=area)
    area.refresh_from_db()
    assert area.last_status == OsmArea.Status.FAILED and "400" in area.last_error
    assert not Camera.objects.exists()


def test_no_endpoint_configured_is_a_clear_failure(area, settings):
    settings.OVERPASS_URL = ""
    osm_area_refresh(area=area)
    area.refresh_from_db()
    assert (area.last_status, area.last_error) == (
        "failed",
        "No Overpass endpoint is set (OVERPASS_URL).",
    )


def test_a_city_area_asks_for_the_named_boundary_in_its_state(clerk_city):
    area = OsmArea(city=clerk_city, kind=OsmArea.Kind.CITY)
    query = overpass_query(area)
    assert 'area["ISO3166-2"="US-IL"]["admin_level"="4"]->.state;' in query
    assert '["name"="Joliet"](area.state)->.city' in query
    assert '(node["man_made"="surveillance"]["surveillance:type"="ALPR"](area.city);' in query
    area.boundary_name = 'City of "Joliet"'
    assert '["name"="City of \\"Joliet\\""]' in overpass_query(area)


def test_areas_are_refreshed_when_due(overpass, area, django_capture_on_commit_callbacks):
    overpass.files["/api/interpreter"] = FIXTURE.read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        assert osm_areas_refresh_due() == [area.pk]
    assert Camera.objects.filter(source="osm").count() == 3
    assert osm_areas_refresh_due(now=timezone.now() + dt.timedelta(hours=1)) == []


@pytest.mark.skipif(not OREGON.is_file(), reason="the saved OSM exports are not here")
def test_a_real_saved_export_refreshes_and_a_second_refresh_marks_the_missing_removed(
    overpass, area, clerk_city
):
    export = json.loads(OREGON.read_text(encoding="utf-8"))
    features = export["features"]
    overpass.files["/api/interpreter"] = OREGON.read_bytes()
    osm_area_refresh(area=area)
    area.refresh_from_db()
    assert area.last_status == OsmArea.Status.REFRESHED, area.last_error
    job = area.last_job
    assert job.rows_created + job.rows_rejected == len(features)
    assert job.rows_created > 0.9 * len(features)
    gone = next(
        f for f in features if Camera.objects.filter(source_id=str(f["properties"]["id"])).exists()
    )
    export["features"] = [f for f in features if f is not gone]
    overpass.files["/api/interpreter"] = json.dumps(export).encode()
    osm_area_refresh(area=area)
    area.refresh_from_db()
    assert area.last_job.rows_removed == 1
    assert (
        Camera.objects.get(source="osm", source_id=str(gone["properties"]["id"])).status
        == "removed"
    )
    assert Camera.objects.filter(source="osm", status="active").count() == job.rows_created - 1


# --- admin ----------------------------------------------------------------------------------


def test_clerk_registers_an_area_for_their_city_only(clerk_client, clerk_city, other_city):
    add = reverse("admin:cameras_osmarea_add")
    form = {"kind": "bbox", "is_active": "on", "interval_hours": 24}
    refused = clerk_client.post(add, {**form, "city": other_city.pk, "south": 37.8,
                                      "west": -122.3, "north": 37.9, "east": -122.2})  # fmt: skip
    assert refused.status_code == 200 and "city" in refused.context["adminform"].form.errors
    inverted = clerk_client.post(add, {**form, "city": clerk_city.pk, "south": 41.6,
                                       "west": -88.2, "north": 41.5, "east": -88.0})  # fmt: skip
    assert "South must be below north" in inverted.content.decode()
    incomplete = clerk_client.post(add, {**form, "city": clerk_city.pk, "south": 41.5})
    assert "A bounding box needs all four edges." in incomplete.content.decode()
    created = clerk_client.post(add, {**form, "city": clerk_city.pk, "south": 41.5,
                                      "west": -88.2, "north": 41.6, "east": -88.0})  # fmt: skip
    assert created.status_code == 302
    assert OsmArea.objects.get().city == clerk_city
    theirs = OsmArea.objects.create(city=other_city)
    listing = clerk_client.get(reverse("admin:cameras_osmarea_changelist")).content.decode()
    assert "Joliet" in listing and "Berkeley" not in listing
    page = clerk_client.get(reverse("admin:cameras_osmarea_change", args=[theirs.pk]))
    assert page.status_code in (302, 404)


def test_an_osm_camera_page_credits_openstreetmap(client, overpass, area):
    overpass.files["/api/interpreter"] = FIXTURE.read_bytes()
    osm_area_refresh(area=area)
    camera = Camera.objects.get(source="osm", source_id="node/1001")
    html = client.get(camera.get_absolute_url()).content.decode()
    assert 'href="https://www.openstreetmap.org/copyright"' in html
    assert "available under the Open Database License (ODbL)" in html
