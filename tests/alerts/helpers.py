"""What the alert tests share: a subscription made and confirmed through the emailed link,
events recorded through the change log's own service, and the links in a sent email."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail

from alerts.models import Subscription
from alerts.services.subscriptions import subscription_confirm, subscription_request
from watch.models import ChangeEvent
from watch.services import change_record

SITE = "https://portal.example"
K = ChangeEvent.Kind


def link_in(message, kind: str) -> str:
    """The path of the ``kind`` link ("confirm", "unsubscribe", "manage") in a sent email."""
    found = re.search(rf"{re.escape(SITE)}(/subscribe/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def subscribe_confirmed(
    capture, *, email="rosa@example.org", frequency="daily", language="en", **target
) -> Subscription:
    """Subscribe and follow the confirmation link, as the resident would."""
    sent = len(mail.outbox)
    with capture(execute=True):
        subscription = subscription_request(
            email=email,
            topics=target.pop("topics", ["sharing", "flagged"]),
            frequency=frequency,
            language=language,
            ip="203.0.113.5",
            **target,
        )
    assert len(mail.outbox) == sent + 1
    subscription, changed = subscription_confirm(
        token=token_of(link_in(mail.outbox[-1], "confirm"))
    )
    assert changed
    return subscription


def sharing_added(*, agency, partner, key="s1", **flags) -> ChangeEvent:
    event = change_record(
        kind=K.SHARING_ADDED,
        key=f"test:{key}",
        occurred_on=dt.date(2026, 11, 30),
        city=agency.home_city,
        agency=agency,
        other_agency=partner,
        data={"owner": agency.name, "partner": partner.name},
        **flags,
    )
    assert event is not None
    return event


def flagged(*, agency, count=4, key="f1") -> ChangeEvent:
    event = change_record(
        kind=K.FLAGGED_SEARCHES,
        key=f"test:{key}",
        occurred_on=dt.date(2026, 12, 1),
        city=agency.home_city,
        agency=agency,
        data={"agency": agency.name, "counts": {"immigration": count}},
    )
    assert event is not None
    return event
