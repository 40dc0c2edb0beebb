"""Reads of cameras, sharing agreements and snapshots for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from cameras.filters import CameraFilter, SharingAgreementFilter, TransparencySnapshotFilter
from cameras.models import Camera, SharingAgreement, TransparencySnapshot


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
