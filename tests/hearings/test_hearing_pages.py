"""Public hearing pages: lists, detail with tally and comment form, the comment flow through the
pages (honeypot, errors, rate limit), confirm/withdraw pages, calendars, the feed and the city
section."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hearings.ical import calendar_build
from hearings.models import AgendaItem, Comment, Hearing
from tests.factories import AgencyFactory, CameraFactory
from tests.hearings.factories import (
    AgendaDocumentFactory,
    AgendaItemFactory,
    CommentFactory,
    EngagementSettingsFactory,
    HearingFactory,
    PastHearingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hearing(clerk_city):
    clerk_city.timezone = "America/Chicago"
    clerk_city.save()
    EngagementSettingsFactory(city=clerk_city)
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
    return HearingFactory(
        city=clerk_city, title="Renewal of the sharing agreement", slug="renewal", starts_at=starts
    )


@pytest.fixture
def item(hearing):
    return AgendaItemFactory(hearing=hearing, position=1, title="Renew with the county")


def form_data(item, **overrides):
    prefix = f"item-{item.pk}"
    data = {
        "item": str(item.pk),
        f"{prefix}-name": "Maria Lopez",
        f"{prefix}-email": "maria@example.org",
        f"{prefix}-address": "60431",
        f"{prefix}-position": "oppose",
        f"{prefix}-text": "Please add a ban on immigration searches.",
        f"{prefix}-consent": "on",
    }
    data.update({f"{prefix}-{k}" if k != "item" else k: v for k, v in overrides.items()})
    return data


def test_detail_shows_agenda_documents_links_tally_and_published_comments_only(
    client, hearing, item
):
    agency = AgencyFactory(name="Kestrel County IL SO")
    camera = CameraFactory(city=hearing.city, address="Bur Oak Ave & Quarry Rd")
    item.agencies.add(agency)
    item.cameras.add(camera)
    AgendaDocumentFactory(item=item, title="Draft agreement")
    CommentFactory(item=item, name="Ana Published", position="support", wants_to_speak=True)
    CommentFactory(item=item, name="Ben Published", position="oppose", is_resident=False)
    CommentFactory(item=item, name="Cy Oppose", position="oppose")
    CommentFactory(item=item, name="Dee Pending", status=Comment.Status.PENDING)
    CommentFactory(
        item=item, name="Eve Rejected", status=Comment.Status.REJECTED, rejection_reason="Spam"
    )
    CommentFactory(item=item, name="Fay Unconfirmed", status=Comment.Status.UNCONFIRMED)

    response = client.get(hearing.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Renew with the county" in html and "Draft agreement" in html
    assert agency.get_absolute_url() in html and camera.get_absolute_url() in html
    for name in ("Ana Published", "Ben Published", "Cy Oppose"):
        assert name in html
    for name in ("Dee Pending", "Eve Rejected", "Fay Unconfirmed", "Spam"):
        assert name not in html
    assert "resident of Joliet" in html and "non-resident" in html and "wants to speak" in html
    tally = re.search(r'<table class="table-compact tally".*?</table>', html, re.S).group(0)
    counts = re.findall(r'<td class="num">(\d+)</td>', tally)
    assert counts == ["1", "2", "0"]
    assert "67%" in tally
    # The close time is shown in the city's time zone.
    closes = timezone.localtime(hearing.comment_closes_at, hearing.tz)
    assert f"Public comment is open until {closes:%b}. {closes.day}, {closes.year}" in html
    assert ("CST" in html) or ("CDT" in html)


def test_an_agenda_item_links_its_agencies_sharing_and_searches(client, hearing, item):
    from searches.models import SearchDay

    audited = AgencyFactory(name="Kestrel County IL SO")
    unaudited = AgencyFactory(name="Quarry Hills IL PD")
    SearchDay.objects.create(source_agency=audited, day=dt.date(2026, 3, 2), searches=40)
    item.agencies.add(audited, unaudited)

    html = client.get(hearing.get_absolute_url()).content.decode()
    agencies = html.split('class="plain agenda-agencies"')[1].split("</ul>")[0]
    for agency in (audited, unaudited):
        assert f'href="{agency.get_absolute_url()}#sharing-out"' in agencies
    # Only an audited agency's page has the section on the searches of its cameras.
    assert f'href="{audited.get_absolute_url()}#searches-agency"' in agencies
    assert f'href="{unaudited.get_absolute_url()}#searches-agency"' not in agencies
    assert "no search audit yet" in agencies
    # The anchors are the agency page's own sections.
    page = client.get(audited.get_absolute_url()).content.decode()
    assert 'id="sharing-out"' in page and 'id="searches-agency"' in page


def test_the_call_to_comment_comes_before_the_agenda(client, hearing, item):
    second = AgendaItemFactory(hearing=hearing, position=2, title="Annual camera report")
    html = client.get(hearing.get_absolute_url()).content.decode()
    call = html.index('class="comment-call"')
    assert call < html.index('id="agenda-heading"')
    calls = html[call : html.index("</div>", call)]
    for agenda_item in (item, second):
        assert f'href="#comment-form-{agenda_item.pk}"' in calls
        assert f'id="comment-form-{agenda_item.pk}"' in html
    # The forms are open on the page, not folded away.
    assert "<details" not in html and html.count('class="comment-form"') == 2


@pytest.mark.parametrize(
    ("opens", "closes", "status", "message"),
    [
        (dt.timedelta(days=2), dt.timedelta(days=3), "scheduled", "Public comment opens"),
        (dt.timedelta(days=-5), dt.timedelta(days=-1), "scheduled", "Public comment closed"),
        (dt.timedelta(days=-5), dt.timedelta(days=3), "cancelled", "This hearing was cancelled"),
    ],
)
def test_no_form_outside_the_window(client, hearing, item, opens, closes, status, message):
    now = timezone.now()
    Hearing.objects.filter(pk=hearing.pk).update(
        comment_opens_at=now + opens, comment_closes_at=now + closes, status=status
    )
    html = client.get(hearing.get_absolute_url()).content.decode()
    assert message in html
    assert 'class="comment-form"' not in html
    response = client.post(hearing.get_absolute_url(), form_data(item))
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comment_through_the_pages_confirm_and_withdraw(
    client, hearing, item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            hearing.get_absolute_url(), form_data(item), REMOTE_ADDR="192.0.2.44"
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("hearings:comment-sent", args=["joliet-il", "renewal"])
    assert "Check your email" in client.get(response["Location"]).content.decode()
    comment = Comment.objects.get()
    assert comment.status == "unconfirmed" and comment.is_resident
    body = mail.outbox[0].body
    confirm_path = re.search(r"https?://[^/\s]+(/hearings/comments/confirm/\S+/)", body).group(1)
    withdraw_path = re.search(r"https?://[^/\s]+(/hearings/comments/withdraw/\S+/)", body).group(1)

    # Opening the link only shows a button; mail scanners that prefetch links confirm nothing.
    page = client.get(confirm_path)
    html = page.content.decode()
    assert "Confirm my comment" in html and 'name="csrfmiddlewaretoken"' in html
    # The page says which comment the link confirms, with what will be published only.
    linked = html.split('class="facts facts-stacked linked-record"')[1].split("</dl>")[0]
    assert hearing.title in linked and item.title in linked
    assert "Maria Lopez" in linked and "Oppose" in linked
    assert "Please add a ban on immigration searches." in linked
    assert "maria@example.org" not in html and "60431" not in html
    assert Comment.objects.get().status == "unconfirmed"
    done = client.post(confirm_path).content.decode()
    assert "your comment is confirmed" in done
    assert Comment.objects.get().status == "pending"
    # Opened again, the link says it was done and offers no button.
    again = client.get(confirm_path).content.decode()
    assert "already confirmed" in again and "Confirm my comment" not in again

    assert "Withdraw my comment" in client.get(withdraw_path).content.decode()
    assert "Your comment is withdrawn" in client.post(withdraw_path).content.decode()
    assert Comment.objects.get().status == "withdrawn"


def test_bad_links_say_so(client):
    response = client.post(reverse("hearings:comment-confirm", args=["not-a-token"]))
    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()


def test_form_errors_are_shown_next_to_the_item(client, hearing, item):
    other = AgendaItemFactory(hearing=hearing, position=2)
    data = form_data(item, email="nope", text="", consent="")
    del data[f"item-{item.pk}-consent"]
    response = client.post(hearing.get_absolute_url(), data)
    html = response.content.decode()
    assert response.status_code == 400
    # Every item's form is on the page, open; the errors sit in the posted item's form only.
    posted = html.split(f'id="comment-form-{item.pk}"')[1].split("</form>")[0]
    untouched = html.split(f'id="comment-form-{other.pk}"')[1].split("</form>")[0]
    assert "Enter a valid email address." in posted
    assert "Comments can only be received for the public record." in posted
    assert 'role="alert"' in posted and 'role="alert"' not in untouched
    assert "<details" not in html
    assert not Comment.objects.exists()


def test_honeypot_answers_like_success_and_keeps_nothing(
    client, hearing, item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(hearing.get_absolute_url(), form_data(item, website="http://spam"))
    assert response.status_code == 302
    assert not Comment.objects.exists() and not mail.outbox


def test_rate_limit_is_a_friendly_429(client, hearing, item, settings):
    settings.HEARINGS_RATE_LIMITS = {**settings.HEARINGS_RATE_LIMITS, "comment_ip": (1, 3600)}
    assert client.post(hearing.get_absolute_url(), form_data(item)).status_code == 302
    response = client.post(hearing.get_absolute_url(), form_data(item, email="someone@example.org"))
    assert response.status_code == 429
    assert "Too many comments from here" in response.content.decode()


def test_lists_upcoming_and_past_across_the_site_and_per_city(client, hearing, other_city):
    past = PastHearingFactory(city=hearing.city, title="Camera removal vote")
    elsewhere = HearingFactory(city=other_city, title="Berkeley privacy commission")
    html = client.get(reverse("hearings:hearing-list")).content.decode()
    upcoming_part, past_part = html.split('id="past-heading"')
    assert hearing.title in upcoming_part and elsewhere.title in upcoming_part
    assert past.title in past_part
    city_html = client.get(reverse("hearings:city-hearings", args=["joliet-il"])).content.decode()
    assert hearing.title in city_html and elsewhere.title not in city_html
    assert reverse("hearings:city-ics", args=["joliet-il"]) in city_html
    assert client.get(reverse("hearings:city-hearings", args=["nowhere"])).status_code == 404


def test_city_page_section_shows_open_comment_windows(client, hearing):
    html = client.get(hearing.city.get_absolute_url()).content.decode()
    section = html.split('id="hearings"')[1].split("</section>")[0]
    assert hearing.title in section and "public comment is open until" in section


def test_ical_per_hearing_follows_rfc_5545(client, hearing, item):
    Hearing.objects.filter(pk=hearing.pk).update(
        title="Renewal; sharing, with a very long title " + "é" * 60,
        location="City Hall, Room 2",
    )
    response = client.get(reverse("hearings:hearing-ics", args=["joliet-il", "renewal"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75  # octets, RFC 5545 3.1
        line.decode("utf-8")  # folding never splits a character
    unfolded = body.decode().replace("\r\n ", "")
    assert "SUMMARY:Renewal\\; sharing\\, with a very long title " in unfolded
    assert "LOCATION:City Hall\\, Room 2" in unfolded
    start = hearing.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in unfolded
    assert f"UID:hearing-{hearing.pk}@" in unfolded and "DTSTAMP:" in unfolded
    assert "1. Renew with the county" in unfolded.replace("\\n", "\n")


def test_ical_escapes_text_and_folds_by_octets():
    body = calendar_build([], name="a\\b;c,d\ne C:\\New " + "€" * 40)
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    # A typed backslash-N stays a backslash and an N, not a line break.
    assert "X-WR-CALNAME:a\\\\b\\;c\\,d\\ne C:\\\\New " + "€" * 40 + "\r\n" in unfolded


def test_city_calendar_and_atom_feed(client, hearing, other_city):
    PastHearingFactory(city=hearing.city, title="Earlier vote")
    HearingFactory(city=other_city, title="Elsewhere")
    ics = client.get(reverse("hearings:city-ics", args=["joliet-il"])).content.decode()
    assert ics.count("BEGIN:VEVENT") == 2 and "Elsewhere" not in ics
    feed = client.get(reverse("hearings:city-feed", args=["joliet-il"]))
    assert feed["Content-Type"].startswith("application/atom+xml")
    xml = feed.content.decode()
    assert xml.count("<entry>") == 2 and "Renewal of the sharing agreement" in xml
    assert "Elsewhere" not in xml


def test_outcomes_show_on_past_hearings(client, clerk_city):
    past = PastHearingFactory(city=clerk_city, minutes_url="https://example.org/minutes.pdf")
    AgendaItemFactory(
        hearing=past,
        outcome=AgendaItem.Outcome.CAMERAS_REMOVED,
        outcome_note="Passed 5 to 4.",
    )
    html = client.get(past.get_absolute_url()).content.decode()
    assert "Outcome: Cameras removed" in html and "Passed 5 to 4." in html
    assert "https://example.org/minutes.pdf" in html
    assert "Public comment closed" in html


def test_detail_page_costs_the_same_few_queries_however_big(
    client, hearing, django_assert_max_num_queries
):
    for position in range(1, 6):
        entry = AgendaItemFactory(hearing=hearing, position=position)
        entry.agencies.add(AgencyFactory())
        entry.cameras.add(CameraFactory(city=hearing.city))
        AgendaDocumentFactory(item=entry)
        CommentFactory.create_batch(8, item=entry)
    with django_assert_max_num_queries(12):
        response = client.get(hearing.get_absolute_url())
    assert response.content.decode().count('class="comment"') == 40
