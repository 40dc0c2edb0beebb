"""The change log's filters, shared by the changes pages, their feeds and the API."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from watch.models import TOPIC_OF, ChangeEvent


class ChangeEventFilter(filters.FilterSet):
    city = filters.CharFilter(field_name="city__slug", label=_("City (slug)"))
    agency = filters.CharFilter(
        method="filter_agency", label=_("Agency (slug), on either side of a sharing change")
    )
    kind = filters.MultipleChoiceFilter(
        distinct=False, choices=ChangeEvent.Kind.choices, label=_("Kind of change")
    )
    topic = filters.MultipleChoiceFilter(
        choices=ChangeEvent.Topic.choices, method="filter_topic", label=_("Topic")
    )
    since = filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("Seen on or after")
    )
    until = filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("Seen on or before")
    )
    out_of_state = filters.BooleanFilter(label=_("Out-of-state partner"))
    federal = filters.BooleanFilter(label=_("Federal partner"))
    forbidden = filters.BooleanFilter(label=_("Forbidden by state law"))
    marked = filters.BooleanFilter(
        method="filter_marked", label=_("Any mark (out of state, federal or forbidden)")
    )

    class Meta:
        model = ChangeEvent
        fields = ["city", "agency", "kind", "topic", "since", "until"]

    def filter_agency(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(agency__slug=value) | Q(other_agency__slug=value))

    def filter_topic(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        kinds = [kind for kind, topic in TOPIC_OF.items() if topic in value]
        return queryset.filter(kind__in=kinds)

    def filter_marked(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        any_mark = Q(out_of_state=True) | Q(federal=True) | Q(forbidden=True)
        return queryset.filter(any_mark) if value else queryset.exclude(any_mark)
