"""Cameras, the sharing agreements between agencies, and transparency-page snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City, ImportJob, TimeStamped, law_profile_exists


class CameraQuerySet(models.QuerySet):
    def get_viewable(self, user) -> CameraQuerySet:
        """Cameras a user may edit: all for superusers, their cities' for clerks."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(city__in=City.objects.get_viewable(user))

    def public(self) -> CameraQuerySet:
        return self.select_related("city", "owner")


class Camera(TimeStamped):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PLANNED = "planned", _("Planned")
        REMOVED = "removed", _("Removed")

    class Type(models.TextChoices):
        ALPR = "alpr", _("License plate reader")
        VIDEO = "video", _("Video with plate reading")
        MOBILE = "mobile", _("Mobile (vehicle-mounted)")
        OTHER = "other", _("Other")

    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cameras",
    )
    owner = models.ForeignKey(
        Agency,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cameras",
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    directions = models.JSONField(
        _("directions (degrees)"),
        default=list,
        blank=True,
        help_text=_("Compass bearings in degrees, one per camera on the pole."),
    )
    direction_text = models.CharField(_("direction as published"), max_length=100, blank=True)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    camera_type = models.CharField(
        _("type"), max_length=16, choices=Type.choices, default=Type.ALPR
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    removed_on = models.DateField(_("removed"), null=True, blank=True)
    address = models.CharField(_("address or description"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=32, blank=True, help_text=_("e.g. osm, geojson, csv, manual")
    )
    source_id = models.CharField(_("source id"), max_length=100, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)

    objects = CameraQuerySet.as_manager()

    class Meta:
        ordering = ["city", "pk"]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="camera_unique_source_id",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="camera_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(status="removed"),
                name="camera_removed_date_only_when_removed",
            ),
        ]
        indexes = [
            models.Index(fields=["city", "status"], name="camera_city_status_idx"),
            models.Index(fields=["owner", "status"], name="camera_owner_status_idx"),
            models.Index(fields=["vendor"], name="camera_vendor_idx"),
        ]

    def __str__(self) -> str:
        label = self.address or f"{self.latitude}, {self.longitude}"
        return f"#{self.pk} {label}"

    def get_absolute_url(self) -> str:
        return reverse("cameras:camera-detail", kwargs={"pk": self.pk})


class SharingAgreementQuerySet(models.QuerySet):
    def with_flags(self) -> SharingAgreementQuerySet:
        """Annotate the computed flags: out of state, federal recipient, forbidden by state law.

        A flag is computed from the agencies and the owner's state law profile at query time,
        so it follows every correction of an agency's state or kind and every law change.
        """
        out_of_state = ExpressionWrapper(
            ~Q(owner__state="") & ~Q(recipient__state="") & ~Q(owner__state=F("recipient__state")),
            output_field=BooleanField(),
        )
        federal = ExpressionWrapper(
            Q(recipient__kind=Agency.Kind.FEDERAL), output_field=BooleanField()
        )
        return self.annotate(
            recipient_out_of_state=out_of_state,
            federal_recipient=federal,
        ).annotate(
            forbidden_by_state_law=Case(
                When(
                    Q(recipient_out_of_state=True)
                    & law_profile_exists("owner__state", forbids_out_of_state_sharing=True),
                    then=Value(True),
                ),
                When(
                    Q(federal_recipient=True)
                    & law_profile_exists("owner__state", forbids_federal_sharing=True),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def current(self) -> SharingAgreementQuerySet:
        return self.filter(ended_on__isnull=True)

    def get_viewable(self, user) -> SharingAgreementQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(owner__home_city__in=City.objects.get_viewable(user))


class SharingAgreement(TimeStamped):
    """The owner agency lets the recipient agency search its cameras."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct")
        STATEWIDE = "statewide", _("Statewide network")
        NATIONAL = "national", _("National lookup")

    owner = models.ForeignKey(
        Agency, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="sharing_out"
    )
    recipient = models.ForeignKey(
        Agency, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="sharing_in"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DIRECT)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    source_url = models.URLField(_("source link"), blank=True, max_length=500)
    networks = models.JSONField(
        _("networks"),
        default=list,
        blank=True,
        help_text=_(
            "The owner's networks the recipient can search, as a records request names them "
            "(e.g. “Polk County FL SO (LR)”, “… - Axon”)."
        ),
    )

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["owner__name", "recipient__name"]
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "recipient", "kind"], name="sharing_unique_owner_recipient_kind"
            ),
            models.CheckConstraint(
                condition=~Q(owner=F("recipient")), name="sharing_not_with_itself"
            ),
            models.CheckConstraint(
                condition=Q(last_seen__gte=F("first_seen")), name="sharing_seen_dates_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "owner"], name="sharing_recipient_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.recipient}"


class TransparencySnapshot(TimeStamped):
    """What an agency's transparency page said on one date."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="snapshots"
    )
    captured_on = models.DateField(_("captured on"))
    portal_url = models.URLField(_("portal link"), blank=True, max_length=500)
    retention_days = models.PositiveIntegerField(_("retention (days)"), null=True, blank=True)
    total_cameras = models.PositiveIntegerField(_("cameras"), null=True, blank=True)
    lpr_cameras = models.PositiveIntegerField(_("LPR cameras"), null=True, blank=True)
    vehicles_detected_30d = models.PositiveBigIntegerField(
        _("vehicles detected (30 days)"), null=True, blank=True
    )
    searches_30d = models.PositiveIntegerField(_("searches (30 days)"), null=True, blank=True)
    hotlist_hits_30d = models.PositiveIntegerField(
        _("hotlist hits (30 days)"), null=True, blank=True
    )
    hotlists = models.TextField(_("hotlists alerted on"), blank=True)
    external_organizations_count = models.PositiveIntegerField(
        _("external organizations with access"), null=True, blank=True
    )
    whats_detected = models.TextField(_("what is detected"), blank=True)
    whats_not_detected = models.TextField(_("what is not detected"), blank=True)
    acceptable_use = models.TextField(_("acceptable use policy"), blank=True)
    prohibited_uses = models.TextField(_("prohibited uses"), blank=True)
    access_policy = models.TextField(_("access policy"), blank=True)
    hotlist_policy = models.TextField(_("hotlist policy"), blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["agency", "-captured_on"]
        get_latest_by = "captured_on"
        verbose_name = _("transparency snapshot")
        verbose_name_plural = _("transparency snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "captured_on"], name="snapshot_unique_agency_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.captured_on}"


class PageSource(models.Model):
    """An agency's transparency page URL that beat fetches on a schedule; a changed page is
    imported as a dated snapshot, a saved copy can be uploaded when the site blocks robots."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="page_sources",
        help_text=_("Whose transparency page the URL is."),
    )
    url = models.URLField(_("URL"), max_length=1000)
    is_active = models.BooleanField(_("active"), default=True)
    interval_hours = models.PositiveSmallIntegerField(
        _("fetch every (hours)"),
        default=24,
        help_text=_("How often the page is fetched."),
    )
    expected_interval_days = models.PositiveSmallIntegerField(
        _("expected to change within (days)"),
        default=30,
        help_text=_(
            "A page that has not changed (or could not be read) for longer than this is flagged "
            "as stale on the admin home page and in the daily digest."
        ),
    )
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_changed_at = models.DateTimeField(
        _("last changed"),
        null=True,
        blank=True,
        help_text=_("When a changed version of the page was last imported."),
    )
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "url"]
        verbose_name = _("transparency page source")
        verbose_name_plural = _("transparency page sources")
        constraints = [
            models.UniqueConstraint(fields=["agency", "url"], name="pagesource_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.url}"


class PageFetch(models.Model):
    """One version of a page source: fetched by beat (or a clerk's "fetch now") or uploaded as
    a saved page, with what became of it. The body is kept (up to PAGE_FETCH_KEEP_CHARS) so a
    clerk can see what the site answered, a challenge page included."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        UNCHANGED = "unchanged", _("Unchanged")
        NOT_MODIFIED = "not_modified", _("Not modified")
        BLOCKED = "blocked", _("Blocked")
        FAILED = "failed", _("Failed")

    class Origin(models.TextChoices):
        FETCH = "fetch", _("Fetched")
        UPLOAD = "upload", _("Uploaded saved page")

    source = models.ForeignKey(
        PageSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="fetches"
    )
    origin = models.CharField(
        _("origin"), max_length=8, choices=Origin.choices, default=Origin.FETCH
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    fetched_at = models.DateTimeField(
        _("captured at"), help_text=_("When the page was fetched, or saved by the clerk.")
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    bytes_received = models.BigIntegerField(_("bytes"), default=0)
    body = models.TextField(_("page as received"), blank=True)
    body_truncated = models.BooleanField(_("page cut short"), default=False)
    job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import job"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        verbose_name = _("page version")
        verbose_name_plural = _("page versions")
        indexes = [
            models.Index(fields=["source", "status", "-fetched_at"], name="pagefetch_source_idx")
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"{self.source.agency} {self.fetched_at:%Y-%m-%d %H:%M} ({status})"


class OsmArea(models.Model):
    """A bounding box or a city boundary whose OpenStreetMap ALPR cameras beat refreshes from
    Overpass into one city's cameras (source ``osm``): updated by OSM id, missing ones marked
    removed. One area per city, since a refresh is the city's whole OSM camera list."""

    class Kind(models.TextChoices):
        BBOX = "bbox", _("Bounding box")
        CITY = "city", _("City boundary (by name)")

    class Status(models.TextChoices):
        NEVER = "", _("Not refreshed yet")
        REFRESHED = "refreshed", _("Refreshed")
        FAILED = "failed", _("Failed")

    city = models.OneToOneField(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="osm_area"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CITY)
    boundary_name = models.CharField(
        _("boundary name in OpenStreetMap"),
        max_length=200,
        blank=True,
        help_text=_("For a city boundary: its name in OpenStreetMap; empty takes the city's name."),
    )
    south = models.DecimalField(
        _("south latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    west = models.DecimalField(
        _("west longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    north = models.DecimalField(
        _("north latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    east = models.DecimalField(
        _("east longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    interval_hours = models.PositiveSmallIntegerField(_("refresh every (hours)"), default=24)
    last_fetched_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    last_status = models.CharField(
        _("last refresh"), max_length=16, choices=Status.choices, default="", blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_job = models.ForeignKey(
        ImportJob,
        verbose_name=_("last import job"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["city__name"]
        verbose_name = _("OpenStreetMap camera area")
        verbose_name_plural = _("OpenStreetMap camera areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="city")
                | Q(
                    kind="bbox",
                    south__isnull=False,
                    west__isnull=False,
                    north__isnull=False,
                    east__isnull=False,
                    south__lt=F("north"),
                    west__lt=F("east"),
                ),
                name="osmarea_bbox_complete",
            ),
        ]

    def __str__(self) -> str:
        return str(_("OpenStreetMap cameras of %(city)s") % {"city": self.city})
