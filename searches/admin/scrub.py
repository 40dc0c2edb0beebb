"""Scrubbing in the admin: the scrub patterns (national, like the classification rules) and the
reasons clerks review: names to release or redact, and any reason to redact by hand.

Every write goes through ``searches.services.scrubbing``, which checks the clerk's cities, audits it
(never with the text redacted) and reclassifies what changed.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin
from core.services import ServiceError
from core.subqueries import count_subquery
from searches.admin.national import NationalAdmin
from searches.models import Reason, ReasonReview, ScrubPattern, Search
from searches.scrub import compile_pattern, default_scrubber
from searches.services.scrubbing import (
    reason_name_redact,
    reason_name_release,
    reason_redact,
    reasons_viewable,
    scrub_patterns_changed,
    scrubber_current,
)


class ScrubPatternForm(forms.ModelForm):
    class Meta:
        model = ScrubPattern
        fields = ["kind", "pattern", "marker", "position", "is_active", "note"]

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        try:
            regex = compile_pattern(pattern)
        except Exception as exc:  # re.error, or a pattern too deeply nested
            raise forms.ValidationError(_("Not a valid regular expression: %s") % exc) from None
        if regex.search(""):
            raise forms.ValidationError(_("The expression matches empty text."))
        return pattern

    def clean_marker(self) -> str:
        marker = self.cleaned_data["marker"].strip()
        if marker and default_scrubber().scrub(marker).changed:
            raise forms.ValidationError(_("A marker must not itself look like private data."))
        return marker


class TryScrubForm(forms.Form):
    reason = forms.CharField(label=_("Reason as written"), max_length=2000)


@admin.register(ScrubPattern)
class ScrubPatternAdmin(NationalAdmin):
    """National patterns: audited edits, and every stored reason re-scrubbed after each."""

    form = ScrubPatternForm
    list_display = ["position", "kind", "note", "pattern", "marker", "is_active"]
    list_display_links = ["note"]
    list_filter = ["kind", "is_active"]
    search_fields = ["pattern", "note"]
    ordering = ["position", "pk"]

    changed = staticmethod(scrub_patterns_changed)

    def get_urls(self):
        view = self.admin_site.admin_view(self.try_view)
        return [path("try/", view, name="searches_scrubpattern_try"), *super().get_urls()]

    def try_view(self, request):
        """Show what the active patterns make of a reason typed in, without saving anything."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TryScrubForm(request.GET or None)
        result = None
        if form.is_bound and form.is_valid():
            scrubbed = scrubber_current().scrub(form.cleaned_data["reason"])
            result = {"text": scrubbed.text, "found": sorted(scrubbed.found.items())}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Try the scrub patterns"),
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/searches/try_scrub.html", context)


class RedactForm(forms.Form):
    fragment = forms.CharField(
        label=_("Text to redact"),
        max_length=500,
        help_text=_("Every occurrence, in any case, becomes [redacted]."),
    )


@admin.register(ReasonReview)
class ReasonReviewAdmin(CityScopedAdmin):
    """Reasons of the clerk's cities' audits: release or redact a masked name, redact by hand."""

    list_display = ["public_text", "held", "name_review", "search_count"]
    list_filter = ["name_review"]
    search_fields = ["text"]  # the public text only: held names are not searchable
    actions = ["release_names", "redact_names"]
    fields = ("public_text", "held", "offense_text", "name_review", "category", "redact_link")
    readonly_fields = fields
    show_full_result_count = False

    def scope(self, request, queryset):
        return queryset.filter(pk__in=reasons_viewable(request.user).values("pk"))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_searches=count_subquery(Search, "reason"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reason as the public sees it"), ordering="text")
    def public_text(self, obj: Reason) -> str:
        return str(obj)

    @admin.display(description=_("text awaiting review"))
    def held(self, obj: Reason) -> str:
        return obj.held_text or "—"

    @admin.display(description=_("searches"))
    def search_count(self, obj) -> int:
        return getattr(obj, "n_searches", 0)

    @admin.display(description=_("redact by hand"))
    def redact_link(self, obj: Reason) -> str:
        url = reverse("admin:searches_reasonreview_redact", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Redact part of this reason"))

    def _review(self, request, queryset, service, done) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = 0
        for reason in queryset.filter(name_review=Reason.NameReview.PENDING):
            try:
                service(actor=request.user, reason=reason)
            except (ServiceError, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            count += 1
        self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Release the masked name(s): not a private person"))
    def release_names(self, request, queryset):
        self._review(
            request,
            queryset,
            reason_name_release,
            lambda n: ngettext("%d reason released.", "%d reasons released.", n) % n,
        )

    @admin.action(description=_("Redact the masked name(s) for good"))
    def redact_names(self, request, queryset):
        self._review(
            request,
            queryset,
            reason_name_redact,
            lambda n: ngettext("%d name redacted.", "%d names redacted.", n) % n,
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.redact_view)
        return [
            path("<int:pk>/redact/", view, name="searches_reasonreview_redact"),
            *super().get_urls(),
        ]

    def redact_view(self, request, pk: int):
        """Redact a fragment of one reason by hand (audited, scoped to the clerk's cities)."""
        reason = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, reason):
            raise PermissionDenied
        form = RedactForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                kept = reason_redact(
                    actor=request.user, reason=reason, fragment=form.cleaned_data["fragment"]
                )
            except ServiceError as exc:
                form.add_error("fragment", str(exc))
            else:
                self.message_user(request, _("The reason was redacted."), messages.SUCCESS)
                return redirect("admin:searches_reasonreview_change", kept.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Redact part of a reason"),
            "original": reason,
            "form": form,
        }
        return TemplateResponse(request, "admin/searches/redact_reason.html", context)
