"""Reads for alerts: the events a subscription or webhook has still to receive, how an event
reads in an email, the rows an emailed link opens, and the counts clerks see.

Emails are selected only where a message is addressed (services) or a link's holder manages
their own subscriptions; no public page, feed or API reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from alerts.models import (
    AlertDelivery,
    Subscriber,
    Subscription,
    Target,
    Webhook,
    WebhookDelivery,
    kinds_of,
)
from core.admin_scoping import scope_queryset
from core.models import Agency, City
from hearings.tokens import TokenInvalid, mailbox_tag, token_make, token_read
from watch.models import ChangeEvent
from watch.selectors import change_marks, change_summary

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Token purposes: each signs with its own salt, so a confirm link can never unsubscribe.
SUBSCRIPTION_CONFIRM = "alerts-subscription-confirm"
UNSUBSCRIBE = "alerts-unsubscribe"
MANAGE = "alerts-manage"
WEBHOOK_CONFIRM = "alerts-webhook-confirm"


def events_pending(
    *, target: Target, since: dt.datetime, delivered: QuerySet, limit: int | None = None
) -> list[ChangeEvent]:
    """Events of ``target``'s city or agency and topics recorded since ``since`` that are not
    in ``delivered`` (a values("event_id") queryset), oldest first."""
    events = ChangeEvent.objects.filter(kind__in=kinds_of(target.topics), recorded_at__gte=since)
    if target.city is not None:
        events = events.for_city(target.city)
    elif target.agency is not None:
        events = events.for_agency(target.agency)
    events = (
        events.exclude(pk__in=delivered)
        .select_related("city", "agency", "other_agency")
        .order_by("occurred_on", "pk")
    )
    return list(events[:limit] if limit else events)


def subscription_events_pending(*, subscription: Subscription) -> list[ChangeEvent]:
    """What the subscription's next email carries (nothing from before it was confirmed)."""
    if subscription.status != Subscription.Status.ACTIVE or subscription.confirmed_at is None:
        return []
    return events_pending(
        target=subscription,
        since=subscription.confirmed_at,
        delivered=AlertDelivery.objects.filter(subscription=subscription).values("event_id"),
        limit=settings.ALERTS_DIGEST_MAX_EVENTS,
    )


def webhook_events_pending(*, webhook: Webhook) -> list[ChangeEvent]:
    if webhook.status != Webhook.Status.ACTIVE or webhook.confirmed_at is None:
        return []
    return events_pending(
        target=webhook,
        since=webhook.confirmed_at,
        delivered=WebhookDelivery.objects.filter(webhook=webhook).values("event_id"),
    )


# --- how an event reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    """One event as an email shows it, in the language active when it is built."""

    title: str
    detail: str
    date: str
    url: str
    marks: list[str] = field(default_factory=list)


def event_line(event: ChangeEvent) -> EventLine:
    """The change in the changes pages' words (``watch.selectors``), linked to its changes page."""
    if event.agency is not None:
        path = reverse("watch:agency-changes", kwargs={"slug": event.agency.slug})
    elif event.city is not None:
        path = reverse("watch:city-changes", kwargs={"slug": event.city.slug})
    else:
        path = reverse("watch:changes")
    return EventLine(
        title=str(event.get_kind_display()),
        detail=change_summary(event),
        date=event.occurred_on.isoformat(),
        url=settings.PORTAL_SITE_URL + path,
        marks=[str(label) for label, _style in change_marks(event)],
    )


def event_payload(event: ChangeEvent) -> dict:
    """An event as a webhook's JSON carries it: public values only."""

    def place(obj: City | Agency | None) -> dict | None:
        if obj is None:
            return None
        return {
            "slug": obj.slug,
            "name": obj.name,
            "url": settings.PORTAL_SITE_URL + obj.get_absolute_url(),
        }

    return {
        "id": event.pk,
        "kind": event.kind,
        "topic": event.topic,
        "occurred_on": event.occurred_on.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "city": place(event.city),
        "agency": place(event.agency),
        "other_agency": place(event.other_agency),
        "out_of_state": event.out_of_state,
        "federal": event.federal,
        "forbidden": event.forbidden,
        "data": event.data,
    }


# --- emailed links -----------------------------------------------------------------------------


def subscription_from_link(*, token: str, purpose: str, lock: bool = False) -> Subscription:
    """The subscription a confirm or unsubscribe link was made for; ``TokenInvalid`` for a
    forged, expired or foreign link or a subscription that is gone."""
    max_age = settings.HEARINGS_CONFIRM_MAX_AGE if purpose == SUBSCRIPTION_CONFIRM else None
    pk = token_read(purpose=purpose, token=token, max_age=max_age)
    rows = Subscription.objects.select_related("subscriber", "city", "agency")
    subscription = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=pk).first()
    if subscription is None:
        raise TokenInvalid("no such subscription")
    token_read(
        purpose=purpose,
        token=token,
        max_age=max_age,
        extra=mailbox_tag(subscription.subscriber.email_normalized),
    )
    return subscription


def subscriber_from_link(*, token: str) -> Subscriber:
    pk = token_read(purpose=MANAGE, token=token)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None:
        raise TokenInvalid("no such subscriber")
    token_read(purpose=MANAGE, token=token, extra=mailbox_tag(subscriber.email_normalized))
    return subscriber


def manage_token(subscriber: Subscriber) -> str:
    """The token of a mailbox's manage link (for the page its confirm link opens)."""
    return token_make(
        purpose=MANAGE, pk=subscriber.pk, extra=mailbox_tag(subscriber.email_normalized)
    )


def subscriber_subscriptions(*, subscriber: Subscriber) -> QuerySet[Subscription]:
    return subscriber.subscriptions.select_related("city", "agency").order_by("created_at")


def webhook_from_link(*, token: str, lock: bool = False) -> Webhook:
    max_age = settings.HEARINGS_CONFIRM_MAX_AGE
    pk = token_read(purpose=WEBHOOK_CONFIRM, token=token, max_age=max_age)
    rows = Webhook.objects.select_related("city", "agency")
    webhook = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=pk).first()
    if webhook is None:
        raise TokenInvalid("no such webhook")
    token_read(
        purpose=WEBHOOK_CONFIRM,
        token=token,
        max_age=max_age,
        extra=mailbox_tag(webhook.email_normalized),
    )
    return webhook


# --- clerks ------------------------------------------------------------------------------------


def subscription_counts(*, user: User | AnonymousUser) -> list[dict]:
    """Subscriptions per city (an agency's counted in its home city) and status, for the
    cities ``user`` manages: counts only, no addresses."""
    rows = scope_queryset(Subscription.objects.all(), user=user)
    counted = rows.values(
        "city__name", "city__state", "agency__home_city__name", "agency__home_city__state"
    ).annotate(
        active=Count("pk", filter=Q(status=Subscription.Status.ACTIVE)),
        unconfirmed=Count("pk", filter=Q(status=Subscription.Status.UNCONFIRMED)),
        unsubscribed=Count("pk", filter=Q(status=Subscription.Status.UNSUBSCRIBED)),
    )
    totals: dict[str, dict] = {}
    for row in counted:
        name = row["city__name"] or row["agency__home_city__name"]
        state = row["city__state"] or row["agency__home_city__state"]
        label = f"{name}, {state}" if name else _("Agencies without a home city")
        total = totals.setdefault(
            label, {"city": label, "active": 0, "unconfirmed": 0, "unsubscribed": 0}
        )
        for status in ("active", "unconfirmed", "unsubscribed"):
            total[status] += row[status]
    return sorted(totals.values(), key=lambda row: row["city"])
