"""django-filter filter sets for the core models, shared by pages and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City, StateLawProfile
from core.states import STATE_CHOICES


class CityFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=STATE_CHOICES, label=_("State"))
    q = filters.CharFilter(method="filter_q", label=_("Name contains"))

    class Meta:
        model = City
        fields = ["state"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())


class AgencyFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=STATE_CHOICES, label=_("State"))
    kind = filters.MultipleChoiceFilter(
        distinct=False, choices=Agency.Kind.choices, label=_("Kind")
    )
    city = filters.CharFilter(field_name="home_city__slug", label=_("Home city (slug)"))
    active = filters.BooleanFilter(field_name="is_active", label=_("Active"))
    q = filters.CharFilter(method="filter_q", label=_("Name or alias contains"))

    class Meta:
        model = Agency
        fields = ["state", "kind", "city", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(aliases__name__icontains=value)
        ).distinct()


class StateLawProfileFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=STATE_CHOICES, label=_("State"))
    forbidden_use = filters.ChoiceFilter(
        choices=StateLawProfile.ForbiddenUse.choices,
        method="filter_forbidden_use",
        label=_("Forbids this use"),
    )

    class Meta:
        model = StateLawProfile
        fields = [
            "state",
            "forbids_out_of_state_sharing",
            "forbids_federal_sharing",
            "requires_written_declaration",
        ]

    def filter_forbidden_use(self, queryset, name, value):
        # JSON containment is not portable to SQLite; the table has one row per state.
        ids = [p.pk for p in queryset if value in (p.forbidden_uses or [])]
        return queryset.filter(pk__in=ids)
