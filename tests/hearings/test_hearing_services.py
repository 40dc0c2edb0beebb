"""The comment flow through the services: submit, confirm, withdraw, moderate, and the rules
around them (window, duplicates, rate limits, holds, permissions, audit, emails)."""

import datetime as dt
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEvent
from core.services import ServiceError
from hearings import outbox
from hearings.abuse import RateLimited
from hearings.models import CityEngagementSettings, Comment, Hearing, OutboundEmail
from hearings.privacy import ip_hashes_purge
from hearings.services.comments import (
    CommentError,
    CommentWindowClosed,
    comment_confirm,
    comment_moderate,
    comment_moderate_bulk,
    comment_submit,
    comment_withdraw,
)
from hearings.services.hearings import agenda_item_add, hearing_create, hearing_update
from hearings.tokens import TokenInvalid
from portal.moderation import moderation_digest_send
from tests.factories import ClerkFactory
from tests.hearings.factories import (
    AgendaItemFactory,
    CommentFactory,
    EngagementSettingsFactory,
    HearingFactory,
)

pytestmark = pytest.mark.django_db

CONFIRM_RE = re.compile(r"https?://\S+/hearings/comments/confirm/(\S+)/")
WITHDRAW_RE = re.compile(r"https?://\S+/hearings/comments/withdraw/(\S+)/")


@pytest.fixture
def item(clerk_city):
    EngagementSettingsFactory(city=clerk_city)
    return AgendaItemFactory(hearing=HearingFactory(city=clerk_city), title="Renew the contract")


def submit(item, **overrides):
    values = {
        "item": item,
        "name": "Maria Lopez",
        "email": "maria.lopez@example.org",
        "address": "60431",
        "position": "oppose",
        "text": "The cameras share our data with hundreds of agencies.",
        "wants_to_speak": True,
        "consent": True,
        "ip": "203.0.113.9",
    }
    values.update(overrides)
    return comment_submit(**values)


def link(message, pattern=CONFIRM_RE) -> str:
    found = pattern.search(message.body)
    assert found, message.body
    return found.group(1)


def test_submit_then_confirm_leaves_the_comment_for_the_clerk(
    item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(item)

    assert comment.status == Comment.Status.UNCONFIRMED
    assert comment.is_resident is True
    assert comment.ip_hash and "203.0.113.9" not in comment.ip_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria.lopez@example.org"]
    assert "Renew the contract" in message.body
    OutboundEmail.objects.get(key=f"comment:{comment.pk}:confirm", sent_at__isnull=False)

    confirmed = comment_confirm(token=link(message))
    assert confirmed.status == Comment.Status.PENDING
    assert confirmed.confirmed_at is not None
    # A second click changes nothing.
    assert comment_confirm(token=link(message)).status == Comment.Status.PENDING
    actions = list(
        AuditEvent.objects.filter(object_id=str(comment.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["comment.confirm", "comment.submit"]


def test_post_moderation_publishes_on_confirmation(item, django_capture_on_commit_callbacks):
    CityEngagementSettings.objects.filter(city=item.hearing.city).update(moderation_mode="post")
    with django_capture_on_commit_callbacks(execute=True):
        submit(item)
    assert comment_confirm(token=link(mail.outbox[0])).status == Comment.Status.PUBLISHED


def test_repeat_while_unconfirmed_resends_the_link_and_keeps_one_row(
    item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(item)
    with django_capture_on_commit_callbacks(execute=True):
        again = submit(
            item, email="Maria.Lopez@Example.org", text="Updated text.", position="neutral"
        )

    assert again.pk == first.pk
    assert Comment.objects.count() == 1
    again.refresh_from_db()
    assert (again.text, again.position) == ("Updated text.", "neutral")
    assert len(mail.outbox) == 2
    assert comment_confirm(token=link(mail.outbox[1])).pk == first.pk


def test_repeat_after_confirmation_emails_the_withdraw_link_instead(
    item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(item, email="m.lopez+hearings@gmail.com")
    comment_confirm(token=link(mail.outbox[0]))
    with django_capture_on_commit_callbacks(execute=True):
        again = submit(item, email="MLopez@googlemail.com", text="A second try.")

    assert again.pk == first.pk
    assert Comment.objects.count() == 1
    assert Comment.objects.get().text != "A second try."
    assert "already commented" in mail.outbox[1].body
    token = link(mail.outbox[1], WITHDRAW_RE)
    assert comment_withdraw(token=token).status == Comment.Status.WITHDRAWN
    # Withdrawn comments are not live: the same person may comment again.
    with django_capture_on_commit_callbacks(execute=True):
        third = submit(item, email="mlopez@gmail.com")
    assert third.pk != first.pk and third.status == Comment.Status.UNCONFIRMED


def test_the_database_allows_one_live_comment_per_email_and_item(item):
    CommentFactory(item=item, email="a@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentFactory(item=item, email="A@example.org", status=Comment.Status.PENDING)
    CommentFactory(item=item, email="a@example.org", status=Comment.Status.WITHDRAWN)


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (dt.timedelta(days=3), "not open yet"),
        (dt.timedelta(days=-30), "has closed"),
    ],
)
def test_comments_only_while_the_window_is_open(item, shift, message):
    hearing = item.hearing
    Hearing.objects.filter(pk=hearing.pk).update(
        comment_opens_at=timezone.now() + shift,
        comment_closes_at=timezone.now() + shift + dt.timedelta(hours=1),
        starts_at=timezone.now() + shift + dt.timedelta(days=1),
    )
    item.refresh_from_db()
    with pytest.raises(CommentWindowClosed, match=message):
        submit(item)
    assert not Comment.objects.exists()


def test_cancelled_hearings_take_no_comments(item):
    Hearing.objects.filter(pk=item.hearing_id).update(status=Hearing.Status.CANCELLED)
    with pytest.raises(CommentWindowClosed, match="cancelled"):
        submit(item)


def test_consent_and_length_limits_are_enforced(item):
    CityEngagementSettings.objects.filter(city=item.hearing.city).update(comment_max_length=120)
    with pytest.raises(CommentError, match="public record"):
        submit(item, consent=False)
    with pytest.raises(ValidationError) as exc:
        submit(item, text="x" * 121, email="bad", name=" ")
    assert set(exc.value.message_dict) == {"text", "email", "name"}
    submit(item, text="x" * 120)


def test_residency_from_zip_or_address(item):
    rules = CityEngagementSettings.objects.get(city=item.hearing.city)
    assert rules.is_resident("60432")
    assert rules.is_resident("12 Elm St, Joliet IL 60433-1234")
    assert not rules.is_resident("12 Elm St, Joliet IL 90210")
    assert rules.is_resident("12 Elm St, Joliet")
    assert not rules.is_resident("Jolietville")
    comment = submit(item, address="1 Main St, Plainfield IL 60544")
    assert comment.is_resident is False


def test_withdraw_only_until_the_window_closes(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(item)
    token = link(mail.outbox[0], WITHDRAW_RE)
    Hearing.objects.filter(pk=item.hearing_id).update(
        comment_closes_at=timezone.now() - dt.timedelta(minutes=1),
        comment_opens_at=timezone.now() - dt.timedelta(days=2),
    )
    with pytest.raises(CommentWindowClosed):
        comment_withdraw(token=token)
    assert Comment.objects.get().status == Comment.Status.UNCONFIRMED


def test_tokens_are_purpose_bound(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(item)
    confirm_token = link(mail.outbox[0])
    with pytest.raises(TokenInvalid):
        comment_withdraw(token=confirm_token)
    with pytest.raises(TokenInvalid):
        comment_confirm(token=confirm_token[:-2] + "xx")


def test_rate_limits_per_email_and_per_ip(item, settings):
    settings.HEARINGS_RATE_LIMITS = {
        **settings.HEARINGS_RATE_LIMITS,
        "comment_email": (2, 3600),
        "comment_ip": (3, 3600),
    }
    submit(item)
    submit(item)
    with pytest.raises(RateLimited):
        submit(item)
    other = AgendaItemFactory(hearing=item.hearing)
    with pytest.raises(RateLimited) as exc:
        submit(other, email="someone.else@example.org")
    assert exc.value.scope == "comment_ip" and exc.value.retry_after > 0
    # A different connection and address are unaffected.
    submit(other, email="third@example.org", ip="198.51.100.7")


def test_duplicate_text_and_bursts_wait_for_a_clerk_even_when_post_moderated(
    item, settings, django_capture_on_commit_callbacks
):
    CityEngagementSettings.objects.filter(city=item.hearing.city).update(moderation_mode="post")
    settings.HEARINGS_DUPLICATE_TEXT_LIMIT = 3
    letter = "Vote NO on the camera renewal!"
    comments = [
        submit(
            item,
            email=f"p{n}@example.org",
            text=letter.upper() if n else letter,
            ip=f"198.51.100.{n}",
        )
        for n in range(3)
    ]
    assert [c.held_reason for c in comments] == ["", "", Comment.Held.DUPLICATE]
    settings.HEARINGS_RATE_LIMITS = {**settings.HEARINGS_RATE_LIMITS, "comment_burst": (1, 60)}
    submit(item, email="b1@example.org", text="First one.", ip="192.0.2.1")
    burst = submit(item, email="b2@example.org", text="Second one.", ip="192.0.2.1")
    assert burst.held_reason == Comment.Held.BURST
    with django_capture_on_commit_callbacks(execute=True):
        held = submit(item, email="b3@example.org", text="Third one.", ip="192.0.2.1")
    token = link(mail.outbox[-1])
    assert comment_confirm(token=token).status == Comment.Status.PENDING
    assert held.held_reason == Comment.Held.BURST


def test_moderation_by_the_clerk_is_logged_and_emailed(
    item, clerk, django_capture_on_commit_callbacks
):
    comment = CommentFactory(item=item, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, actor=clerk, action="approve")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.moderated_by == clerk
    assert "published" in mail.outbox[-1].subject

    with pytest.raises(CommentError, match="reason"):
        comment_moderate(comment=comment, actor=clerk, action="reject")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, actor=clerk, action="reject", reason="Personal attack")
    comment.refresh_from_db()
    assert (comment.status, comment.rejection_reason) == ("rejected", "Personal attack")
    assert "Personal attack" in mail.outbox[-1].body
    events = AuditEvent.objects.filter(object_id=str(comment.pk), actor=clerk)
    assert sorted(events.values_list("action", flat=True)) == ["comment.approve", "comment.reject"]
    assert events.get(action="comment.reject").changes == {
        "status": {"old": "published", "new": "rejected"},
        "reason": "Personal attack",
    }


def test_clerks_cannot_moderate_other_cities(item, other_city):
    outsider = ClerkFactory(username="clerk-berkeley", city=other_city)
    comment = CommentFactory(item=item, status=Comment.Status.PENDING)
    with pytest.raises(PermissionDenied):
        comment_moderate(comment=comment, actor=outsider, action="approve")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_unconfirmed_comments_cannot_be_published(item, clerk):
    comment = CommentFactory(item=item, status=Comment.Status.UNCONFIRMED)
    with pytest.raises(CommentError):
        comment_moderate(comment=comment, actor=clerk, action="approve")


def test_bulk_moderation_skips_what_it_cannot_touch(item, clerk):
    pending = CommentFactory.create_batch(3, item=item, status=Comment.Status.PENDING)
    withdrawn = CommentFactory(item=item, status=Comment.Status.WITHDRAWN)
    done, skipped = comment_moderate_bulk(
        comments=[*pending, withdrawn], actor=clerk, action="approve"
    )
    assert (done, skipped) == (3, 1)
    assert Comment.objects.filter(status="published").count() == 3
    assert AuditEvent.objects.filter(action="comment.approve").count() == 3


def test_moderation_digest_once_per_clerk_per_day(item, clerk, django_capture_on_commit_callbacks):
    CommentFactory.create_batch(2, item=item, status=Comment.Status.PENDING)
    CommentFactory(item=item, status=Comment.Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation_digest_send() == 1
        moderation_digest_send()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [clerk.email]
    assert "2 comments" in mail.outbox[0].body


def test_ip_hashes_are_purged_after_retention(item, settings):
    settings.HEARINGS_IP_RETENTION_DAYS = 30
    old = CommentFactory(item=item)
    recent = CommentFactory(item=item)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert ip_hashes_purge() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_hash == "" and recent.ip_hash


def test_outbox_is_idempotent_and_retries_smtp_failures(
    clerk_city, django_capture_on_commit_callbacks
):
    kwargs = {
        "key": "test:1",
        "to": "x@example.org",
        "subject": "Hello",
        "template": "hearings/email/moderation_digest",
        "context": {"city": clerk_city, "comments": 1, "petitions": 0, "admin_comments_url": "/"},
    }
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send",
        side_effect=smtplib.SMTPServerDisconnected("down"),
    ):
        email = outbox.email_queue(**kwargs)
        with pytest.raises(outbox.EmailDeliveryError):
            outbox.email_deliver(outbound_id=email.pk)
    email.refresh_from_db()
    assert (email.attempts, email.status, email.sent_at) == (1, "queued", None)
    assert outbox.email_deliver(outbound_id=email.pk) is True
    assert outbox.email_deliver(outbound_id=email.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.email_queue(**kwargs).pk == email.pk
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        outbox.email_queue(**kwargs, resend=True)
    assert len(mail.outbox) == 2


def test_hearing_window_defaults_and_extension(clerk_city, clerk, other_city):
    EngagementSettingsFactory(city=clerk_city, comment_close_hours=48)
    starts = timezone.now() + dt.timedelta(days=7)
    hearing = hearing_create(actor=clerk, city=clerk_city, title="Camera removal", starts_at=starts)
    assert hearing.comment_closes_at == starts - dt.timedelta(hours=48)
    assert hearing.slug.endswith("camera-removal")
    with pytest.raises(ServiceError, match="extended"):
        hearing_update(
            hearing=hearing, actor=clerk, comment_closes_at=starts + dt.timedelta(hours=1)
        )
    hearing = hearing_update(
        hearing=hearing,
        actor=clerk,
        comment_closes_at=starts + dt.timedelta(hours=1),
        window_extended=True,
    )
    assert hearing.comments_open()
    moved = hearing_update(hearing=hearing, actor=clerk, starts_at=starts + dt.timedelta(days=1))
    assert moved.comment_closes_at == starts + dt.timedelta(hours=1)  # the clerk's close stays
    with pytest.raises(PermissionDenied):
        hearing_create(actor=clerk, city=other_city, title="Elsewhere", starts_at=starts)
    item = agenda_item_add(
        hearing=hearing,
        actor=clerk,
        title="Remove cameras",
        documents=[("Report", "https://example.org/r.pdf")],
    )
    assert (item.position, item.documents.get().title) == (1, "Report")
    assert (
        AuditEvent.objects.filter(
            action__in=["hearing.create", "hearing.update", "agenda_item.create"]
        ).count()
        == 4
    )


def test_the_database_refuses_a_window_past_the_start_unless_extended(clerk_city):
    with pytest.raises(IntegrityError), transaction.atomic():
        HearingFactory(city=clerk_city, comment_closes_at=timezone.now() + dt.timedelta(days=11))
    HearingFactory(
        city=clerk_city,
        comment_closes_at=timezone.now() + dt.timedelta(days=11),
        window_extended=True,
    )


def test_digest_counts_pending_petitions_too(clerk_city, clerk, django_capture_on_commit_callbacks):
    from tests.hearings.petition_factories import PetitionFactory

    PetitionFactory(city=clerk_city)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation_digest_send() == 1
    assert "1 petition" in mail.outbox[0].body and "0 comments" in mail.outbox[0].body


def test_sent_emails_are_purged_after_retention(clerk_city, settings):
    settings.HEARINGS_OUTBOX_RETENTION_DAYS = 90
    old = OutboundEmail.objects.create(
        key="old", to="a@example.org", subject="s", body_text="b", template="t", status="sent"
    )
    waiting = OutboundEmail.objects.create(
        key="waiting", to="b@example.org", subject="s", body_text="b", template="t"
    )
    OutboundEmail.objects.create(
        key="recent", to="c@example.org", subject="s", body_text="b", template="t", status="sent"
    )
    long_ago = timezone.now() - dt.timedelta(days=91)
    OutboundEmail.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=long_ago)
    assert outbox.outbox_purge() == 1
    assert set(OutboundEmail.objects.values_list("key", flat=True)) == {"waiting", "recent"}
