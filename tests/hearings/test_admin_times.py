"""The clerk admin shows times as the public pages do: in the city's time zone, with the
zone's abbreviation, in lists, read-only fields and the inputs of change forms."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from hearings.models import Comment
from petitions.models import Petition
from tests.hearings.factories import AgendaItemFactory, CommentFactory, HearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db

# 11 p.m. UTC is 3 p.m. in Los Angeles in January (PST, UTC-8).
UTC_EVENING = dt.datetime(2027, 1, 15, 23, 0, tzinfo=dt.UTC)
LOCAL = "Jan. 15, 2027, 3 p.m. PST"


@pytest.fixture
def pacific_city(clerk_city):
    clerk_city.timezone = "America/Los_Angeles"
    clerk_city.save(update_fields=["timezone"])
    return clerk_city


def test_comment_times_in_the_list_and_on_the_change_page(clerk_client, pacific_city):
    item = AgendaItemFactory(hearing=HearingFactory(city=pacific_city))
    comment = CommentFactory(item=item, status=Comment.Status.PENDING)
    Comment.objects.filter(pk=comment.pk).update(created_at=UTC_EVENING, confirmed_at=UTC_EVENING)

    listing = clerk_client.get(reverse("admin:hearings_comment_changelist")).content.decode()
    assert LOCAL in listing
    assert "11 p.m." not in listing
    page = clerk_client.get(reverse("admin:hearings_comment_change", args=[comment.pk]))
    html = page.content.decode()
    assert html.count(LOCAL) == 2  # submitted and confirmed
    assert "11 p.m." not in html


def test_petition_times_read_only_and_editable(clerk_client, pacific_city):
    petition = OpenPetitionFactory(city=pacific_city, ends_at=UTC_EVENING)
    Petition.objects.filter(pk=petition.pk).update(created_at=UTC_EVENING)
    SignatureFactory(petition=petition, status="confirmed", confirmed_at=UTC_EVENING)

    listing = clerk_client.get(reverse("admin:petitions_petition_changelist")).content.decode()
    assert listing.count(LOCAL) == 2  # ends and created
    signatures = clerk_client.get(reverse("admin:petitions_signature_changelist"))
    assert LOCAL in signatures.content.decode()

    html = clerk_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    # The open petition's end is editable: its inputs hold the city's time and say the zone.
    assert 'name="ends_at_0" value="2027-01-15"' in html
    assert 'name="ends_at_1" value="15:00:00"' in html
    assert re.search(r"In America/Los_Angeles time \(P[SD]T\)\.", html)
    assert LOCAL in html  # created, read-only


def test_saving_an_edited_time_reads_it_in_the_citys_zone(clerk_client, pacific_city):
    petition = OpenPetitionFactory(city=pacific_city)
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    response = clerk_client.post(
        url,
        {
            "ends_at_0": "2027-01-15",
            "ends_at_1": "15:00:00",
            "signature_goal": str(petition.signature_goal),
            "hearing": "",
            "response": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    petition.refresh_from_db()
    assert petition.ends_at == UTC_EVENING


def test_a_row_without_a_city_says_utc(client, db):
    from hearings.models import OutboundEmail
    from tests.factories import SuperuserFactory

    client.force_login(SuperuserFactory(username="root"))
    email = OutboundEmail.objects.create(key="k", to="a@example.org", subject="Hello", template="t")
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=UTC_EVENING)
    html = client.get(reverse("admin:hearings_outboundemail_changelist")).content.decode()
    assert "Jan. 15, 2027, 11 p.m. UTC" in html
