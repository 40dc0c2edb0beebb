"""Reads of the core models for pages and the API. Visibility: everything here is public
record about government; private data never lives in these models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from core.filters import AgencyFilter, CityFilter, StateLawProfileFilter
from core.models import Agency, AgencyAlias, City, StateLawProfile
from core.subqueries import count_subquery
from portal.search import SiteSearch, site_search


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


# --- Page reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadlineFigures:
    cities: int
    active_cameras: int
    agencies: int
    agreements: int
    out_of_state: int
    federal: int
    forbidden: int


def headline_figures() -> HeadlineFigures:
    """Portal-wide counts for the home page: a fixed handful of aggregate queries."""
    from cameras.models import Camera, SharingAgreement
    from cameras.selectors import sharing_counts

    counts = sharing_counts(agreements=SharingAgreement.objects.current().with_flags())
    return HeadlineFigures(
        cities=City.objects.count(),
        active_cameras=Camera.objects.filter(status=Camera.Status.ACTIVE).count(),
        agencies=Agency.objects.count(),
        agreements=counts.total,
        out_of_state=counts.out_of_state,
        federal=counts.federal,
        forbidden=counts.forbidden,
    )


def city_get(*, slug: str) -> City | None:
    """One city with its active camera count, or None."""
    return city_list().filter(slug=slug).first()


def city_agencies(*, city: City) -> list[Agency]:
    """The agencies based in a city (its police, an HOA, a store...) with camera counts."""
    return list(_with_counts(Agency.objects.filter(home_city=city)).order_by("kind", "name"))


def agency_get(*, slug: str) -> Agency | None:
    """One agency with its home city and aliases, or None."""
    return (
        Agency.objects.select_related("home_city")
        .prefetch_related(Prefetch("aliases", queryset=AgencyAlias.objects.order_by("name")))
        .filter(slug=slug)
        .first()
    )


def agency_directory(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Agency]:
    """``agency_list`` with each agency's camera and sharing counts, for the agencies page."""
    return _with_counts(agency_list(filters=filters))


def _with_counts(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    return agencies.annotate(
        camera_count=count_subquery("cameras.Camera", "owner", status="active"),
        sharing_out_count=count_subquery(
            "cameras.SharingAgreement", "owner", ended_on__isnull=True
        ),
        sharing_in_count=count_subquery(
            "cameras.SharingAgreement", "recipient", ended_on__isnull=True
        ),
    )


def portal_search(*, query: str) -> SiteSearch:
    """Cities, agencies, hearings and petitions matching every word of the query, ranked and
    grouped (see ``portal.search``)."""
    return site_search(query=query)


def law_profile_get(*, state: str) -> StateLawProfile | None:
    """The law profile of one state, or None when the portal has none for it."""
    return StateLawProfile.objects.filter(state=state).first() if state else None
