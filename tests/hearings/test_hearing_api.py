"""The public API for hearings, agenda items and published comments: content, filters, CSV."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from hearings.models import AgendaItem, Comment, Hearing
from tests.factories import AgencyFactory, CameraFactory
from tests.hearings.factories import (
    AgendaItemFactory,
    CommentFactory,
    HearingFactory,
    PastHearingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(clerk_city, other_city):
    upcoming = HearingFactory(city=clerk_city, title="Renewal", slug="renewal")
    past = PastHearingFactory(city=clerk_city, title="Removal", slug="removal")
    berkeley = HearingFactory(
        city=other_city, title="Berkeley review", body_kind=Hearing.Body.PRIVACY_COMMISSION
    )
    agency = AgencyFactory(name="Kestrel County IL SO", slug="kestrel-county-il-so")
    camera = CameraFactory(city=clerk_city)
    item = AgendaItemFactory(hearing=upcoming, position=1, title="Renew the agreement")
    item.agencies.add(agency)
    item.cameras.add(camera)
    removal = AgendaItemFactory(
        hearing=past, position=1, title="Remove cameras", outcome=AgendaItem.Outcome.CAMERAS_REMOVED
    )
    CommentFactory(item=item, name="Ana", position="support")
    CommentFactory(item=item, name="Ben", position="oppose", is_resident=False)
    CommentFactory(item=removal, name="Cy", position="oppose", wants_to_speak=True)
    CommentFactory(item=item, name="Dee", position="oppose", status=Comment.Status.PENDING)
    return {
        "upcoming": upcoming,
        "past": past,
        "berkeley": berkeley,
        "item": item,
        "camera": camera,
    }


def results(client, name, **params):
    response = client.get(reverse(f"api:{name}-list"), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_hearings_list_with_counts_and_filters(client, data):
    rows = {r["title"]: r for r in results(client, "hearing")}
    renewal = rows["Renewal"]
    assert renewal["city"] == "joliet-il" and renewal["timezone"] == "America/Chicago"
    assert renewal["comments_open"] is True
    assert (renewal["item_count"], renewal["comment_count"]) == (1, 2)
    assert renewal["page_url"].endswith("/hearings/joliet-il/renewal/")
    assert [r["title"] for r in results(client, "hearing", city="berkeley-ca")] == [
        "Berkeley review"
    ]
    assert [r["title"] for r in results(client, "hearing", status="held")] == ["Removal"]
    assert {r["title"] for r in results(client, "hearing", comments_open="true")} == {
        "Renewal",
        "Berkeley review",
    }
    today = timezone.now().date()
    after = results(client, "hearing", starts_after=str(today), city="joliet-il")
    assert [r["title"] for r in after] == ["Renewal"]
    before = results(client, "hearing", starts_before=str(today - dt.timedelta(days=1)))
    assert [r["title"] for r in before] == ["Removal"]
    kinds = results(client, "hearing", body_kind="privacy_commission")
    assert [r["title"] for r in kinds] == ["Berkeley review"]


def test_agenda_items_with_tally_and_links(client, data):
    rows = {r["title"]: r for r in results(client, "agenda-item")}
    item = rows["Renew the agreement"]
    assert (item["support_count"], item["oppose_count"], item["neutral_count"]) == (1, 1, 0)
    assert item["agencies"] == ["kestrel-county-il-so"]
    assert item["cameras"] == [data["camera"].pk]
    assert rows["Remove cameras"]["outcome"] == "cameras_removed"
    filtered = results(client, "agenda-item", agency="kestrel-county-il-so")
    assert [r["title"] for r in filtered] == ["Renew the agreement"]
    assert [r["title"] for r in results(client, "agenda-item", outcome="cameras_removed")] == [
        "Remove cameras"
    ]


def test_comments_are_published_only_and_filterable(client, data):
    names = sorted(r["name"] for r in results(client, "comment"))
    assert names == ["Ana", "Ben", "Cy"]
    assert [r["name"] for r in results(client, "comment", position="support")] == ["Ana"]
    assert [r["name"] for r in results(client, "comment", resident="false")] == ["Ben"]
    assert [r["name"] for r in results(client, "comment", hearing=data["past"].pk)] == ["Cy"]
    assert sorted(r["name"] for r in results(client, "comment", item=data["item"].pk)) == [
        "Ana",
        "Ben",
    ]
    row = results(client, "comment", position="support")[0]
    assert row["page_url"].endswith(f"/hearings/joliet-il/renewal/#comment-{row['id']}")


def test_comments_csv_neutralizes_formulas(client, data):
    CommentFactory(item=data["item"], name='=HYPERLINK("http://x")', text="+1 agree @all")
    response = client.get(reverse("api:comment-list"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    injected = next(r for r in rows if "HYPERLINK" in r["name"])
    assert injected["name"].startswith("'=") and injected["text"].startswith("'+")
