"""Reads of cameras, sharing agreements and snapshots for pages and the API."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cameras.filters import CameraFilter, SharingAgreementFilter, TransparencySnapshotFilter
from cameras.models import Camera, PageFetch, PageSource, SharingAgreement, TransparencySnapshot
from core.admin_scoping import scope_queryset
from core.filters import CityFilter
from core.models import Agency, City
from core.selectors import agency_list
from core.subqueries import count_subquery

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import WithAnnotations


def camera_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Camera]:
    qs = Camera.objects.select_related("city", "owner").order_by("pk")
    return CameraFilter(filters, queryset=qs).qs if filters else qs


def sharing_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[SharingAgreement]:
    """Agreements with their computed flags (out of state, federal, forbidden by state law)."""
    qs = (
        SharingAgreement.objects.with_flags()
        .select_related("owner", "recipient", "owner__home_city")
        .order_by("owner__name", "recipient__name", "kind")
    )
    return SharingAgreementFilter(filters, queryset=qs).qs if filters else qs


def snapshot_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[TransparencySnapshot]:
    qs = TransparencySnapshot.objects.select_related("agency").order_by(
        "agency__name", "-captured_on"
    )
    return TransparencySnapshotFilter(filters, queryset=qs).qs if filters else qs


# --- Page reads -----------------------------------------------------------------------------
# The public pages read through these. Each returns a bounded result in a fixed number of
# queries, so a page's query count does not grow with its cameras or agreements.

# Page filter names -> the annotation ``SharingAgreement.objects.with_flags()`` adds.
SHARING_FLAG_FIELDS: dict[str, str] = {
    "out_of_state": "recipient_out_of_state",
    "federal": "federal_recipient",
    "forbidden": "forbidden_by_state_law",
}
SHARING_FLAGS = ("flagged", *SHARING_FLAG_FIELDS)

CAMERA_POINT_FIELDS = (
    "pk",
    "latitude",
    "longitude",
    "directions",
    "direction_text",
    "vendor",
    "status",
    "camera_type",
    "address",
    "last_verified",
    "owner__name",
    "owner__slug",
    "owner__kind",
    "city__name",
    "city__state",
    "city__slug",
)


@dataclass(frozen=True)
class SharingCounts:
    total: int
    out_of_state: int
    federal: int
    forbidden: int
    # Agreements with at least one flag: fewer than the sum when flags overlap.
    flagged: int


def camera_points(*, cameras: QuerySet[Camera]) -> list[dict[str, Any]]:
    """Map- and table-ready rows (one query) for the given cameras."""
    return list(cameras.order_by("pk").values(*CAMERA_POINT_FIELDS))


def camera_get(*, pk: int) -> Camera | None:
    """One camera with its city and owner, or None."""
    return Camera.objects.select_related("city", "owner").filter(pk=pk).first()


def camera_nearby(*, camera: Camera, limit: int = 8, radius_deg: float = 0.05) -> list[Camera]:
    """The closest other cameras of the same city, nearest first."""
    if camera.city_id is None:
        return []
    lat, lon = float(camera.latitude), float(camera.longitude)
    # A bounding box keeps the candidates to what the (city, status) index narrows quickly.
    candidates = list(
        Camera.objects.select_related("owner")
        .filter(
            city_id=camera.city_id,
            latitude__range=(lat - radius_deg, lat + radius_deg),
            longitude__range=(lon - radius_deg, lon + radius_deg),
        )
        .exclude(pk=camera.pk)[:500]
    )
    # ``distance_m`` is for the template; mypy knows only the attributes the model declares.
    for other in candidates:
        other.distance_m = _distance_m(  # type: ignore[attr-defined]
            lat, lon, float(other.latitude), float(other.longitude)
        )
    return sorted(candidates, key=lambda c: c.distance_m)[:limit]  # type: ignore[attr-defined]


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def camera_vendors() -> list[str]:
    """Distinct vendor names, for the cameras filter form."""
    return list(
        Camera.objects.exclude(vendor="")
        .order_by("vendor")
        .values_list("vendor", flat=True)
        .distinct()
    )


def sharing_agreements(
    *,
    owner: Agency | None = None,
    recipient: Agency | None = None,
    owner_city: City | None = None,
    recipient_city: City | None = None,
    flag: str = "",
    current_only: bool = True,
) -> QuerySet[SharingAgreement]:
    """Agreements on one side of an agency or a city's agencies, flagged, optionally filtered
    to one flag (``flagged`` means any flag)."""
    qs = SharingAgreement.objects.with_flags().select_related("owner", "recipient")
    if current_only:
        qs = qs.current()
    if owner is not None:
        qs = qs.filter(owner=owner)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    if owner_city is not None:
        qs = qs.filter(owner__home_city=owner_city)
    if recipient_city is not None:
        qs = qs.filter(recipient__home_city=recipient_city)
    if flag == "flagged":
        qs = qs.filter(
            Q(recipient_out_of_state=True)
            | Q(federal_recipient=True)
            | Q(forbidden_by_state_law=True)
        )
    elif flag in SHARING_FLAG_FIELDS:
        qs = qs.filter(**{SHARING_FLAG_FIELDS[flag]: True})
    return qs.order_by("-forbidden_by_state_law", "recipient__name", "owner__name", "kind")


def sharing_counts(*, agreements: QuerySet[SharingAgreement]) -> SharingCounts:
    """Totals of agreements and of each flag, in one aggregate query."""
    any_flag = Q(recipient_out_of_state=True) | Q(federal_recipient=True)
    any_flag |= Q(forbidden_by_state_law=True)
    totals = agreements.order_by().aggregate(
        total=Count("pk"),
        out_of_state=Count("pk", filter=Q(recipient_out_of_state=True)),
        federal=Count("pk", filter=Q(federal_recipient=True)),
        forbidden=Count("pk", filter=Q(forbidden_by_state_law=True)),
        flagged=Count("pk", filter=any_flag),
    )
    return SharingCounts(
        total=totals["total"],
        out_of_state=totals["out_of_state"],
        federal=totals["federal"],
        forbidden=totals["forbidden"],
        flagged=totals["flagged"],
    )


def sharing_breakdown(
    *, agreements: QuerySet[SharingAgreement], fields: Sequence[str]
) -> list[dict[str, Any]]:
    """Agreement counts grouped by the given fields (e.g. ``recipient__state``), largest first."""
    return list(
        agreements.order_by()
        .values(*fields)
        .annotate(count=Count("pk"))
        .order_by("-count", *fields)
    )


def snapshot_history(*, agencies: Iterable[Agency]) -> list[TransparencySnapshot]:
    """Every snapshot of the given agencies, oldest first, in one query."""
    return list(
        TransparencySnapshot.objects.select_related("agency")
        .filter(agency__in=list(agencies))
        .order_by("agency__name", "captured_on")
    )


def snapshots_latest(*, history: Iterable[TransparencySnapshot]) -> list[TransparencySnapshot]:
    """The newest snapshot of each agency in a history from ``snapshot_history``."""
    latest: dict[int, TransparencySnapshot] = {}
    for snapshot in history:
        current = latest.get(snapshot.agency_id)
        if current is None or snapshot.captured_on > current.captured_on:
            latest[snapshot.agency_id] = snapshot
    return sorted(latest.values(), key=lambda s: s.agency.name)


# --- Cities and agencies with their camera and sharing counts -----------------------------


class CityCameraCounts(TypedDict):
    """What ``city_list`` annotates on each city."""

    active_camera_count: int


def city_list(
    *, filters: Mapping[str, Any] | None = None
) -> QuerySet[WithAnnotations[City, CityCameraCounts]]:
    """Cities with their active and total camera counts."""
    qs = City.objects.annotate(
        active_camera_count=Count("cameras", filter=Q(cameras__status="active")),
    ).order_by("name", "state")
    return CityFilter(filters, queryset=qs).qs if filters else qs


def city_get(*, slug: str) -> City | None:
    """One city with its active camera count, or None."""
    return city_list().filter(slug=slug).first()


def city_agencies(*, city: City) -> list[Agency]:
    """The agencies based in a city (its police, an HOA, a store...) with camera counts."""
    return list(_with_counts(Agency.objects.filter(home_city=city)).order_by("kind", "name"))


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


@dataclass(frozen=True)
class StalePage:
    """A page source not changed within its expected interval: since when, and what its newest
    version was (``last_status`` "" before the first)."""

    source: PageSource
    since: dt.datetime
    last_status: str
    last_reason: str


def page_sources_stale(
    *, user: User | AnonymousUser | None = None, now: dt.datetime | None = None
) -> list[StalePage]:
    """Active page sources not changed within their expected interval (counted from their
    registration until a first version is imported), longest stale first; with ``user``, only
    those of the user's cities."""
    now = now or timezone.now()
    latest = PageFetch.objects.filter(source=OuterRef("pk")).order_by("-fetched_at", "-pk")
    sources = PageSource.objects.filter(is_active=True)
    if user is not None:
        sources = scope_queryset(sources, user=user, city_field="agency__home_city")
    rows = sources.annotate(
        newest_status=Subquery(latest.values("status")[:1]),
        newest_reason=Subquery(latest.values("reason")[:1]),
    ).select_related("agency__home_city")
    stale = []
    for source in rows:
        since = source.last_changed_at or source.created_at
        if since + dt.timedelta(days=source.expected_interval_days) < now:
            stale.append(
                StalePage(
                    source=source,
                    since=since,
                    last_status=getattr(source, "newest_status", None) or "",
                    last_reason=getattr(source, "newest_reason", None) or "",
                )
            )
    return sorted(stale, key=lambda page: (page.since, page.source.pk))
