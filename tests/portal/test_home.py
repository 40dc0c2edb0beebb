"""The home page's news: upcoming hearings, open petitions, the latest flagged searches and the
headline figures, with their empty states, order, cost, privacy, language and page cache."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from petitions.models import Petition
from searches.models import SearchFlag
from searches.selectors.explorer import latest_flagged_searches
from tests.factories import AgencyFactory, CityFactory
from tests.hearings.factories import (
    AgendaItemFactory,
    CommentFactory,
    HearingFactory,
    PastHearingFactory,
)
from tests.hearings.petition_factories import OpenPetitionFactory, PetitionFactory, SignatureFactory
from tests.portal.test_pages import text_of
from tests.searches.factories import (
    CA_CITATION,
    IL_CITATION,
    ReasonFactory,
    SearchFactory,
    audit_scenario,
    portal_audit_import,
    rebuild_rollups,
)

pytestmark = pytest.mark.django_db


def news(response) -> str:
    """The visible text between the search form and the camera map: the news area."""
    text = text_of(response)
    start = text.index("Upcoming hearings") if "Upcoming hearings" in text else 0
    return text[start : text.index("Map of active cameras")]


def block(text: str, heading: str, next_heading: str) -> str:
    return text[text.index(heading) : text.index(next_heading)]


def hearings_of(response) -> str:
    return block(news(response), "Upcoming hearings", "Open petitions")


def petitions_of(response) -> str:
    return block(news(response), "Open petitions", "Latest flagged searches")


def flagged_of(response) -> str:
    return block(news(response), "Latest flagged searches", "In the portal today")


@pytest.fixture
def prairie():
    return CityFactory(
        name="Prairie Junction",
        state="IL",
        slug="prairie-junction-il",
        timezone="America/Chicago",
    )


@pytest.fixture
def harbor():
    return CityFactory(
        name="Harbor Vista", state="CA", slug="harbor-vista-ca", timezone="America/Los_Angeles"
    )


# --- Empty states ---------------------------------------------------------------------------


def test_an_empty_portal_says_so_in_each_news_block(client):
    response = client.get("/")
    text = news(response)
    assert "No hearings are scheduled." in text
    assert "No petition is open for signatures right now." in text
    assert "No flagged search has been found in the audits imported so far." in text
    # The hero and search form stay on top, the news before the map.
    html = response.content.decode()
    assert html.index('action="/search/"') < html.index("news-hearings-heading")
    assert html.index("news-flagged-heading") < html.index("map-heading")


# --- Hearings -------------------------------------------------------------------------------


def test_upcoming_hearings_soonest_first_in_the_city_zone_with_their_deadline(
    client, prairie, harbor
):
    now = timezone.now()
    later = HearingFactory(
        city=prairie,
        title="Renewing the Flock contract",
        starts_at=now + dt.timedelta(days=9),
    )
    HearingFactory(
        city=harbor,
        title="Sharing with out-of-state agencies",
        starts_at=now + dt.timedelta(days=3),
    )
    item = AgendaItemFactory(hearing=later, position=1)
    AgendaItemFactory(hearing=later, position=2)
    response = client.get("/")
    text = hearings_of(response)
    assert text.index("Sharing with out-of-state agencies") < text.index(
        "Renewing the Flock contract"
    )
    assert "Harbor Vista, CA" in text and "Prairie Junction, IL" in text
    assert re.search(r"\b(PST|PDT)\b", text) and re.search(r"\b(CST|CDT)\b", text)
    assert "Taking comments" in text
    assert text.count("Comments close") == 2
    html = response.content.decode()
    assert f'href="{later.get_absolute_url()}"' in html
    # The comment link opens the form of the first agenda item.
    assert f'href="{later.get_absolute_url()}#comment-form-{item.pk}"' in html
    assert 'href="/hearings/"' in html


def test_past_and_closed_hearings_are_not_shown_as_upcoming_or_open(client, prairie):
    now = timezone.now()
    PastHearingFactory(city=prairie, title="Last year's vote")
    HearingFactory(
        city=prairie,
        title="Window already closed",
        starts_at=now + dt.timedelta(hours=12),
        comment_opens_at=now - dt.timedelta(days=5),
        comment_closes_at=now - dt.timedelta(hours=1),
    )
    HearingFactory(
        city=prairie,
        title="Window opens next week",
        starts_at=now + dt.timedelta(days=20),
        comment_opens_at=now + dt.timedelta(days=7),
        comment_closes_at=now + dt.timedelta(days=19),
    )
    text = hearings_of(client.get("/"))
    assert "Last year's vote" not in text
    closed = block(text, "Window already closed", "Window opens next week")
    assert "Taking comments" not in closed and "Send a comment" not in closed
    assert "Public comment for this hearing has closed." in closed
    opening = text[text.index("Window opens next week") :]
    assert "Comments open" in opening and "Taking comments" not in opening


def test_only_the_next_three_hearings_are_listed(client, prairie):
    now = timezone.now()
    for days in (5, 1, 4, 2, 3):
        HearingFactory(
            city=prairie, title=f"Meeting in {days} days", starts_at=now + dt.timedelta(days=days)
        )
    text = hearings_of(client.get("/"))
    assert re.findall(r"Meeting in (\d) days", text) == ["1", "2", "3"]


# --- Petitions ------------------------------------------------------------------------------


def test_open_petitions_with_signatures_goal_and_end_in_the_city_zone(client, prairie, harbor):
    now = timezone.now()
    OpenPetitionFactory(
        city=harbor,
        title="Take the readers off the marina",
        signature_goal=150,
        signature_count=23,
        ends_at=now + dt.timedelta(days=40),
    )
    OpenPetitionFactory(
        city=prairie,
        title="Stop sharing out of state",
        signature_goal=250,
        signature_count=131,
        ends_at=now + dt.timedelta(days=10),
    )
    PetitionFactory(city=prairie, title="Awaiting review")
    PetitionFactory(city=prairie, title="Turned down", status=Petition.Status.REJECTED)
    OpenPetitionFactory(city=prairie, title="Already over", status=Petition.Status.CLOSED)
    text = petitions_of(client.get("/"))
    # Ending soonest first.
    assert text.index("Stop sharing out of state") < text.index("Take the readers off the marina")
    assert "131 signatures of a goal of 250" in text
    assert "23 signatures of a goal of 150" in text
    assert "Open for signatures until" in text
    assert re.search(r"\b(PST|PDT)\b", text) and re.search(r"\b(CST|CDT)\b", text)
    assert "To the City Council" in text
    for hidden in ("Awaiting review", "Turned down", "Already over"):
        assert hidden not in text


def test_more_open_petitions_than_shown_link_to_all_of_them(client, prairie):
    for n in range(5):
        OpenPetitionFactory(city=prairie, title=f"Petition number {n}")
    text = petitions_of(client.get("/"))
    assert len(re.findall(r"Petition number \d", text)) == 3
    assert "All 5 open petitions" in text


# --- Flagged searches -----------------------------------------------------------------------


def test_latest_flagged_searches_newest_first_with_law_and_links(client):
    data = audit_scenario()
    response = client.get("/")
    text = flagged_of(response)
    html = response.content.decode()
    # Harbor Vista's two forbidden sharings (May 21, May 20), then Prairie's abortion (May 11)
    # and HSI (May 10), then the Wisconsin ICE searches (April, March): six rows.
    dates = re.findall(r"(\w{3}\.? \d{1,2}, 2026), \d\d:\d\d UTC", text)
    assert [re.sub(r"\D", "", d.split(",")[0]) for d in dates] == [
        "21",
        "20",
        "11",
        "10",
        "10",
        "10",
    ]
    assert (
        text.index("abortion investigation") < text.index("HSI assist") < text.index("ICE WARRANT")
    )
    assert "Sharing forbidden by state law" in text and "Reproductive care" in text
    assert CA_CITATION in text and IL_CITATION in text
    assert "Homeland Security Investigations" in text and "Bramble WI PD (WI)" in text
    assert "Harbor Vista, CA" in text and "Prairie Junction, IL" in text
    # Only Harbor Vista's two forbidden sharings carry the stolen-vehicle reason; unflagged,
    # vague and blank searches are not news.
    assert text.count("stolen vehicle 25-00412") == 2
    assert "“inv”" not in text and "(blank)" not in text
    assert 'href="/searches/?flag=immigration"' in html
    assert 'href="/searches/?flag=forbidden_sharing"' in html
    assert f'href="{data["city"].get_absolute_url()}"' in html
    assert 'href="/searches/national/"' in html


def test_flagged_searches_read_the_window_the_rollups_point_to(client):
    """A flagged search older than the newest six stays off, whatever month it is in."""
    pd = AgencyFactory(name="Marsh Creek IL PD", state="IL")
    ice = ReasonFactory(text="ICE request", flags=int(SearchFlag.IMMIGRATION))
    vague = ReasonFactory(text="investigation", flags=int(SearchFlag.VAGUE))
    SearchFactory(
        source_agency=pd, reason=ice, searched_at=dt.datetime(2025, 1, 5, 12, tzinfo=dt.UTC)
    )
    for day in range(1, 7):
        SearchFactory(
            source_agency=pd,
            reason=ReasonFactory(text=f"protest march {day}", flags=int(SearchFlag.PROTEST)),
            searched_at=dt.datetime(2026, 2, day, 12, tzinfo=dt.UTC),
        )
    # A vague search newer than all of them is counted, not listed.
    SearchFactory(
        source_agency=pd, reason=vague, searched_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    )
    rebuild_rollups()
    text = flagged_of(client.get("/"))
    assert re.findall(r"protest march (\d)", text) == ["6", "5", "4", "3", "2", "1"]
    assert "ICE request" not in text and "investigation" not in text


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan wording")
def test_the_flagged_rows_are_read_over_the_partial_flag_index(client):
    audit_scenario()
    with CaptureQueriesContext(connection) as queries:
        rows = latest_flagged_searches(profiles={}, limit=6)
    assert len(rows) == 6 and len(queries) == 2
    sql = queries[-1]["sql"]
    assert "searches_search" in sql and "LIMIT 6" in sql
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX search_flagged_time_idx" in plan, plan
    assert "SCAN searches_search" not in plan, plan


# --- Figures --------------------------------------------------------------------------------


def test_headline_figures_link_to_their_lists(client):
    html = client.get("/").content.decode()
    assert 'href="/cities/"' in html
    assert 'href="/cameras/?status=active"' in html
    assert 'href="/agencies/"' in html
    for flag in ("out_of_state", "federal", "forbidden"):
        assert f"/api/v1/sharing-agreements/?current=true&amp;format=csv&amp;{flag}=true" in html


# --- Cost -----------------------------------------------------------------------------------


def test_home_reads_a_fixed_number_of_queries(client, prairie, django_assert_max_num_queries):
    audit_scenario()
    HearingFactory(city=prairie, title="First hearing")
    OpenPetitionFactory(city=prairie, title="First petition")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    source = AgencyFactory(name="Busy County IL SO", state="IL")
    for n in range(12):
        HearingFactory(city=CityFactory(), title=f"Extra hearing {n}")
        OpenPetitionFactory(city=prairie, title=f"Extra petition {n}", signature_count=n)
        SearchFactory(
            source_agency=source,
            searching_agency=AgencyFactory(state="WI"),
            reason=ReasonFactory(text=f"ICE case {n}", flags=int(SearchFlag.IMMIGRATION)),
            searched_at=dt.datetime(2026, 1 + n % 12, 3, tzinfo=dt.UTC),
            flags=int(SearchFlag.IMMIGRATION | SearchFlag.OUT_OF_STATE),
        )
    rebuild_rollups()
    with django_assert_max_num_queries(len(few)):
        response = client.get("/")
    text = news(response)
    assert "First hearing" in text and "Extra hearing 1" in text
    assert "All 13 open petitions" in text
    assert "ICE case 11" in text  # December 2026: the newest flagged search


# --- Privacy --------------------------------------------------------------------------------


def test_home_shows_no_plate_officer_user_id_or_email(client, prairie):
    pd = AgencyFactory(name="Prairie Junction IL PD", state="IL", home_city=prairie)
    portal_audit_import(
        pd,
        [
            "p-1,officer.zebulon@pd.example.org,2026-06-01T10:00:00Z,3,"
            "ICE detainer plate ZQX4471 for Zebulon Quackenbush,\n",
            "p-2,uid-5e1f0c9a-privacy00001,2026-06-02T10:00:00Z,3,protest at city hall 7PRV913,\n",
        ],
    )
    hearing = HearingFactory(city=prairie, title="Camera contract hearing")
    CommentFactory(
        item=AgendaItemFactory(hearing=hearing),
        email="commenter.private@example.org",
        address_or_zip="12 Elm St, Prairie Junction",
    )
    petition = OpenPetitionFactory(
        city=prairie, title="Stop the readers", creator_email="creator.private@example.org"
    )
    SignatureFactory(petition=petition, email="signer.private@example.org", name="Signer Secret")
    response = client.get("/")
    html = response.content.decode()
    text = flagged_of(response)
    assert "ICE detainer plate" in text and "protest at city hall" in text
    for secret in (
        "ZQX4471",
        "7PRV913",
        "officer.zebulon",
        "uid-5e1f0c9a",
        "commenter.private",
        "12 Elm St",
        "creator.private",
        "signer.private",
        "Signer Secret",
    ):
        assert secret not in html, secret


# --- Language -------------------------------------------------------------------------------


def test_home_news_in_spanish(prairie):
    HearingFactory(city=prairie, title="Camera contract hearing")
    OpenPetitionFactory(city=prairie, title="Stop the readers", signature_goal=50)
    audit_scenario()
    # The locale middleware leaves the request's language active in this thread: the override
    # puts the previous one back for the tests that run after.
    with translation.override(translation.get_language()):
        text = text_of(Client(HTTP_ACCEPT_LANGUAGE="es").get("/"))
    assert "Hoy en el portal" in text
    assert "Programada" in text and "Recibe comentarios" in text
    assert "Los comentarios cierran el" in text
    assert "Dirigida a: City Council" in text
    assert "Inmigración" in text
    assert "Iniciar una petición" in text


# --- Page cache -----------------------------------------------------------------------------


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_hearing_and_a_new_flagged_search_reach_the_cached_home_page(prairie, page_cache):
    pd = AgencyFactory(name="Prairie Junction IL PD", state="IL", home_city=prairie)
    assert Client().get("/")["X-Page-Cache"] == "miss"
    cached = Client().get("/")
    assert cached["X-Page-Cache"] == "hit"
    assert "No hearings are scheduled." in text_of(cached)

    HearingFactory(city=prairie, title="Renewing the camera contract")
    fresh = Client().get("/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "Renewing the camera contract" in hearings_of(fresh)
    assert Client().get("/")["X-Page-Cache"] == "hit"

    portal_audit_import(pd, ["a1,***,2026-03-02T10:00:00Z,3,ICE detainer,\n"])
    fresh = Client().get("/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "ICE detainer" in flagged_of(fresh)

    petition = OpenPetitionFactory(city=prairie, title="Stop the readers", signature_goal=50)
    assert "0 signatures of a goal of 50" in petitions_of(Client().get("/"))
    petition.status = Petition.Status.CLOSED
    petition.save()
    assert "Stop the readers" not in petitions_of(Client().get("/"))
