"""/api/v1/petitions/: published petitions only, counts and ZIP tallies, filters, CSV."""

import pytest
from django.urls import reverse

from petitions.models import Petition
from tests.factories import CityFactory
from tests.hearings.petition_factories import OpenPetitionFactory, PetitionFactory
from tests.hearings.test_petition_services import make_hearing, sign_and_confirm
from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db

URL = reverse("api:petition-list")


@pytest.fixture
def petitions(clerk_city):
    open_one = OpenPetitionFactory(city=clerk_city, slug="open-one", signature_goal=10)
    sign_and_confirm(
        open_one,
        "a@example.org",
        name="Ann Public",
        show_name=True,
        comment="Yes",
        zip_code="60431",
    )
    sign_and_confirm(open_one, "b@example.org", name="Bo Private", zip_code="60431")
    sign_and_confirm(open_one, "c@example.org", name="Cy Public", show_name=True, zip_code="60435")
    responded = OpenPetitionFactory(
        city=CityFactory(name="Harbor Vista", state="CA"),
        slug="responded-one",
        status=Petition.Status.RESPONDED,
        response="We agreed.",
    )
    PetitionFactory(city=clerk_city, slug="pending-one")
    PetitionFactory(city=clerk_city, slug="rejected-one", status=Petition.Status.REJECTED)
    PetitionFactory(city=clerk_city, slug="unconfirmed-one", status=Petition.Status.UNCONFIRMED)
    return open_one, responded


def test_lists_only_published_petitions_with_counts_and_zip_tallies(client, petitions):
    open_one, _responded = petitions
    body = client.get(URL).json()
    assert [row["slug"] for row in body["results"]] == ["open-one", "responded-one"]
    row = body["results"][0]
    assert (row["status"], row["count"], row["goal"], row["city"]) == (
        "open",
        3,
        10,
        open_one.city.slug,
    )
    assert row["signatures_by_zip"] == [
        {"zip_code": "60431", "signatures": 2},
        {"zip_code": "60435", "signatures": 1},
    ]
    assert [n["name"] for n in row["recent_public_names"]] == ["Cy Public", "Ann Public"]
    assert row["recent_public_names"][1]["comment"] == "Yes"
    assert row["page_url"].endswith("/petitions/open-one/")
    assert "creator_email" not in row and "ip_hash" not in row
    assert client.get(reverse("api:petition-detail", args=["pending-one"])).status_code == 404
    assert client.get(reverse("api:petition-detail", args=["rejected-one"])).status_code == 404


def test_filters_by_city_and_status(client, petitions):
    _open_one, responded = petitions
    by_city = client.get(URL, {"city": responded.city.slug}).json()["results"]
    assert [r["slug"] for r in by_city] == ["responded-one"]
    assert by_city[0]["response"] == "We agreed."
    by_status = client.get(URL, {"status": "open"}).json()["results"]
    assert [r["slug"] for r in by_status] == ["open-one"]
    # Asking for unpublished statuses is refused, never answered.
    assert client.get(URL, {"status": "pending"}).status_code == 400


def test_detail_names_the_hearing_where_it_was_presented(client, petitions, clerk_city):
    open_one, _ = petitions
    hearing = make_hearing(clerk_city, title="Council: ALPR sharing")
    Petition.objects.filter(pk=open_one.pk).update(hearing=hearing, status="delivered")
    row = client.get(reverse("api:petition-detail", args=["open-one"])).json()
    assert row["status"] == "delivered"
    assert row["hearing"]["title"] == "Council: ALPR sharing"
    assert row["signatures_by_zip"][0] == {"zip_code": "60431", "signatures": 2}


def test_csv_download_flattens_tallies_and_neutralizes_formulas(client, clerk_city):
    petition = OpenPetitionFactory(city=clerk_city, slug="csv-one", title="=cmd|' /C calc'!A0")
    sign_and_confirm(petition, "x@example.org", name="@SUM(1+1)", show_name=True, zip_code="60431")
    response = client.get(URL, {"format": "csv"})
    rows = csv_rows(response)
    assert len(rows) == 1
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["signatures_by_zip"] == "60431: 1"
    assert rows[0]["recent_public_names"] == "'@SUM(1+1)"
    assert "x@example.org" not in response.getvalue().decode()
    single = client.get(reverse("api:petition-detail", args=["csv-one"]), {"format": "csv"})
    assert csv_rows(single)[0]["signatures_by_zip"] == "60431: 1"


def test_list_costs_a_fixed_number_of_queries(client, clerk_city, django_assert_max_num_queries):
    for n in range(6):
        petition = OpenPetitionFactory(city=clerk_city, slug=f"p{n}")
        sign_and_confirm(petition, f"s{n}@example.org", show_name=True)
    with django_assert_max_num_queries(5):
        assert len(client.get(URL).json()["results"]) == 6
