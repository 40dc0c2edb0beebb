"""Lists of agency names where a name may contain ", " (split_joined, rejoin_lines)."""

import pytest

from cameras.importers.namelists import NameResolver, rejoin_lines, split_joined
from tests.factories import AgencyFactory


@pytest.fixture
def resolver():
    return NameResolver()


@pytest.fixture
def bare():
    """No built-in names: only the heuristic can mend a split."""
    return NameResolver(builtin=False)


def test_split_joined_keeps_a_builtin_comma_name_whole(resolver):
    cell = "Berkeley CA PD, University of California, Berkeley PD, Vacaville CA PD"
    assert split_joined(cell, resolver=resolver) == [
        "Berkeley CA PD",
        "University of California, Berkeley PD",
        "Vacaville CA PD",
    ]


def test_split_joined_without_knowledge_splits_on_every_comma(bare):
    cell = "Berkeley CA PD, University of California, Berkeley PD"
    assert split_joined(cell, resolver=bare) == [
        "Berkeley CA PD",
        "University of California",
        "Berkeley PD",
    ]


def test_split_joined_uses_the_rows_own_organization_as_context(bare):
    cell = "Gotham Transit Authority, Harbor Division (NY), Albany NY PD"
    names = split_joined(
        cell, resolver=bare, context=["Gotham Transit Authority, Harbor Division (NY)"]
    )
    assert names == ["Gotham Transit Authority, Harbor Division (NY)", "Albany NY PD"]


def test_split_joined_semicolons_and_newlines_always_split(resolver):
    cell = "Alameda CA PD; Albany CA PD\nUniversity of California, Davis PD ;  Yolo County CA SO"
    assert split_joined(cell, resolver=resolver) == [
        "Alameda CA PD",
        "Albany CA PD",
        "University of California, Davis PD",
        "Yolo County CA SO",
    ]


def test_split_joined_blank_cell_is_empty(resolver):
    assert split_joined("", resolver=resolver) == []
    assert split_joined(" , ;", resolver=resolver) == []


@pytest.mark.django_db
def test_from_db_knows_agencies_and_aliases_with_commas():
    agency = AgencyFactory(name="Port Authority, Marine Unit NJ")
    agency.aliases.create(name="PA, Marine NJ", normalized_name="nj:pa marine")
    resolver = NameResolver.from_db()
    assert resolver.is_known("Port Authority, Marine Unit NJ")
    assert resolver.is_known("PA, Marine NJ")
    assert not resolver.is_known("Port Authority NJ PD")
    assert split_joined("Newark NJ PD, PA, Marine NJ", resolver=resolver) == [
        "Newark NJ PD",
        "PA, Marine NJ",
    ]
    assert split_joined("Port Authority, Marine Unit NJ, Newark NJ PD", resolver=resolver) == [
        "Port Authority, Marine Unit NJ",
        "Newark NJ PD",
    ]


def test_is_known_matches_other_spellings(resolver):
    assert resolver.is_known("University of California, Berkeley Police Department")
    assert not resolver.is_known("University of California")


def test_split_joined_ordered_mends_unknown_split_in_alphabetical_list(bare):
    cell = (
        "Union City CA PD, University of California, Berkeley, "
        "University of San Francisco CA PD, Vacaville CA PD"
    )
    assert split_joined(cell, resolver=bare, ordered=True) == [
        "Union City CA PD",
        "University of California, Berkeley",
        "University of San Francisco CA PD",
        "Vacaville CA PD",
    ]


# Real-looking excerpts of Flock's one-name-per-line lists (see tests' docstrings for the rule).
BERKELEY = [
    "Union City CA PD",
    "University of CA - Santa Barbara CA PD",
    "University of California",
    "Berkeley PD",
    "University of San Francisco CA PD",
    "Vacaville CA PD",
]
CONSTABLES = [
    "Mont Belvieu TX PD",
    "Montague County TX SO",
    "Montgomery County Constable",
    "Precinct 3 (TX)",
    "Montgomery County Constable",
    "Precinct 4 (TX)",
    "Montgomery County TX SO",
]
SANTEE = [
    "Polk County NC SO",
    "Polkton NC PD",
    "Public Service Authority",
    "Santee Cooper Law Enforcement Division (SC)",
    "Raeford NC PD",
]


@pytest.mark.parametrize("builtin", [True, False])
def test_rejoin_lines_mends_real_splits_with_or_without_builtin_names(builtin):
    resolver = NameResolver(builtin=builtin)
    assert rejoin_lines(BERKELEY, resolver=resolver) == [
        "Union City CA PD",
        "University of CA - Santa Barbara CA PD",
        "University of California, Berkeley PD",
        "University of San Francisco CA PD",
        "Vacaville CA PD",
    ]
    assert rejoin_lines(CONSTABLES, resolver=resolver) == [
        "Mont Belvieu TX PD",
        "Montague County TX SO",
        "Montgomery County Constable, Precinct 3 (TX)",
        "Montgomery County Constable, Precinct 4 (TX)",
        "Montgomery County TX SO",
    ]
    assert rejoin_lines(SANTEE, resolver=resolver) == [
        "Polk County NC SO",
        "Polkton NC PD",
        "Public Service Authority, Santee Cooper Law Enforcement Division (SC)",
        "Raeford NC PD",
    ]


def test_rejoin_lines_tagged_head_does_not_swallow_a_known_pair(resolver, bare):
    # Ovilla TX's receiving list starts with a tagged entry out of order, then a known split.
    items = [
        "[DEACTIVATED] - DNU",
        "1st Judicial District",
        "District Attorney's Office TX",
        "47th District Attorney's Office TX",
        "Addison TX PD",
    ]
    assert rejoin_lines(items, resolver=resolver) == [
        "[DEACTIVATED] - DNU",
        "1st Judicial District, District Attorney's Office TX",
        "47th District Attorney's Office TX",
        "Addison TX PD",
    ]
    # Without the name it knows, the out-of-order top of the list is left alone.
    assert rejoin_lines(items, resolver=bare) == items


def test_rejoin_lines_leaves_whole_names_and_out_of_order_tops_alone(bare):
    items = [
        "Lewistown IL PD",  # Flock puts a few entries at the top, out of order
        "Abingdon IL PD",
        "Blue Lake Rancheria Tribal PD",  # no state code, but its neighbour is in order
        "Brawley CA PD",
        "Deactivated Users",
        "deactivated",  # case sorts differently from Flock's order: not a split
        "Kent WA PD",
    ]
    assert rejoin_lines(items, resolver=bare) == items
    real_order = ["Dayton TN PD", "deactivated", "Deactivated Users", "Dearborn County IN SO"]
    assert rejoin_lines(real_order, resolver=bare) == real_order


def test_rejoin_lines_never_joins_prose(bare):
    items = [
        "Alameda CA PD",
        "Download to view searches performed over the last 30 days.",
        "Download CSV",
        "Zeeland MI PD",
    ]
    assert rejoin_lines(items, resolver=bare) == items
