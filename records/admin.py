"""Records requests in the admin: a clerk logs, follows and closes their cities' requests, and
imports the file an agency sent straight from the request. Every path (list, change, upload,
actions) is scoped to the clerk's cities by ``CityScopedAdmin``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin
from core.services import ServiceError
from records import services
from records.forms import ReceivedFileForm
from records.models import RecordsRequest


@admin.register(RecordsRequest)
class RecordsRequestAdmin(CityScopedAdmin):
    city_field = "city"
    preselect_city = True
    audit_private_fields = ("requester_email",)
    list_display = ["agency", "kind", "status", "sent_on", "due_on", "response_on", "city"]
    list_filter = ["status", "kind", "city"]
    list_select_related = ["agency", "city"]
    search_fields = ["agency__name", "reference"]
    autocomplete_fields = ["agency"]
    date_hierarchy = "sent_on"
    fields = [
        "city",
        "agency",
        "kind",
        "sent_on",
        "reference",
        "status",
        "due_on",
        "original_due_on",
        "response_on",
        "public_note",
        "requester_email",
        "language",
        "confirmed_at",
        "received_file",
        "created_by",
    ]
    readonly_fields = ["original_due_on", "confirmed_at", "received_file", "created_by"]
    actions = ["start_received_imports"]
    change_form_template = "admin/records/recordsrequest/change_form.html"

    @admin.display(description=_("received file"))
    def received_file(self, obj: RecordsRequest):
        job = obj.import_job
        if job is None:
            return "—"
        url = reverse("admin:core_importjob_change", args=[job.pk])
        return format_html(
            '<a href="{}">{} #{}</a> · {}',
            url,
            job.get_kind_display(),
            job.pk,
            job.get_status_display(),
        )

    def save_model(self, request, obj, form, change):
        services.records_request_fill(records_request=obj, actor=request.user)
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Start the import of files requesters uploaded"), permissions=["change"]
    )
    def start_received_imports(self, request, queryset):
        started = sum(
            services.records_request_import_start(records_request=r, actor=request.user)
            for r in queryset.select_related("import_job")
        )
        self.message_user(
            request,
            ngettext("Started %(count)d import.", "Started %(count)d imports.", started)
            % {"count": started},
            messages.SUCCESS if started else messages.INFO,
        )

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [
            path("<path:object_id>/upload/", upload, name="records_recordsrequest_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request, object_id):
        """Import the file the agency sent for this request (scoped: another city's is None)."""
        records_request = self.get_object(request, unquote(object_id))
        if records_request is None:
            raise Http404
        if not self.has_change_permission(request, records_request):
            raise PermissionDenied
        form = ReceivedFileForm(
            request.POST or None,
            request.FILES or None,
            initial={"import_kind": services.DEFAULT_IMPORT_KIND.get(records_request.kind)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                job = services.records_request_attach(
                    records_request=records_request,
                    file=form.cleaned_data["file"],
                    import_kind=form.cleaned_data["import_kind"],
                    actor=request.user,
                )
            except ServiceError as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(
                    request,
                    _("The file was queued as import job #%(job)s.") % {"job": job.pk},
                    messages.SUCCESS,
                )
                return redirect("admin:records_recordsrequest_change", records_request.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the file received for %(request)s") % {"request": records_request},
            "opts": self.opts,
            "original": records_request,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/records/recordsrequest/upload.html", context)
