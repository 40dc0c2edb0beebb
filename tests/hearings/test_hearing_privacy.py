"""No commenter email, address or IP (nor its hash) reaches any public surface: pages, feed,
calendars, API (JSON, CSV, schema) or the public record export."""

import pytest
from django.urls import reverse

from hearings.abuse import ip_hash
from hearings.models import Comment
from tests.hearings.factories import AgendaItemFactory, CommentFactory, HearingFactory

pytestmark = pytest.mark.django_db

EMAIL = "secret.person+tag@example.org"
ADDRESS = "1234 Hidden Lane, Joliet IL 61987"
IP = "198.51.100.77"


@pytest.fixture
def hearing(clerk_city):
    hearing = HearingFactory(city=clerk_city, slug="privacy")
    item = AgendaItemFactory(hearing=hearing)
    for status in Comment.Status.values:
        CommentFactory(
            item=item,
            name=f"Person {status}",
            email=EMAIL.replace("secret", f"secret-{status}"),
            address_or_zip=ADDRESS,
            ip_hash=ip_hash(IP),
            status=status,
            rejection_reason="Off topic" if status == "rejected" else "",
        )
    return hearing


def public_urls(hearing) -> list[str]:
    args = [hearing.city.slug, hearing.slug]
    return [
        reverse("hearings:hearing-list"),
        reverse("hearings:city-hearings", args=args[:1]),
        reverse("hearings:city-ics", args=args[:1]),
        reverse("hearings:city-feed", args=args[:1]),
        hearing.get_absolute_url(),
        reverse("hearings:hearing-ics", args=args),
        reverse("hearings:hearing-record", args=args),
        reverse("hearings:hearing-record", args=args) + "?format=csv",
        reverse("hearings:comment-sent", args=args),
        hearing.city.get_absolute_url(),
        reverse("api:hearing-list"),
        reverse("api:hearing-list") + "?format=csv",
        reverse("api:agenda-item-list"),
        reverse("api:agenda-item-list") + "?format=csv",
        reverse("api:comment-list"),
        reverse("api:comment-list") + "?format=csv",
        reverse("api-schema"),
    ]


def test_no_private_value_on_any_public_surface(client, hearing):
    secrets = ["secret", "example.org", "Hidden Lane", IP, ip_hash(IP), "61987", "Off topic"]
    for url in public_urls(hearing):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        for secret in secrets:
            if url.startswith("/api/schema") and secret == "example.org":
                continue  # the schema's own examples may use example.org hosts
            assert secret not in text, (url, secret)
        for hidden in (
            "Person unconfirmed",
            "Person pending",
            "Person rejected",
            "Person withdrawn",
        ):
            assert hidden not in text, (url, hidden)


def test_published_comments_do_appear_where_they_should(client, hearing):
    for url in (hearing.get_absolute_url(), reverse("api:comment-list")):
        assert "Person published" in client.get(url).content.decode()


def test_the_api_comment_schema_has_no_private_fields(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    fields = set(schema["components"]["schemas"]["Comment"]["properties"])
    assert fields.isdisjoint(
        {"email", "email_normalized", "address_or_zip", "ip_hash", "rejection_reason", "status"}
    )
    assert {"name", "resident", "position", "text", "wants_to_speak"} <= fields


def test_unpublished_comments_are_not_reachable_by_id(client, hearing):
    for comment in Comment.objects.exclude(status="published"):
        assert client.get(reverse("api:comment-detail", args=[comment.pk])).status_code == 404
