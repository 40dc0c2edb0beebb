"""The clerk admin for petitions and signatures, scoped to the clerk's cities.

Every change a clerk makes to a petition goes through a service (review, end date and goal,
delivery at a hearing, official response), which checks the city, audits and emails; the admin
never saves a petition row itself. Signatures are read-only: names and ZIP codes for the record,
emails only for the clerks of the petition's city (the queryset is scoped to those).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin, ReadOnlyScopedAdmin, titled
from core.csvstream import csv_download, csv_lines
from core.services import ServiceError, audit_record
from hearings.admin.times import CityTimeFormMixin, city_time_column
from petitions import services as services
from petitions.models import Petition, Signature
from petitions.selectors import signatures_for_record

Status = Petition.Status
# The review queue's order: what needs the clerk first, the finished and refused last.
QUEUE_ORDER = [
    Status.PENDING,
    Status.OPEN,
    Status.CLOSED,
    Status.DELIVERED,
    Status.RESPONDED,
    Status.UNCONFIRMED,
    Status.REJECTED,
]
RECORD_COLUMNS = [
    "petition",
    "city",
    "confirmed_at",
    "name",
    "zip_code",
    "name_shown_publicly",
    "public_comment",
]


def record_csv(petitions: Iterable[Petition]) -> Iterator[str]:
    """The clerk's CSV of confirmed signatures, every cell through ``csv_safe``."""
    return csv_lines(chain([RECORD_COLUMNS], _record_rows(petitions)))


def _record_rows(petitions: Iterable[Petition]) -> Iterator[list]:
    for petition in petitions:
        rows = signatures_for_record(petition=petition).values_list(
            "confirmed_at", "name", "zip_code", "show_name", "public_comment"
        )
        for confirmed_at, name, zip_code, shown, comment in rows.iterator(chunk_size=2000):
            yield [
                petition.title,
                str(petition.city),
                confirmed_at.isoformat() if confirmed_at else "",
                name,
                zip_code,
                "yes" if shown else "no",
                comment,
            ]


class PetitionAdminForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Review decision"),
        required=False,
        choices=[
            ("", _("Not decided yet")),
            ("approve", _("Approve and publish")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Petition
        fields = ["rejection_reason", "ends_at", "signature_goal", "hearing", "response"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "reject" and not (data.get("rejection_reason") or "").strip():
            self.add_error("rejection_reason", _("Give the creator a reason for the rejection."))
        ends_at = data.get("ends_at")
        pending = self.instance.status == Status.PENDING
        if pending and "ends_at" in self.changed_data and ends_at and ends_at <= timezone.now():
            self.add_error("ends_at", _("The end date must be in the future."))
        hearing = data.get("hearing")
        if hearing is not None and hearing.city_id != self.instance.city_id:
            self.add_error("hearing", _("The hearing must be one of the petition's city."))
        return data


@admin.register(Petition)
class PetitionAdmin(CityTimeFormMixin, CityScopedAdmin):
    form = PetitionAdminForm
    city_field = "city"
    list_display = [
        "title",
        "city",
        "status",
        "signature_count",
        "signature_goal",
        "ends_at_local",
        "creator_name",
        "created_at_local",
    ]
    list_filter = ["status", ("city", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["city"]
    search_fields = ["title", "creator_name", "slug"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected", "export_signatures"]

    # --- the queue --------------------------------------------------------------------------

    def get_ordering(self, request):
        rank = Case(
            *(When(status=status, then=Value(n)) for n, status in enumerate(QUEUE_ORDER)),
            default=Value(len(QUEUE_ORDER)),
            output_field=IntegerField(),
        )
        return [rank.asc(), "ends_at", "-created_at"]

    def view_on_site(self, obj: Petition) -> str | None:
        # A petition awaiting review or rejected has no public page to view.
        return obj.get_absolute_url() if obj.is_public else None

    def has_add_permission(self, request):
        # Residents start petitions on the site; the clerk reviews them here.
        return False

    def has_delete_permission(self, request, obj=None):
        # A petition people signed is part of the record; only a superuser removes one.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    # --- times, in the petition's city's zone ------------------------------------------------

    opens_at_local = city_time_column("opens_at", city="city", description=_("opens"))
    ends_at_local = city_time_column("ends_at", city="city", description=_("ends"))
    closed_at_local = city_time_column("closed_at", city="city", description=_("closed"))
    created_at_local = city_time_column("created_at", city="city", description=_("created"))
    creator_confirmed_at_local = city_time_column(
        "creator_confirmed_at", city="city", description=_("creator confirmed")
    )
    reviewed_at_local = city_time_column("reviewed_at", city="city", description=_("reviewed"))
    delivered_at_local = city_time_column("delivered_at", city="city", description=_("delivered"))
    responded_at_local = city_time_column(
        "responded_at", city="city", description=_("response date")
    )
    TIME_FIELDS = frozenset(
        {
            "opens_at",
            "ends_at",
            "closed_at",
            "created_at",
            "creator_confirmed_at",
            "reviewed_at",
            "delivered_at",
            "responded_at",
        }
    )

    def _local_times(self, fieldsets, editable: set[str]):
        """Read-only times shown through their city-time columns; editable ones stay fields
        (the form is rendered in the city's zone, see ``CityTimeFormMixin``)."""
        return [
            (
                name,
                {
                    **opts,
                    "fields": [
                        f"{f}_local" if f in self.TIME_FIELDS and f not in editable else f
                        for f in opts["fields"]
                    ],
                },
            )
            for name, opts in fieldsets
        ]

    # --- the change form: what the clerk may do depends on the petition's status -----------

    TEXT_FIELDS = ["city", "title", "slug", "target_body", "action", "background"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.TEXT_FIELDS})]
        editable = self._editable(obj)
        status_fields = [
            "status",
            "signature_count",
            "signature_goal",
            "opens_at",
            "ends_at",
            "closed_at",
        ]
        fieldsets = [
            (None, {"fields": self.TEXT_FIELDS}),
            (
                _("Creator (email private)"),
                {"fields": ["creator_name", "creator_email", "creator_confirmed_at", "created_at"]},
            ),
            (_("Status and signatures"), {"fields": [*status_fields, "signatures_link"]}),
        ]
        if "decision" in editable or obj.status == Status.REJECTED:
            review = ["decision"] if "decision" in editable else []
            fieldsets.insert(
                0,
                (
                    _("Review"),
                    {"fields": [*review, "rejection_reason", "reviewed_by", "reviewed_at"]},
                ),
            )
        if obj.is_public:
            fieldsets.append(
                (
                    _("Presentation and response"),
                    {
                        "fields": [
                            "hearing",
                            "delivered_at",
                            "response",
                            "responded_at",
                            "record_export",
                        ]
                    },
                ),
            )
        return self._local_times(fieldsets, editable)

    def _editable(self, obj: Petition | None) -> set[str]:
        if obj is None:
            return set()
        if obj.status == Status.PENDING:
            return {"decision", "rejection_reason", "ends_at", "signature_goal"}
        if obj.status == Status.OPEN:
            return {"ends_at", "signature_goal", "hearing", "response"}
        if obj.status in {Status.CLOSED, Status.DELIVERED, Status.RESPONDED}:
            return {"hearing", "response"}
        return set()

    def get_readonly_fields(self, request, obj=None):
        editable = self._editable(obj)
        shown = {f for _name, opts in self.get_fieldsets(request, obj) for f in opts["fields"]}
        return sorted(shown - editable)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "ends_at" in form.base_fields and obj is not None and obj.status == Status.PENDING:
            form.base_fields["ends_at"].help_text = _(
                "Leave empty to run for the city's default number of days from publication."
            )
        return form

    @admin.display(description=_("signatures"))
    def signatures_link(self, obj: Petition) -> str:
        url = (
            reverse("admin:petitions_signature_changelist")
            + "?"
            + urlencode({"petition__id__exact": obj.pk})
        )
        return format_html(
            '<a href="{}">{}</a>',
            url,
            ngettext(
                "%(count)d confirmed signature",
                "%(count)d confirmed signatures",
                obj.signature_count,
            )
            % {"count": obj.signature_count},
        )

    @admin.display(description=_("record export"))
    def record_export(self, obj: Petition) -> str:
        url = reverse("admin:petitions_petition_record", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a>', url, _("Download confirmed signatures (CSV, names and ZIP)")
        )

    def save_model(self, request, obj, form, change):
        """Apply the form through the services; the admin never writes the row itself."""
        petition = Petition.objects.get(pk=obj.pk)
        data, changed = form.cleaned_data, set(form.changed_data)
        try:
            if petition.status == Status.PENDING and data.get("decision"):
                services.petition_review(
                    petition=petition,
                    actor=request.user,
                    approve=data["decision"] == "approve",
                    reason=data.get("rejection_reason") or "",
                    ends_at=data.get("ends_at"),
                    goal=data.get("signature_goal"),
                )
            elif changed & {"ends_at", "signature_goal"}:
                services.petition_update(
                    petition=petition,
                    actor=request.user,
                    ends_at=data.get("ends_at") if "ends_at" in changed else None,
                    goal=data.get("signature_goal") if "signature_goal" in changed else None,
                )
            if "hearing" in changed and data.get("hearing") is not None:
                services.petition_mark_delivered(
                    petition=petition, hearing=data["hearing"], actor=request.user
                )
            if "response" in changed and (data.get("response") or "").strip():
                services.petition_respond(
                    petition=petition, response=data["response"], actor=request.user
                )
        except ServiceError as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        # No inlines or many-to-many fields; the services saved everything.
        return None

    # --- actions ------------------------------------------------------------------------------

    @admin.action(
        description=_("Approve and publish selected pending petitions"), permissions=["change"]
    )
    def approve_selected(self, request, queryset):
        done = 0
        for petition in queryset.filter(status=Status.PENDING):
            services.petition_review(petition=petition, actor=request.user, approve=True)
            done += 1
        self._report(request, done, queryset.count() - done)

    @admin.action(description=_("Reject selected pending petitions…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        pending = list(queryset.filter(status=Status.PENDING))
        if not pending:
            self.message_user(
                request, _("None of the selected petitions is pending review."), messages.WARNING
            )
            return None
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("post") == "yes" and reason:
            for petition in pending:
                services.petition_review(
                    petition=petition, actor=request.user, approve=False, reason=reason
                )
            self._report(request, len(pending), queryset.count() - len(pending))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject petitions"),
            "opts": self.opts,
            "petitions": pending,
            "reason": reason,
            "missing_reason": request.POST.get("post") == "yes",
            "action_name": "reject_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/petitions/petition/reject.html", context)

    def _report(self, request, done: int, skipped: int) -> None:
        self.message_user(
            request,
            ngettext("%(count)d petition reviewed.", "%(count)d petitions reviewed.", done)
            % {"count": done},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected petition was not pending review and was left alone.",
                    "%(count)d selected petitions were not pending review and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )

    @admin.action(
        description=_("Export confirmed signatures (CSV for the record)"), permissions=["view"]
    )
    def export_signatures(self, request, queryset):
        return self._record_response(request, list(queryset.select_related("city")))

    def _record_response(self, request, petitions: list[Petition]) -> StreamingHttpResponse:
        for petition in petitions:
            audit_record(
                actor=request.user,
                action="petition.export_signatures",
                obj=petition,
                city=petition.city,
                changes={"signatures": petition.signature_count},
            )
        name = petitions[0].slug if len(petitions) == 1 else "petitions"
        return csv_download(record_csv(petitions), filename=f"{name}-signatures.csv")

    def get_urls(self):
        extra = [
            path(
                "<path:object_id>/record.csv",
                self.admin_site.admin_view(self.record_view),
                name="petitions_petition_record",
            ),
        ]
        return extra + super().get_urls()

    def record_view(self, request, object_id):
        petition = self.get_object(request, unquote(object_id))
        if petition is None:
            raise Http404
        if not self.has_view_permission(request, petition):
            raise PermissionDenied
        return self._record_response(request, [petition])


@admin.register(Signature)
class SignatureAdmin(ReadOnlyScopedAdmin):
    """Read-only: signatures change only through their signers' emailed links."""

    city_field = "petition__city"
    list_display = [
        "name",
        "zip_code",
        "petition_title",
        "status",
        "show_name",
        "confirmed_local",
        "email",
    ]
    list_filter = [
        "status",
        "show_name",
        ("petition", titled(admin.RelatedOnlyFieldListFilter, _("petition"))),
        ("petition__city", titled(admin.RelatedOnlyFieldListFilter, _("city"))),
    ]
    list_select_related = ["petition"]
    search_fields = ["name", "zip_code", "email"]
    date_hierarchy = "created_at"
    # The normalized email and the IP hash are bookkeeping; nobody reads them here.
    fields = (
        "petition",
        "name",
        "email",
        "zip_code",
        "show_name",
        "public_comment",
        "status",
        "confirmed_local",
        "withdrawn_local",
        "created_local",
    )
    readonly_fields = fields
    confirmed_local = city_time_column(
        "confirmed_at", city="petition__city", description=_("confirmed")
    )
    withdrawn_local = city_time_column(
        "withdrawn_at", city="petition__city", description=_("withdrawn")
    )
    created_local = city_time_column("created_at", city="petition__city", description=_("signed"))

    def get_queryset(self, request) -> QuerySet[Signature]:
        return super().get_queryset(request).select_related("petition__city")

    @admin.display(description=_("petition"), ordering="petition__title")
    def petition_title(self, obj: Signature) -> str:
        return Truncator(obj.petition.title).chars(48)
