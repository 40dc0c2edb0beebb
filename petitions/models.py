"""Petitions residents start and sign, and their signatures.

A petition is published only after its creator confirmed their email and a clerk approved it.
A signature counts only once its signer confirmed their email; the database allows one
signature per normalized email per petition, and a withdrawn signature is re-activated (same
row) when that email signs again. ``Petition.signature_count`` is a denormalized count of
confirmed signatures, changed only with ``F()`` in the transaction that confirms or withdraws.

Emails and IP hashes are private: they never reach a public page, feed, export or the API.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import City

__all__ = ["Petition", "Signature"]


class PetitionQuerySet(models.QuerySet):
    def public(self) -> PetitionQuerySet:
        """Petitions anyone may see: published ones, never those awaiting review or rejected."""
        return self.filter(status__in=Petition.PUBLIC_STATUSES)

    def get_viewable(self, user) -> PetitionQuerySet:
        """Petitions a user may manage: all for superusers, their cities' for clerks."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(city__in=City.objects.get_viewable(user))

    def open_first(self) -> PetitionQuerySet:
        """Open petitions first (ending soonest first), then the rest, most recent first."""
        return self.annotate(
            open_rank=Case(
                When(status=Petition.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            # The end time sorts only the open ones (ascending); for the rest it is NULL.
            open_ends_at=Case(When(status=Petition.Status.OPEN, then=F("ends_at"))),
        ).order_by("open_rank", F("open_ends_at").asc(nulls_last=True), "-ends_at", "-created_at")


class Petition(models.Model):
    class Status(models.TextChoices):
        # Started, waiting for the creator to follow the link in their email.
        UNCONFIRMED = "unconfirmed", _("Awaiting the creator's confirmation")
        PENDING = "pending", _("Pending review")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")
        DELIVERED = "delivered", _("Delivered")
        RESPONDED = "responded", _("Responded")
        REJECTED = "rejected", _("Rejected")

    PUBLIC_STATUSES = (Status.OPEN, Status.CLOSED, Status.DELIVERED, Status.RESPONDED)

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="petitions"
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=170, unique=True)
    action = models.TextField(
        _("what it asks"),
        max_length=1000,
        help_text=_("What the petition asks the body to do, in a sentence or two."),
    )
    background = models.TextField(
        _("why"), max_length=4000, help_text=_("Why it matters; the facts behind the request.")
    )
    target_body = models.CharField(
        _("addressed to"),
        max_length=150,
        help_text=_("The body the petition is addressed to, e.g. the City Council."),
    )
    creator_name = models.CharField(
        _("creator's name"), max_length=120, help_text=_("Shown on the petition.")
    )
    creator_email = models.EmailField(
        _("creator's email"), help_text=_("Private: never shown on the portal or in the API.")
    )
    creator_email_normalized = models.CharField(
        _("creator's email (normalized)"), max_length=254, db_index=True
    )
    creator_confirmed_at = models.DateTimeField(_("creator confirmed"), null=True, blank=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNCONFIRMED
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    signature_goal = models.PositiveIntegerField(_("signature goal"), default=100)
    signature_count = models.PositiveIntegerField(
        _("confirmed signatures"), default=0, editable=False
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    hearing = models.ForeignKey(
        "hearings.Hearing",
        verbose_name=_("presented at hearing"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    response = models.TextField(_("official response"), blank=True)
    responded_at = models.DateTimeField(_("response date"), null=True, blank=True)
    # Percentages of the goal (10, 25, ...) whose milestone email has gone to the creator.
    milestones_sent = models.JSONField(_("milestones emailed"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            models.Index(fields=["city", "status"], name="petition_city_status_idx"),
            models.Index(fields=["status", "ends_at"], name="petition_status_ends_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "unconfirmed",
                        "pending",
                        "open",
                        "closed",
                        "delivered",
                        "responded",
                        "rejected",
                    ]
                ),
                name="petition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(signature_goal__gte=1), name="petition_goal_positive"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("opens_at")),
                name="petition_ends_after_opens",
            ),
            # A published petition always has its signing window.
            models.CheckConstraint(
                condition=~Q(status__in=["open", "closed", "delivered", "responded"])
                | (Q(opens_at__isnull=False) & Q(ends_at__isnull=False)),
                name="petition_published_has_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("petitions:petition-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def goal_percent(self) -> int:
        """Whole percent of the goal reached (past 100 once the goal is passed)."""
        if not self.signature_goal:
            return 0
        return self.signature_count * 100 // self.signature_goal

    @property
    def goal_reached(self) -> bool:
        return self.signature_count >= self.signature_goal


class SignatureQuerySet(models.QuerySet):
    def confirmed(self) -> SignatureQuerySet:
        return self.filter(status=Signature.Status.CONFIRMED)

    def get_viewable(self, user) -> SignatureQuerySet:
        """Signatures a user may read: all for superusers, their cities' petitions' for clerks."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(petition__city__in=City.objects.get_viewable(user))


class Signature(models.Model):
    """One person's signature on a petition.

    ``public_comment`` is shown only next to a name its signer chose to show: a comment under
    "anonymous" invites text that identifies the signer anyway, and the public list of names is
    the only place a signer opted into.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.CASCADE, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), help_text=_("Private."))
    email_normalized = models.CharField(_("email (normalized)"), max_length=254)
    zip_code = models.CharField(_("ZIP code"), max_length=5)
    show_name = models.BooleanField(_("show my name publicly"), default=False)
    public_comment = models.TextField(_("public comment"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "email_normalized"], name="signature_one_per_email"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["unconfirmed", "confirmed", "withdrawn"]),
                name="signature_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="signature_confirmed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["petition", "status", "zip_code"], name="signature_zip_idx"),
            models.Index(
                fields=["petition", "status", "show_name", "-confirmed_at"],
                name="signature_public_idx",
            ),
            models.Index(fields=["created_at"], name="signature_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.zip_code})"
