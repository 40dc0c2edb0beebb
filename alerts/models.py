"""Subscriptions to the change log: email alerts for residents and reporters, signed webhooks
for newsrooms, and the delivery tables that make each event reach each of them once.

A subscriber's email is private: it is never shown on a public page, feed or API answer, and
clerks see only their own cities' subscribers in the admin. A ``(subscription, event)`` and a
``(webhook, event)`` pair is unique in the database, so a digest or dispatch that runs twice (or
is killed halfway and runs again) never sends the same event twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City
from hearings.models import OutboundEmail
from watch.models import TOPIC_OF, ChangeEvent

Topic = ChangeEvent.Topic


def kinds_of(topics: list[str]) -> list[str]:
    """The change kinds a list of topics covers."""
    return [kind for kind, topic in TOPIC_OF.items() if topic in topics]


class TargetQuerySet(models.QuerySet):
    def get_viewable(self, user) -> TargetQuerySet:
        """Rows about the cities a user manages (a city, or an agency based in one)."""
        cities = City.objects.get_viewable(user)
        return self.filter(Q(city__in=cities) | Q(agency__home_city__in=cities))


class Target(models.Model):
    """What an alert follows: one city, or one agency (its sharing, audits, policies)."""

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, null=True, blank=True
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, null=True, blank=True
    )
    topics = models.JSONField(_("topics"), default=list)

    class Meta:
        abstract = True

    @property
    def target(self) -> City | Agency:
        target = self.city or self.agency
        assert target is not None  # the check constraint requires one
        return target

    @property
    def target_city(self) -> City | None:
        """The city whose clerks see this row (the agency's home city for an agency)."""
        return self.city if self.city_id else getattr(self.agency, "home_city", None)

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels[topic]) for topic in Topic.values if topic in self.topics]

    @staticmethod
    def one_target(name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=(Q(city__isnull=False, agency__isnull=True))
            | (Q(city__isnull=True, agency__isnull=False)),
            name=name,
        )


class Subscriber(models.Model):
    """One mailbox; its manage link lists all its subscriptions."""

    email = models.EmailField(_("email"), max_length=254)
    email_normalized = models.CharField(_("normalized email"), max_length=254, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return f"subscriber {self.pk}"


class Subscription(Target):
    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately (within a few minutes)")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for email confirmation")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            Target.one_target("subscription_one_target"),
            models.UniqueConstraint(
                fields=["subscriber", "city"],
                condition=Q(city__isnull=False),
                name="subscription_unique_city",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "agency"],
                condition=Q(agency__isnull=False),
                name="subscription_unique_agency",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "frequency"], name="subscription_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.target} ({self.get_frequency_display()})"


class AlertDelivery(models.Model):
    """One event in one subscription's email: recorded in the transaction that queues it."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey(
        OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="alertdelivery_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} to subscription {self.subscription_id}"


class Webhook(Target):
    """A newsroom's endpoint: confirmed by email before any POST, disabled after repeated
    failures. ``secret`` signs every body; it is shown once, when the webhook is registered."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for email confirmation")
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled after repeated failures")

    url = models.URLField(_("URL"), max_length=500)
    email = models.EmailField(_("email"), max_length=254)
    email_normalized = models.CharField(_("normalized email"), max_length=254)
    secret = models.CharField(_("signing secret"), max_length=128)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [Target.one_target("webhook_one_target")]

    def __str__(self) -> str:
        return f"webhook {self.pk} ({self.target})"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="webhookdelivery_once"),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} to webhook {self.webhook_id}"
