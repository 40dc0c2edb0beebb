"""Reads of the site's own pages that compose several apps: the home page's headline figures
and the site search."""

from __future__ import annotations

from dataclasses import dataclass

from cameras.models import Camera, SharingAgreement
from cameras.selectors import sharing_counts
from core.models import Agency, City
from portal.search import SiteSearch, site_search


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


def portal_search(*, query: str) -> SiteSearch:
    """Cities, agencies, hearings and petitions matching every word of the query, ranked and
    grouped (see ``portal.search``)."""
    return site_search(query=query)
