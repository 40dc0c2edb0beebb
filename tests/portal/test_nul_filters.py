"""A control character (a NUL byte above all) in any query parameter of any page or API operation
is a 400 with a message naming the parameter, never a 500 from the database."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AgencyFactory, CityFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "/": ["q"],
    "/search/": ["q"],
    "/cities/": ["state", "q", "page"],
    "/agencies/": ["state", "kind", "q", "page"],
    "/laws/": ["state"],
    "/methodology/": ["x"],
    "/cameras/": ["city", "owner", "owner_kind", "vendor", "status", "page"],
    "/searches/": [
        "city",
        "searching_agency",
        "source_agency",
        "category",
        "flag",
        "date_after",
        "date_before",
        "sort",
        "after",
    ],
    "/searches/national/": ["category", "flag", "state"],
    "/hearings/": ["page", "past_page"],
    "/petitions/": ["page", "city"],
    "/petitions/start/": ["city"],
}


@pytest.fixture(scope="module")
def api_operations(django_db_blocker):
    """(path, query parameter names) for every GET operation the schema documents."""
    with django_db_blocker.unblock():
        schema = Client().get("/api/schema/", {"format": "json"}).json()
    operations = []
    for path, methods in schema["paths"].items():
        get = methods["get"]
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        concrete = path
        for p in get.get("parameters", []):
            if p["in"] == "path":
                concrete = concrete.replace("{" + p["name"] + "}", "1")
        operations.append((concrete, names))
    return operations


def assert_api_400(response, name):
    assert response.status_code == 400, (response.request, response.content[:300])
    body = response.json()
    assert body["parameter"] == name
    assert f"“{name}”" in body["detail"] and "control character" in body["detail"]


def test_every_api_operation_refuses_a_nul_in_every_query_parameter(client, api_operations):
    assert len(api_operations) >= 25
    checked = 0
    for path, names in api_operations:
        for name in {*names, "format", "unknown_filter"}:
            assert_api_400(client.get(path, {name: "\x00"}), name)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("value", ["Joliet\x00", "\x01", "a\x7fb", "\x1b[2J"])
def test_other_control_characters_are_refused_too(client, value):
    assert_api_400(client.get("/api/v1/searches/", {"city": value}), "city")


def test_a_nul_in_a_parameter_name_is_refused(client):
    response = client.get("/api/v1/cameras/?ci%00ty=joliet")
    assert response.status_code == 400
    assert response.json()["parameter"] == "ci?ty"


def test_every_page_refuses_a_nul_in_its_filters_with_a_page_saying_why(client):
    city = CityFactory(name="Joliet", state="IL", slug="joliet-il")
    agency = AgencyFactory(name="Joliet IL PD", home_city=city)
    pages = {
        **PAGES,
        reverse("portal:city-detail", args=[city.slug]): ["flag", "page"],
        reverse("portal:agency-detail", args=[agency.slug]): ["flag", "page", "after"],
    }
    for url, names in pages.items():
        for name in names:
            response = client.get(url, {name: "\x00"})
            assert response.status_code == 400, (url, name)
            text = response.content.decode()
            assert "Bad request" in text and f"“{name}”" in text, (url, name)


def test_the_admin_refuses_a_nul_in_its_search_box(clerk_client):
    response = clerk_client.get(reverse("admin:core_agency_changelist"), {"q": "\x00"})
    assert response.status_code == 400


def test_ordinary_values_and_tabs_still_filter(client):
    city = CityFactory(name="Joliet", state="IL", slug="joliet-il")
    assert client.get("/api/v1/searches/", {"city": city.slug}).status_code == 200
    assert client.get("/searches/", {"city": city.slug}).status_code == 200
    found = client.get("/api/v1/cities/", {"q": "Joliet\t"})
    assert found.status_code == 200
