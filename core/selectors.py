"""Reads of the core models for pages and the API. Visibility: everything here is public
record about government; private data never lives in these models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from core.filters import AgencyFilter, StateLawProfileFilter
from core.models import Agency, AgencyAlias, StateLawProfile


def agency_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("home_city").order_by("name")
    return AgencyFilter(filters, queryset=qs).qs if filters else qs


def law_profile_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[StateLawProfile]:
    qs = StateLawProfile.objects.order_by("state")
    return StateLawProfileFilter(filters, queryset=qs).qs if filters else qs


def law_profiles_by_state() -> dict[str, StateLawProfile]:
    """ALPR law profiles by state (states profiled for their records law only are left out)."""
    return {p.state: p for p in StateLawProfile.objects.with_alpr_law()}


# --- Page reads -----------------------------------------------------------------------------


def agency_get(*, slug: str) -> Agency | None:
    """One agency with its home city and aliases, or None."""
    return (
        Agency.objects.select_related("home_city")
        .prefetch_related(Prefetch("aliases", queryset=AgencyAlias.objects.order_by("name")))
        .filter(slug=slug)
        .first()
    )


def law_profile_get(*, state: str) -> StateLawProfile | None:
    """The law profile of one state, or None when the portal has none for it."""
    return StateLawProfile.objects.with_alpr_law().filter(state=state).first() if state else None


def records_law_get(*, state: str) -> StateLawProfile | None:
    """The profile of one state when it describes the state's public records law, or None."""
    if not state:
        return None
    return StateLawProfile.objects.exclude(records_law_citation="").filter(state=state).first()
