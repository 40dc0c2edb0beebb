"""Public petition pages: lists, start, detail with the sign form, emailed links, the public
CSV, the city section and what never appears on them."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from hearings.models import OutboundEmail
from petitions.models import Petition, Signature
from tests.factories import CityFactory
from tests.hearings.petition_factories import (
    OpenPetitionFactory,
    PetitionFactory,
    SignatureFactory,
)
from tests.hearings.test_petition_services import sign_and_confirm, token_in
from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def sign_data(**overrides) -> dict:
    return {
        "name": "Ana Reyes",
        "email": "ana@example.org",
        "zip_code": "60431",
        "show_name": "on",
        "comment": "Keep our data in Illinois.",
        "website": "",
        **overrides,
    }


@pytest.fixture
def petition(clerk_city):
    return OpenPetitionFactory(
        city=clerk_city, title="End sharing with out-of-state agencies", signature_goal=200
    )


def test_list_shows_published_petitions_open_first(client, clerk_city):
    now = timezone.now()
    closed = OpenPetitionFactory(
        city=clerk_city,
        title="An older closed petition",
        status=Petition.Status.CLOSED,
        closed_at=now - dt.timedelta(days=3),
    )
    open_one = OpenPetitionFactory(city=clerk_city, title="An open petition to sign")
    PetitionFactory(city=clerk_city, title="A petition pending review")
    PetitionFactory(city=clerk_city, title="A rejected petition", status="rejected")
    response = client.get(reverse("petitions:petition-list"))
    text = text_of(response)
    assert text.index(open_one.title) < text.index(closed.title)
    # Among open petitions, the one ending soonest comes first.
    sooner = OpenPetitionFactory(
        city=clerk_city, title="An open petition ending soon", ends_at=now + dt.timedelta(days=2)
    )
    open_one.ends_at = now + dt.timedelta(days=20)
    open_one.save(update_fields=["ends_at"])
    text = text_of(client.get(reverse("petitions:petition-list")))
    assert text.index(sooner.title) < text.index(open_one.title) < text.index(closed.title)
    assert "pending review" not in text and "rejected petition" not in text
    city_page = client.get(reverse("petitions:city-petitions", args=[clerk_city.slug]))
    assert open_one.title in text_of(city_page)
    elsewhere = CityFactory(name="Elsewhere")
    assert open_one.title not in text_of(
        client.get(reverse("petitions:city-petitions", args=[elsewhere.slug]))
    )


def test_detail_shows_the_count_progress_zip_table_and_public_names_only(client, petition):
    shown = sign_and_confirm(
        petition, "shown@example.org", name="Shown Signer", show_name=True, comment="Yes, end it."
    )
    sign_and_confirm(petition, "hidden@example.org", name="Hidden Signer", zip_code="60432")
    SignatureFactory(petition=petition, name="Unconfirmed Person", show_name=True)
    response = client.get(petition.get_absolute_url())
    html = response.content.decode()
    text = text_of(response)
    assert '<progress max="200" value="2"' in html
    assert "2 signatures of a goal of 200" in text
    assert "1% of the goal" in text
    assert "Shown Signer" in text and "Yes, end it." in text
    assert "Hidden Signer" not in text and "Unconfirmed Person" not in text
    assert re.search(r"60431 1 50.0%", text) and re.search(r"60432 1 50.0%", text)
    assert shown.email not in html and "hidden@example.org" not in html
    assert 'name="email"' in html and 'name="website"' in html  # the form and its honeypot


def test_unpublished_petitions_have_no_page(client, clerk_city):
    for status in ("unconfirmed", "pending", "rejected"):
        petition = PetitionFactory(city=clerk_city, status=status)
        assert client.get(petition.get_absolute_url()).status_code == 404


def test_signing_then_following_the_emailed_link_counts_the_signature(client, petition):
    response = client.post(petition.get_absolute_url(), sign_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:petition-signed", args=[petition.slug])
    assert "Check your email" in text_of(client.get(response["Location"]))
    signature = Signature.objects.get(petition=petition)
    assert signature.status == "unconfirmed" and signature.ip_hash
    email = OutboundEmail.objects.get(key=f"signature-{signature.pk}-confirm")
    assert email.to == "ana@example.org"
    confirm_path = reverse(
        "petitions:signature-confirm", args=[token_in(email, "signatures/confirm")]
    )
    # What clerks can read in the outbox holds a placeholder, never the signed token.
    assert "/petitions/signatures/confirm/hidden-link-" in email.body_text
    assert confirm_path not in email.body_text

    # Opening the link names the signature, masked, and asks; a mail scanner's GET counts nothing.
    asked = client.get(confirm_path)
    asked_text = text_of(asked)
    assert asked.status_code == 200
    assert petition.title in asked_text and "Ana R." in asked_text and "604••" in asked_text
    assert "Reyes" not in asked_text and "60431" not in asked_text
    assert "ana@example.org" not in asked.content.decode()
    assert 'name="csrfmiddlewaretoken"' in asked.content.decode()
    assert "Confirm my signature" in asked_text
    signature.refresh_from_db()
    assert signature.status == "unconfirmed"

    page = client.post(confirm_path)
    assert "Thank you: your signature counts" in text_of(page)
    assert "1 signature of a goal of 200" in text_of(page)
    again = text_of(client.get(confirm_path))
    assert "already confirmed" in again and "Confirm my signature" not in again
    assert "already confirmed" in text_of(client.post(confirm_path))
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert "Ana Reyes" in text_of(client.get(petition.get_absolute_url()))


def test_withdraw_link_asks_first_and_withdraws_on_post(client, petition):
    sign_and_confirm(petition, "ana@example.org", show_name=True)
    email = OutboundEmail.objects.filter(to="ana@example.org").latest("pk")
    url = reverse("petitions:signature-withdraw", args=[token_in(email, "signatures/withdraw")])
    asked = client.get(url)
    assert "Withdraw your signature?" in text_of(asked)
    assert petition.title in text_of(asked) and "Ana R." in text_of(asked)
    petition.refresh_from_db()
    assert petition.signature_count == 1  # a GET (a mail scanner) changes nothing
    done = client.post(url)
    assert "Your signature is withdrawn" in text_of(done)
    petition.refresh_from_db()
    assert petition.signature_count == 0


def test_a_bad_link_explains_itself(client):
    response = client.get(reverse("petitions:signature-confirm", args=["not-a-token"]))
    assert response.status_code == 400
    assert "This link is not valid or has expired" in text_of(response)


def test_invalid_sign_form_shows_errors(client, petition):
    response = client.post(petition.get_absolute_url(), sign_data(zip_code="6043", email="nope"))
    assert response.status_code == 400
    text = text_of(response)
    assert "Enter a five-digit ZIP code" in text and "Enter a valid email address" in text
    assert not Signature.objects.exists()


def test_honeypot_answers_like_success_and_saves_nothing(client, petition):
    response = client.post(petition.get_absolute_url(), sign_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:petition-signed", args=[petition.slug])
    assert not Signature.objects.exists() and not OutboundEmail.objects.exists()


def test_rate_limited_signing_answers_429_with_a_friendly_message(client, petition, settings):
    settings.HEARINGS_RATE_LIMITS = {**settings.HEARINGS_RATE_LIMITS, "petition_sign_ip": (2, 600)}
    for n in range(2):
        assert (
            client.post(
                petition.get_absolute_url(), sign_data(email=f"p{n}@example.org")
            ).status_code
            == 302
        )
    response = client.post(petition.get_absolute_url(), sign_data(email="p3@example.org"))
    assert response.status_code == 429
    assert re.search(r"Too many attempts .* Please wait \d+ minutes", text_of(response))
    assert Signature.objects.count() == 2


def test_a_closed_petition_shows_no_form_and_refuses_signatures(client, petition):
    petition.status = Petition.Status.CLOSED
    petition.closed_at = timezone.now()
    petition.save()
    page = client.get(petition.get_absolute_url())
    assert "Signing has closed" in text_of(page) and 'name="email"' not in page.content.decode()
    response = client.post(petition.get_absolute_url(), sign_data())
    assert response.status_code == 409
    assert "not open for signatures" in text_of(response)


def test_start_a_petition_then_confirm_it_into_the_review_queue(client, clerk_city):
    form = client.get(reverse("petitions:petition-start") + f"?city={clerk_city.slug}")
    assert f'<option value="{clerk_city.pk}" selected>' in form.content.decode()
    response = client.post(
        reverse("petitions:petition-start"),
        {
            "city": clerk_city.pk,
            "title": "Publish every camera search audit",
            "action": "Publish the audits monthly.",
            "background": "Residents should see why cameras are searched.",
            "target_body": "",
            "creator_name": "Ada Resident",
            "creator_email": "ada@example.org",
            "website": "",
        },
    )
    assert response.status_code == 302
    started = text_of(client.get(response["Location"]))
    assert "Pending review" in started
    petition = Petition.objects.get()
    assert petition.status == Petition.Status.UNCONFIRMED
    email = OutboundEmail.objects.get(key=f"petition-{petition.pk}-creator-confirm")
    confirm_path = reverse("petitions:petition-confirm", args=[token_in(email, "confirm")])
    asked = text_of(client.get(confirm_path))
    assert "Publish every camera search audit" in asked and "Confirm my petition" in asked
    assert Petition.objects.get().status == Petition.Status.UNCONFIRMED
    confirmed = client.post(confirm_path)
    assert "waiting for the review" in text_of(confirmed)
    petition.refresh_from_db()
    assert petition.status == Petition.Status.PENDING
    # Still not public until a clerk approves it.
    assert client.get(petition.get_absolute_url()).status_code == 404


def test_public_zip_csv_has_counts_only_and_is_formula_safe(client, petition):
    sign_and_confirm(petition, "a@example.org", name='=HYPERLINK("http://x")', zip_code="60431")
    sign_and_confirm(petition, "b@example.org", zip_code="60431")
    sign_and_confirm(petition, "c@example.org", zip_code="60435")
    response = client.get(reverse("petitions:petition-zip-csv", args=[petition.slug]))
    rows = csv_rows(response)
    assert rows == [
        {"zip_code": "60431", "signatures": "2"},
        {"zip_code": "60435", "signatures": "1"},
    ]
    body = response.getvalue().decode()
    assert "@example.org" not in body and "HYPERLINK" not in body


def test_city_page_shows_its_open_petitions(client, clerk_city, petition):
    PetitionFactory(city=clerk_city, title="Pending review, not shown")
    response = client.get(clerk_city.get_absolute_url())
    text = text_of(response)
    assert petition.title in text
    assert "Pending review, not shown" not in text
    assert reverse("petitions:petition-start") + f"?city={clerk_city.slug}" in (
        response.content.decode()
    )


def test_no_private_data_on_any_public_page(client, petition):
    sign_and_confirm(petition, "secret.signer@example.org", show_name=True, comment="hi")
    petition.creator_email = "secret.creator@example.org"
    petition.ip_hash = "f" * 64
    petition.save()
    signature = Signature.objects.get()
    pages = [
        reverse("petitions:petition-list"),
        reverse("petitions:city-petitions", args=[petition.city.slug]),
        petition.get_absolute_url(),
        reverse("petitions:petition-zip-csv", args=[petition.slug]),
        petition.city.get_absolute_url(),
        reverse("api:petition-list"),
        reverse("api:petition-list") + "?format=csv",
        reverse("api:petition-detail", args=[petition.slug]),
        reverse("api:petition-detail", args=[petition.slug]) + "?format=csv",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = body.decode()
        for secret in (
            "secret.signer",
            "secret.creator",
            "@example.org",
            signature.ip_hash,
            petition.ip_hash,
            "127.0.0.1",
        ):
            assert secret not in body, (url, secret)


def test_the_end_time_is_the_citys_time_with_its_zone(client, clerk_city):
    City = type(clerk_city)
    City.objects.filter(pk=clerk_city.pk).update(timezone="America/Los_Angeles")
    clerk_city.refresh_from_db()
    ends = dt.datetime(2027, 1, 15, 23, 0, tzinfo=dt.UTC)  # 3 p.m. in Los Angeles (PST)
    petition = OpenPetitionFactory(city=clerk_city, ends_at=ends)
    text = text_of(client.get(petition.get_absolute_url()))
    assert "Open for signatures until Jan. 15, 2027, 3 p.m. PST." in text
    assert "(3 p.m.)" not in text
