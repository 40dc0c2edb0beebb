"""The clerk admin for cameras, sharing agreements, transparency snapshots, the transparency
pages fetched on a schedule (with their versions and saved-page uploads) and OpenStreetMap
camera areas, each scoped to the clerk's cities through ``CityScopedAdmin``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cameras.models import (
    Camera,
    OsmArea,
    PageFetch,
    PageSource,
    SharingAgreement,
    TransparencySnapshot,
)
from cameras.services import camera_mark_removed, camera_update, sharing_agreement_update
from cameras.sources import page_source_upload
from cameras.tasks import osm_area_refresh, page_source_fetch
from core.admin_scoping import CityScopedAdmin, ReadOnlyScopedAdmin, only_city, titled
from core.services import ServiceError

AllValues = admin.AllValuesFieldListFilter
Choices = admin.ChoicesFieldListFilter
RelatedOnly = admin.RelatedOnlyFieldListFilter


class CameraAdminForm(forms.ModelForm):
    class Meta:
        model = Camera
        fields = [
            "city",
            "owner",
            "camera_type",
            "vendor",
            "status",
            "latitude",
            "longitude",
            "address",
            "directions",
            "direction_text",
            "planned_on",
            "installed_on",
            "removed_on",
            "last_verified",
            "source",
            "source_id",
        ]

    def clean_directions(self) -> list:
        value = self.cleaned_data.get("directions")
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise ValidationError(_("Enter a list of compass bearings, e.g. [180, 90]."))
        bearings = []
        for item in value:
            try:
                bearing = Decimal(str(item))
            except InvalidOperation as exc:
                raise ValidationError(
                    _("“%(value)s” is not a compass bearing."), params={"value": item}
                ) from exc
            if isinstance(item, bool) or not 0 <= bearing < 360:
                raise ValidationError(
                    _("Bearings run from 0 up to 360 degrees; “%(value)s” does not."),
                    params={"value": item},
                )
            bearings.append(
                int(bearing) if bearing == bearing.to_integral_value() else float(bearing)
            )
        return bearings


@admin.register(Camera)
class CameraAdmin(CityScopedAdmin):
    form = CameraAdminForm
    city_field = "city"
    list_display = [
        "id",
        "label",
        "city",
        "owner",
        "owner_kind",
        "vendor",
        "camera_type",
        "status",
        "source",
        "last_verified",
    ]
    list_display_links = ["id", "label"]
    list_filter = [
        ("city", RelatedOnly),
        ("owner__kind", titled(Choices, _("owner kind"))),
        ("vendor", AllValues),
        "status",
        "camera_type",
        ("source", AllValues),
        "last_verified",
    ]
    list_select_related = ["city", "owner"]
    search_fields = ["address", "source_id", "vendor", "owner__name", "city__name"]
    autocomplete_fields = ["city", "owner"]
    date_hierarchy = "last_verified"
    actions = ["mark_removed"]
    fieldsets = [
        (None, {"fields": ["city", "owner", "camera_type", "vendor", "status"]}),
        (
            _("Location"),
            {"fields": ["latitude", "longitude", "address", "directions", "direction_text"]},
        ),
        (_("Dates"), {"fields": ["planned_on", "installed_on", "removed_on", "last_verified"]}),
        (_("Source"), {"fields": ["source", "source_id"]}),
    ]

    def get_changeform_initial_data(self, request):
        # A camera typed in by hand is a manual source; a one-city clerk's camera is in it.
        initial = {"source": "manual", "city": only_city(request.user)}
        return {**initial, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        camera_update(camera=obj, data=self.changed_values(obj, form), actor=request.user)

    @admin.display(description=_("address or location"), ordering="address")
    def label(self, obj: Camera) -> str:
        return obj.address or f"{obj.latitude}, {obj.longitude}"

    @admin.display(description=_("owner kind"), ordering="owner__kind")
    def owner_kind(self, obj: Camera) -> str:
        return obj.owner.get_kind_display() if obj.owner else "—"

    @admin.action(description=_("Mark selected cameras removed"), permissions=["change"])
    def mark_removed(self, request, queryset):
        count = camera_mark_removed(cameras=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d camera marked removed.",
                "%(count)d cameras marked removed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class SharingFlagFilter(admin.SimpleListFilter):
    title = _("flag")
    parameter_name = "flag"
    FLAGS = {
        "out_of_state": "recipient_out_of_state",
        "federal": "federal_recipient",
        "forbidden": "forbidden_by_state_law",
    }

    def lookups(self, request, model_admin):
        return [
            ("out_of_state", _("Recipient out of state")),
            ("federal", _("Federal recipient")),
            ("forbidden", _("Forbidden by the owner's state law")),
        ]

    def queryset(self, request, queryset):
        annotation = self.FLAGS.get(self.value() or "")
        return queryset.filter(**{annotation: True}) if annotation else queryset


@admin.register(SharingAgreement)
class SharingAgreementAdmin(CityScopedAdmin):
    city_field = "owner__home_city"
    # Sharing goes to other cities' agencies; only the owner must be the clerk's.
    unscoped_fk_fields = ("recipient",)
    list_display = [
        "owner",
        "recipient",
        "kind",
        "recipient_state",
        "out_of_state",
        "federal",
        "forbidden",
        "last_seen",
        "ended_on",
    ]
    list_filter = [
        "kind",
        SharingFlagFilter,
        ("owner__state", titled(AllValues, _("owner state"))),
        ("recipient__kind", titled(Choices, _("recipient kind"))),
        ("recipient__state", titled(AllValues, _("recipient state"))),
        ("owner__home_city", titled(RelatedOnly, _("owner's home city"))),
        "ended_on",
    ]
    search_fields = ["owner__name", "recipient__name", "source"]
    autocomplete_fields = ["owner", "recipient"]
    date_hierarchy = "last_seen"
    fieldsets = [
        (None, {"fields": ["owner", "recipient", "kind"]}),
        (_("Seen"), {"fields": ["first_seen", "last_seen", "ended_on"]}),
        (_("Source"), {"fields": ["source", "source_url"]}),
        (_("Flags (computed)"), {"fields": ["out_of_state", "federal", "forbidden"]}),
    ]
    readonly_fields = ["out_of_state", "federal", "forbidden"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_flags().select_related("owner", "recipient")

    def save_model(self, request, obj, form, change):
        sharing_agreement_update(
            agreement=obj, data=self.changed_values(obj, form), actor=request.user
        )

    @admin.display(description=_("recipient state"), ordering="recipient__state")
    def recipient_state(self, obj: SharingAgreement) -> str:
        return obj.recipient.state or "—"

    # The flags come from SharingAgreement.objects.with_flags(); a row being added has none yet.
    @admin.display(description=_("out of state"), boolean=True, ordering="recipient_out_of_state")
    def out_of_state(self, obj: SharingAgreement) -> bool | None:
        return getattr(obj, "recipient_out_of_state", None)

    @admin.display(description=_("federal"), boolean=True, ordering="federal_recipient")
    def federal(self, obj: SharingAgreement) -> bool | None:
        return getattr(obj, "federal_recipient", None)

    @admin.display(
        description=_("forbidden by state law"), boolean=True, ordering="forbidden_by_state_law"
    )
    def forbidden(self, obj: SharingAgreement) -> bool | None:
        return getattr(obj, "forbidden_by_state_law", None)


@admin.register(TransparencySnapshot)
class TransparencySnapshotAdmin(CityScopedAdmin):
    city_field = "agency__home_city"
    list_display = [
        "agency",
        "captured_on",
        "retention_days",
        "total_cameras",
        "lpr_cameras",
        "vehicles_detected_30d",
        "searches_30d",
        "hotlist_hits_30d",
        "external_organizations_count",
    ]
    list_filter = [
        ("agency__home_city", titled(RelatedOnly, _("agency's home city"))),
        ("agency__kind", titled(Choices, _("agency kind"))),
        ("agency__state", titled(AllValues, _("agency state"))),
        "captured_on",
    ]
    list_select_related = ["agency"]
    search_fields = ["agency__name", "source", "portal_url"]
    autocomplete_fields = ["agency"]
    date_hierarchy = "captured_on"
    fieldsets = [
        (None, {"fields": ["agency", "captured_on", "portal_url", "source"]}),
        (
            _("Figures"),
            {
                "fields": [
                    "retention_days",
                    "total_cameras",
                    "lpr_cameras",
                    "vehicles_detected_30d",
                    "searches_30d",
                    "hotlists",
                    "hotlist_hits_30d",
                    "external_organizations_count",
                ]
            },
        ),
        (
            _("Policies"),
            {
                "fields": [
                    "whats_detected",
                    "whats_not_detected",
                    "acceptable_use",
                    "prohibited_uses",
                    "access_policy",
                    "hotlist_policy",
                ]
            },
        ),
    ]


# --- transparency pages on a schedule ---------------------------------------------------------


def _job_link(job_id: int | None):
    if job_id is None:
        return "—"
    return format_html(
        '<a href="{}">#{}</a>', reverse("admin:core_importjob_change", args=[job_id]), job_id
    )


def _version_link(obj: PageFetch):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:cameras_pagefetch_change", args=[obj.pk]),
        timezone.localtime(obj.fetched_at).strftime("%Y-%m-%d %H:%M"),
    )


class PageFetchInline(admin.TabularInline):
    model = PageFetch
    extra = 0
    max_num = 0
    can_delete = False
    fields = (
        "version",
        "origin",
        "status",
        "http_status",
        "bytes_received",
        "job_link",
        "reason",
    )
    readonly_fields = fields
    ordering = ["-fetched_at", "-pk"]
    verbose_name_plural = _("versions (newest first)")

    @admin.display(description=_("captured at"))
    def version(self, obj: PageFetch):
        return _version_link(obj)

    @admin.display(description=_("import job"))
    def job_link(self, obj: PageFetch):
        return _job_link(obj.job_id)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PageSourceForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=1000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "The agency's public transparency page. It is fetched on the schedule below; a "
            "changed page is imported as a snapshot dated the day it was fetched."
        ),
    )

    class Meta:
        model = PageSource
        fields = ["agency", "url", "is_active", "interval_hours", "expected_interval_days"]


class PageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Saved page"),
        help_text=_(
            "The page saved from a browser, as HTML (“Save page as…”) or as its text. It is "
            "imported like a fetched version unless it is the same as the last one imported."
        ),
    )
    captured_on = forms.DateField(
        label=_("Capture date"),
        help_text=_("The day the page was saved (YYYY-MM-DD); the snapshot is dated with it."),
    )


@admin.register(PageSource)
class PageSourceAdmin(CityScopedAdmin):
    form = PageSourceForm
    city_field = "agency__home_city"
    list_display = [
        "agency",
        "url",
        "is_active",
        "interval_hours",
        "last_fetched_at",
        "last_changed_at",
        "last_status",
    ]
    list_filter = ["is_active"]
    list_select_related = ["agency"]
    search_fields = ["agency__name", "url"]
    autocomplete_fields = ["agency"]
    fields = [
        "agency",
        "url",
        "is_active",
        "interval_hours",
        "expected_interval_days",
        "last_fetched_at",
        "last_changed_at",
        "etag",
        "last_modified",
        "created_by",
    ]
    readonly_fields = ["last_fetched_at", "last_changed_at", "etag", "last_modified", "created_by"]
    inlines = [PageFetchInline]
    actions = ["fetch_now"]
    change_form_template = "admin/cameras/pagesource/change_form.html"

    @admin.display(description=_("last version"))
    def last_status(self, obj: PageSource) -> str:
        fetch = obj.fetches.order_by("-fetched_at", "-pk").first()
        return fetch.get_status_display() if fetch else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Fetch the selected pages now"), permissions=["change"])
    def fetch_now(self, request, queryset):
        """Queue a fetch of each selected source (the workers run it, as beat would)."""
        ids = list(queryset.values_list("pk", flat=True))
        for source_id in ids:
            # Celery's Django fixup makes tasks DjangoTasks; the stubs type shared_task's as Task.
            page_source_fetch.delay_on_commit(source_id)  # type: ignore[attr-defined]
        self.message_user(
            request,
            ngettext(
                "Queued a fetch of %(count)d page; its version appears below it.",
                "Queued a fetch of %(count)d pages; their versions appear below them.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [
            path("<path:object_id>/upload/", upload, name="cameras_pagesource_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request, object_id):
        """Upload a page saved from a browser for this source (when its site blocks robots)."""
        source = self.get_object(request, unquote(object_id))  # scoped: another city's is None
        if source is None:
            raise Http404
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        form = PageUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = page_source_upload(
                    source=source,
                    file=form.cleaned_data["file"],
                    captured_on=form.cleaned_data["captured_on"],
                    actor=request.user,
                )
            except ServiceError as exc:
                form.add_error("file", str(exc))
            else:
                level = {
                    PageFetch.Status.IMPORTED: messages.SUCCESS,
                    PageFetch.Status.UNCHANGED: messages.INFO,
                }.get(PageFetch.Status(version.status), messages.WARNING)
                self.message_user(
                    request,
                    _("The saved page was recorded: %(status)s. %(reason)s")
                    % {"status": version.get_status_display(), "reason": version.reason},
                    level,
                )
                return redirect("admin:cameras_pagesource_change", source.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload a saved page for %(source)s") % {"source": source.agency},
            "opts": self.opts,
            "original": source,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cameras/pagesource/upload.html", context)


@admin.register(PageFetch)
class PageFetchAdmin(ReadOnlyScopedAdmin):
    city_field = "source__agency__home_city"
    list_display = [
        "fetched_at",
        "source",
        "origin",
        "status",
        "http_status",
        "bytes_received",
        "job_link",
    ]
    list_filter = ["status", "origin"]
    list_select_related = ["source__agency", "job"]
    search_fields = ["source__url", "source__agency__name", "reason"]
    date_hierarchy = "fetched_at"
    fields = (
        "source",
        "origin",
        "status",
        "fetched_at",
        "finished_at",
        "http_status",
        "reason",
        "sha256",
        "bytes_received",
        "job_link",
        "created_by",
        "body_truncated",
        "body",
    )
    readonly_fields = fields

    @admin.display(description=_("import job"))
    def job_link(self, obj: PageFetch):
        return _job_link(obj.job_id)


# --- OpenStreetMap cameras --------------------------------------------------------------------


class OsmAreaForm(forms.ModelForm):
    class Meta:
        model = OsmArea
        fields = [
            "city",
            "kind",
            "boundary_name",
            "south",
            "west",
            "north",
            "east",
            "is_active",
            "interval_hours",
        ]

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("kind") == OsmArea.Kind.BBOX:
            box = [cleaned.get(name) for name in ("south", "west", "north", "east")]
            south, west, north, east = box
            if south is None or west is None or north is None or east is None:
                raise ValidationError(_("A bounding box needs all four edges."))
            if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
                raise ValidationError(
                    _(
                        "South must be below north and west left of east, within -90..90 "
                        "and -180..180 degrees."
                    )
                )
        return cleaned


@admin.register(OsmArea)
class OsmAreaAdmin(CityScopedAdmin):
    form = OsmAreaForm
    city_field = "city"
    preselect_city = True
    list_display = ["city", "kind", "is_active", "last_fetched_at", "last_status", "job_link"]
    list_filter = ["kind", "is_active", "last_status"]
    list_select_related = ["city"]
    search_fields = ["city__name", "boundary_name"]
    autocomplete_fields = ["city"]
    fieldsets = [
        (
            None,
            {
                "fields": ["city", "kind", "boundary_name", "is_active", "interval_hours"],
                "description": _(
                    "ALPR cameras mapped in OpenStreetMap (surveillance:type=ALPR) inside the "
                    "area are refreshed from Overpass on the schedule: updated by their OSM id, "
                    "and those no longer mapped marked removed. Data © OpenStreetMap "
                    "contributors, ODbL 1.0."
                ),
            },
        ),
        (_("Bounding box"), {"fields": ["south", "west", "north", "east"]}),
        (_("Last refresh"), {"fields": ["last_fetched_at", "last_status", "last_error"]}),
    ]
    readonly_fields = ["last_fetched_at", "last_status", "last_error"]
    actions = ["refresh_now"]

    @admin.display(description=_("last import job"))
    def job_link(self, obj: OsmArea):
        return _job_link(obj.last_job_id)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Refresh the selected areas now"), permissions=["change"])
    def refresh_now(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for area_id in ids:
            osm_area_refresh.delay_on_commit(area_id)  # type: ignore[attr-defined]
        self.message_user(
            request,
            ngettext(
                "Queued a refresh of %(count)d area.",
                "Queued a refresh of %(count)d areas.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )
