"""Public records requests for the files the portal imports, and what became of them.

A request is public once it is confirmed (a resident's emailed link) or logged by a clerk: its
city, agency, kind, dates, status, the agency's reference number and a public note. The
requester's email is private: it is only used to send the confirmation, the manage link and
the due-date reminder, and never appears on a page, feed, export or API answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City, ImportJob, TimeStamped


class RecordsRequestQuerySet(models.QuerySet):
    def public(self) -> RecordsRequestQuerySet:
        """Requests anyone may see: confirmed by their requester or logged by a clerk."""
        return self.filter(confirmed_at__isnull=False)

    def get_viewable(self, user) -> RecordsRequestQuerySet:
        """Requests a user may manage in the admin: all for superusers, else their cities'."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(city__in=City.objects.get_viewable(user))


class RecordsRequest(TimeStamped):
    class Kind(models.TextChoices):
        AUDIT = "audit", _("Search audit logs")
        SHARING = "sharing", _("Sharing lists")
        PORTAL = "portal", _("Transparency portal settings")
        HOTLISTS = "hotlists", _("Hotlist records")
        CONTRACTS = "contracts", _("Vendor contracts")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        EXTENDED = "extended", _("Extended")
        FULFILLED = "fulfilled", _("Fulfilled")
        PARTIAL = "partial", _("Partially fulfilled")
        DENIED = "denied", _("Denied")
        OVERDUE = "overdue", _("Overdue")
        APPEALED = "appealed", _("Appealed")

    # Still waiting for the agency: these get a reminder and turn overdue after the due date.
    OPEN_STATUSES = (Status.SENT, Status.ACKNOWLEDGED, Status.EXTENDED, Status.OVERDUE)

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="records_requests"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="records_requests",
    )
    kind = models.CharField(_("what is asked for"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    sent_on = models.DateField(_("date sent"))
    reference = models.CharField(_("agency's reference number"), max_length=100, blank=True)
    due_on = models.DateField(
        _("response due"),
        null=True,
        blank=True,
        help_text=_("Computed from the state's law; an extension sets a new date."),
    )
    original_due_on = models.DateField(_("first due date"), null=True, blank=True)
    response_on = models.DateField(_("response date"), null=True, blank=True)
    public_note = models.TextField(
        _("public note"),
        blank=True,
        help_text=_("Shown on the public page; licence plates are masked."),
    )
    # Private: never shown publicly. Empty for requests a clerk logged without one.
    requester_email = models.EmailField(_("requester email (private)"), blank=True)
    email_normalized = models.CharField(max_length=254, blank=True, editable=False)
    language = models.CharField(
        _("language of the emails"), max_length=8, default="en", choices=settings.LANGUAGES
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    reminded_for = models.DateField(
        _("reminder sent for due date"), null=True, blank=True, editable=False
    )
    import_job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import of the received file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RecordsRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("records request")
        verbose_name_plural = _("records requests")
        indexes = [
            models.Index(fields=["city", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__isnull=True) | models.Q(due_on__gte=models.F("sent_on")),
                name="records_request_due_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()} · {self.sent_on}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
