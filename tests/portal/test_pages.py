"""Public pages of the portal app: home, search, cities, agencies, laws and methodology."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cameras.models import Camera, SharingAgreement
from core.models import Agency, AgencyAlias, AuditEvent, StateLawProfile
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    ClerkFactory,
    SharingAgreementFactory,
    TransparencySnapshotFactory,
)

pytestmark = pytest.mark.django_db

CA_CITATION = "Cal. Civ. Code § 1798.90.55"
CA_URL = "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?sectionNum=1798.90.55"

PROCESSOR = "portal.context_processors.portal"


@pytest.fixture(autouse=True)
def _demo_banner_processor(settings):
    """Install the page context processor even where settings do not list it yet."""
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    if PROCESSOR not in processors:
        templates = [dict(t) for t in settings.TEMPLATES]
        templates[0]["OPTIONS"] = {
            **templates[0]["OPTIONS"],
            "context_processors": [*processors, PROCESSOR],
        }
        settings.TEMPLATES = templates


def text_of(response) -> str:
    """The page's visible text with tags stripped and whitespace folded."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def law_profile(*, state: str, **values) -> StateLawProfile:
    profile, _ = StateLawProfile.objects.update_or_create(state=state, defaults=values)
    return profile


def build_prairie(*, cameras: int = 6, recipients: int = 3):
    """An Illinois city whose police share in state, out of state and with a federal agency,
    and a California city whose sharing its state law forbids."""
    # Migrations load real profiles; these tests pin the values they assert on.
    law_profile(
        state="IL",
        statute_citation="625 ILCS 5/2-130",
        statute_url="https://www.ilga.gov/legislation/ilcs/fulltext.asp?DocName=062500050K2-130",
        forbidden_uses=["immigration", "reproductive_care"],
        forbids_out_of_state_sharing=False,
        forbids_federal_sharing=False,
        requires_written_declaration=True,
    )
    law_profile(
        state="CA",
        statute_citation=CA_CITATION,
        statute_url=CA_URL,
        forbidden_uses=[],
        forbids_out_of_state_sharing=True,
        forbids_federal_sharing=True,
        requires_written_declaration=False,
    )
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    police = AgencyFactory(name="Prairie Junction IL PD", home_city=city)
    hoa = AgencyFactory(
        name="Willow Creek Homeowners Association", kind=Agency.Kind.HOA, home_city=city
    )
    for n in range(cameras):
        CameraFactory(
            city=city,
            owner=police if n % 3 else hoa,
            address=f"{100 + n} Main St",
            directions=[90, 180] if n == 0 else [90],
            vendor="Flock Safety" if n % 2 else "Motorola",
        )
    CameraFactory(city=city, owner=police, status=Camera.Status.REMOVED, address="9 Gone Rd")
    in_state = AgencyFactory(name="Kestrel County IL SO", kind=Agency.Kind.SHERIFF)
    out_of_state = AgencyFactory(name="Bramble WI PD", state="WI")
    federal = AgencyFactory(
        name="Homeland Security Investigations", kind=Agency.Kind.FEDERAL, state=""
    )
    for recipient in (in_state, out_of_state, federal):
        SharingAgreementFactory(owner=police, recipient=recipient)
    for n in range(recipients - 3):
        SharingAgreementFactory(
            owner=police, recipient=AgencyFactory(name=f"Extra {n} TX PD", state="TX")
        )
    # Whose cameras Prairie Junction can search: a California owner, forbidden by CA law.
    harbor = CityFactory(name="Harbor Vista", state="CA", slug="harbor-vista-ca")
    harbor_pd = AgencyFactory(name="Harbor Vista CA PD", state="CA", home_city=harbor)
    SharingAgreementFactory(owner=harbor_pd, recipient=police)
    SharingAgreementFactory(owner=harbor_pd, recipient=federal)
    CameraFactory(city=harbor, owner=harbor_pd, latitude=34, longitude=-118)
    TransparencySnapshotFactory(
        agency=police, captured_on=dt.date(2023, 4, 26), retention_days=30, searches_30d=400
    )
    TransparencySnapshotFactory(
        agency=police,
        captured_on=dt.date(2024, 4, 26),
        retention_days=60,
        searches_30d=950,
        prohibited_uses="Immigration enforcement is prohibited.",
        acceptable_use="Only for criminal investigations.",
    )
    return {
        "city": city,
        "police": police,
        "hoa": hoa,
        "out_of_state": out_of_state,
        "federal": federal,
        "harbor": harbor,
        "harbor_pd": harbor_pd,
    }


# --- Home and search ------------------------------------------------------------------------


def test_home_shows_purpose_figures_map_and_cities(client):
    build_prairie()
    response = client.get("/")
    text = text_of(response)
    assert response.status_code == 200
    assert "residents, police and city councils" in text
    # 7 active cameras: 6 in Prairie Junction (the removed one excluded), 1 in Harbor Vista.
    assert re.search(r"\b7 active cameras\b", text)
    assert re.search(r"\b5 current sharing agreements\b", text)
    assert re.search(r"\b2 shared in a way the owner's state law forbids\b", text)
    assert 'id="home-map"' in response.content.decode()
    assert "vendor/plotly/plotly-maps.min.js" in response.content.decode()
    assert "cdn" not in response.content.decode().lower()
    assert "Prairie Junction, IL" in text
    assert 'action="/search/"' in response.content.decode()


def test_home_without_cameras_says_so_and_loads_no_plotly(client):
    response = client.get("/")
    assert "No camera locations have been imported yet." in text_of(response)
    assert "vendor/plotly/" not in response.content.decode()


def test_search_redirects_on_a_single_match(client):
    data = build_prairie()
    response = client.get("/search/", {"q": "harbor vista ca pd"})
    assert response.status_code == 302
    assert response.url == data["harbor_pd"].get_absolute_url()


def test_search_lists_cities_and_agencies_including_aliases(client):
    data = build_prairie()
    AgencyAlias.objects.create(
        agency=data["hoa"], name="Willow Crk HOA", normalized_name="willow crk hoa"
    )
    response = client.get("/search/", {"q": "prairie"})
    text = text_of(response)
    assert "2 results for “prairie”" in text
    assert "Prairie Junction, IL" in text
    assert "Prairie Junction IL PD" in text
    alias_hit = client.get("/search/", {"q": "crk"})
    assert alias_hit.status_code == 302
    assert alias_hit.url == data["hoa"].get_absolute_url()


def test_search_without_a_match_suggests_browsing(client):
    response = client.get("/search/", {"q": "Atlantis"})
    assert "0 results for “Atlantis”" in text_of(response)
    assert reverse("portal:city-list") in response.content.decode()


# --- Cities ---------------------------------------------------------------------------------


def test_city_list_counts_active_cameras_and_filters_by_state(client):
    build_prairie()
    text = text_of(client.get("/cities/"))
    assert "2 cities" in text
    assert re.search(r"Prairie Junction Illinois 150,000 6\b", text)
    only_ca = text_of(client.get("/cities/", {"state": "CA"}))
    assert "Harbor Vista" in only_ca
    assert "Prairie Junction" not in only_ca


def test_city_page_shows_cameras_map_table_and_breakdowns(client):
    build_prairie()
    response = client.get("/cities/prairie-junction-il/")
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Prairie Junction, Illinois" in text
    assert 'id="city-map"' in html
    assert "7 cameras in Prairie Junction" in text
    assert "90° (E), 180° (S)" in text
    assert "9 Gone Rd" in text and "Removed" in text
    # Breakdowns count active cameras only: 4 police, 2 HOA; 3 Flock, 3 Motorola.
    assert re.search(r"Police department 4 ", text)
    assert re.search(r"Homeowners association 2 ", text)
    assert re.search(r"Flock Safety 3 ", text)


def test_city_page_lists_who_can_search_with_flags(client):
    build_prairie()
    response = client.get("/cities/prairie-junction-il/")
    html = response.content.decode()
    outgoing = html.split('id="sharing-out"')[1].split('id="sharing-in"')[0]
    rows = {
        name: row
        for row in outgoing.split("<tr")
        for name in ("Bramble WI PD", "Homeland Security Investigations", "Kestrel County IL SO")
        if name in row
    }
    assert "Out of state" in rows["Bramble WI PD"]
    assert "Federal" in rows["Homeland Security Investigations"]
    assert "badge" not in rows["Kestrel County IL SO"]
    # Illinois forbids neither out-of-state nor federal sharing: nothing forbidden here.
    assert "Forbidden by IL law" not in outgoing


def test_city_page_shows_incoming_sharing_forbidden_by_the_owners_state_law(client):
    build_prairie()
    html = client.get("/cities/prairie-junction-il/").content.decode()
    incoming = html.split('id="sharing-in"')[1].split('id="policy"')[0]
    assert "Harbor Vista CA PD" in incoming
    assert "Forbidden by CA law" in incoming
    assert CA_CITATION in incoming
    assert CA_URL.replace("&", "&amp;") in incoming or CA_URL in incoming
    assert "Out of state" in incoming


def test_california_city_page_flags_forbidden_sharing_with_citation(client):
    build_prairie()
    response = client.get("/cities/harbor-vista-ca/")
    text = text_of(response)
    assert "Forbidden by CA law" in text
    assert CA_CITATION in text
    assert "Forbids sharing with out-of-state agencies" in text
    assert "Forbids sharing with federal agencies" in text


def test_city_sharing_flag_filter_links_narrow_the_table(client):
    build_prairie()
    response = client.get("/cities/prairie-junction-il/", {"out_flag": "federal"})
    outgoing = response.content.decode().split('id="sharing-out"')[1].split('id="sharing-in"')[0]
    assert "Homeland Security Investigations" in outgoing
    assert "Bramble WI PD" not in outgoing.split("<tbody>")[-1]
    assert "Kestrel County IL SO" not in outgoing.split("<tbody>")[-1]
    assert 'href="?out_flag=out_of_state#sharing-out"' in outgoing
    assert 'aria-current="true">Federal (1)' in outgoing


def test_city_sharing_breakdown_counts_recipients_by_state_and_kind(client):
    build_prairie(recipients=5)
    text = text_of(client.get("/cities/prairie-junction-il/"))
    assert re.search(r"Recipients by state .*Texas Out of state 2 ", text)
    assert re.search(r"Recipients by kind .*Federal agency Federal 1 ", text)


def test_long_sharing_lists_are_paginated(client):
    build_prairie(recipients=60)
    first = client.get("/cities/prairie-junction-il/")
    html = first.content.decode()
    assert "Page 1 of 3 (60 in all)" in text_of(first)
    assert 'href="?out_page=2#sharing-out"' in html
    second = text_of(client.get("/cities/prairie-junction-il/", {"out_page": 2}))
    assert "Page 2 of 3 (60 in all)" in second


def test_city_page_shows_latest_snapshot_with_change_and_history_chart(client):
    build_prairie()
    response = client.get("/cities/prairie-junction-il/")
    html, text = response.content.decode(), text_of(response)
    assert re.search(r"Retention \(days\) 60 30 \+30", text)
    assert re.search(r"Searches in 30 days 950 400 \+550", text)
    assert "Immigration enforcement is prohibited." in text
    assert 'id="city-snapshots"' in html


def test_city_page_links_api_downloads_and_state_law(client):
    build_prairie()
    html = client.get("/cities/prairie-junction-il/").content.decode()
    assert "/api/v1/cameras/?city=prairie-junction-il&amp;format=geojson" in html
    assert "/api/v1/cameras/?city=prairie-junction-il&amp;format=csv" in html
    assert "/api/v1/sharing-agreements/?city=prairie-junction-il&amp;format=csv" in html
    assert "625 ILCS 5/2-130" in html


@pytest.mark.parametrize("url", ["/cities/atlantis-zz/", "/no-such-page/", "/no-such-file.ico"])
def test_unknown_addresses_get_the_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert 'action="/search/"' in response.content.decode()


def test_city_page_query_count_does_not_grow_with_rows(client):
    small = build_prairie(cameras=3, recipients=3)
    with CaptureQueriesContext(connection) as few:
        client.get(small["city"].get_absolute_url())
    city = small["city"]
    for n in range(40):
        CameraFactory(city=city, owner=small["police"], address=f"{n} Elm St")
        SharingAgreementFactory(
            owner=small["police"], recipient=AgencyFactory(name=f"More {n} OH PD", state="OH")
        )
        SharingAgreementFactory(
            owner=AgencyFactory(name=f"Giver {n} CA PD", state="CA"), recipient=small["police"]
        )
    with CaptureQueriesContext(connection) as many:
        client.get(city.get_absolute_url())
    assert len(many) == len(few)
    assert len(many) <= 20


def test_home_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    data = build_prairie()
    with CaptureQueriesContext(connection) as few:
        before = client.get("/")
    for _n in range(30):
        CameraFactory(city=data["city"], owner=data["police"])
        SharingAgreementFactory(owner=data["police"], recipient=AgencyFactory(state="MO"))
    with django_assert_max_num_queries(len(few)):
        after = client.get("/")
    assert before.status_code == after.status_code == 200
    assert "Prairie Junction" in text_of(before) and "Prairie Junction" in text_of(after)


# --- Agencies -------------------------------------------------------------------------------


def test_agency_list_filters_by_state_kind_and_name(client):
    build_prairie()
    text = text_of(client.get("/agencies/"))
    assert "Prairie Junction IL PD" in text and "Bramble WI PD" in text
    federal = text_of(client.get("/agencies/", {"kind": "federal"}))
    assert "Homeland Security Investigations" in federal
    assert "Prairie Junction IL PD" not in federal
    wisconsin = text_of(client.get("/agencies/", {"state": "WI"}))
    assert "1 agency" in wisconsin and "Bramble WI PD" in wisconsin
    by_name = text_of(client.get("/agencies/", {"q": "willow"}))
    assert "Willow Creek Homeowners Association" in by_name
    assert "Bramble WI PD" not in by_name
    form = client.get("/agencies/").content.decode()
    assert '<label for="id_state">' in form and '<label for="id_q">' in form
    assert '<option value="" selected>All states</option>' in form
    assert 'type="checkbox" name="kind" value="federal"' in form


def test_agency_list_counts_cameras_and_sharing(client):
    build_prairie()
    text = text_of(client.get("/agencies/", {"q": "Prairie Junction IL PD"}))
    # 4 active cameras, shares with 3 agencies, can search 1 owner's cameras.
    assert re.search(r"Prairie Junction IL PD Police department IL Prairie Junction 4 3 1", text)


def test_agency_page_shows_facts_cameras_sharing_and_network(client):
    data = build_prairie()
    AgencyAlias.objects.create(
        agency=data["police"], name="Prairie Jct Police", normalized_name="prairie jct pd"
    )
    response = client.get(data["police"].get_absolute_url())
    html, text = response.content.decode(), text_of(response)
    assert "Prairie Junction IL PD" in text
    assert "Police department" in text and "Illinois" in text
    assert "Prairie Jct Police" in text
    assert "5 cameras owned by Prairie Junction IL PD" in text  # 4 active, 1 removed
    assert 'id="agency-map"' in html and 'id="agency-network"' in html
    assert "Bramble WI PD" in text and "Out of state" in text
    assert "Harbor Vista CA PD" in text and "Forbidden by CA law" in text
    assert "Only for criminal investigations." in text
    assert "/api/v1/snapshots/?agency=" in html


def test_agency_without_cameras_or_snapshots_says_so(client):
    data = build_prairie()
    text = text_of(client.get(data["federal"].get_absolute_url()))
    assert "The portal has no camera locations for this agency." in text
    assert "No transparency-page snapshot has been recorded" in text


def test_unknown_agency_is_a_404(client):
    assert client.get("/agencies/no-such-agency/").status_code == 404


def test_agency_page_query_count_does_not_grow_with_rows(client):
    data = build_prairie()
    url = data["police"].get_absolute_url()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        SharingAgreementFactory(
            owner=data["police"], recipient=AgencyFactory(name=f"N{n} MI PD", state="MI")
        )
        CameraFactory(city=data["city"], owner=data["police"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- Laws and methodology -------------------------------------------------------------------


def test_laws_page_lists_profiles_with_citations_and_restrictions(client):
    build_prairie()
    text = text_of(client.get("/laws/"))
    assert "625 ILCS 5/2-130" in text and CA_CITATION in text
    assert "Immigration enforcement" in text
    assert "Reproductive health care investigations" in text
    assert "Written declaration required from out-of-state recipients" in text
    assert "No out-of-state sharing" in text and "No federal sharing" in text


def test_methodology_explains_sources_flags_names_and_limits(client):
    text = text_of(client.get("/methodology/"))
    assert "The News & Observer “Private Eyes” collection" in text
    assert "OpenStreetMap contributors" in text
    assert "both known and are different" in text
    assert "OR - Ashland PD" in text
    assert "pd police department, police dept, police" in text
    assert "Absence of evidence is not evidence of absence" in text


# --- Every page -----------------------------------------------------------------------------


def public_urls(data) -> list[str]:
    camera = Camera.objects.filter(city=data["city"]).first()
    return [
        "/",
        "/search/?q=prairie",
        "/cities/",
        data["city"].get_absolute_url(),
        "/agencies/",
        data["police"].get_absolute_url(),
        "/cameras/",
        camera.get_absolute_url(),
        "/laws/",
        "/methodology/",
    ]


def test_every_page_shows_the_demo_banner_when_enabled(client, settings):
    data = build_prairie()
    settings.PORTAL_DEMO_BANNER = True
    for url in [*public_urls(data), "/cities/nowhere/"]:
        text = text_of(client.get(url))
        assert "Demo data: the places and figures on this site are invented." in text, url
    settings.PORTAL_DEMO_BANNER = False
    for url in public_urls(data):
        assert "Demo data:" not in text_of(client.get(url)), url


def test_every_page_has_one_h1_a_skip_link_labelled_fields_and_the_language_form(client):
    data = build_prairie()
    for url in public_urls(data):
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert 'href="#main"' in html and 'id="main"' in html, url
        assert 'action="/i18n/setlang/"' in html, url
        ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
        for field_id in ids:
            if re.fullmatch(r"id_\w+_\d+", field_id):
                # A checkbox choice sits inside its own <label>.
                continue
            assert f'for="{field_id}"' in html, (url, field_id)


def test_pages_never_show_private_data(client):
    data = build_prairie()
    clerk = ClerkFactory(username="clerk1", email="private.clerk@example.org", city=data["city"])
    AuditEvent.objects.create(
        actor=clerk,
        city=data["city"],
        action="camera.update",
        object_type="cameras.camera",
        object_repr="secret audit row",
    )
    for url in public_urls(data):
        html = client.get(url).content.decode()
        assert "private.clerk@example.org" not in html, url
        assert "clerk1" not in html, url
        assert "secret audit row" not in html, url


def test_spanish_is_served_when_chosen(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/methodology/"})
    assert response.status_code == 302
    html = client.get("/methodology/").content.decode()
    assert '<html lang="es">' in html


def test_demo_banner_context_processor_is_installed_in_settings():
    """The banner needs ``portal.context_processors.portal`` in TEMPLATES (settings.py)."""
    from portal import settings as project_settings

    processors = project_settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    assert PROCESSOR in processors


def test_ended_agreements_are_not_listed_as_current(client):
    data = build_prairie()
    ended = SharingAgreement.objects.get(owner=data["police"], recipient=data["out_of_state"])
    ended.ended_on = dt.date(2024, 6, 1)
    ended.save()
    outgoing = (
        client.get("/cities/prairie-junction-il/")
        .content.decode()
        .split('id="sharing-out"')[1]
        .split('id="sharing-in"')[0]
    )
    assert "Bramble WI PD" not in outgoing


def test_server_error_page_renders_without_a_request():
    """Django renders 500.html with no context at all; it must not need one."""
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "/static/css/portal.css" in html


def contents_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="contents"') :].split("</nav>")[0]
    return re.findall(r'<a href="#([^"]+)">', nav)


@pytest.mark.parametrize("page", ["city", "police"])
def test_contents_list_links_to_each_section_of_the_page_in_page_order(client, page):
    html = client.get(build_prairie()[page].get_absolute_url()).content.decode()
    assert 'aria-labelledby="contents-heading"' in html and "On this page" in html
    anchors = contents_links(html)
    assert {"law", "sharing-out", "searches", "sharing-in", "cameras", "policy"} <= set(anchors)
    # Every link lands on a section the page has, listed in the order the page reads.
    positions = [re.search(f'<section class="[^"]*" id="{a}"', html).start() for a in anchors]
    assert positions == sorted(positions)
    if page == "city":
        assert anchors[:2] == ["law", "sharing-out"]
        assert {"hearings", "petitions"} <= set(anchors)


def test_city_page_reads_who_can_search_before_the_long_tables(client):
    build_prairie(recipients=14)
    html = client.get("/cities/prairie-junction-il/").content.decode()
    who_can_search = html.index('id="sharing-out-heading"')
    who_searched = html.index('id="searches-heading"')
    assert who_can_search < who_searched < html.index('class="more camera-table"')
    assert who_searched < html.index('id="sharing-in-heading"') < html.index('id="policy"')
    # A long sharing table folds behind its counts; a short one stays open.
    outgoing = html.split('id="sharing-out"')[1].split("</section>")[0]
    assert '<details class="more sharing-table">' in outgoing
    assert "Table of the 14 agreements" in outgoing
    incoming = html.split('id="sharing-in"')[1].split("</section>")[0]
    assert '<details class="more sharing-table" open>' in incoming
    # Filtering opens the table it narrows.
    filtered = client.get("/cities/prairie-junction-il/", {"out_flag": "federal"})
    outgoing = filtered.content.decode().split('id="sharing-out"')[1].split("</section>")[0]
    assert '<details class="more sharing-table" open>' in outgoing


def test_agency_page_contents_skips_the_law_of_an_agency_without_a_state(client):
    agency = AgencyFactory(name="Somewhere Vendor", state="")
    html = client.get(agency.get_absolute_url()).content.decode()
    anchors = contents_links(html)
    assert "law" not in anchors and 'id="law"' not in html
    assert all(f'id="{a}"' in html for a in anchors)


def test_sharing_table_cites_the_owners_statute_once_above_its_rows(client):
    build_prairie()
    html = client.get("/cities/harbor-vista-ca/").content.decode()
    outgoing = html.split('id="sharing-out"')[1].split("</section>")[0]
    rows = outgoing.split('id="sharing-out-caption"')[1].split("</table>")[0]
    # Both agreements are forbidden by California law; the badge names it, the legend cites it.
    assert rows.count("Forbidden by CA law") == 2
    assert CA_CITATION not in rows
    assert outgoing.count(CA_CITATION) == 1
    legend = outgoing[outgoing.index('id="sharing-out-statutes"') :].split("</p>")[0]
    assert CA_URL.replace("&", "&amp;") in legend and "(California)" in legend
