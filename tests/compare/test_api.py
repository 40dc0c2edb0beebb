"""``/api/v1/compare/``: the comparison's figures as JSON or CSV, documented, and a 400 that
says what was wrong for bad input."""

import pytest
from django.urls import reverse

from compare.selectors import MAX_SUBJECTS, compare_cities, measures_row
from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db

URL = reverse("api:compare-list")


def test_rows_are_the_comparison_figures(client, scenario):
    body = client.get(URL, {"cities": "prairie-junction-il,harbor-vista-ca"}).json()
    assert (body["kind"], body["count"], body["months_window"]) == ("city", 2, 12)
    expected = [
        measures_row(m) for m in compare_cities(slugs=["prairie-junction-il", "harbor-vista-ca"])
    ]
    assert body["results"] == expected
    prairie = body["results"][0]
    assert prairie["search_months"] == ["2026-03", "2026-04", "2026-05"]
    assert prairie["vague_or_blank_percent"] == 36.36
    assert prairie["snapshot_date"] == "2026-06-01"


def test_repeated_parameters_and_a_state(client, scenario):
    repeated = client.get(URL + "?cities=harbor-vista-ca&cities=prairie-junction-il").json()
    assert [r["slug"] for r in repeated["results"]] == ["harbor-vista-ca", "prairie-junction-il"]
    state = client.get(URL, {"state": "il"}).json()
    assert [r["slug"] for r in state["results"]] == [
        "elm-falls-il",
        "oak-ridge-il",
        "prairie-junction-il",
    ]
    agencies = client.get(URL, {"agencies": scenario["pd"].slug}).json()
    assert agencies["kind"] == "agency" and agencies["results"][0]["hearings"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cities": "prairie-junction-il,atlantis-zz"}, "No city has the slug “atlantis-zz”."),
        ({"cities": ",".join(f"c{n}" for n in range(MAX_SUBJECTS + 1))}, "At most 12"),
        ({"cities": " , "}, "Choose at least one city"),
        ({}, "Choose at least one city"),
        ({"cities": "prairie-junction-il", "agencies": "x"}, "not both"),
        ({"state": "zz"}, "“ZZ” is not a two-letter state code."),
        ({"state": "il", "cities": "prairie-junction-il"}, "not both"),
    ],
)
def test_bad_input_is_a_400_that_says_why(client, scenario, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_csv_format(client, scenario):
    response = client.get(URL, {"cities": "prairie-junction-il", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response)[0]["searches_total"] == "22"


def test_schema_documents_the_endpoint(client, db):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/compare/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"cities", "agencies", "state", "format"} <= names
    assert {"200", "400", "429"} <= set(operation["responses"])
