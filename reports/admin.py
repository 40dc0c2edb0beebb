"""The clerks' narrative sections of the annual reports, scoped to their cities like every
clerk-facing admin (``core.admin_scoping``): a clerk lists, reads, adds, changes and deletes only
the narratives of their cities and their cities' agencies; each write is audited."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import CityScopedAdmin
from reports.models import ReportNarrative


@admin.register(ReportNarrative)
class ReportNarrativeAdmin(CityScopedAdmin):
    list_display = ["title", "subject", "year", "section", "status"]
    list_filter = ["status", "year", "section"]
    search_fields = ["title", "body"]
    fields = [
        "city",
        "agency",
        "year",
        "section",
        "position",
        "title",
        "body",
        "status",
        "report_link",
    ]
    readonly_fields = ["report_link"]
    ordering = ["-year", "section", "position"]

    @admin.display(description=_("for"))
    def subject(self, obj: ReportNarrative) -> str:
        return str(obj.city or obj.agency)

    @admin.display(description=_("report"))
    def report_link(self, obj: ReportNarrative) -> str:
        subject = obj.city or obj.agency
        if obj.pk is None or subject is None:
            return "-"
        kind, slug = ("city" if obj.city else "agency"), subject.slug
        url = reverse(f"reports:{kind}-report", kwargs={"slug": slug, "year": obj.year})
        return format_html('<a href="{}">{}</a>', url, _("Open the report (drafts shown to you)"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city", "agency__home_city")

    def audit_city(self, request, obj):
        return obj.home_city
