"""Alert emails built from the change log: one email per confirmed subscription and run, with
every event it has not received yet.

Idempotent by construction: the subscription's row is locked, its pending events are those
without an ``AlertDelivery``, and the deliveries are written in the transaction that queues
the email (the outbox row). A second run finds nothing to send; a run killed halfway rolled
back both, so the next run sends those events once. The outbox sends each email once.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alerts.models import AlertDelivery, Subscription
from alerts.selectors import event_line, subscription_events_pending
from alerts.services.subscriptions import subscription_links
from hearings.models import OutboundEmail
from hearings.outbox import email_queue

# RFC 8058 one-click unsubscribe: mail providers POST "List-Unsubscribe=One-Click" to the URL.
UNSUBSCRIBE_HEADERS = {
    "List-Unsubscribe": "<{unsubscribe_url}>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


@transaction.atomic
def digest_send(*, subscription_id: int) -> OutboundEmail | None:
    """Queue the subscription's email with its pending events; None when it has none."""
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("subscriber", "city", "agency")
        .filter(pk=subscription_id, status=Subscription.Status.ACTIVE)
        .first()
    )
    if subscription is None:
        return None
    events = subscription_events_pending(subscription=subscription)
    if not events:
        return None
    ids = ",".join(str(event.pk) for event in events)
    digest = hashlib.sha256(ids.encode()).hexdigest()[:16]
    with translation.override(subscription.language):
        subject = ngettext(
            "%(count)s change in %(target)s",
            "%(count)s changes in %(target)s",
            len(events),
        ) % {"count": len(events), "target": subscription.target}
        email = email_queue(
            key=f"alert-digest-{subscription.pk}-{digest}",
            to=subscription.subscriber.email,
            subject=subject,
            template="alerts/email/digest",
            context={
                "subscription": subscription,
                "target": subscription.target,
                "lines": [event_line(event) for event in events],
                "frequency": subscription.get_frequency_display(),
                "target_url": subscription.target.get_absolute_url(),
                **subscription_links(subscription),
            },
            city=subscription.target_city,
            headers=UNSUBSCRIBE_HEADERS,
        )
    AlertDelivery.objects.bulk_create(
        [AlertDelivery(subscription=subscription, event=event, email=email) for event in events]
    )
    return email


def digests_send(*, frequency: str) -> int:
    """Send every active subscription of ``frequency`` its email; returns how many were queued.
    Each subscription in its own transaction: one failure does not hold back the others."""
    if frequency not in Subscription.Frequency.values:
        raise ValueError(_("Unknown frequency: %s") % frequency)
    ids = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE, frequency=frequency
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(ids) if digest_send(subscription_id=pk) is not None)
