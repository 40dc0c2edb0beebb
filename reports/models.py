"""Annual surveillance reports: the clerks' narrative sections and the rendered PDFs.

The figures of a report are never stored: they are read from the portal's selectors each time.
What is stored is what a clerk writes (``ReportNarrative``) and the PDF made from a version of
the data (``ReportPdf``, keyed by the data's stamps, the narratives' update time and language).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City, TimeStamped


class Section(models.TextChoices):
    """Where in the report a narrative is placed: after the section of this anchor."""

    INTRODUCTION = "introduction", _("Introduction (before the figures)")
    TECHNOLOGY = "technology", _("Technology and vendor")
    CAMERAS = "cameras", _("Cameras")
    POLICY = "policy", _("Data retention and policy")
    SHARING = "sharing", _("Sharing")
    SEARCHES = "searches", _("Searches")
    HOTLISTS = "hotlists", _("Hotlists")
    PARTICIPATION = "participation", _("Public participation")
    GAPS = "gaps", _("Data gaps")
    CONCLUSION = "conclusion", _("Conclusion (after the methodology)")


class ReportNarrativeQuerySet(models.QuerySet["ReportNarrative"]):
    def published(self) -> ReportNarrativeQuerySet:
        return self.filter(status=ReportNarrative.Status.PUBLISHED)

    def get_viewable(self, user) -> ReportNarrativeQuerySet:
        """Narratives a user may manage (and read as drafts): all for superusers, their cities'
        (and their cities' agencies') for clerks, none otherwise."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        cities = City.objects.get_viewable(user)
        return self.filter(Q(city__in=cities) | Q(agency__home_city__in=cities))


class ReportNarrative(TimeStamped):
    """A clerk's own section of a city's or an agency's annual report."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (clerks only)")
        PUBLISHED = "published", _("Published")

    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_narratives",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_narratives",
        help_text=_("For an agency's report; leave empty for the city's report."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(
        _("placed after"), max_length=16, choices=Section.choices, default=Section.INTRODUCTION
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("Order among the narratives placed at one section.")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text; blank lines separate paragraphs. License plates typed here are "
            "replaced by a marker before the public sees the text."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    objects = ReportNarrativeQuerySet.as_manager()

    class Meta:
        ordering = ["year", "section", "position", "pk"]
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        constraints = [
            models.CheckConstraint(
                condition=(Q(city__isnull=False) & Q(agency__isnull=True))
                | (Q(city__isnull=True) & Q(agency__isnull=False)),
                name="narrative_city_xor_agency",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="narrative_year_range"
            ),
        ]
        indexes = [
            models.Index(fields=["city", "year"], name="narrative_city_year_idx"),
            models.Index(fields=["agency", "year"], name="narrative_agency_year_idx"),
        ]

    def clean(self) -> None:
        if bool(self.city_id) == bool(self.agency_id):
            raise ValidationError(_("Choose either a city or an agency, not both."))

    def __str__(self) -> str:
        subject = self.city or self.agency
        return f"{subject} {self.year}: {self.title}"

    @property
    def home_city(self) -> City | None:
        """The city whose clerks manage this narrative."""
        return self.city if self.city_id else (self.agency.home_city if self.agency else None)


class ReportPdf(models.Model):
    """One rendering of a report as PDF, for one version of its data and one language.

    ``key`` digests what the PDF was made from (the subject, year, language, the data stamps
    and the narratives' update time), so a change anywhere makes a new key and the old file is
    never asked for again (a newer rendering of the same report deletes it).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=64, unique=True)
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(default=b"", editable=False)
    pages = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0, help_text=_("How long the rendering took."))
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")

    def __str__(self) -> str:
        return f"{self.city or self.agency} {self.year} {self.language} ({self.status})"
