"""Audit sources in the clerk admin: a clerk registers an agency's public audit CSV URL (only
agencies of their own cities), sees every fetch with its outcome, and can fetch one at once."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin, ReadOnlyScopedAdmin
from searches.models import AuditFetch, AuditSource
from searches.tasks import audit_source_fetch


class AuditFetchInline(admin.TabularInline):
    model = AuditFetch
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = (
        "started_at",
        "status",
        "http_status",
        "bytes_received",
        "rows_new",
        "rows_duplicate",
        "rows_rejected",
        "job_link",
        "error",
    )
    readonly_fields = fields
    ordering = ["-started_at"]
    verbose_name_plural = _("fetches (newest first)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("job")

    @admin.display(description=_("import job"))
    def job_link(self, obj: AuditFetch):
        return _job_link(obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _job_link(obj: AuditFetch):
    if obj.job_id is None:
        return "—"
    return format_html(
        '<a href="{}">#{}</a>',
        reverse("admin:core_importjob_change", args=[obj.job_id]),
        obj.job_id,
    )


class AuditSourceForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=1000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "The public search-audit CSV of the agency's transparency portal. It is fetched on "
            "the schedule below; each fetch imports only searches not seen before."
        ),
    )

    class Meta:
        model = AuditSource
        fields = ["agency", "url", "is_active", "interval_hours"]


@admin.register(AuditSource)
class AuditSourceAdmin(CityScopedAdmin):
    form = AuditSourceForm
    city_field = "agency__home_city"
    list_display = [
        "agency",
        "url",
        "is_active",
        "interval_hours",
        "last_fetched_at",
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
        "last_fetched_at",
        "etag",
        "last_modified",
        "created_by",
    ]
    readonly_fields = ["last_fetched_at", "etag", "last_modified", "created_by"]
    inlines = [AuditFetchInline]
    actions = ["fetch_now"]

    @admin.display(description=_("last fetch"))
    def last_status(self, obj: AuditSource) -> str:
        fetch = obj.fetches.order_by("-started_at").first()
        return fetch.get_status_display() if fetch else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Fetch the selected sources now"), permissions=["change"])
    def fetch_now(self, request, queryset):
        """Queue a fetch of each selected source (the workers run it, as beat would)."""
        ids = list(queryset.values_list("pk", flat=True))
        for source_id in ids:
            # Celery's Django fixup makes tasks DjangoTasks; the stubs type shared_task's as Task.
            audit_source_fetch.delay_on_commit(source_id)  # type: ignore[attr-defined]
        self.message_user(
            request,
            ngettext(
                "Queued a fetch of %(count)d source; its result appears below it.",
                "Queued a fetch of %(count)d sources; their results appear below them.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )


@admin.register(AuditFetch)
class AuditFetchAdmin(ReadOnlyScopedAdmin):
    city_field = "source__agency__home_city"
    list_display = [
        "started_at",
        "source",
        "status",
        "http_status",
        "bytes_received",
        "rows_new",
        "rows_duplicate",
        "rows_rejected",
        "job_link",
    ]
    list_filter = ["status"]
    list_select_related = ["source__agency", "job"]
    search_fields = ["source__url", "source__agency__name", "error"]
    date_hierarchy = "started_at"

    @admin.display(description=_("import job"))
    def job_link(self, obj: AuditFetch):
        return _job_link(obj)
