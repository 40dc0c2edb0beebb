"""The changes pages and their Atom feeds: newest first, filtered, marked, diffs escaped, linked
from the city and agency pages, and nothing private in any of them."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, TransparencySnapshotFactory
from tests.hearings.factories import AgendaItemFactory, CommentFactory, HearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory, SignatureFactory
from tests.searches.test_importers import run_audit
from watch.services import changes_collect

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
CITY = "/cities/cedar-hollow-ca/changes/"
AGENCY = "/agencies/ca-cedar-hollow-pd/changes/"


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - the portal's own feed, in a test
    return [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}summary").text)
        for e in feed.iter(f"{ATOM}entry")
    ]


def test_city_page_lists_the_changes_newest_first_with_their_marks(client, two_pages):
    # An older change of the same agency, to see the order.
    TransparencySnapshotFactory(
        agency=two_pages, captured_on=dt.date(2026, 1, 5), retention_days=14
    )
    changes_collect(actor=None)
    page = html(client, CITY)
    assert "Cedar Hollow CA PD began sharing its cameras with US Border Patrol" in page
    assert "Cedar Hollow CA PD stopped sharing its cameras with Reno NV PD" in page
    assert "retention changed from 30 to 90 days" in page
    assert page.index("from 30 to 90 days") < page.index("from 14 to 30 days")
    assert 'class="badge badge-small badge-federal">Federal<' in page
    assert 'class="badge badge-small badge-out-of-state">Out of state<' in page
    assert "Forbidden by CA law" in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert f'href="{CITY}feed/"' in page


def test_policy_diff_is_shown_word_by_word_and_escaped(client, two_pages):
    page = html(client, CITY)
    assert "<b>supervisor</b>" not in page
    assert "&lt;b&gt;supervisor&lt;/b&gt;" in page
    added = "number &amp; &lt;b&gt;supervisor&lt;/b&gt; approval."
    assert f'<ins><span class="visually-hidden">[added:] </span>{added}</ins>' in page
    assert '<del><span class="visually-hidden">[removed:] </span>number.</del>' in page


def test_pages_filter_by_kind_and_topic(client, two_pages):
    only_added = html(client, CITY + "?kind=sharing_added")
    assert "US Border Patrol" in only_added and "Reno NV PD" not in only_added
    assert "1 change<" in only_added
    sharing = html(client, CITY + "?topic=sharing")
    assert "5 changes<" in sharing
    assert "No change matches these filters." in html(client, CITY + "?topic=petitions")
    bad = html(client, CITY + "?kind=nonsense", status=400)
    assert "Select a valid choice" in bad


def test_agency_and_national_pages_and_unknown_subjects(client, two_pages):
    agency = html(client, AGENCY)
    assert "What changed: Cedar Hollow CA PD" in agency
    assert "US Border Patrol" in agency
    # The partner's page shows the change too (for_agency: either side).
    partner = html(client, "/agencies/us-border-patrol/changes/")
    assert "began sharing its cameras with US Border Patrol" in partner
    national = html(client, "/changes/")
    assert "What changed in the network" in national
    assert reverse("watch:city-changes", kwargs={"slug": "cedar-hollow-ca"}) in national
    html(client, "/cities/no-such-city/changes/", status=404)
    html(client, "/agencies/no-such-agency/changes/feed/", status=404)


def test_city_and_agency_pages_link_to_their_changes_and_feeds(client, two_pages):
    city = html(client, "/cities/cedar-hollow-ca/")
    assert f'href="{CITY}"' in city and f'href="{CITY}feed/"' in city
    assert 'rel="alternate" type="application/atom+xml"' in city
    agency = html(client, "/agencies/ca-cedar-hollow-pd/")
    assert f'href="{AGENCY}"' in agency and f'href="{AGENCY}feed/"' in agency


def test_feeds_are_atom_with_escaped_summaries_and_filters(client, two_pages):
    city = entries(client, CITY + "feed/")
    titles = [title for title, _summary in city]
    assert len(titles) == 5
    assert "Cedar Hollow CA PD began sharing its cameras with US Border Patrol" in titles
    policy = next(summary for title, summary in city if "access policy" in title)
    # The summary is HTML (type="html"): the page's markup arrives as text, never as a tag.
    assert "&lt;b&gt;supervisor&lt;/b&gt;" in policy and "<b>" not in policy
    assert [t for t, _s in entries(client, CITY + "feed/?kind=retention_changed")] == [
        "Cedar Hollow CA PD: retention changed from 30 to 90 days"
    ]
    assert len(entries(client, AGENCY + "feed/")) == 5
    assert len(entries(client, "/changes/feed/")) == 5


def test_no_officer_name_plate_email_or_reason_reaches_a_page_feed_or_the_api(
    client, two_pages, clerk_city
):
    AgencyFactory(name="Joliet IL PD", state="IL", home_city=clerk_city)
    run_audit("records_network.csv")
    hearing = HearingFactory(city=clerk_city)
    CommentFactory(item=AgendaItemFactory(hearing=hearing), email="hidden.commenter@example.org")
    petition = OpenPetitionFactory(city=clerk_city, creator_email="hidden.creator@example.org")
    SignatureFactory(petition=petition, email="hidden.signer@example.org", name="Secret Signer")
    recorded = changes_collect(actor=None)
    assert {"audit_imported", "flagged_searches", "hearing_scheduled", "petition_opened"} <= set(
        recorded
    )
    urls = []
    for base in ("/changes/", "/cities/joliet-il/changes/", "/agencies/il-joliet-pd/changes/"):
        urls += [base, base + "feed/"]
    urls += ["/api/v1/changes/", "/api/v1/changes/?format=csv"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.getvalue().decode()
        assert "Joliet" in body, url
        for private in (
            "Jane Roe", "ABC1234", "XYZ987", "ICE+ERO", "red pickup", "@example.org",
            "Secret Signer", "Ada Resident",
        ):  # fmt: skip
            assert private not in body, (url, private)
