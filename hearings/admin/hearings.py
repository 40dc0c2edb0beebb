"""The clerk admin for hearings, agendas, the comment moderation queue, engagement settings and
the outbox, each scoped to the clerk's cities.

Hearings are saved through ``hearing_create``/``hearing_update`` and comments are moderated
through ``comment_moderate``, which check the city, write the audit row and email the author;
the admin never changes a comment row itself. Emails and addresses appear only here, to the
clerks of the comment's city.
"""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin, ReadOnlyScopedAdmin, only_city
from core.models import City
from core.services import ServiceError
from hearings.admin.times import CityTimeFormMixin, city_time_column, city_zone
from hearings.exports import record_csv_response
from hearings.models import (
    AgendaDocument,
    AgendaItem,
    CityEngagementSettings,
    Comment,
    Hearing,
    OutboundEmail,
)
from hearings.selectors.comments import hearing_record
from hearings.services import comments as comment_services
from hearings.services import hearings as hearing_services
from hearings.views.hearings import record_context

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- Hearings and agendas ----------------------------------------------------------------------


class HearingAdminForm(forms.ModelForm):
    class Meta:
        model = Hearing
        fields = ["city", *hearing_services.HEARING_FIELDS]
        help_texts = {
            "comment_opens_at": _("Empty: comments open as soon as the hearing is saved."),
            "comment_closes_at": _("Empty: the city's default number of hours before the meeting."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("comment_opens_at", "comment_closes_at"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        super().clean()
        data = self.cleaned_data
        city = data.get("city") or getattr(self.instance, "city", None)
        starts = data.get("starts_at")
        if city is None or starts is None:
            return data
        closes = data.get("comment_closes_at") or hearing_services.hearing_window_default(
            city=city, starts_at=starts
        )
        opens = data.get("comment_opens_at") or min(timezone.now(), closes)
        try:
            hearing_services.hearing_window_check(
                starts_at=starts,
                opens_at=opens,
                closes_at=closes,
                extended=bool(data.get("window_extended")),
            )
        except ServiceError as exc:
            raise ValidationError(str(exc)) from exc
        return data


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = [
        ("position", "title"),
        "description",
        ("outcome", "outcome_note"),
        "agencies",
        "cameras",
    ]
    autocomplete_fields = ["agencies", "cameras"]
    show_change_link = True


@admin.register(Hearing)
class HearingAdmin(CityTimeFormMixin, CityScopedAdmin):
    form = HearingAdminForm
    city_field = "city"
    preselect_city = True
    inlines = [AgendaItemInline]
    list_display = [
        "title",
        "city",
        "body_kind",
        "starts_local",
        "status",
        "comment_window",
        "pending_comments",
    ]
    list_filter = ["status", "body_kind", ("city", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "body_name", "location", "city__name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["slug", "record_links"]
    fieldsets = [
        (None, {"fields": ["city", "title", "slug", ("body_kind", "body_name"), "status"]}),
        (_("When and where"), {"fields": ["starts_at", "location", "minutes_url"]}),
        (
            _("Public comment"),
            {"fields": [("comment_opens_at", "comment_closes_at"), "window_extended"]},
        ),
        (_("Record"), {"fields": ["record_links"]}),
    ]
    actions = ["export_record_csv"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "city"] if obj is not None else fields

    starts_local = city_time_column("starts_at", city="city", description=_("starts"))

    def form_zone(self, request, object_id) -> zoneinfo.ZoneInfo:
        """A new hearing's times are in the zone of the city chosen in the posted form."""
        if not object_id and request.POST.get("city", "").isdigit():
            chosen = City.objects.get_viewable(request.user).filter(pk=request.POST["city"])
            return city_zone(chosen.first() or only_city(request.user))
        return super().form_zone(request, object_id)

    @admin.display(description=_("comments"))
    def comment_window(self, obj: Hearing) -> StrOrPromise:
        labels = {
            "open": _("open"),
            "not_open": _("not open yet"),
            "closed": _("closed"),
            "cancelled": _("cancelled"),
        }
        return labels[obj.window_state()]

    @admin.display(description=_("awaiting moderation"))
    def pending_comments(self, obj: Hearing) -> int:
        return Comment.objects.filter(item__hearing=obj, status=Comment.Status.PENDING).count()

    @admin.display(description=_("record of public comment"))
    def record_links(self, obj: Hearing) -> str:
        if obj is None or obj.pk is None:
            return "—"
        packet = reverse("admin:hearings_hearing_record", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}?format=csv">{}</a> · <a href="{}">{}</a>',
            packet,
            _("Clerk's record (printable, save as PDF)"),
            packet,
            _("Clerk's record (CSV)"),
            reverse("hearings:hearing-record", args=[obj.city.slug, obj.slug]),
            _("Public record"),
        )

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in hearing_services.HEARING_FIELDS}
        try:
            if change:
                changed = {k: data[k] for k in form.changed_data if k in data}
                saved = hearing_services.hearing_update(hearing=obj, actor=request.user, **changed)
            else:
                saved = hearing_services.hearing_create(
                    actor=request.user, city=form.cleaned_data["city"], **data
                )
        except ServiceError as exc:  # the form checked the same rules; a race lands here
            raise ValidationError(str(exc)) from exc
        # The inlines save against ``obj``: give it the row the service wrote.
        obj.pk, obj.slug = saved.pk, saved.slug
        obj.comment_opens_at, obj.comment_closes_at = (
            saved.comment_opens_at,
            saved.comment_closes_at,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/record/",
                self.admin_site.admin_view(self.record_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_record",
            ),
            *super().get_urls(),
        ]

    def record_view(self, request, object_id):
        """The clerk's record of one hearing: printable packet, or CSV with ``?format=csv``."""
        hearing = self.get_object(request, unquote(object_id))
        if hearing is None:
            raise Http404
        if not self.has_view_permission(request, hearing):
            raise PermissionDenied
        record = hearing_record(hearing=hearing, clerk=True)
        if request.GET.get("format") == "csv":
            return record_csv_response(record, filename=f"{hearing.slug}-clerk-record.csv")
        return TemplateResponse(request, "hearings/record.html", record_context(record))

    @admin.action(description=_("Export the clerk's record of public comment (CSV)"))
    def export_record_csv(self, request, queryset):
        hearings = list(queryset[:2])
        if len(hearings) != 1:
            self.message_user(
                request, _("Choose one hearing to export its record."), messages.WARNING
            )
            return None
        return HttpResponseRedirect(
            reverse("admin:hearings_hearing_record", args=[hearings[0].pk]) + "?format=csv"
        )


class AgendaDocumentInline(admin.TabularInline):
    model = AgendaDocument
    extra = 1
    fields = ["title", "url"]


@admin.register(AgendaItem)
class AgendaItemAdmin(CityScopedAdmin):
    city_field = "hearing__city"
    inlines = [AgendaDocumentInline]
    list_display = ["title", "hearing", "position", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["title", "description", "hearing__title"]
    autocomplete_fields = ["hearing", "agencies", "cameras"]
    fields = [
        "hearing",
        ("position", "title"),
        "description",
        ("outcome", "outcome_note"),
        "agencies",
        "cameras",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("hearing__city")


# --- Moderation queue --------------------------------------------------------------------------


class CommentStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to the queue of comments awaiting moderation."""

    title = _("status")
    parameter_name = "status__exact"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == self.ALL else queryset.filter(status=value)


# Characters of a comment's text the moderation list shows.
EXCERPT_CHARS = 70


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (emailed to the author, kept in the record)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Comment)
class CommentAdmin(CityScopedAdmin):
    city_field = "item__hearing__city"
    # Few, narrow columns: the list fits 1280 px beside its filters; the change page has the
    # full text, the address and the email.
    list_display = [
        "excerpt",
        "author",
        "position",
        "status_line",
        "item_link",
        "submitted_local",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        CommentStatusFilter,
        "held_reason",
        "position",
        "is_resident",
        "wants_to_speak",
        ("item__hearing", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "text", "email", "item__title", "item__hearing__title"]
    list_select_related = ["item__hearing__city"]
    date_hierarchy = "created_at"
    actions = ["approve_comments", "reject_comments"]
    fields = [
        "item",
        ("name", "email"),
        ("address_or_zip", "is_resident"),
        ("position", "wants_to_speak"),
        "text",
        ("status", "held_reason"),
        ("submitted_local", "confirmed_local", "withdrawn_local"),
        ("moderated_by", "moderated_local"),
        "rejection_reason",
        "consent_public_record",
    ]
    readonly_fields = [
        f for entry in fields for f in ((entry,) if isinstance(entry, str) else entry)
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Rejected comments stay in the clerk's record; nothing leaves it through the admin.
        return False

    submitted_local = city_time_column(
        "created_at", city="item__hearing__city", description=_("submitted")
    )
    confirmed_local = city_time_column(
        "confirmed_at", city="item__hearing__city", description=_("confirmed")
    )
    withdrawn_local = city_time_column(
        "withdrawn_at", city="item__hearing__city", description=_("withdrawn")
    )
    moderated_local = city_time_column(
        "moderated_at", city="item__hearing__city", description=_("moderated")
    )

    @admin.display(description=_("comment"))
    def excerpt(self, obj: Comment) -> str:
        # The full text is on the change page; the list shows enough to recognize it.
        return Truncator(obj.text).chars(EXCERPT_CHARS)

    @admin.display(description=_("name"), ordering="name")
    def author(self, obj: Comment) -> str:
        return format_html(
            '{}<br><span class="help">{}</span>',
            Truncator(obj.name).chars(40),
            _("resident") if obj.is_resident else _("non-resident"),
        )

    @admin.display(description=_("status"), ordering="status")
    def status_line(self, obj: Comment) -> str:
        if not obj.held_reason:
            return obj.get_status_display()
        return format_html(
            '{}<br><span class="help">{}</span>',
            obj.get_status_display(),
            _("held: %(why)s") % {"why": obj.get_held_reason_display()},
        )

    @admin.display(description=_("agenda item"), ordering="item__hearing__starts_at")
    def item_link(self, obj: Comment) -> str:
        return format_html(
            '<a href="{}">{}</a><br><span class="help">{}</span>',
            obj.item.get_absolute_url(),
            Truncator(obj.item.title).chars(40),
            Truncator(obj.item.hearing.title).chars(40),
        )

    def _moderate(self, request, queryset, *, action: str, reason: str = "") -> None:
        try:
            done, skipped = comment_services.comment_moderate_bulk(
                comments=list(queryset), actor=request.user, action=action, reason=reason
            )
        except (ServiceError, PermissionDenied) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        verb = _("published") if action == "approve" else _("rejected")
        self.message_user(
            request,
            ngettext("%(count)d comment %(verb)s.", "%(count)d comments %(verb)s.", done)
            % {"count": done, "verb": verb},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d comment skipped: unconfirmed or withdrawn.",
                    "%(count)d comments skipped: unconfirmed or withdrawn.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Approve and publish the selected comments"), permissions=["change"]
    )
    def approve_comments(self, request, queryset):
        self._moderate(request, queryset, action="approve")

    @admin.action(description=_("Reject the selected comments…"), permissions=["change"])
    def reject_comments(self, request, queryset):
        """Ask for the reason on an intermediate page, then reject with it."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._moderate(request, queryset, action="reject", reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject comments"),
            "opts": self.opts,
            "comments": queryset.select_related("item__hearing"),
            "form": form,
            "action": "reject_comments",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/hearings/comment/reject.html", context)


# --- Settings and the outbox -----------------------------------------------------------------


@admin.register(CityEngagementSettings)
class CityEngagementSettingsAdmin(CityScopedAdmin):
    city_field = "city"
    preselect_city = True
    list_display = [
        "city",
        "moderation_mode",
        "comment_max_length",
        "comment_close_hours",
        "record_includes_names",
        "record_includes_addresses",
    ]
    fieldsets = [
        (None, {"fields": ["city", "moderation_mode", "resident_zip_codes"]}),
        (
            _("Public comment"),
            {"fields": ["comment_max_length", "comment_close_hours", "public_record_disclaimer"]},
        ),
        (_("Clerk's record"), {"fields": ["record_includes_names", "record_includes_addresses"]}),
        (_("Petitions"), {"fields": ["petition_default_days", "petition_default_goal"]}),
    ]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyScopedAdmin):
    """What the portal emailed, for the clerks of the city it concerns (and superusers)."""

    city_field = "city"
    list_display = ["subject", "to", "status", "attempts", "queued_local", "sent_local", "city"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    fields = (
        "key",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "queued_local",
        "sent_local",
        "city",
        "body_text",
    )
    readonly_fields = fields
    queued_local = city_time_column("created_at", city="city", description=_("queued"))
    sent_local = city_time_column("sent_at", city="city", description=_("sent"))
