"""Writes for email subscriptions: subscribe (double opt-in), confirm, change, unsubscribe,
remove, and emailing a mailbox its manage link.

Subscribing never reveals whether an address is subscribed already: the page answers the
same, and only the mailbox learns (a confirmation, or its manage link). A subscription's
settings change only through the emailed links, so nobody can alter another person's alerts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from alerts.models import Subscriber, Subscription, Topic
from alerts.selectors import (
    MANAGE,
    SUBSCRIPTION_CONFIRM,
    UNSUBSCRIBE,
    subscription_from_link,
)
from core.models import Agency, City
from core.services import ServiceError, audit_record
from hearings.abuse import email_normalize, ip_hash, rate_limit_check
from hearings.outbox import EmailLink, email_queue
from hearings.tokens import mailbox_tag

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

Status = Subscription.Status


def topics_clean(topics: list[str]) -> list[str]:
    """The known topics among ``topics``, in their canonical order; at least one."""
    chosen = [topic for topic in Topic.values if topic in set(topics)]
    if not chosen:
        raise ServiceError(_("Choose at least one topic."))
    return chosen


def _target_check(city: City | None, agency: Agency | None) -> None:
    if (city is None) == (agency is None):
        raise ServiceError(_("Choose a city or an agency (one of them)."))


def subscription_links(subscription: Subscription) -> dict[str, EmailLink]:
    """The signed links every email about a subscription carries (absolute: mail clients and
    the List-Unsubscribe header need the whole URL)."""
    extra = mailbox_tag(subscription.subscriber.email_normalized)
    return {
        "unsubscribe_url": EmailLink(
            url_name="alerts:unsubscribe",
            purpose=UNSUBSCRIBE,
            pk=subscription.pk,
            extra=extra,
            absolute=True,
        ),
        "manage_url": EmailLink(
            url_name="alerts:manage",
            purpose=MANAGE,
            pk=subscription.subscriber_id,
            extra=extra,
            absolute=True,
        ),
    }


def _subscription_email(
    subscription: Subscription, *, key: str, subject: StrOrPromise, template: str
) -> None:
    with translation.override(subscription.language):
        email_queue(
            key=f"alert-subscription-{subscription.pk}-{key}",
            to=subscription.subscriber.email,
            subject=subject,
            template=f"alerts/email/{template}",
            context={
                "subscription": subscription,
                "confirm_url": EmailLink(
                    url_name="alerts:confirm",
                    purpose=SUBSCRIPTION_CONFIRM,
                    pk=subscription.pk,
                    extra=mailbox_tag(subscription.subscriber.email_normalized),
                    absolute=True,
                ),
                **subscription_links(subscription),
            },
            city=subscription.target_city,
            # Asking again is the person asking for the link again.
            resend=True,
        )


@transaction.atomic
def subscription_request(
    *,
    email: str,
    city: City | None = None,
    agency: Agency | None = None,
    topics: list[str],
    frequency: str,
    language: str,
    ip: str,
) -> Subscription:
    """Ask for alerts about a city or an agency: a new or lapsed subscription waits for the
    emailed confirmation; an active one is left alone and its manage link is emailed."""
    _target_check(city, agency)
    topics = topics_clean(topics)
    normalized = email_normalize(email)
    rate_limit_check(scope="alert_subscribe_ip", key=ip_hash(ip))
    rate_limit_check(scope="alert_subscribe_email", key=normalized)
    subscriber, _created = Subscriber.objects.get_or_create(
        email_normalized=normalized, defaults={"email": email.strip()}
    )
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("subscriber", "city", "agency")
        .filter(subscriber=subscriber, city=city, agency=agency)
        .first()
    )
    if subscription is not None and subscription.status == Status.ACTIVE:
        _subscription_email(
            subscription,
            key="already",
            subject=_("You are already subscribed"),
            template="already",
        )
        return subscription
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, city=city, agency=agency)
    subscription.topics = topics
    subscription.frequency = frequency
    subscription.language = language
    subscription.status = Status.UNCONFIRMED
    subscription.ip_hash = ip_hash(ip)
    subscription.save()
    _subscription_email(
        subscription,
        key="confirm",
        subject=_("Confirm your alerts"),
        template="confirm",
    )
    return subscription


def _audit(subscription: Subscription, action: str, *, changes: dict | None = None) -> None:
    # No address in the audit log: the row names the subscription only.
    audit_record(
        actor=None,
        action=f"subscription.{action}",
        obj=subscription,
        city=subscription.target_city,
        changes=changes or {},
    )


@transaction.atomic
def subscription_confirm(*, token: str) -> tuple[Subscription, bool]:
    """Confirm a subscription from its emailed link; (subscription, whether it changed).
    Alerts cover what is recorded from now on."""
    subscription = subscription_from_link(token=token, purpose=SUBSCRIPTION_CONFIRM, lock=True)
    if subscription.status == Status.ACTIVE:
        return subscription, False
    subscription.status = Status.ACTIVE
    subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    subscription.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "updated_at"])
    _audit(subscription, "confirm")
    return subscription, True


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> tuple[Subscription, bool]:
    """Stop one subscription from its emailed (or List-Unsubscribe) link."""
    subscription = subscription_from_link(token=token, purpose=UNSUBSCRIBE, lock=True)
    if subscription.status == Status.UNSUBSCRIBED:
        return subscription, False
    subscription.status = Status.UNSUBSCRIBED
    subscription.unsubscribed_at = timezone.now()
    subscription.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    _audit(subscription, "unsubscribe")
    return subscription, True


def _owned(subscriber: Subscriber, subscription_id: int) -> Subscription:
    subscription = (
        Subscription.objects.select_for_update()
        .filter(pk=subscription_id, subscriber=subscriber)
        .first()
    )
    if subscription is None:
        raise ServiceError(_("This subscription is not one of yours, or was removed."))
    return subscription


@transaction.atomic
def subscription_update(
    *,
    subscriber: Subscriber,
    subscription_id: int,
    topics: list[str],
    frequency: str,
    language: str,
    actor: User | None = None,
) -> Subscription:
    """Change a subscription from its owner's manage page. A lapsed one is active again: the
    manage link proves the mailbox, as the confirmation did."""
    subscription = _owned(subscriber, subscription_id)
    subscription.topics = topics_clean(topics)
    subscription.frequency = frequency
    subscription.language = language
    changes = {"topics": subscription.topics, "frequency": frequency, "language": language}
    if subscription.status != Status.ACTIVE:
        subscription.status = Status.ACTIVE
        subscription.confirmed_at = timezone.now()
        subscription.unsubscribed_at = None
    subscription.save()
    _audit(subscription, "change", changes=changes)
    return subscription


@transaction.atomic
def subscription_remove(
    *, subscriber: Subscriber, subscription_id: int, actor: User | None = None
) -> bool:
    """Delete a subscription and its delivery history; a mailbox with none left is deleted
    too (its address is no longer needed): True then."""
    subscription = _owned(subscriber, subscription_id)
    _audit(subscription, "remove")
    subscription.delete()
    if subscriber.subscriptions.exists():
        return False
    subscriber.delete()
    return True


@transaction.atomic
def manage_link_send(*, email: str, language: str, ip: str) -> bool:
    """Email a mailbox its manage link if it has subscriptions; True when one was queued.
    The page answers the same either way."""
    normalized = email_normalize(email)
    rate_limit_check(scope="alert_subscribe_ip", key=ip_hash(ip))
    rate_limit_check(scope="alert_subscribe_email", key=normalized)
    subscription = (
        Subscription.objects.select_related("subscriber", "city", "agency")
        .filter(subscriber__email_normalized=normalized)
        .order_by("created_at")
        .first()
    )
    if subscription is None:
        return False
    subscription.language = language
    _subscription_email(
        subscription, key="manage", subject=_("Your alert subscriptions"), template="manage"
    )
    return True
