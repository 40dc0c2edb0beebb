"""Free slugs in a scope (core/slugs.py), as agencies, hearings and petitions take them."""

import pytest

from core.chunks import chunks
from core.models import Agency
from core.slugs import unique_slug, unique_slugs
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
AGENCY = {"fallback": "agency", "max_length": 20}


def test_a_taken_slug_gets_the_next_free_number_within_its_scope_only():
    AgencyFactory(name="Oak PD")
    AgencyFactory(name="Oak PD 2", slug="oak-pd-2")
    AgencyFactory(name="Oak PDX", slug="oak-pdx")

    assert unique_slug("Oak PD", scope=Agency.objects.all(), **AGENCY) == "oak-pd-3"
    # Another scope (one city's rows, say) does not see the others' slugs.
    assert unique_slug("Oak PD", scope=Agency.objects.none(), **AGENCY) == "oak-pd"


def test_the_base_is_cut_without_a_trailing_hyphen_and_never_empty_or_reserved():
    scope = Agency.objects.all()
    assert unique_slug("Prairie Junction Police", scope=scope, **AGENCY) == "prairie-junction-pol"
    assert unique_slug("Oak Lawn Village PD X", scope=scope, **AGENCY) == "oak-lawn-village-pd"
    assert unique_slug("!!!", scope=scope, **AGENCY) == "agency"
    assert unique_slug("New", scope=scope, reserved={"new"}, **AGENCY) == "new-agency"


def test_many_slugs_at_once_are_free_and_distinct_from_each_other():
    AgencyFactory(name="Elm PD")
    slugs = unique_slugs(
        ["Elm PD", "Elm PD", "Élm PD", "Ash PD"], scope=Agency.objects.all(), **AGENCY
    )
    assert slugs == ["elm-pd-2", "elm-pd-3", "elm-pd-4", "ash-pd"]


def test_chunks_cover_every_item_once_in_order():
    assert list(chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(chunks([], 3)) == []
