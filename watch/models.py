"""The change log: what changed in the network, one row per fact, newest first.

Events are derived from the portal's own data (dated transparency snapshots, sharing agreements,
import jobs, hearings, petitions) by ``watch.services``; each carries a deterministic ``key`` so
that collecting twice records nothing twice. ``data`` holds only public values (names of
agencies, old and new figures, policy texts, links): nothing private is ever put in it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City


class ChangeEventQuerySet(models.QuerySet["ChangeEvent"]):
    def for_city(self, city: City) -> ChangeEventQuerySet:
        return self.filter(city=city)

    def for_agency(self, agency: Agency) -> ChangeEventQuerySet:
        return self.filter(models.Q(agency=agency) | models.Q(other_agency=agency))


class ChangeEvent(models.Model):
    class Kind(models.TextChoices):
        SHARING_ADDED = "sharing_added", _("Sharing partner added")
        SHARING_REMOVED = "sharing_removed", _("Sharing partner removed")
        RETENTION_CHANGED = "retention_changed", _("Retention changed")
        POLICY_CHANGED = "policy_changed", _("Policy text changed")
        CAMERAS_CHANGED = "cameras_changed", _("Camera count changed")
        METRIC_CHANGED = "metric_changed", _("Published figure changed")
        AUDIT_IMPORTED = "audit_imported", _("Search audit imported")
        FLAGGED_SEARCHES = "flagged_searches", _("Flagged searches")
        HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
        PETITION_OPENED = "petition_opened", _("Petition opened")
        PETITION_CLOSED = "petition_closed", _("Petition closed")

    class Topic(models.TextChoices):
        """What a subscriber picks; each kind belongs to one topic (``TOPIC_OF``)."""

        SHARING = "sharing", _("Sharing and policy changes")
        FLAGGED = "flagged", _("Flagged searches and new audits")
        HEARINGS = "hearings", _("Hearings and comment deadlines")
        PETITIONS = "petitions", _("Petitions")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    key = models.CharField(
        _("key"),
        max_length=255,
        unique=True,
        help_text=_("Deterministic identity of the fact, so that it is recorded once."),
    )
    occurred_on = models.DateField(_("date"), help_text=_("When the change was seen (dated)."))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_events",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_events",
    )
    other_agency = models.ForeignKey(
        Agency,
        verbose_name=_("other agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The sharing partner, for sharing changes."),
    )
    out_of_state = models.BooleanField(_("out of state"), default=False)
    federal = models.BooleanField(_("federal"), default=False)
    forbidden = models.BooleanField(_("forbidden by state law"), default=False)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            # The city, agency and national change pages and feeds, newest first.
            models.Index(fields=["city", "-occurred_on"], name="change_city_date_idx"),
            models.Index(fields=["agency", "-occurred_on"], name="change_agency_date_idx"),
            models.Index(fields=["-occurred_on", "-id"], name="change_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind} {self.key}"

    @property
    def topic(self) -> str:
        return TOPIC_OF[self.kind]


K = ChangeEvent.Kind
T = ChangeEvent.Topic
TOPIC_OF: dict[str, str] = {
    K.SHARING_ADDED: T.SHARING,
    K.SHARING_REMOVED: T.SHARING,
    K.RETENTION_CHANGED: T.SHARING,
    K.POLICY_CHANGED: T.SHARING,
    K.CAMERAS_CHANGED: T.SHARING,
    K.METRIC_CHANGED: T.SHARING,
    K.AUDIT_IMPORTED: T.FLAGGED,
    K.FLAGGED_SEARCHES: T.FLAGGED,
    K.HEARING_SCHEDULED: T.HEARINGS,
    K.PETITION_OPENED: T.PETITIONS,
    K.PETITION_CLOSED: T.PETITIONS,
}
