"""Site search: words matched separately through the importers' name normalization, ranked
exact > prefix > substring > fuzzy, over cities, agencies (aliases and merged names), hearings
and public petitions. The query table runs on SQLite in ``make test`` and on PostgreSQL (GIN
trigram indexes, ``%>``) in ``make test-services``, with the same expected first results."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from core.models import Agency, AgencyAlias
from core.services import agency_merge
from petitions.models import Petition
from portal.search import FUZZY, PREFIX, SUBSTRING, search_parse, similarity, site_search
from tests.factories import AgencyFactory, CityFactory
from tests.hearings.factories import HearingFactory, PastHearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory, PetitionFactory

CITIES = [
    ("Eugene", "OR"),
    ("Springfield", "OR"),
    ("Springfield", "IL"),
    ("Springfield", "MO"),
    ("Portland", "OR"),
    ("Portland", "ME"),
    ("Sylvania", "OH"),
    ("Berkeley", "CA"),
    ("Berkeley", "IL"),
    ("Prairie Junction", "IL"),
    ("Joliet", "IL"),
    ("Harbor Vista", "CA"),
    ("Fort Collins", "CO"),
]

# (name as published, state, kind, home city "name-st" or "")
AGENCIES = [
    ("Eugene Police Department", "OR", "police", "eugene-or"),
    ("Springfield OR PD", "OR", "police", "springfield-or"),
    ("Springfield IL PD", "IL", "police", "springfield-il"),
    ("Springfield MO PD", "MO", "police", "springfield-mo"),
    ("Lane County Sheriff's Office", "OR", "sheriff", ""),
    ("Oregon State Police", "OR", "state", ""),
    ("Portland OR PD", "OR", "police", "portland-or"),
    ("Portland ME PD", "ME", "police", "portland-me"),
    ("Sylvania OH PD", "OH", "police", "sylvania-oh"),
    ("Sylvania Township Police", "OH", "police", ""),
    ("Sylvania GA PD", "GA", "police", ""),
    ("Transylvania County NC SO", "NC", "sheriff", ""),
    ("Pennsylvania State Police PA", "PA", "state", ""),
    ("Pennsylvania Office of the Attorney General PA", "PA", "state", ""),
    ("University of California, Berkeley", "CA", "university", "berkeley-ca"),
    ("Berkeley CA PD", "CA", "police", "berkeley-ca"),
    ("Berkeley IL PD", "IL", "police", "berkeley-il"),
    ("Berkeley Heights NJ PD", "NJ", "police", ""),
    ("Prairie Junction IL PD", "IL", "police", "prairie-junction-il"),
    ("Kestrel County IL SO", "IL", "sheriff", ""),
    ("Willow Creek Homeowners Association", "IL", "hoa", "prairie-junction-il"),
    ("Illinois State Police", "IL", "state", ""),
    ("Joliet IL PD", "IL", "police", "joliet-il"),
    ("Fort Collins CO PD", "CO", "police", "fort-collins-co"),
    ("St. Louis County MN SO", "MN", "sheriff", ""),
    ("Ashland OR PD", "OR", "police", ""),
    ("U.S. Border Patrol", "", "federal", ""),
    ("Solon OH PD", "OH", "police", ""),
    ("Colonie NY PD", "NY", "police", ""),
]

HEARINGS = [
    ("eugene-or", "Renewal of the Flock Safety camera contract"),
    ("prairie-junction-il", "Proposal to remove the city's license plate reader cameras"),
    ("prairie-junction-il", "Renewal of the camera data sharing agreement with Kestrel County"),
    ("harbor-vista-ca", "Review of camera data sharing with out-of-state agencies"),
    ("berkeley-ca", "Police Review Commission: surveillance technology report"),
]

PETITIONS = [
    (
        "prairie-junction-il",
        "End Prairie Junction's camera data sharing with out-of-state agencies",
    ),
    ("eugene-or", "Publish the police department's camera search audits every month"),
    ("harbor-vista-ca", "Remove the plate readers at the Harbor Vista marina"),
]


def text_of(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def portal_data(db):
    cities = {
        f"{name.lower().replace(' ', '-')}-{state.lower()}": CityFactory(name=name, state=state)
        for name, state in CITIES
    }
    for name, state, kind, home in AGENCIES:
        AgencyFactory(name=name, state=state, kind=kind, home_city=cities.get(home))
    berkeley = Agency.objects.get(name="University of California, Berkeley")
    AgencyAlias.objects.create(
        agency=berkeley, name="UC Berkeley PD", normalized_name="uc berkeley pd"
    )
    # A duplicate spelling merged into Ashland OR PD survives only as an alias.
    duplicate = AgencyFactory(name="Ashland Police Dept.", state="OR")
    agency_merge(target=Agency.objects.get(name="Ashland OR PD"), sources=[duplicate])
    for index, (city, title) in enumerate(HEARINGS):
        factory = PastHearingFactory if index % 2 else HearingFactory
        factory(city=cities[city], title=title, slug=f"hearing-{index}")
    for index, (city, title) in enumerate(PETITIONS):
        OpenPetitionFactory(city=cities[city], title=title, slug=f"petition-{index}")
    # Never public: a petition waiting for review.
    PetitionFactory(
        city=cities["sylvania-oh"], title="Ban drones over Sylvania schools", slug="drones"
    )
    return cities


# query -> (kind, label) of the first result
QUERY_TABLE = [
    ("Eugene", ("city", "Eugene, OR")),
    ("eugene", ("city", "Eugene, OR")),
    ("Eugene police", ("agency", "Eugene Police Department")),
    ("Eugene PD", ("agency", "Eugene Police Department")),
    ("eugene police dept", ("agency", "Eugene Police Department")),
    ("Eugene Police Department", ("agency", "Eugene Police Department")),
    ("Eugene OR", ("city", "Eugene, OR")),
    ("eugene or", ("city", "Eugene, OR")),
    ("Eugene Oregon", ("city", "Eugene, OR")),
    ("eugine", ("city", "Eugene, OR")),
    ("Prairie Junction police", ("agency", "Prairie Junction IL PD")),
    ("Prairie Junction Police Department", ("agency", "Prairie Junction IL PD")),
    ("prairie", ("city", "Prairie Junction, IL")),
    ("kestrel sheriff", ("agency", "Kestrel County IL SO")),
    ("Kestrel County Sheriff's Office", ("agency", "Kestrel County IL SO")),
    ("sylvania", ("city", "Sylvania, OH")),
    ("Sylvnia", ("city", "Sylvania, OH")),
    ("sylvania oh police", ("agency", "Sylvania OH PD")),
    ("Sylvania Township", ("agency", "Sylvania Township Police")),
    ("Pennsylvania", ("agency", "Pennsylvania State Police PA")),
    ("pennsylvania state police", ("agency", "Pennsylvania State Police PA")),
    ("PA state police", ("agency", "Pennsylvania State Police PA")),
    ("transylvania", ("agency", "Transylvania County NC SO")),
    ("Oregon", ("agency", "Oregon State Police")),
    ("Oregon State Police", ("agency", "Oregon State Police")),
    ("IL state police", ("agency", "Illinois State Police")),
    ("Lane County Sheriff's Office", ("agency", "Lane County Sheriff's Office")),
    ("lane co so", ("agency", "Lane County Sheriff's Office")),
    ("lane county", ("agency", "Lane County Sheriff's Office")),
    ("Berkeley CA", ("city", "Berkeley, CA")),
    ("Berkeley IL police", ("agency", "Berkeley IL PD")),
    ("UC Berkeley", ("agency", "University of California, Berkeley")),
    ("university of california berkeley", ("agency", "University of California, Berkeley")),
    ("Berkeley Heights", ("agency", "Berkeley Heights NJ PD")),
    ("Ashland Police Dept", ("agency", "Ashland OR PD")),
    ("springfield il", ("city", "Springfield, IL")),
    ("Springfield MO police", ("agency", "Springfield MO PD")),
    ("Portland ME", ("city", "Portland, ME")),
    ("Fort Collins", ("city", "Fort Collins, CO")),
    ("Ft Collins police", ("agency", "Fort Collins CO PD")),
    ("Saint Louis County", ("agency", "St. Louis County MN SO")),
    ("willow creek", ("agency", "Willow Creek Homeowners Association")),
    ("border patrol", ("agency", "U.S. Border Patrol")),
    ("joliet", ("city", "Joliet, IL")),
    ("harbor vista", ("city", "Harbor Vista, CA")),
    ("flock contract", ("hearing", "Renewal of the Flock Safety camera contract")),
    (
        "data sharing kestrel",
        ("hearing", "Renewal of the camera data sharing agreement with Kestrel County"),
    ),
    (
        "out-of-state sharing",
        ("hearing", "Review of camera data sharing with out-of-state agencies"),
    ),
    (
        "surveillance report",
        ("hearing", "Police Review Commission: surveillance technology report"),
    ),
    ("plate readers marina", ("petition", "Remove the plate readers at the Harbor Vista marina")),
    (
        "camera audits",
        ("petition", "Publish the police department's camera search audits every month"),
    ),
]


def test_the_query_table_has_at_least_thirty_queries():
    assert len(QUERY_TABLE) >= 30
    assert len({query for query, _expected in QUERY_TABLE}) == len(QUERY_TABLE)


@pytest.mark.parametrize(("query", "expected"), QUERY_TABLE, ids=[q for q, _e in QUERY_TABLE])
def test_first_result(portal_data, query, expected):
    best = site_search(query=query).best
    assert best is not None, f"nothing for {query!r}"
    assert (best.kind, best.label) == expected


def test_exact_and_prefix_rank_before_substring_and_fuzzy(portal_data):
    results = site_search(query="sylvania")
    labels = [hit.label for hit in results.hits]
    assert labels.index("Sylvania, OH") < labels.index("Sylvania OH PD")
    assert labels.index("Sylvania Township Police") < labels.index("Pennsylvania State Police PA")
    tiers = {hit.label: hit.tier for hit in results.hits}
    assert tiers["Sylvania Township Police"] == PREFIX
    assert tiers["Pennsylvania State Police PA"] == SUBSTRING
    assert tiers["Transylvania County NC SO"] == SUBSTRING
    assert [hit.tier for hit in results.hits] == sorted(
        (hit.tier for hit in results.hits), reverse=True
    )
    typo = site_search(query="eugine")
    assert {hit.tier for hit in typo.hits} == {FUZZY}


def test_a_state_in_the_query_puts_that_state_first(portal_data):
    labels = [hit.label for hit in site_search(query="Springfield MO").hits]
    assert labels[:2] == ["Springfield, MO", "Springfield MO PD"]
    assert set(labels[2:]) >= {"Springfield, OR", "Springfield IL PD"}
    oregon = {hit.label for hit in site_search(query="Oregon").hits}
    assert {"Eugene, OR", "Lane County Sheriff's Office", "Eugene Police Department"} <= oregon
    assert "Springfield IL PD" not in oregon


def test_every_word_must_match_and_pending_petitions_never_show(portal_data):
    assert site_search(query="eugene sheriff").total == 0
    assert site_search(query="drones").total == 0
    assert Petition.objects.filter(title__icontains="drones").exists()


def test_folded_abbreviations_and_short_words_match_whole_words_only(portal_data):
    # "sheriff" is "so" and "county" is "co" once normalized: neither may find Solon or Colonie.
    sheriffs = site_search(query="sheriff").hits
    assert {hit.obj.kind for hit in sheriffs} == {"sheriff"}
    assert len(sheriffs) == 4
    counties = {hit.label for hit in site_search(query="county").hits}
    assert "Colonie NY PD" not in counties and "Lane County Sheriff's Office" in counties
    # A two-letter word starts a word or matches nothing: "ie" is inside Colonie, not a start.
    assert site_search(query="ie").total == 0


def test_groups_carry_counts_and_follow_their_best_hit(portal_data):
    results = site_search(query="camera sharing")
    kinds = [group.kind for group in results.groups if group.count]
    assert kinds == ["hearing", "petition"]
    assert results.group("hearing").count == 2
    assert results.group("petition").count == 1
    assert results.total == 3


def test_query_parsing_uses_the_importers_normalizer():
    parsed = search_parse("  Prairie Junction   Police Department ")
    assert parsed.text == "Prairie Junction Police Department"
    assert [term.word for term in parsed.terms] == ["prairie", "junction", "pd"]
    assert parsed.state == ""
    coded = search_parse("Eugene OR")
    assert coded.state == "OR" and [term.word for term in coded.terms] == ["eugene"]
    named = search_parse("New York State Police")
    assert named.state == "NY"
    assert [term.state for term in named.terms] == ["NY", "NY", "", ""]
    assert named.exact == frozenset({"state", "pd"})
    assert search_parse("police in eugene").state == ""
    assert search_parse("").terms == ()


def test_similarity_is_pg_trgm_similarity():
    assert similarity("word", "word") == 1.0
    assert similarity("eugene", "eugine") == pytest.approx(4 / 10)
    assert similarity("sylvnia", "pennsylvania") < 0.3 < similarity("sylvnia", "sylvania")
    assert similarity("", "anything") == 0.0


# --- Pages ----------------------------------------------------------------------------------


def test_search_page_groups_results_and_says_what_was_searched(client, portal_data):
    response = client.get(reverse("portal:search"), {"q": "Eugene police"})
    text = text_of(response)
    assert response.status_code == 200
    assert "2 results for “Eugene police”" in text
    assert "Words searched, each on its own: eugene · pd (police)" in text
    body = response.content.decode()
    assert body.index("Eugene Police Department") < body.index(
        "Publish the police department&#x27;s camera search audits"
    )
    assert 'href="#results-agency"' in body and 'href="#results-petition"' in body
    assert "Agencies (1)" in text and "Petitions (1)" in text


def test_search_page_states_the_state_and_marks_close_spellings(client, portal_data):
    text = text_of(client.get(reverse("portal:search"), {"q": "Springfield MO"}))
    assert "Results in Missouri first." in text
    fuzzy = text_of(client.get(reverse("portal:search"), {"q": "eugine"}))
    assert "close spelling" in fuzzy


def test_search_page_without_a_match_offers_the_closest_search(client, portal_data):
    response = client.get(reverse("portal:search"), {"q": "Atlantis police"})
    text = text_of(response)
    assert "0 results for “Atlantis police”" in text
    assert "Nothing matches every word" in text
    assert f'href="{reverse("portal:search")}?q=police"' in response.content.decode()
    assert reverse("portal:city-list") in response.content.decode()


def test_search_page_without_a_match_lists_the_closest_names(client, portal_data):
    # "silvanea" shares too few trigrams with "sylvania" to match, enough to be offered.
    results = site_search(query="silvanea")
    assert results.total == 0
    assert [hit.label for hit in results.closest][:1] == ["Sylvania, OH"]
    text = text_of(client.get(reverse("portal:search"), {"q": "silvanea"}))
    assert "Names spelled closest to your search: Sylvania, OH city" in text
    assert site_search(query="Atlantis").closest == []


def test_a_single_match_redirects_to_it(client, portal_data):
    response = client.get(reverse("portal:search"), {"q": "Kestrel County Sheriff's Office"})
    assert response.status_code == 302
    assert response.url == Agency.objects.get(name="Kestrel County IL SO").get_absolute_url()


def test_home_search_box_goes_to_the_search_page(client, db):
    body = client.get("/").content.decode()
    assert 'action="/search/"' in body and 'id="home-q"' in body


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.services
def test_postgres_ranks_with_trigram_indexes_and_pg_trgm_agrees(portal_data):
    if connection.vendor != "postgresql":
        pytest.skip("the services run uses PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s ORDER BY indexname",
            ["%_trgm"],
        )
        names = {row[0] for row in cursor.fetchall()}
        for pair in [("eugene", "eugine"), ("sylvnia", "sylvania"), ("pennsylvania", "sylvania")]:
            cursor.execute("SELECT similarity(%s, %s)", list(pair))
            assert cursor.fetchone()[0] == pytest.approx(similarity(*pair), abs=1e-6)
    assert {
        "core_city_name_trgm",
        "core_agency_normalized_trgm",
        "core_agency_name_trgm",
        "core_agencyalias_normalized_trgm",
        "core_agencyalias_name_trgm",
        "hearings_hearing_title_trgm",
        "petitions_petition_title_trgm",
    } <= names
