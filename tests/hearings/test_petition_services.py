"""Petition and signature services: the whole flow, duplicates, counts, milestones, limits,
permissions and the audit trail."""

import base64
import datetime as dt
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import AuditEvent
from core.services import ServiceError
from hearings.abuse import RateLimited
from hearings.models import Hearing, OutboundEmail
from hearings.outbox import email_bodies
from hearings.privacy import ip_hashes_purge
from hearings.tokens import TokenInvalid
from petitions import services as services
from petitions.models import Petition, Signature
from tests.factories import CityFactory, ClerkFactory, SuperuserFactory
from tests.hearings.petition_factories import OpenPetitionFactory, PetitionFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+?(/petitions/\S+/)")


def links(email: OutboundEmail) -> list[str]:
    """The petition links of an email as it is sent (the stored body holds placeholders)."""
    return LINK.findall(email_bodies(email)[0])


def token_in(email: OutboundEmail, kind: str) -> str:
    """The token of the ``kind`` link ("signatures/confirm", ...) in an email."""
    for path in links(email):
        match = re.search(rf"/petitions/{kind}/([^/]+)/$", path)
        if match:
            return match.group(1)
    raise AssertionError(f"no {kind} link in {links(email)!r}")


def last_email(to: str | None = None, key_prefix: str = "") -> OutboundEmail:
    emails = OutboundEmail.objects.filter(key__startswith=key_prefix)
    if to is not None:
        emails = emails.filter(to=to)
    return emails.latest("updated_at", "pk")


def sign(
    petition,
    email="ana@example.org",
    *,
    name="Ana Reyes",
    zip_code="60431",
    ip="1.2.3.4",
    show_name=False,
    comment="",
):
    return services.petition_sign(
        petition=petition,
        name=name,
        email=email,
        zip_code=zip_code,
        show_name=show_name,
        comment=comment,
        ip=ip,
    )


def sign_and_confirm(petition, email, **kwargs) -> Signature:
    signature = sign(petition, email, **kwargs)
    token = token_in(last_email(key_prefix=f"signature-{signature.pk}-"), "signatures/confirm")
    signature, changed = services.signature_confirm(token=token)
    assert changed
    return signature


def make_hearing(city, **kwargs) -> Hearing:
    starts = timezone.now() + dt.timedelta(days=10)
    defaults = {
        "title": "Council meeting",
        "slug": f"council-{Hearing.objects.count() + 1}",
        "starts_at": starts,
        "comment_opens_at": starts - dt.timedelta(days=7),
        "comment_closes_at": starts - dt.timedelta(hours=24),
    }
    return Hearing.objects.create(city=city, **{**defaults, **kwargs})


def confirmed_rows(petition) -> int:
    return Signature.objects.filter(petition=petition, status="confirmed").count()


def test_full_flow_start_confirm_review_sign_confirm_withdraw_close(clerk_city, clerk):
    petition = services.petition_start(
        city=clerk_city,
        title="End data sharing with out-of-state agencies",
        action="Stop sharing camera data outside Illinois.",
        background="Hundreds of agencies can search our cameras.",
        target_body="",
        creator_name="Ada Resident",
        creator_email="Ada@Example.org",
        ip="203.0.113.9",
    )
    assert petition.status == Petition.Status.UNCONFIRMED
    assert petition.slug == "end-data-sharing-with-out-of-state-agencies"
    assert petition.target_body == str(clerk_city.council_body)
    assert petition.creator_email_normalized == "ada@example.org"
    assert petition.ip_hash and "203.0.113.9" not in petition.ip_hash
    creator_email = last_email("Ada@Example.org")
    assert creator_email.key == f"petition-{petition.pk}-creator-confirm"

    petition, changed = services.petition_confirm_creator(token=token_in(creator_email, "confirm"))
    assert changed and petition.status == Petition.Status.PENDING
    assert services.petition_confirm_creator(token=token_in(creator_email, "confirm"))[1] is False

    before = timezone.now()
    petition = services.petition_review(petition=petition, actor=clerk, approve=True, goal=50)
    assert petition.status == Petition.Status.OPEN
    assert petition.signature_goal == 50
    # The default end date is the city's petition_default_days (90) after opening.
    assert dt.timedelta(days=90) <= petition.ends_at - before < dt.timedelta(days=90, minutes=1)
    published = last_email("Ada@Example.org", f"petition-{petition.pk}-published")
    assert petition.get_absolute_url() in published.body_text

    signature = sign(petition, "ben@example.org", name="Ben Ortiz", zip_code="60431-1234")
    assert signature.status == Signature.Status.UNCONFIRMED and signature.zip_code == "60431"
    petition.refresh_from_db()
    assert petition.signature_count == 0
    confirm_email = last_email("ben@example.org")
    signature, changed = services.signature_confirm(
        token=token_in(confirm_email, "signatures/confirm")
    )
    assert changed and signature.status == Signature.Status.CONFIRMED
    petition.refresh_from_db()
    assert petition.signature_count == 1 == confirmed_rows(petition)

    signature, changed = services.signature_withdraw(
        token=token_in(confirm_email, "signatures/withdraw")
    )
    assert changed and signature.status == Signature.Status.WITHDRAWN
    petition.refresh_from_db()
    assert petition.signature_count == 0 == confirmed_rows(petition)

    assert services.petitions_close_expired(now=petition.ends_at + dt.timedelta(seconds=1)) == 1
    petition.refresh_from_db()
    assert petition.status == Petition.Status.CLOSED and petition.closed_at
    assert services.petitions_close_expired(now=petition.ends_at + dt.timedelta(hours=1)) == 0
    with pytest.raises(ServiceError):
        sign(petition, "late@example.org")

    actions = list(
        AuditEvent.objects.filter(object_type="petitions.petition", object_id=str(petition.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["petition.start", "petition.confirm", "petition.approve", "petition.close"]
    assert AuditEvent.objects.filter(action="petition.approve", actor=clerk).exists()
    signature_actions = set(
        AuditEvent.objects.filter(object_type="petitions.signature").values_list(
            "action", flat=True
        )
    )
    assert signature_actions == {"signature.create", "signature.confirm", "signature.withdraw"}
    # The audit log clerks read never carries a signer's or creator's email.
    for event in AuditEvent.objects.all():
        assert "example.org" not in f"{event.object_repr} {event.changes}".lower()


def test_starting_the_same_petition_twice_resends_the_link_instead_of_a_second_row(clerk_city):
    kwargs = {
        "city": clerk_city,
        "title": "Remove the cameras on Canal Street",
        "action": "Remove them.",
        "background": "Because.",
        "target_body": "City Council",
        "creator_name": "Ada",
        "creator_email": "ada@example.org",
        "ip": "203.0.113.9",
    }
    first = services.petition_start(**kwargs)
    email = OutboundEmail.objects.get(key=f"petition-{first.pk}-creator-confirm")
    sent_once = email.updated_at
    second = services.petition_start(**{**kwargs, "title": "remove the cameras on canal street"})
    assert second.pk == first.pk
    assert Petition.objects.count() == 1
    email.refresh_from_db()
    assert email.updated_at > sent_once  # queued again


def test_only_a_clerk_of_the_city_reviews_and_rejection_needs_a_reason(clerk_city, clerk):
    petition = PetitionFactory(city=clerk_city)
    other_clerk = ClerkFactory(username="clerk-elsewhere", city=CityFactory(name="Elsewhere"))
    with pytest.raises(PermissionDenied):
        services.petition_review(petition=petition, actor=other_clerk, approve=True)
    with pytest.raises(PermissionDenied):
        services.petition_review(petition=petition, actor=None, approve=True)
    with pytest.raises(ServiceError):
        services.petition_review(petition=petition, actor=clerk, approve=False, reason="  ")
    petition = services.petition_review(
        petition=petition, actor=clerk, approve=False, reason="It names a private person."
    )
    assert petition.status == Petition.Status.REJECTED
    assert petition.reviewed_by == clerk
    rejected = OutboundEmail.objects.get(key=f"petition-{petition.pk}-rejected")
    assert "It names a private person." in rejected.body_text
    # Reviewed once: a second decision is refused.
    with pytest.raises(ServiceError):
        services.petition_review(petition=petition, actor=clerk, approve=True)
    # A superuser manages every city.
    other = PetitionFactory(city=CityFactory(name="Far Away"))
    assert services.petition_review(
        petition=other, actor=SuperuserFactory(username="root"), approve=True
    ).is_open


def test_review_takes_the_clerks_end_date_and_refuses_a_past_one(clerk_city, clerk):
    ends = timezone.now() + dt.timedelta(days=14)
    petition = services.petition_review(
        petition=PetitionFactory(city=clerk_city), actor=clerk, approve=True, ends_at=ends
    )
    assert petition.ends_at == ends
    with pytest.raises(ServiceError):
        services.petition_review(
            petition=PetitionFactory(city=clerk_city),
            actor=clerk,
            approve=True,
            ends_at=timezone.now() - dt.timedelta(days=1),
        )


def test_one_signature_per_normalized_email(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    first = sign(petition, "A.B+petitions@gmail.com", name="Ann Bee")
    again = sign(petition, "ab@googlemail.com", name="Ann B.", zip_code="60432")
    assert again.pk == first.pk
    assert Signature.objects.filter(petition=petition).count() == 1
    again.refresh_from_db()
    # The latest attempt's details stand; the link goes to the address typed last.
    assert (again.name, again.zip_code, again.email) == ("Ann B.", "60432", "ab@googlemail.com")
    confirm = OutboundEmail.objects.get(key=f"signature-{first.pk}-confirm")
    assert confirm.to == "ab@googlemail.com"
    # Dots matter outside Gmail: these are two people.
    sign(petition, "a.b@example.org")
    sign(petition, "ab@example.org")
    assert Signature.objects.filter(petition=petition).count() == 3


def test_a_confirmed_signer_signing_again_gets_a_reminder_and_is_counted_once(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    signature = sign_and_confirm(petition, "ana@example.org")
    again = sign(petition, "ANA@example.org", name="Someone Else")
    assert again.pk == signature.pk
    again.refresh_from_db()
    assert again.status == Signature.Status.CONFIRMED and again.name == "Ana Reyes"
    reminder = OutboundEmail.objects.get(key=f"signature-{signature.pk}-already")
    assert "/petitions/signatures/withdraw/" in reminder.body_text
    petition.refresh_from_db()
    assert petition.signature_count == 1


def test_confirming_is_idempotent_and_counts_once(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    signature = sign(petition, "ana@example.org")
    token = token_in(last_email("ana@example.org"), "signatures/confirm")
    assert services.signature_confirm(token=token)[1] is True
    assert services.signature_confirm(token=token)[1] is False
    petition.refresh_from_db()
    assert petition.signature_count == 1
    signature.refresh_from_db()
    assert signature.confirmed_at is not None


def test_links_are_bound_to_their_purpose(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    sign(petition, "ana@example.org")
    email = last_email("ana@example.org")
    withdraw = token_in(email, "signatures/withdraw")
    confirm = token_in(email, "signatures/confirm")
    with pytest.raises(TokenInvalid):
        services.signature_confirm(token=withdraw)
    with pytest.raises(TokenInvalid):
        services.signature_confirm(token=confirm[:-2] + "xx")
    with pytest.raises(TokenInvalid):
        services.petition_confirm_creator(token=confirm)


def test_a_withdrawn_signature_is_reactivated_on_the_same_row(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    signature = sign_and_confirm(petition, "ana@example.org", show_name=True, comment="Yes!")
    withdraw = token_in(last_email("ana@example.org"), "signatures/withdraw")
    signature, _ = services.signature_withdraw(token=withdraw)
    assert (signature.show_name, signature.public_comment) == (False, "")
    assert services.signature_withdraw(token=withdraw)[1] is False  # idempotent
    # The old confirm link does not bring a withdrawn signature back.
    old_confirm = token_in(last_email("ana@example.org"), "signatures/confirm")
    with pytest.raises(ServiceError):
        services.signature_confirm(token=old_confirm)

    again = sign_and_confirm(petition, "ana@example.org", name="Ana R.")
    assert again.pk == signature.pk
    assert Signature.objects.filter(petition=petition).count() == 1
    petition.refresh_from_db()
    assert petition.signature_count == 1 == confirmed_rows(petition)
    assert AuditEvent.objects.filter(action="signature.reactivate").count() == 1


def test_signature_count_equals_confirmed_rows_after_a_mix_of_actions(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city, signature_goal=1000)
    emails = [f"person{n}@example.org" for n in range(12)]
    for email in emails:
        sign_and_confirm(petition, email, ip=f"10.0.0.{len(email)}")
    for email in emails[:4]:
        services.signature_withdraw(token=token_in(last_email(email), "signatures/withdraw"))
    sign(petition, "unconfirmed@example.org")
    sign_and_confirm(petition, emails[0])  # signs again after withdrawing
    petition.refresh_from_db()
    assert petition.signature_count == 9 == confirmed_rows(petition)
    assert services.petition_count_recompute() == 0


def test_a_closed_petition_refuses_confirmations_and_withdrawals(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    confirmed = sign_and_confirm(petition, "early@example.org")
    sign(petition, "late@example.org")
    late_token = token_in(last_email("late@example.org"), "signatures/confirm")
    services.petitions_close_expired(now=petition.ends_at + dt.timedelta(minutes=1))
    with pytest.raises(ServiceError):
        services.signature_confirm(token=late_token)
    with pytest.raises(ServiceError):
        services.signature_withdraw(
            token=token_in(last_email("early@example.org"), "signatures/withdraw")
        )
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert Signature.objects.get(pk=confirmed.pk).status == Signature.Status.CONFIRMED


def test_milestones_are_emailed_once_each(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city, signature_goal=8)
    for n in range(8):
        sign_and_confirm(petition, f"s{n}@example.org", ip=f"10.1.0.{n}")
    petition.refresh_from_db()
    # 1/8 passes 10%; 2/8 = 25%; 4/8 = 50%; 6/8 = 75%; 8/8 = the goal.
    assert petition.milestones_sent == [10, 25, 50, 75, 100]
    keys = set(
        OutboundEmail.objects.filter(key__contains="-milestone-").values_list("key", flat=True)
    )
    assert keys == {f"petition-{petition.pk}-milestone-{p}" for p in (10, 25, 50, 75, 100)}
    goal = OutboundEmail.objects.get(key=f"petition-{petition.pk}-milestone-100")
    assert goal.to == petition.creator_email
    assert "reached its goal: 8 confirmed signatures of 8" in goal.body_text
    # Withdrawing and signing again crosses the goal a second time: no second email.
    services.signature_withdraw(token=token_in(last_email("s0@example.org"), "signatures/withdraw"))
    sign_and_confirm(petition, "s0@example.org")
    assert OutboundEmail.objects.filter(key__contains="-milestone-").count() == 5


def test_lowering_the_goal_sends_one_email_for_the_highest_milestone(clerk_city, clerk):
    petition = OpenPetitionFactory(city=clerk_city, signature_goal=100)
    for n in range(5):
        sign_and_confirm(petition, f"s{n}@example.org")
    services.petition_update(petition=petition, actor=clerk, goal=5)
    petition.refresh_from_db()
    assert petition.milestones_sent == [10, 25, 50, 75, 100]
    assert set(
        OutboundEmail.objects.filter(key__contains="-milestone-").values_list("key", flat=True)
    ) == {f"petition-{petition.pk}-milestone-100"}


def test_signing_is_rate_limited_per_email_and_per_ip(clerk_city, settings):
    settings.HEARINGS_RATE_LIMITS = {
        **settings.HEARINGS_RATE_LIMITS,
        "petition_sign_ip": (3, 3600),
        "petition_sign_email": (2, 3600),
    }
    petitions = [OpenPetitionFactory(city=clerk_city) for _ in range(3)]
    sign(petitions[0], "ana@example.org", ip="10.9.9.1")
    sign(petitions[1], "Ana@Example.org", ip="10.9.9.2")
    with pytest.raises(RateLimited) as caught:
        sign(petitions[2], "ANA@example.org", ip="10.9.9.3")
    assert caught.value.retry_after > 0
    sign(petitions[2], "bo@example.org", ip="10.9.9.9")
    sign(petitions[2], "cy@example.org", ip="10.9.9.9")
    sign(petitions[2], "di@example.org", ip="10.9.9.9")
    with pytest.raises(RateLimited):
        sign(petitions[2], "ed@example.org", ip="10.9.9.9")
    assert not Signature.objects.filter(email="ed@example.org").exists()


def test_starting_is_rate_limited_per_ip(clerk_city, settings):
    settings.HEARINGS_RATE_LIMITS = {**settings.HEARINGS_RATE_LIMITS, "petition_start_ip": (2, 60)}
    for n in range(2):
        services.petition_start(
            city=clerk_city,
            title=f"Petition number {n} here",
            action="a",
            background="b",
            target_body="",
            creator_name="C",
            creator_email=f"c{n}@example.org",
            ip="10.0.0.1",
        )
    with pytest.raises(RateLimited):
        services.petition_start(
            city=clerk_city,
            title="Petition number 3 here",
            action="a",
            background="b",
            target_body="",
            creator_name="C",
            creator_email="c3@example.org",
            ip="10.0.0.1",
        )


def test_a_bad_zip_code_is_refused(clerk_city):
    with pytest.raises(ServiceError):
        sign(OpenPetitionFactory(city=clerk_city), zip_code="6043")


def test_a_comment_is_kept_only_with_a_public_name(clerk_city):
    petition = OpenPetitionFactory(city=clerk_city)
    hidden = sign(petition, "a@example.org", show_name=False, comment="My neighbour at 12 Elm")
    shown = sign(petition, "b@example.org", show_name=True, comment="End it.")
    assert hidden.public_comment == ""
    assert shown.public_comment == "End it."


def test_deliver_and_respond(clerk_city, clerk):
    petition = OpenPetitionFactory(city=clerk_city)
    signers = [sign_and_confirm(petition, f"s{n}@example.org") for n in range(3)]
    sign(petition, "unconfirmed@example.org")
    with pytest.raises(ServiceError):
        services.petition_mark_delivered(
            petition=petition, hearing=make_hearing(CityFactory(name="Other")), actor=clerk
        )
    hearing = make_hearing(clerk_city, title="Council: ALPR contract")
    petition = services.petition_mark_delivered(petition=petition, hearing=hearing, actor=clerk)
    assert petition.status == Petition.Status.DELIVERED and petition.hearing == hearing
    assert petition.closed_at and petition.delivered_at
    assert (
        "Council: ALPR contract"
        in OutboundEmail.objects.get(key=f"petition-{petition.pk}-delivered-{hearing.pk}").body_text
    )

    with pytest.raises(ServiceError):
        services.petition_respond(petition=petition, response=" ", actor=clerk)
    petition = services.petition_respond(
        petition=petition, response="The council ended the agreement.", actor=clerk
    )
    assert petition.status == Petition.Status.RESPONDED and petition.responded_at
    # Eager Celery: the fan-out ran on commit of the test's transaction; call it as beat would.
    assert services.petition_response_notify(petition_id=petition.pk) == 4
    recipients = set(
        OutboundEmail.objects.filter(key__endswith="-response").values_list("to", flat=True)
    )
    assert recipients == {petition.creator_email, *(s.email for s in signers)}
    # A corrected response is published without a second round of emails.
    services.petition_respond(petition=petition, response="Corrected text.", actor=clerk)
    services.petition_response_notify(petition_id=petition.pk)
    assert OutboundEmail.objects.filter(key__endswith="-response").count() == 4


def test_clerk_of_another_city_cannot_deliver_respond_or_update(clerk_city, clerk):
    other = ClerkFactory(username="clerk-other", city=CityFactory(name="Other"))
    petition = OpenPetitionFactory(city=clerk_city)
    with pytest.raises(PermissionDenied):
        services.petition_respond(petition=petition, response="x", actor=other)
    with pytest.raises(PermissionDenied):
        services.petition_update(petition=petition, actor=other, goal=5)
    with pytest.raises(PermissionDenied):
        services.petition_mark_delivered(
            petition=petition, hearing=make_hearing(clerk_city), actor=other
        )


def test_moving_the_end_date_into_the_past_closes_the_petition(clerk_city, clerk):
    petition = OpenPetitionFactory(city=clerk_city)
    petition = services.petition_update(
        petition=petition, actor=clerk, ends_at=timezone.now() - dt.timedelta(minutes=5)
    )
    petition.refresh_from_db()
    assert petition.status == Petition.Status.CLOSED


def test_ip_hashes_of_petitions_and_signatures_are_purged(clerk_city, settings):
    petition = OpenPetitionFactory(city=clerk_city, ip_hash="p" * 64)
    signature = sign(petition, "ana@example.org")
    assert signature.ip_hash
    later = timezone.now() + dt.timedelta(days=settings.HEARINGS_IP_RETENTION_DAYS + 1)
    assert ip_hashes_purge(now=later) >= 2
    petition.refresh_from_db()
    signature.refresh_from_db()
    assert petition.ip_hash == "" and signature.ip_hash == ""


def test_emailed_links_do_not_carry_the_address(clerk_city):
    """Tokens are signed, not encrypted: what they carry ends up in server logs."""
    petition = OpenPetitionFactory(city=clerk_city)
    sign(petition, "private.person@example.org")
    email = last_email("private.person@example.org")
    for kind in ("signatures/confirm", "signatures/withdraw"):
        payload = token_in(email, kind).split(":")[0]
        raw = base64.urlsafe_b64decode(payload.lstrip(".") + "==")
        if payload.startswith("."):
            raw = zlib.decompress(raw)
        assert b"pk" in raw and b"private" not in raw and b"example.org" not in raw


def test_beat_closes_expired_petitions_through_the_task(clerk_city, settings):
    from petitions.tasks import petitions_close_expired
    from portal.celery import app

    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "petitions.tasks.petitions_close_expired" in beat
    assert "petitions.tasks.petitions_close_expired" in app.tasks
    expired = OpenPetitionFactory(city=clerk_city, ends_at=timezone.now() - dt.timedelta(hours=1))
    running = OpenPetitionFactory(city=clerk_city)
    assert petitions_close_expired.delay().get() == 1
    assert petitions_close_expired.delay().get() == 0
    expired.refresh_from_db()
    running.refresh_from_db()
    assert (expired.status, running.status) == ("closed", "open")
    closed_email = OutboundEmail.objects.get(key=f"petition-{expired.pk}-closed")
    assert "has closed with 0 confirmed signatures" in closed_email.body_text
