"""Reads of the core models for pages and the API. Visibility: everything here is public
record about government; private data never lives in these models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from portal.filters import AgencyFilter, CityFilter, StateLawProfileFilter
from portal.models import Agency, City, StateLawProfile


def city_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[City]:
    """Cities with their active and total camera counts."""
    qs = City.objects.annotate(
        active_camera_count=Count("cameras", filter=Q(cameras__status="active")),
    ).order_by("name", "state")
    return CityFilter(filters, queryset=qs).qs if filters else qs


def agency_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("home_city").order_by("name")
    return AgencyFilter(filters, queryset=qs).qs if filters else qs


def law_profile_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[StateLawProfile]:
    qs = StateLawProfile.objects.order_by("state")
    return StateLawProfileFilter(filters, queryset=qs).qs if filters else qs


def law_profiles_by_state() -> dict[str, StateLawProfile]:
    return {p.state: p for p in StateLawProfile.objects.all()}
