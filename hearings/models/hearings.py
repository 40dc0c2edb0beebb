"""Hearings, agenda items, public comments, each city's engagement settings and the outbox.

Comments hold private data (email, address, IP hash): only the clerk of the hearing's city sees
them, in the admin. Public pages, feeds, the API and public exports read published comments
through ``CommentQuerySet.public()`` and never touch the private columns.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City, TimeStamped

__all__ = [
    "AgendaDocument",
    "AgendaItem",
    "CityEngagementSettings",
    "Comment",
    "Hearing",
    "OutboundEmail",
]

DEFAULT_DISCLAIMER = _(
    "Comments submitted here become part of the public record of this meeting. Your name, "
    "your position, your comment and whether you live in the city will be published and may "
    "be read into the minutes. Your email address and street address or ZIP code are never "
    "published."
)
ZIP_RE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


class CityEngagementSettingsQuerySet(models.QuerySet["CityEngagementSettings"]):
    def get_viewable(self, user) -> CityEngagementSettingsQuerySet:
        return self.filter(city__in=City.objects.get_viewable(user))

    def for_city(self, city: City) -> CityEngagementSettings:
        """The city's settings, or unsaved defaults when the clerk has not set any."""
        found = self.filter(city=city).first()
        return found if found is not None else CityEngagementSettings(city=city)


class CityEngagementSettings(TimeStamped):
    """How one city runs public comment and petitions."""

    class Moderation(models.TextChoices):
        PRE = "pre", _("Pre-moderation: a clerk approves each comment before it is published")
        POST = "post", _("Post-moderation: comments are published on confirmation")

    city = models.OneToOneField(
        City,
        verbose_name=_("city"),
        on_delete=models.CASCADE,
        related_name="engagement_settings",
    )
    moderation_mode = models.CharField(
        _("moderation"), max_length=8, choices=Moderation.choices, default=Moderation.PRE
    )
    comment_max_length = models.PositiveIntegerField(
        _("longest comment (characters)"), default=3000
    )
    comment_close_hours = models.PositiveIntegerField(
        _("comments close (hours before the meeting)"), default=24
    )
    public_record_disclaimer = models.TextField(
        _("public record disclaimer"), default=DEFAULT_DISCLAIMER
    )
    record_includes_names = models.BooleanField(
        _("clerk's record export includes names"), default=True
    )
    record_includes_addresses = models.BooleanField(
        _("clerk's record export includes addresses"),
        default=False,
        help_text=_("Only where the city's public record rules require addresses."),
    )
    resident_zip_codes = models.CharField(
        _("resident ZIP codes"),
        max_length=500,
        blank=True,
        help_text=_(
            "ZIP codes inside the city, separated by spaces or commas; a commenter whose ZIP "
            "code or address matches one of them, or names the city, is shown as a resident."
        ),
    )
    petition_default_days = models.PositiveIntegerField(_("petitions run (days)"), default=90)
    petition_default_goal = models.PositiveIntegerField(_("petition signature goal"), default=100)

    objects = CityEngagementSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("city engagement settings")
        verbose_name_plural = _("city engagement settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(comment_max_length__gte=100, comment_max_length__lte=20000),
                name="engagement_comment_length_range",
            ),
            models.CheckConstraint(
                condition=Q(petition_default_days__gte=1), name="engagement_petition_days_min"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Engagement settings for %(city)s") % {"city": self.city})

    @property
    def zip_codes(self) -> frozenset[str]:
        return frozenset(ZIP_RE.findall(self.resident_zip_codes))

    @property
    def premoderated(self) -> bool:
        return self.moderation_mode == self.Moderation.PRE

    def is_resident(self, address_or_zip: str) -> bool:
        """Whether an address or ZIP code places the commenter in the city."""
        zips = set(ZIP_RE.findall(address_or_zip))
        if zips:
            return bool(zips & self.zip_codes)
        # No ZIP given: an address that names the city counts (e.g. "12 Elm St, Joliet").
        name = re.escape(self.city.name.lower())
        return bool(re.search(rf"(?<!\w){name}(?!\w)", address_or_zip.lower()))


class HearingQuerySet(models.QuerySet):
    def get_viewable(self, user) -> HearingQuerySet:
        return self.filter(city__in=City.objects.get_viewable(user))

    def upcoming(self, now: dt.datetime | None = None) -> HearingQuerySet:
        now = now or timezone.now()
        return self.filter(starts_at__gte=now - dt.timedelta(hours=6)).exclude(
            status=Hearing.Status.HELD
        )

    def past(self, now: dt.datetime | None = None) -> HearingQuerySet:
        now = now or timezone.now()
        return self.filter(Q(starts_at__lt=now - dt.timedelta(hours=6)) | Q(status="held"))

    def comment_open(self, now: dt.datetime | None = None) -> HearingQuerySet:
        now = now or timezone.now()
        return self.filter(
            comment_opens_at__lte=now,
            comment_closes_at__gt=now,
            status__in=[Hearing.Status.SCHEDULED, Hearing.Status.POSTPONED],
        )


class Hearing(TimeStamped):
    """A meeting of a city body where ALPR matters are on the agenda."""

    class Body(models.TextChoices):
        COUNCIL = "council", _("City council")
        COMMITTEE = "committee", _("Committee")
        PRIVACY_COMMISSION = "privacy_commission", _("Privacy commission")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="hearings"
    )
    body_kind = models.CharField(
        _("body"), max_length=24, choices=Body.choices, default=Body.COUNCIL
    )
    body_name = models.CharField(
        _("body name"), max_length=160, blank=True, help_text=_("e.g. Public Safety Committee")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    minutes_url = models.URLField(_("minutes"), blank=True)
    comment_opens_at = models.DateTimeField(_("comments open"))
    comment_closes_at = models.DateTimeField(_("comments close"))
    window_extended = models.BooleanField(
        _("comment window extended by the clerk"),
        default=False,
        help_text=_("Lets comments close after the meeting starts."),
    )

    objects = HearingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="hearing_unique_city_slug"),
            models.CheckConstraint(
                condition=Q(comment_opens_at__lt=F("comment_closes_at")),
                name="hearing_window_opens_before_close",
            ),
            models.CheckConstraint(
                condition=Q(window_extended=True) | Q(comment_closes_at__lte=F("starts_at")),
                name="hearing_window_closes_by_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "held", "postponed", "cancelled"]),
                name="hearing_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["city", "starts_at"], name="hearing_city_starts_idx"),
            models.Index(fields=["starts_at"], name="hearing_starts_idx"),
            models.Index(fields=["created_at"], name="hearing_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.city}, {self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse(
            "hearings:hearing-detail", kwargs={"city_slug": self.city.slug, "slug": self.slug}
        )

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.city.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def body_label(self) -> str:
        return self.body_name or str(self.get_body_kind_display())

    def window_state(self, now: dt.datetime | None = None) -> str:
        """ "open", "not_open" (yet), "closed", or "cancelled" for the comment window."""
        now = now or timezone.now()
        if self.status in {self.Status.CANCELLED, self.Status.HELD}:
            return "cancelled" if self.status == self.Status.CANCELLED else "closed"
        if now < self.comment_opens_at:
            return "not_open"
        if now >= self.comment_closes_at:
            return "closed"
        return "open"

    def comments_open(self, now: dt.datetime | None = None) -> bool:
        return self.window_state(now) == "open"


class AgendaItemQuerySet(models.QuerySet):
    def get_viewable(self, user) -> AgendaItemQuerySet:
        return self.filter(hearing__city__in=City.objects.get_viewable(user))


class AgendaItem(models.Model):
    """One item on a hearing's agenda, with what the body decided."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        AMENDED = "amended", _("Approved as amended")
        CAMERAS_REMOVED = "cameras_removed", _("Cameras removed")
        CONTINUED = "continued", _("Continued to a later meeting")
        NO_ACTION = "no_action", _("No action taken")

    hearing = models.ForeignKey(
        Hearing, verbose_name=_("hearing"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("agenda position"), default=1)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("related agencies"), blank=True, related_name="agenda_items"
    )
    cameras = models.ManyToManyField(
        "cameras.Camera", verbose_name=_("related cameras"), blank=True, related_name="agenda_items"
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["hearing", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "position"], name="agendaitem_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def get_absolute_url(self) -> str:
        return f"{self.hearing.get_absolute_url()}#item-{self.pk}"


class AgendaDocument(models.Model):
    """A staff report, contract or other document attached to an agenda item."""

    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=255)
    url = models.URLField(_("link"), max_length=500)

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")

    def __str__(self) -> str:
        return self.title


class CommentQuerySet(models.QuerySet):
    def get_viewable(self, user) -> CommentQuerySet:
        return self.filter(item__hearing__city__in=City.objects.get_viewable(user))

    def public(self) -> CommentQuerySet:
        """Comments anyone may read: published ones only."""
        return self.filter(status=Comment.Status.PUBLISHED)

    def live(self) -> CommentQuerySet:
        return self.filter(status__in=Comment.LIVE_STATUSES)


class Comment(models.Model):
    """A resident's written comment on one agenda item."""

    class Position(models.TextChoices):
        SUPPORT = "support", _("Support")
        OPPOSE = "oppose", _("Oppose")
        NEUTRAL = "neutral", _("Neutral")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Held(models.TextChoices):
        NONE = "", _("Not held")
        DUPLICATE = "duplicate", _("Same text as other recent comments")
        BURST = "burst", _("Many comments from one connection in a short time")

    LIVE_STATUSES = ("unconfirmed", "pending", "published")

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="comments"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254)
    email_normalized = models.CharField(_("normalized email"), max_length=254, editable=False)
    address_or_zip = models.CharField(_("address or ZIP code"), max_length=255)
    is_resident = models.BooleanField(_("resident"), default=False)
    position = models.CharField(_("position"), max_length=8, choices=Position.choices)
    text = models.TextField(_("comment"))
    wants_to_speak = models.BooleanField(_("wants to speak in person"), default=False)
    consent_public_record = models.BooleanField(_("consented to the public record"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    held_reason = models.CharField(
        _("held for review because"),
        max_length=12,
        choices=Held.choices,
        blank=True,
        help_text=_("Held comments wait for a clerk even where comments are post-moderated."),
    )
    text_fingerprint = models.CharField(
        _("text fingerprint"), max_length=64, blank=True, editable=False
    )
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["item", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "email_normalized"],
                condition=Q(status__in=["unconfirmed", "pending", "published"]),
                name="comment_one_live_per_email",
            ),
            models.CheckConstraint(
                condition=Q(consent_public_record=True), name="comment_consent_required"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["unconfirmed", "pending", "published", "rejected", "withdrawn"]
                ),
                name="comment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="comment_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "status"], name="comment_item_status_idx"),
            models.Index(fields=["status", "created_at"], name="comment_status_created_idx"),
            models.Index(fields=["text_fingerprint"], name="comment_fingerprint_idx"),
        ]

    def __str__(self) -> str:
        return _("Comment #%(pk)s by %(name)s on %(item)s") % {
            "pk": self.pk,
            "name": self.name,
            "item": self.item.title if self.item_id else "",
        }

    @property
    def city(self) -> City:
        return self.item.hearing.city


class OutboundEmailQuerySet(models.QuerySet):
    def get_viewable(self, user) -> OutboundEmailQuerySet:
        return self.filter(city__in=City.objects.get_viewable(user))


class OutboundEmail(models.Model):
    """One email the portal sends, rendered when queued, sent once by a Celery task.

    ``key`` makes queueing idempotent: a retried request or task never emails twice. Signed
    links never sit in the stored bodies (clerks read them in the admin): the bodies hold a
    random placeholder per link and ``links`` says which token each stands for; the token is
    made when the email is sent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    links = models.JSONField(_("signed links"), default=dict, blank=True)
    headers = models.JSONField(
        _("extra headers"),
        default=dict,
        blank=True,
        help_text=_("Headers such as List-Unsubscribe, their links as placeholders."),
    )
    template = models.CharField(_("template"), max_length=200)
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_created_idx")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"
