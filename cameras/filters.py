"""django-filter filter sets for cameras, sharing agreements and snapshots."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.models import Agency
from core.states import STATE_CHOICES


class CameraFilter(filters.FilterSet):
    city = filters.CharFilter(field_name="city__slug", label=_("City (slug)"))
    state = filters.ChoiceFilter(field_name="city__state", choices=STATE_CHOICES, label=_("State"))
    owner = filters.CharFilter(field_name="owner__slug", label=_("Owner agency (slug)"))
    owner_kind = filters.MultipleChoiceFilter(
        distinct=False, field_name="owner__kind", choices=Agency.Kind.choices, label=_("Owner kind")
    )
    vendor = filters.CharFilter(field_name="vendor", lookup_expr="iexact", label=_("Vendor"))
    status = filters.MultipleChoiceFilter(
        distinct=False, choices=Camera.Status.choices, label=_("Status")
    )
    camera_type = filters.MultipleChoiceFilter(
        distinct=False, choices=Camera.Type.choices, label=_("Type")
    )
    source = filters.CharFilter(label=_("Source"))
    verified_since = filters.DateFilter(
        field_name="last_verified", lookup_expr="gte", label=_("Verified on or after")
    )
    min_lat = filters.NumberFilter(field_name="latitude", lookup_expr="gte", label=_("South"))
    max_lat = filters.NumberFilter(field_name="latitude", lookup_expr="lte", label=_("North"))
    min_lon = filters.NumberFilter(field_name="longitude", lookup_expr="gte", label=_("West"))
    max_lon = filters.NumberFilter(field_name="longitude", lookup_expr="lte", label=_("East"))

    class Meta:
        model = Camera
        fields = ["city", "state", "owner", "owner_kind", "vendor", "status", "camera_type"]


class SharingAgreementFilter(filters.FilterSet):
    """Filters on the agreement and on the flags annotated by ``with_flags()``."""

    owner = filters.CharFilter(field_name="owner__slug", label=_("Owner agency (slug)"))
    recipient = filters.CharFilter(field_name="recipient__slug", label=_("Recipient agency (slug)"))
    agency = filters.CharFilter(method="filter_agency", label=_("Either side (agency slug)"))
    city = filters.CharFilter(field_name="owner__home_city__slug", label=_("Owner's city (slug)"))
    owner_state = filters.ChoiceFilter(
        field_name="owner__state", choices=STATE_CHOICES, label=_("Owner state")
    )
    recipient_state = filters.ChoiceFilter(
        field_name="recipient__state", choices=STATE_CHOICES, label=_("Recipient state")
    )
    recipient_kind = filters.MultipleChoiceFilter(
        distinct=False,
        field_name="recipient__kind",
        choices=Agency.Kind.choices,
        label=_("Recipient kind"),
    )
    kind = filters.MultipleChoiceFilter(
        distinct=False, choices=SharingAgreement.Kind.choices, label=_("Kind")
    )
    current = filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("Current (not ended)")
    )
    out_of_state = filters.BooleanFilter(
        field_name="recipient_out_of_state", label=_("Recipient out of state")
    )
    federal = filters.BooleanFilter(field_name="federal_recipient", label=_("Federal recipient"))
    forbidden = filters.BooleanFilter(
        field_name="forbidden_by_state_law", label=_("Forbidden by the owner's state law")
    )
    seen_since = filters.DateFilter(
        field_name="last_seen", lookup_expr="gte", label=_("Last seen on or after")
    )

    class Meta:
        model = SharingAgreement
        fields = ["owner", "recipient", "kind"]

    def filter_agency(self, queryset, name, value):
        return queryset.filter(Q(owner__slug=value) | Q(recipient__slug=value))


class TransparencySnapshotFilter(filters.FilterSet):
    agency = filters.CharFilter(field_name="agency__slug", label=_("Agency (slug)"))
    state = filters.ChoiceFilter(
        field_name="agency__state", choices=STATE_CHOICES, label=_("State")
    )
    city = filters.CharFilter(field_name="agency__home_city__slug", label=_("Agency's city (slug)"))
    captured_after = filters.DateFilter(
        field_name="captured_on", lookup_expr="gte", label=_("Captured on or after")
    )
    captured_before = filters.DateFilter(
        field_name="captured_on", lookup_expr="lte", label=_("Captured on or before")
    )

    class Meta:
        model = TransparencySnapshot
        fields = ["agency", "state", "city"]
