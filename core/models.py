"""Core models: cities, agencies (anyone who owns or searches cameras), state law profiles,
clerk memberships, import jobs and the audit log of clerk changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.states import STATE_CHOICES


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class CityQuerySet(models.QuerySet):
    def get_viewable(self, user) -> CityQuerySet:
        """Cities a user may manage: all for superusers, their own for clerks, none otherwise."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(clerk_memberships__user=user)


class City(TimeStamped):
    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    council_body = models.CharField(
        _("council body"), max_length=120, default=_("City Council"), blank=True
    )
    clerk_name = models.CharField(_("clerk name"), max_length=120, blank=True)
    clerk_email = models.EmailField(_("clerk email"), blank=True)
    clerk_phone = models.CharField(_("clerk phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Chicago")
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["name", "state"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.UniqueConstraint(fields=["name", "state"], name="city_unique_name_state"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"

    def get_absolute_url(self) -> str:
        return reverse("portal:city-detail", kwargs={"slug": self.slug})


class CityClerk(models.Model):
    """A staff user who manages one city's records in the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clerk_memberships"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="clerk_memberships")

    class Meta:
        verbose_name = _("city clerk")
        verbose_name_plural = _("city clerks")
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="cityclerk_unique_user_city"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.city}"


class StateLawProfileQuerySet(models.QuerySet):
    def get_viewable(self, user) -> StateLawProfileQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(state__in=City.objects.get_viewable(user).values("state"))

    def with_alpr_law(self) -> StateLawProfileQuerySet:
        """Profiles that describe an ALPR law (some states are profiled for records law only)."""
        return self.exclude(statute_citation="", summary="")


# The public-records-law fields of a state law profile, in reading order.
RECORDS_FIELDS = (
    "records_law_name",
    "records_law_citation",
    "records_law_url",
    "records_deadline_days",
    "records_deadline_business_days",
    "records_deadline_rule",
    "records_appeal_route",
    "records_appeal_citation",
    "records_appeal_url",
)


class StateLawProfile(TimeStamped):
    """What a state's law says about ALPR use, sharing and retention, with its citation."""

    class ForbiddenUse(models.TextChoices):
        IMMIGRATION = "immigration", _("Immigration enforcement")
        REPRODUCTIVE_CARE = "reproductive_care", _("Reproductive health care investigations")
        PROTEST = "protest", _("Protest or First Amendment activity")
        GENDER_AFFIRMING_CARE = "gender_affirming_care", _("Gender-affirming care")

    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES, unique=True)
    statute_citation = models.CharField(_("statute citation"), max_length=200, blank=True)
    statute_url = models.URLField(_("statute link"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    forbidden_uses = models.JSONField(
        _("forbidden uses"),
        default=list,
        blank=True,
        help_text=_("Uses of ALPR data the state forbids, e.g. immigration."),
    )
    forbids_out_of_state_sharing = models.BooleanField(
        _("forbids sharing with out-of-state agencies"), default=False
    )
    forbids_federal_sharing = models.BooleanField(
        _("forbids sharing with federal agencies"), default=False
    )
    requires_written_declaration = models.BooleanField(
        _("requires a written declaration from out-of-state recipients"), default=False
    )
    retention_limit_days = models.PositiveIntegerField(
        _("retention limit (days)"), null=True, blank=True
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    # The state's public records law: how residents get the audits at all. Empty when the
    # portal has not profiled it (the records pages then say so).
    records_law_name = models.CharField(_("public records law"), max_length=200, blank=True)
    records_law_citation = models.CharField(
        _("public records law citation"), max_length=200, blank=True
    )
    records_law_url = models.URLField(_("public records law link"), max_length=300, blank=True)
    records_deadline_days = models.PositiveSmallIntegerField(
        _("response deadline (days)"),
        null=True,
        blank=True,
        help_text=_("Empty when the law sets no number of days (“promptly”)."),
    )
    records_deadline_business_days = models.BooleanField(
        _("deadline counts business days"),
        default=True,
        help_text=_("Business days skip weekends and US federal holidays; else calendar days."),
    )
    records_deadline_rule = models.TextField(
        _("response deadline rule"), blank=True, help_text=_("Extensions and what counts.")
    )
    records_appeal_route = models.TextField(_("appeal route"), blank=True)
    records_appeal_citation = models.CharField(_("appeal citation"), max_length=200, blank=True)
    records_appeal_url = models.URLField(_("appeal link"), max_length=300, blank=True)

    # What a profile says, in reading order: the admin form edits these, the API shows them.
    CONTENT_FIELDS = (
        "state",
        "statute_citation",
        "statute_url",
        "summary",
        "forbidden_uses",
        "forbids_out_of_state_sharing",
        "forbids_federal_sharing",
        "requires_written_declaration",
        "retention_limit_days",
        "effective_date",
        "last_reviewed",
        *RECORDS_FIELDS,
    )

    objects = StateLawProfileQuerySet.as_manager()

    class Meta:
        ordering = ["state"]
        verbose_name = _("state law profile")
        verbose_name_plural = _("state law profiles")

    def __str__(self) -> str:
        return f"{self.get_state_display()} ({self.statute_citation or _('no statute')})"

    @property
    def restricts_sharing(self) -> bool:
        return self.forbids_out_of_state_sharing or self.forbids_federal_sharing

    @property
    def has_alpr_law(self) -> bool:
        return bool(self.statute_citation or self.summary)

    @property
    def has_records_law(self) -> bool:
        return bool(self.records_law_citation)


class AgencyQuerySet(models.QuerySet):
    def get_viewable(self, user) -> AgencyQuerySet:
        """Agencies a user may edit: all for superusers; for clerks, those of their cities."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(home_city__in=City.objects.get_viewable(user))


class Agency(TimeStamped):
    """Any organization that owns ALPR cameras or searches them."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police department")
        SHERIFF = "sheriff", _("Sheriff's office")
        STATE = "state", _("State agency")
        FEDERAL = "federal", _("Federal agency")
        UNIVERSITY = "university", _("University or school")
        HOA = "hoa", _("Homeowners association")
        BUSINESS = "business", _("Business")
        HOUSING = "housing", _("Housing community")
        OTHER = "other", _("Other")

    name = models.CharField(_("name as published"), max_length=255)
    normalized_name = models.CharField(_("normalized name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES, blank=True)
    home_city = models.ForeignKey(
        City,
        verbose_name=_("home city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agencies",
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Unset when a source tags it inactive.")
    )
    website = models.URLField(_("website"), blank=True)
    transparency_url = models.URLField(_("transparency portal"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        indexes = [
            models.Index(fields=["state", "kind"], name="agency_state_kind_idx"),
            models.Index(fields=["kind"], name="agency_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:agency-detail", kwargs={"slug": self.slug})

    @property
    def is_federal(self) -> bool:
        return self.kind == self.Kind.FEDERAL


class AgencyAlias(models.Model):
    """Another spelling of an agency's name; imports resolve names through these."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=255)
    normalized_name = models.CharField(_("normalized name"), max_length=255, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency alias")
        verbose_name_plural = _("agency aliases")

    def __str__(self) -> str:
        return self.name


def law_profile_exists(state_ref: str, **flags) -> Exists:
    """An ``Exists`` over the law profile of the state named by ``state_ref``."""
    return Exists(StateLawProfile.objects.filter(state=OuterRef(state_ref), **flags))


class ImportJob(TimeStamped):
    """One file import: what was asked, how far it got, and what it counted."""

    class Kind(models.TextChoices):
        CAMERAS = "cameras", _("Camera locations")
        SHARING = "sharing", _("Sharing agreements")
        PORTAL_METRICS = "portal_metrics", _("Transparency portal metrics and policies")
        AUDIT = "audit", _("Search audit")
        PORTAL_PAGE = "portal_page", _("Transparency page (HTML or page text)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=500)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows_read = models.PositiveIntegerField(_("read"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rows_removed = models.PositiveIntegerField(_("marked removed"), default=0)
    # The counts above, as ``rows_<ImportReport field>``: set together, shown together.
    COUNT_FIELDS = (
        "rows_read",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
        "rows_removed",
    )
    error = models.TextField(_("error"), blank=True)
    checkpoint = models.JSONField(
        _("checkpoint"),
        default=dict,
        blank=True,
        help_text=_(
            "How far a long import has committed (its counts are those of the committed part); "
            "a rerun continues from here."
        ),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "kind"], name="importjob_status_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "succeeded", "failed"]),
                name="importjob_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class ImportRowError(models.Model):
    """A row an import rejected, with its line number in the file and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(_("line"))
    message = models.CharField(_("message"), max_length=500)
    excerpt = models.CharField(_("excerpt"), max_length=300, blank=True)

    class Meta:
        ordering = ["job", "line", "pk"]
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class AuditEvent(models.Model):
    """One change a clerk (or an import) made, kept for accountability."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"
