"""The OpenAPI schema renders cleanly and the docs work offline."""

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "cities",
    "agencies",
    "cameras",
    "sharing-agreements",
    "snapshots",
    "state-laws",
    "searches",
    "search-stats",
    "reason-categories",
    "imports",
    "hearings",
    "agenda-items",
    "comments",
    "petitions",
    "changes",
    "exports",
    "datasets",
    "compare",
    "records-requests",
]
LOOKUPS = {
    "cities": "{slug}",
    "agencies": "{slug}",
    "cameras": "{id}",
    "sharing-agreements": "{id}",
    "snapshots": "{id}",
    "state-laws": "{state}",
    "searches": "{id}",
    "search-stats": None,
    "reason-categories": "{slug}",
    "imports": "{id}",
    "hearings": "{id}",
    "agenda-items": "{id}",
    "comments": "{id}",
    "petitions": "{slug}",
    "changes": "{id}",
    "exports": "{id}",
    "datasets": "{date}",
    "compare": None,
    "records-requests": "{id}",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_with_every_path(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "ALPR Transparency Portal API"
    expected = {f"/api/v1/{name}/" for name in ENDPOINTS}
    expected |= {f"/api/v1/{name}/{LOOKUPS[name]}/" for name in ENDPOINTS if LOOKUPS[name]}
    expected.add("/api/v1/exports/{id}/download/")
    assert set(schema["paths"]) == expected
    # Read-only: nothing but GET.
    assert {method for path in schema["paths"].values() for method in path} == {"get"}


def test_schema_documents_formats_filters_and_the_429(schema):
    cameras = schema["paths"]["/api/v1/cameras/"]["get"]
    params = {p["name"]: p for p in cameras["parameters"]}
    assert set(params["format"]["schema"]["enum"]) == {"json", "csv", "geojson"}
    assert {"city", "owner_kind", "vendor", "status", "page", "page_size", "ordering"} <= set(
        params
    )
    assert "-installed_on" in params["ordering"]["schema"]["items"]["enum"]
    content = cameras["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv", "application/geo+json"}
    assert content["application/geo+json"]["schema"] == {
        "$ref": "#/components/schemas/CameraFeatureCollection"
    }
    assert cameras["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Throttled"
    }

    sharing = schema["paths"]["/api/v1/sharing-agreements/"]["get"]
    params = {p["name"]: p for p in sharing["parameters"]}
    assert {"forbidden", "out_of_state", "federal", "owner_state", "city", "current"} <= set(params)
    assert set(params["format"]["schema"]["enum"]) == {"json", "csv"}


def test_schema_names_each_kind_enum(schema):
    components = schema["components"]["schemas"]
    assert "police" in components["AgencyKindEnum"]["enum"]
    assert components["SharingKindEnum"]["enum"] == ["direct", "statewide", "national"]
    assert not [name for name in components if name.startswith("Kind")]


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn turns any spectacular warning or error into a failure.
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3.")


def test_docs_load_from_local_static_files(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/api/schema/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_redoc_loads_from_local_static_files(client):
    html = client.get("/api/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert "cdn.jsdelivr.net" not in html


def test_every_operation_documents_its_400_and_404(schema):
    for path, methods in schema["paths"].items():
        responses = methods["get"]["responses"]
        for code in ("400", "404"):
            content = responses[code]["content"]["application/json"]["schema"]
            # search-stats names its own error body (it lists the allowed group_by values).
            assert content["$ref"] in {
                "#/components/schemas/Error",
                "#/components/schemas/StatsError",
            }, (path, code)
    # Free-text filters say what core.querystring refuses.
    cities = {p["name"]: p for p in schema["paths"]["/api/v1/cities/"]["get"]["parameters"]}
    assert cities["q"]["schema"]["pattern"].startswith("^[^\\u0000-")


def test_schema_says_what_responses_hold_when_values_are_missing(schema):
    components = schema["components"]["schemas"]
    agency = components["Agency"]["properties"]
    assert agency["home_city"]["nullable"] is True
    assert agency["website"]["nullable"] is True and agency["website"]["format"] == "uri"
    assert components["SharingAgreement"]["properties"]["owner_city"]["nullable"] is True
    assert "null" in str(components["AgencyBrief"]["properties"]["state"]) or (
        components["AgencyBrief"]["properties"]["state"].get("nullable") is True
    )
    assert "flag" not in components["SearchStatsRow"]["required"]
    throttled = components["Throttled"]
    assert "retry_after_seconds" in throttled["required"]
    assert not throttled["properties"]["retry_after_seconds"].get("nullable")


def test_blank_urls_and_states_are_served_as_null(client):
    from tests.factories import AgencyFactory

    AgencyFactory(name="Federal Bureau of Investigation", state="", website="", kind="federal")
    rows = client.get("/api/v1/agencies/", {"q": "Federal Bureau"}).json()["results"]
    (fbi,) = rows
    assert (fbi["state"], fbi["website"], fbi["home_city"]) == (None, None, None)
