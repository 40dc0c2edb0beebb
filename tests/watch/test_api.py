"""``/api/v1/changes/``: the change log with its filters, as JSON and CSV, in the schema."""

import csv
import io
import json

import pytest

from tests.helpers import csv_rows
from watch.models import ChangeEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


def kinds(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["kind"] for row in response.json()["results"]]


def test_changes_newest_first_with_agencies_marks_and_details(client, two_pages):
    response = client.get(URL, {"kind": "sharing_added"})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["summary"] == "Cedar Hollow CA PD began sharing its cameras with US Border Patrol"
    assert (row["topic"], row["occurred_on"], row["city"]) == (
        "sharing",
        "2026-09-24",
        "cedar-hollow-ca",
    )
    assert row["agency"]["slug"] == "ca-cedar-hollow-pd"
    assert (row["other_agency"]["name"], row["other_agency"]["kind"]) == (
        "US Border Patrol",
        "federal",
    )
    assert (row["out_of_state"], row["federal"], row["forbidden"]) == (False, True, True)
    assert row["details"]["partner"] == "US Border Patrol"
    assert row["page_url"].endswith(f"/cities/cedar-hollow-ca/changes/#change-{row['id']}")
    policy = client.get(URL, {"kind": "policy_changed"}).json()["results"][0]
    assert policy["details"]["new"].endswith("<b>supervisor</b> approval.")  # JSON: data as it is


def test_filters_city_agency_kind_topic_dates_and_marks(client, two_pages):
    assert len(kinds(client)) == 5
    assert len(kinds(client, city="cedar-hollow-ca")) == 5
    assert kinds(client, city="elsewhere") == []
    assert kinds(client, agency="us-border-patrol") == ["sharing_added"]
    assert sorted(kinds(client, kind=["retention_changed", "cameras_changed"])) == [
        "cameras_changed",
        "retention_changed",
    ]
    assert len(kinds(client, topic="sharing")) == 5
    assert kinds(client, topic="flagged") == []
    assert len(kinds(client, since="2026-09-24", until="2026-09-24")) == 5
    assert kinds(client, until="2026-09-23") == []
    assert kinds(client, out_of_state="true") == ["sharing_removed"]
    assert kinds(client, federal="true") == ["sharing_added"]
    assert sorted(kinds(client, forbidden="true")) == ["sharing_added", "sharing_removed"]
    assert sorted(kinds(client, marked="false")) == [
        "cameras_changed",
        "policy_changed",
        "retention_changed",
    ]
    bad = client.get(URL, {"kind": "nonsense", "since": "yesterday"})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"kind", "since"}


def test_csv_download_has_every_matching_row_and_details_as_json(client, two_pages):
    response = client.get(URL, {"format": "csv", "topic": "sharing", "federal": "false"})
    assert response.status_code == 200
    rows = csv_rows(response)
    assert len(rows) == 4
    retention = next(r for r in rows if r["kind"] == "retention_changed")
    assert json.loads(retention["details"])["new"] == 90
    assert retention["agency.slug"] == "ca-cedar-hollow-pd"


def test_one_change_by_id(client, two_pages):
    event = ChangeEvent.objects.get(kind="retention_changed")
    response = client.get(f"{URL}{event.pk}/")
    assert response.status_code == 200
    assert response.json()["summary"] == "Cedar Hollow CA PD: retention changed from 30 to 90 days"


def test_schema_documents_the_changes_list_and_its_filters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/changes/"]["get"]
    params = {p["name"] for p in operation["parameters"]}
    assert {
        "city",
        "agency",
        "kind",
        "topic",
        "since",
        "until",
        "out_of_state",
        "federal",
    } <= params
    assert {"forbidden", "marked", "format"} <= params
    assert operation["tags"] == ["changes"]
    assert "ChangeKindEnum" in schema["components"]["schemas"]


def test_a_csv_over_the_inline_limit_is_built_with_its_kind_filter(
    client, two_pages, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"format": "csv", "kind": ["sharing_added", "sharing_removed"]})
    assert response.status_code == 303
    download = client.get(client.get(response["Location"]).json()["download_url"])
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    # The list's own kind filter reaches the file (it is not the export's kind).
    assert sorted(r["kind"] for r in rows) == ["sharing_added", "sharing_removed"]
