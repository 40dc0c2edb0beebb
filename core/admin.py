"""The clerk admin for the core models: cities, agencies, state law profiles, import jobs and
the audit log. Every admin is scoped to the clerk's cities through ``CityScopedAdmin``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin, ReadOnlyScopedAdmin, only_city, titled
from core.audit import audit_entries
from core.imports import file_format_choices, import_job_create, import_job_progress_get
from core.models import (
    Agency,
    AgencyAlias,
    AuditEvent,
    City,
    CityClerk,
    ImportJob,
    ImportRowError,
    StateLawProfile,
)
from core.names import parse_agency_name
from core.permissions import clerk_group
from core.services import (
    ServiceError,
    agency_add_alias,
    agency_find,
    agency_merge,
    agency_update,
    state_law_profile_delete,
    state_law_profile_save,
)
from core.subqueries import count_subquery

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

# The job page shows this many row errors; the full list is one link away.
ROW_ERRORS_SHOWN = 500
# Seconds between reloads of a job page while the job is pending or running.
JOB_REFRESH_SECONDS = 3


# --- Cities --------------------------------------------------------------------------------


class CityCounts(TypedDict):
    """What ``CityAdmin.get_queryset`` annotates on each city."""

    camera_count: int
    agency_count: int


class CityClerkInline(admin.TabularInline):
    model = CityClerk
    extra = 1
    autocomplete_fields = ["user"]
    verbose_name = _("clerk")
    verbose_name_plural = _("clerks of this city")


@admin.register(City)
class CityAdmin(CityScopedAdmin):
    list_display = [
        "name",
        "state",
        "population",
        "council_body",
        "camera_count",
        "agency_count",
        "clerk_name",
    ]
    list_filter = [("state", admin.AllValuesFieldListFilter)]
    search_fields = ["name", "slug", "clerk_name"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["name", "state", "slug", "population", "timezone"]}),
        (
            _("Council and clerk"),
            {"fields": ["council_body", "clerk_name", "clerk_email", "clerk_phone", "website"]},
        ),
        (_("Map centre"), {"fields": ["latitude", "longitude"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                camera_count=count_subquery("cameras.Camera", "city"),
                agency_count=count_subquery(Agency, "home_city"),
            )
        )

    @admin.display(description=_("cameras"), ordering="camera_count")
    def camera_count(self, obj: WithAnnotations[City, CityCounts]) -> int:
        return obj.camera_count

    @admin.display(description=_("agencies"), ordering="agency_count")
    def agency_count(self, obj: WithAnnotations[City, CityCounts]) -> int:
        return obj.agency_count

    def get_inlines(self, request, obj):
        # Only superusers decide who clerks for which city.
        return [CityClerkInline] if request.user.is_superuser else []

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        # Name, state and slug place the city in public URLs and state law; a clerk can't move it.
        return ("name", "state", "slug")

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ("name", "state")} if obj is None and request.user.is_superuser else {}

    def audit_city(self, request, obj):
        return obj if isinstance(obj, City) else None

    def save_inline_object(self, request, obj, *, parent) -> bool:
        if isinstance(obj, CityClerk):
            # Naming a user as a city's clerk is what makes them a clerk: staff, in the group.
            user = obj.user
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(clerk_group())
        return super().save_inline_object(request, obj, parent=parent)


# --- State law profiles --------------------------------------------------------------------


class StateLawProfileForm(forms.ModelForm):
    forbidden_uses = forms.MultipleChoiceField(
        label=_("forbidden uses"),
        choices=StateLawProfile.ForbiddenUse.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Uses of ALPR data the state forbids."),
    )

    class Meta:
        model = StateLawProfile
        fields = list(StateLawProfile.CONTENT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("forbidden_uses")
        if isinstance(field, forms.MultipleChoiceField):
            # Keep values typed before the choices existed, so an edit never drops them.
            choices = StateLawProfile.ForbiddenUse.choices  # the field's, declared above
            known = {value for value, _label in choices}
            extra = [(v, v) for v in (self.instance.forbidden_uses or []) if v not in known]
            field.choices = [*choices, *extra]


@admin.register(StateLawProfile)
class StateLawProfileAdmin(CityScopedAdmin):
    form = StateLawProfileForm
    list_display = [
        "state",
        "statute_citation",
        "forbidden_uses_display",
        "forbids_out_of_state_sharing",
        "forbids_federal_sharing",
        "requires_written_declaration",
        "retention_limit_days",
        "last_reviewed",
    ]
    list_filter = [
        "forbids_out_of_state_sharing",
        "forbids_federal_sharing",
        "requires_written_declaration",
    ]
    search_fields = ["state", "statute_citation", "summary"]
    date_hierarchy = "last_reviewed"
    fieldsets = [
        (None, {"fields": ["state", "statute_citation", "statute_url", "summary"]}),
        (
            _("What the law says"),
            {
                "fields": [
                    "forbidden_uses",
                    "forbids_out_of_state_sharing",
                    "forbids_federal_sharing",
                    "requires_written_declaration",
                    "retention_limit_days",
                ]
            },
        ),
        (_("Dates"), {"fields": ["effective_date", "last_reviewed"]}),
    ]

    @admin.display(description=_("forbidden uses"))
    def forbidden_uses_display(self, obj: StateLawProfile) -> str:
        labels = dict(StateLawProfile.ForbiddenUse.choices)
        return ", ".join(str(labels.get(v, v)) for v in obj.forbidden_uses or []) or "—"

    # A profile sets the flags of every city in its state: clerks read their state's profile,
    # superusers change profiles, through the services that audit and reflag.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        state_law_profile_save(profile=obj, fields=form.changed_data, actor=request.user)

    def delete_model(self, request, obj):
        state_law_profile_delete(profile=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for profile in queryset:
                state_law_profile_delete(profile=profile, actor=request.user)


# --- Agencies ------------------------------------------------------------------------------


class AgencyCounts(TypedDict):
    """What ``AgencyAdmin.get_queryset`` annotates on each agency."""

    alias_count: int
    camera_count: int


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "slug",
            "kind",
            "state",
            "home_city",
            "is_active",
            "website",
            "transparency_url",
            "notes",
        ]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        parsed = parse_agency_name(name)
        if not parsed.key:
            raise ValidationError(_("Enter the agency's name."))
        existing = agency_find(name=name)
        if existing is not None and existing.pk != self.instance.pk:
            raise ValidationError(
                _("“%(name)s” already refers to %(agency)s. Edit that agency or merge the two."),
                params={"name": parsed.display, "agency": existing},
            )
        # Imports resolve names by this key, so it follows the published name.
        self.instance.normalized_name = parsed.key
        return parsed.display


class AgencyAliasForm(forms.ModelForm):
    class Meta:
        model = AgencyAlias
        fields = ["name"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        parsed = parse_agency_name(name)
        if not parsed.key:
            raise ValidationError(_("Enter a spelling of the agency's name."))
        agency_id = self.instance.agency_id
        if agency_id and Agency.objects.filter(pk=agency_id, normalized_name=parsed.key).exists():
            raise ValidationError(_("That spelling already resolves to this agency."))
        other = agency_find(name=name)
        if other is not None and other.pk != agency_id:
            raise ValidationError(
                _("That spelling belongs to %(agency)s; merge the agencies instead."),
                params={"agency": other},
            )
        self.instance.normalized_name = parsed.key
        return parsed.display


class AgencyAliasFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            # Django's own formset check (and its documented example); the stubs leave it out.
            deleted = self._should_delete_form(form)  # type: ignore[attr-defined]
            if not form.is_valid() or not form.has_changed() or deleted:
                continue
            key = form.instance.normalized_name
            if key in seen:
                form.add_error("name", _("This spelling is listed twice."))
            seen.add(key)


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    form = AgencyAliasForm
    formset = AgencyAliasFormSet
    fields = ["name", "normalized_name"]
    readonly_fields = ["normalized_name"]
    extra = 1
    verbose_name = _("alias")
    verbose_name_plural = _("aliases (other spellings imports should resolve to this agency)")


@admin.register(Agency)
class AgencyAdmin(CityScopedAdmin):
    form = AgencyAdminForm
    city_field = "home_city"
    inlines = [AgencyAliasInline]
    list_display = [
        "name",
        "kind",
        "state",
        "home_city",
        "is_active",
        "alias_count",
        "camera_count",
    ]
    list_filter = [
        "kind",
        ("state", admin.AllValuesFieldListFilter),
        ("home_city", admin.RelatedOnlyFieldListFilter),
        "is_active",
    ]
    list_select_related = ["home_city"]
    search_fields = ["name", "normalized_name", "aliases__name"]
    autocomplete_fields = ["home_city"]
    date_hierarchy = "created_at"
    actions = ["merge_agencies"]
    fieldsets = [
        (None, {"fields": ["name", "normalized_name", "slug", "kind", "state", "home_city"]}),
        (_("Status and links"), {"fields": ["is_active", "website", "transparency_url"]}),
        (_("Notes"), {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                alias_count=count_subquery(AgencyAlias, "agency"),
                camera_count=count_subquery("cameras.Camera", "owner"),
            )
        )

    @admin.display(description=_("aliases"), ordering="alias_count")
    def alias_count(self, obj: WithAnnotations[Agency, AgencyCounts]) -> int:
        return obj.alias_count

    @admin.display(description=_("cameras"), ordering="camera_count")
    def camera_count(self, obj: WithAnnotations[Agency, AgencyCounts]) -> int:
        return obj.camera_count

    def get_readonly_fields(self, request, obj=None):
        # The slug is in public URLs people have shared; it never changes once made.
        return ("normalized_name", "slug") if obj is not None else ("normalized_name",)

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ("name",)} if obj is None else {}

    def save_model(self, request, obj, form, change):
        agency_update(agency=obj, data=self.changed_values(obj, form), actor=request.user)

    def save_inline_object(self, request, obj, *, parent) -> bool:
        if isinstance(obj, AgencyAlias) and obj.pk is None:
            agency_add_alias(agency=parent, name=obj.name, actor=request.user)
            return False
        return super().save_inline_object(request, obj, parent=parent)

    @admin.action(description=_("Merge selected agencies"), permissions=["change"])
    def merge_agencies(self, request, queryset):
        agencies = list(queryset.order_by("name"))
        if len(agencies) < 2:
            self.message_user(
                request, _("Select at least two agencies to merge."), messages.WARNING
            )
            return None
        if request.POST.get("post") == "yes":
            target = next((a for a in agencies if str(a.pk) == request.POST.get("target")), None)
            if target is not None:
                sources = [a for a in agencies if a.pk != target.pk]
                agency_merge(target=target, sources=sources, actor=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "Merged %(count)d agency into %(target)s.",
                        "Merged %(count)d agencies into %(target)s.",
                        len(sources),
                    )
                    % {"count": len(sources), "target": target},
                    messages.SUCCESS,
                )
                return None
            self.message_user(request, _("Pick the agency to keep."), messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge agencies"),
            "opts": self.opts,
            "agencies": agencies,
            "action_name": "merge_agencies",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/core/agency/merge_agencies.html", context)


# --- Import jobs ---------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Cameras: OpenStreetMap Overpass JSON, GeoJSON or CSV with lat/lon columns. "
            "Sharing: CSV of agency pairs, a records-request list, or a transparency page's "
            "text or HTML. Metrics: CSV of transparency-page metrics and policies. "
            "Transparency page: a saved page (HTML or its text), imported as a dated snapshot "
            "and its sharing lists. "
            "Search audit: a transparency portal's audit CSV or a records-request network or "
            "organization audit (CSV or XLSX)."
        ),
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none())
    partial = forms.BooleanField(
        label=_("Partial file: don't mark missing cameras removed"),
        required=False,
        help_text=_(
            "Leave unticked when the file is the whole list: cameras of the city missing from "
            "a camera file are then marked removed, and sharing missing from an agency's list "
            "is marked ended."
        ),
    )
    agency = forms.CharField(
        label=_("Agency"),
        required=False,
        max_length=255,
        help_text=_(
            "Cameras: the owner of rows that name none. Sharing and transparency page: the "
            "agency whose page this is, when the page does not say. Search audit (required): "
            "the agency whose audit this is, one of your city's agencies."
        ),
    )
    format = forms.ChoiceField(
        label=_("Audit layout"),
        required=False,
        choices=file_format_choices,
        initial="auto",
        help_text=_("Search audits only; leave on automatic unless detection picks wrongly."),
    )
    date = forms.DateField(
        label=_("Date the file speaks for"),
        required=False,
        help_text=_(
            "Sharing and metrics: leave empty to take a YYYYMMDD from the file name, else today. "
            "Transparency page: leave empty to take the page's “Last updated” date."
        ),
    )

    # Which job option each form field feeds, per kind of file (see cameras/importers/).
    OPTION_KEYS = {
        ImportJob.Kind.CAMERAS: {"partial": "partial", "agency": "owner"},
        ImportJob.Kind.SHARING: {"partial": "partial", "agency": "agency", "date": "date"},
        ImportJob.Kind.PORTAL_METRICS: {"date": "date"},
        ImportJob.Kind.PORTAL_PAGE: {"partial": "partial", "agency": "agency", "date": "date"},
        ImportJob.Kind.AUDIT: {"agency": "agency", "format": "format"},
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        city_field = self.fields["city"]
        assert isinstance(city_field, forms.ModelChoiceField)  # declared above
        city_field.queryset = City.objects.get_viewable(user)
        # Superusers may import agency-wide files; a clerk's import belongs to their city.
        city_field.required = not user.is_superuser
        city_field.initial = only_city(user)
        self.user = user

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("kind") == ImportJob.Kind.AUDIT:
            cleaned["agency"] = self._audit_agency(cleaned.get("agency") or "")
        return cleaned

    def _audit_agency(self, name: str) -> str:
        """An audit belongs to one agency; a clerk may import only their cities' agencies."""
        if not name.strip():
            self.add_error("agency", _("Say whose search audit this is."))
            return name
        agency = agency_find(name=name)
        if self.user.is_superuser:
            return agency.name if agency else name.strip()
        if (
            agency is None
            or not Agency.objects.get_viewable(self.user).filter(pk=agency.pk).exists()
        ):
            self.add_error(
                "agency",
                _("“%s” is not an agency of your city; add it to your city first.") % name,
            )
            return name
        return agency.name

    def options(self) -> dict:
        """The job options this upload asks for; fields that don't apply to the kind are dropped."""
        options = {}
        for field, key in self.OPTION_KEYS.get(self.cleaned_data["kind"], {}).items():
            value = self.cleaned_data.get(field)
            if value:
                options[key] = value.isoformat() if hasattr(value, "isoformat") else value
        return options


def _job_progress(job: ImportJob) -> dict | None:
    """What a running job last published: bytes (or sheet rows) done of total, rows read."""
    if job.status != ImportJob.Status.RUNNING:
        return None
    progress = import_job_progress_get(job=job)
    if not progress:
        return None
    total = progress.get("total") or 0
    return {
        **progress,
        "percent": min(100, round(100 * progress["done"] / total)) if total else None,
    }


@admin.register(ImportJob)
class ImportJobAdmin(CityScopedAdmin):
    city_field = "city"
    owner_field = "created_by"
    list_display = [
        "id",
        "kind",
        "status",
        "original_name",
        "city",
        "created_by",
        *ImportJob.COUNT_FIELDS,
        "created_at",
        "finished_at",
    ]
    list_display_links = ["id", "kind"]
    list_filter = ["status", "kind", ("city", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["city", "created_by"]
    search_fields = ["original_name", "sha256"]
    date_hierarchy = "created_at"
    actions = ["run_again"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "status",
                    "original_name",
                    "city",
                    "created_by",
                    "options",
                    "sha256",
                ]
            },
        ),
        (
            _("Counts"),
            {"fields": list(ImportJob.COUNT_FIELDS)},
        ),
        (
            _("Progress"),
            {"fields": ["created_at", "started_at", "finished_at", "heartbeat_at", "attempts"]},
        ),
        (_("Error"), {"fields": ["error"]}),
    ]
    readonly_fields = ["created_at"]

    def has_change_permission(self, request, obj=None):
        # A job is a record of what happened; it is never edited, only run again.
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a file: create the job through the import service and go to its page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    kind=form.cleaned_data["kind"],
                    file=upload,
                    original_name=upload.name,
                    city=form.cleaned_data["city"],
                    options=form.options(),
                    actor=request.user,
                )
            except ServiceError as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(
                    request,
                    _("Import job #%(id)s was created for “%(name)s”.")
                    % {"id": job.pk, "name": upload.name},
                    messages.SUCCESS,
                )
                return redirect("admin:core_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload a file to import"),
            "opts": self.opts,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/core/importjob/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if job is not None and self.has_view_permission(request, job):
            errors = job.row_errors.order_by("line", "pk")
            total = errors.count()
            extra_context.update(
                row_errors=list(errors[:ROW_ERRORS_SHOWN]),
                row_errors_total=total,
                row_errors_truncated=total > ROW_ERRORS_SHOWN,
                row_errors_url=reverse("admin:core_importrowerror_changelist")
                + "?"
                + urlencode({"job__id__exact": job.pk}),
                refresh_seconds=None if job.is_finished else JOB_REFRESH_SECONDS,
                progress=_job_progress(job),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Run selected failed jobs again"), permissions=["add"])
    def run_again(self, request, queryset):
        """Start a new job from each failed job's stored file; the failed job stays as history."""
        started = skipped = 0
        for job in queryset.filter(status=ImportJob.Status.FAILED):
            if not job.file or not job.file.storage.exists(job.file.name):
                skipped += 1
                continue
            try:
                with job.file.open("rb") as handle:
                    import_job_create(
                        kind=job.kind,
                        file=handle,
                        original_name=job.original_name,
                        city=job.city,
                        options=job.options,
                        actor=request.user,
                    )
            except ServiceError as exc:
                self.message_user(request, f"#{job.pk}: {exc}", messages.ERROR)
                continue
            started += 1
        not_failed = queryset.exclude(status=ImportJob.Status.FAILED).count()
        if started:
            self.message_user(
                request,
                ngettext(
                    "Started %(count)d new import job.",
                    "Started %(count)d new import jobs.",
                    started,
                )
                % {"count": started},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d job's file is no longer stored; upload it again.",
                    "%(count)d jobs' files are no longer stored; upload them again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        if not_failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected job had not failed and was left alone.",
                    "%(count)d selected jobs had not failed and were left alone.",
                    not_failed,
                )
                % {"count": not_failed},
                messages.INFO,
            )


@admin.register(ImportRowError)
class ImportRowErrorAdmin(ReadOnlyScopedAdmin):
    city_field = "job__city"
    owner_field = "job__created_by"
    list_display = ["job", "line", "message", "excerpt"]
    list_select_related = ["job"]
    list_filter = [
        ("job__kind", titled(admin.ChoicesFieldListFilter, _("kind of import"))),
        ("job__status", titled(admin.ChoicesFieldListFilter, _("job status"))),
    ]
    search_fields = ["message", "excerpt"]
    date_hierarchy = "job__created_at"
    list_per_page = 200


# --- Audit log -----------------------------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdmin):
    city_field = "city"
    owner_field = "actor"
    list_display = ["at", "actor", "action", "city", "object_type", "object_link"]
    list_filter = [
        ("action", admin.AllValuesFieldListFilter),
        ("city", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("at", titled(admin.DateFieldListFilter, _("date"))),
    ]
    list_select_related = ["actor", "city"]
    search_fields = ["action", "object_repr", "object_id"]
    date_hierarchy = "at"
    fields = [
        "at",
        "actor",
        "action",
        "city",
        "object_type",
        "object_id",
        "object_link",
        "changes_display",
    ]
    readonly_fields = ["object_link", "changes_display"]

    @admin.display(description=_("object"), ordering="object_repr")
    def object_link(self, obj: AuditEvent) -> str:
        url = None
        if obj.object_type and obj.object_id and "." in obj.object_type:
            app_label, model_name = obj.object_type.split(".", 1)
            try:
                url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.object_id])
            except NoReverseMatch:
                url = None
        if url:
            return format_html('<a href="{}">{}</a>', url, obj.object_repr)
        return obj.object_repr

    @admin.display(description=_("changes"))
    def changes_display(self, obj: AuditEvent) -> str:
        """Field changes as a before/after table; context an action recorded about itself
        in the "after" column."""
        if not isinstance(obj.changes, dict) or not obj.changes:
            return format_html("<pre>{}</pre>", _json_text(obj.changes))
        rows: list[tuple[str, str, StrOrPromise]] = []
        for name, kind, old, new in audit_entries(obj.changes):
            if kind == "private":
                rows.append((name, "", _("changed (the value is private and not kept)")))
            elif kind == "change":
                rows.append((name, _json_text(old), _json_text(new)))
            else:
                rows.append((name, "", _json_text(new)))
        return format_html(
            '<table class="audit-changes"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>', rows),
        )


def _json_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
