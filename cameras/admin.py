"""The clerk admin for cameras, sharing agreements and transparency snapshots, each scoped to
the clerk's cities through ``CityScopedAdmin``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from cameras.services import camera_mark_removed, camera_update, sharing_agreement_update
from core.admin_scoping import CityScopedAdmin, only_city, titled

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
