import pytest

from core.names import guess_agency_kind, parse_agency_name


@pytest.mark.parametrize(
    "spellings",
    [
        ["OR - Ashland PD", "Ashland OR PD", "Ashland PD OR ", "Ashland Police Department - OR"],
        ["Brownstown Twp PD MI", "Brownstown Township MI PD", "  Brownstown  Twp PD   MI"],
        ["Sylvania OH PD", "Sylvania OH PD [Inactive]", "Sylvania OH Police Dept (inactive)"],
        ["Adams County CO SO", "Adams County CO Sheriff's Office", "CO - Adams County SO"],
    ],
)
def test_spellings_of_one_agency_share_a_key(spellings):
    keys = {parse_agency_name(s).key for s in spellings}
    assert len(keys) == 1, keys


def test_state_is_found_only_from_upper_case_codes_or_names():
    assert parse_agency_name("Ashland OR PD").state == "OR"
    assert parse_agency_name("Town or Country PD").state == ""
    assert parse_agency_name("Illinois State Police").state == "IL"
    assert parse_agency_name("Oregon City PD").state == ""
    assert parse_agency_name("Kansas City MO PD").state == "MO"


def test_inactive_tag_is_reported_and_stripped_from_display():
    parsed = parse_agency_name("Sylvania OH PD [Inactive] ")
    assert parsed.inactive is True
    assert parsed.display == "Sylvania OH PD"


def test_different_states_do_not_collide():
    assert parse_agency_name("Aurora IL PD").key != parse_agency_name("Aurora CO PD").key


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Joliet IL PD", "police"),
        ("Will County IL SO", "sheriff"),
        ("Illinois State Police", "state"),
        ("Homeland Security Investigations", "federal"),
        ("U.S. Border Patrol", "federal"),
        ("Northern Illinois University PD", "university"),
        ("Cedar Creek HOA", "hoa"),
        ("Lowe's Home Centers LLC", "business"),
        ("Maple Grove Apartments", "housing"),
        ("ACRATT -CA", "other"),
    ],
)
def test_kind_guess(name, kind):
    assert guess_agency_kind(name) == kind
