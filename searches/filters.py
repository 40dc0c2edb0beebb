"""django-filter filter sets for searches and their rollups, shared by the explorer and the API.

``SearchFilter`` filters raw ``Search`` rows (the explorer, ``/api/v1/searches/``);
``SearchRollupFilter`` filters ``SearchRollup`` rows with the same names wherever the rollups
carry the fact (``/api/v1/search-stats/`` and the explorer's counts). Flags are tested with
``F("flags").bitand(mask)`` so any combination of bits can be asked for.
"""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from core.states import STATE_CHOICES
from searches.models import (
    FLAG_LABELS,
    FLAG_NAMES,
    Reason,
    ReasonCategory,
    Search,
    SearchRollup,
)

FLAG_CHOICES = [(name, FLAG_LABELS[name]) for name in FLAG_NAMES]


def flags_mask(names: list[str] | tuple[str, ...]) -> int:
    """The bit mask of public flag names; unknown names count for nothing."""
    mask = 0
    for name in names:
        mask |= int(FLAG_NAMES.get(name, 0))
    return mask


def with_any_flag(queryset: QuerySet, mask: int) -> QuerySet:
    """Rows carrying at least one of the bits in ``mask``."""
    if not mask:
        return queryset
    return queryset.alias(_flag_hit=F("flags").bitand(mask)).filter(_flag_hit__gt=0)


def utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s month."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


class _AuditFilters(filters.FilterSet):
    """Filters that mean the same on searches and on rollups (same field names on both)."""

    source_agency = filters.CharFilter(
        field_name="source_agency__slug",
        label=_("Audited agency (slug)"),
        help_text=_("The agency whose audit the search comes from (whose cameras were searched)."),
    )
    city = filters.CharFilter(
        field_name="source_agency__home_city__slug",
        label=_("Audited agency's city (slug)"),
    )
    searching_agency = filters.CharFilter(
        field_name="searching_agency__slug", label=_("Searching agency (slug)")
    )
    searching_agency_name = filters.CharFilter(
        field_name="searching_agency__name",
        lookup_expr="icontains",
        label=_("Searching agency name contains"),
    )
    source_state = filters.ChoiceFilter(
        field_name="source_agency__state",
        choices=STATE_CHOICES,
        label=_("State of the audited agency"),
    )
    searching_state = filters.ChoiceFilter(
        field_name="searching_agency__state",
        choices=STATE_CHOICES,
        label=_("State of the searching agency"),
    )
    category = filters.ModelChoiceFilter(
        field_name="category",
        to_field_name="slug",
        queryset=ReasonCategory.objects.order_by("priority", "name"),
        label=_("Reason category"),
    )
    flag = filters.MultipleChoiceFilter(
        choices=FLAG_CHOICES,
        method="filter_flag",
        label=_("Flag"),
        help_text=_("Searches carrying any of the given flags."),
    )

    def filter_flag(self, queryset, name, value):
        return with_any_flag(queryset, flags_mask(value))


class SearchFilter(_AuditFilters):
    reason = filters.CharFilter(
        method="filter_reason",
        label=_("Reason contains"),
        help_text=_("Text inside the reason as written, ignoring case."),
    )
    date_from = filters.DateFilter(
        method="filter_date_from",
        label=_("From (date, UTC)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = filters.DateFilter(
        method="filter_date_to",
        label=_("To (date, UTC, inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    min_devices = filters.NumberFilter(
        field_name="devices_searched", lookup_expr="gte", label=_("At least this many devices")
    )

    class Meta:
        model = Search
        fields: list[str] = []

    def filter_reason(self, queryset, name, value):
        # Match the distinct reasons first (thousands), then searches by reason id: a hashed
        # IN-list, rather than a join to the reason text for every search scanned.
        return queryset.filter(reason__in=Reason.objects.filter(text__icontains=value.strip()))

    # Bounds on the indexed timestamp itself, never a per-row date conversion.
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(searched_at__gte=utc_midnight(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(searched_at__lt=utc_midnight(value) + dt.timedelta(days=1))


class SearchRollupFilter(_AuditFilters):
    month_from = filters.DateFilter(
        method="filter_month_from",
        label=_("From month (YYYY-MM)"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("First month counted; a full date counts its whole month."),
    )
    month_to = filters.DateFilter(
        method="filter_month_to",
        label=_("To month (YYYY-MM, inclusive)"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )

    class Meta:
        model = SearchRollup
        fields: list[str] = []

    def filter_month_from(self, queryset, name, value):
        return queryset.filter(month__gte=month_start(value))

    def filter_month_to(self, queryset, name, value):
        return queryset.filter(month__lte=month_start(value))
