"""The clerk admin: the scoped moderation queue and its actions, hearings saved through the
services, the clerk's record export, settings and the outbox."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from hearings.models import CityEngagementSettings, Comment, Hearing, OutboundEmail
from tests.factories import SuperuserFactory
from tests.hearings.factories import (
    AgendaItemFactory,
    CommentFactory,
    EngagementSettingsFactory,
    HearingFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:hearings_comment_changelist")


@pytest.fixture
def items(clerk_city, other_city):
    EngagementSettingsFactory(city=clerk_city)
    mine = AgendaItemFactory(hearing=HearingFactory(city=clerk_city, slug="mine"), title="Mine")
    theirs = AgendaItemFactory(hearing=HearingFactory(city=other_city), title="Theirs")
    return mine, theirs


def test_queue_defaults_to_pending_comments_of_the_clerks_city(clerk_client, items):
    mine, theirs = items
    CommentFactory(item=mine, name="Pending Mine", status=Comment.Status.PENDING)
    CommentFactory(item=mine, name="Published Mine")
    CommentFactory(item=theirs, name="Pending Theirs", status=Comment.Status.PENDING)
    html = clerk_client.get(QUEUE).content.decode()
    assert "Pending Mine" in html
    assert "Published Mine" not in html and "Pending Theirs" not in html
    everything = clerk_client.get(QUEUE, {"status__exact": "all"}).content.decode()
    assert "Published Mine" in everything and "Pending Theirs" not in everything
    other = Comment.objects.get(name="Pending Theirs")
    url = reverse("admin:hearings_comment_change", args=[other.pk])
    assert clerk_client.get(url).status_code in {302, 403, 404}


def test_bulk_approve_publishes_logs_and_emails(
    clerk_client, clerk, items, django_capture_on_commit_callbacks
):
    mine, _ = items
    pending = CommentFactory.create_batch(2, item=mine, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            QUEUE,
            {"action": "approve_comments", ACTION_CHECKBOX_NAME: [c.pk for c in pending]},
            follow=True,
        )
    assert "2 comments published." in response.content.decode()
    assert Comment.objects.filter(status="published", moderated_by=clerk).count() == 2
    assert AuditEvent.objects.filter(action="comment.approve", actor=clerk).count() == 2
    assert len(mail.outbox) == 2
    assert mine.hearing.get_absolute_url()  # published comments now show on the page
    page = clerk_client.get(mine.hearing.get_absolute_url()).content.decode()
    assert all(c.name in page for c in pending)


def test_reject_asks_for_a_reason_first(clerk_client, clerk, items):
    mine, _ = items
    comment = CommentFactory(item=mine, status=Comment.Status.PENDING, name="To Reject")
    selection = {"action": "reject_comments", ACTION_CHECKBOX_NAME: [comment.pk]}
    form = clerk_client.post(QUEUE, selection)
    assert form.status_code == 200 and "Reason" in form.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    empty = clerk_client.post(QUEUE, {**selection, "apply": "1", "reason": ""})
    assert "This field is required" in empty.content.decode()
    clerk_client.post(QUEUE, {**selection, "apply": "1", "reason": "Off topic"}, follow=True)
    comment.refresh_from_db()
    assert (comment.status, comment.rejection_reason) == ("rejected", "Off topic")
    assert AuditEvent.objects.get(action="comment.reject").changes["reason"] == "Off topic"


def test_clerks_cannot_add_or_delete_comments(clerk_client, items):
    comment = CommentFactory(item=items[0], status=Comment.Status.PENDING)
    assert clerk_client.get(reverse("admin:hearings_comment_add")).status_code == 403
    url = reverse("admin:hearings_comment_delete", args=[comment.pk])
    assert clerk_client.post(url, {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_hearing_added_in_the_admin_goes_through_the_service(clerk_client, clerk, clerk_city):
    EngagementSettingsFactory(city=clerk_city, comment_close_hours=24)
    starts = (timezone.localtime() + dt.timedelta(days=5)).replace(microsecond=0, second=0)
    data = {
        "city": clerk_city.pk,
        "title": "Camera removal",
        "body_kind": "council",
        "body_name": "",
        "status": "scheduled",
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "location": "City Hall",
        "minutes_url": "",
        "comment_opens_at_0": "",
        "comment_opens_at_1": "",
        "comment_closes_at_0": "",
        "comment_closes_at_1": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-position": "1",
        "items-0-title": "Remove the cameras",
        "items-0-description": "",
        "items-0-outcome": "pending",
        "items-0-outcome_note": "",
    }
    response = clerk_client.post(reverse("admin:hearings_hearing_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    hearing = Hearing.objects.get()
    # The clerk typed the time in the city's zone, not the server's UTC.
    local = starts.replace(tzinfo=None).replace(tzinfo=zoneinfo.ZoneInfo(clerk_city.timezone))
    assert hearing.starts_at == local
    assert hearing.comment_closes_at == hearing.starts_at - dt.timedelta(hours=24)
    assert hearing.items.get().title == "Remove the cameras"
    assert AuditEvent.objects.filter(action="hearing.create", actor=clerk).exists()

    late = {**data, "comment_closes_at_0": (starts + dt.timedelta(days=1)).strftime("%Y-%m-%d")}
    late["comment_closes_at_1"] = "10:00:00"
    late["title"] = "Another"
    late["items-0-title"] = "Another item"
    refused = clerk_client.post(reverse("admin:hearings_hearing_add"), late)
    assert refused.status_code == 200
    assert "close by the start of the meeting" in refused.content.decode()


def test_clerk_record_export_follows_the_city_rules(clerk_client, clerk_city, items):
    mine, theirs = items
    CommentFactory(item=mine, name="=cmd|' /C calc'!A0", address_or_zip="12 Elm St 60431")
    CommentFactory(
        item=mine, name="Rejected Person", status=Comment.Status.REJECTED, rejection_reason="Spam"
    )
    CommentFactory(item=mine, name="Pending Person", status=Comment.Status.PENDING)
    CommentFactory(item=mine, name="Unconfirmed Person", status=Comment.Status.UNCONFIRMED)
    url = reverse("admin:hearings_hearing_record", args=[mine.hearing.pk])

    text = clerk_client.get(url, {"format": "csv"}).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert "Status" in header and "Address or ZIP code" not in header
    names = {row[header.index("Name")] for row in body}
    assert names == {"'=cmd|' /C calc'!A0", "Rejected Person", "Pending Person"}
    assert "Spam" in text and "example.org" not in text and "12 Elm St" not in text

    CityEngagementSettings.objects.filter(city=clerk_city).update(record_includes_addresses=True)
    text = clerk_client.get(url, {"format": "csv"}).content.decode()
    assert "12 Elm St 60431" in text and "example.org" not in text

    packet = clerk_client.get(url).content.decode()
    assert "Clerk&#x27;s record" in packet or "Clerk's record" in packet
    assert "Rejected because: Spam" in packet and "Pending Person" in packet
    other = reverse("admin:hearings_hearing_record", args=[theirs.hearing.pk])
    assert clerk_client.get(other).status_code in {302, 403, 404}


def test_public_record_packet_groups_by_item_and_position(client, items):
    mine, _ = items
    second = AgendaItemFactory(hearing=mine.hearing, position=mine.position + 1, title="Second")
    CommentFactory(item=mine, name="Sue Support", position="support")
    CommentFactory(item=mine, name="Otto Oppose", position="oppose")
    CommentFactory(item=mine, name="Olga Oppose", position="oppose")
    CommentFactory(item=second, name="Ned Neutral", position="neutral")
    CommentFactory(item=mine, name="Hidden", status=Comment.Status.REJECTED, rejection_reason="x")
    url = reverse("hearings:hearing-record", args=[mine.hearing.city.slug, mine.hearing.slug])
    html = client.get(url).content.decode()
    assert "Public record of published comments" in html
    assert "4 comments in this record" in html
    order = [html.index(n) for n in ("Sue Support", "Otto Oppose", "Olga Oppose", "Ned Neutral")]
    assert order == sorted(order)
    assert "Hidden" not in html and 'Oppose <span class="muted">(2)</span>' in html
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert "Status" not in rows[0] and len(rows) == 5


def test_outbox_admin_is_scoped_to_the_clerks_city(clerk_client, clerk_city, other_city, client):
    OutboundEmail.objects.create(
        key="a", to="mine@example.org", subject="Mine", body_text="x", template="t", city=clerk_city
    )
    OutboundEmail.objects.create(
        key="b",
        to="theirs@example.org",
        subject="Theirs",
        body_text="x",
        template="t",
        city=other_city,
    )
    html = clerk_client.get(reverse("admin:hearings_outboundemail_changelist")).content.decode()
    assert "mine@example.org" in html and "theirs@example.org" not in html
    client.force_login(SuperuserFactory(username="root"))
    html = client.get(reverse("admin:hearings_outboundemail_changelist")).content.decode()
    assert "mine@example.org" in html and "theirs@example.org" in html


def test_clerk_edits_their_city_settings(clerk_client, clerk_city, other_city):
    EngagementSettingsFactory(city=other_city)
    response = clerk_client.post(
        reverse("admin:hearings_cityengagementsettings_add"),
        {
            "city": clerk_city.pk,
            "moderation_mode": "post",
            "resident_zip_codes": "60431",
            "comment_max_length": 1500,
            "comment_close_hours": 12,
            "public_record_disclaimer": "Public.",
            "record_includes_names": "on",
            "petition_default_days": 90,
            "petition_default_goal": 100,
        },
    )
    assert response.status_code == 302
    assert CityEngagementSettings.objects.get(city=clerk_city).moderation_mode == "post"
    listing = clerk_client.get(reverse("admin:hearings_cityengagementsettings_changelist"))
    assert "Berkeley" not in listing.content.decode()
