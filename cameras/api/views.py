"""Public API endpoints for cameras (also as GeoJSON), sharing agreements and snapshots."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.settings import api_settings

from cameras.api.renderers import GEOJSON_MEDIA_TYPE, GeoJSONRenderer, feature_collection_stream
from cameras.api.serializers import (
    CameraFeatureCollectionSerializer,
    CameraFeatureSerializer,
    CameraSerializer,
    SharingAgreementSerializer,
    TransparencySnapshotSerializer,
)
from cameras.filters import CameraFilter, SharingAgreementFilter, TransparencySnapshotFilter
from cameras.selectors import camera_list, sharing_list, snapshot_list
from core.api.renderers import export_filename
from exports.schema import CSV_FORMAT, public_schema
from exports.viewsets import PublicReadOnlyViewSet


@public_schema(
    tag="cameras",
    serializer=CameraSerializer,
    list_description=_(
        "ALPR cameras with location, direction, vendor, owner and status. "
        "`?format=geojson` returns a GeoJSON FeatureCollection of every matching camera."
    ),
    retrieve_description=_("One camera, by id."),
    list_formats={**CSV_FORMAT, "geojson": (GEOJSON_MEDIA_TYPE, CameraFeatureCollectionSerializer)},
    retrieve_formats={**CSV_FORMAT, "geojson": (GEOJSON_MEDIA_TYPE, CameraFeatureSerializer)},
)
class CameraViewSet(PublicReadOnlyViewSet):
    serializer_class = CameraSerializer
    filterset_class = CameraFilter
    # api_settings holds the renderer classes imported; the stubs type them as dotted paths.
    renderer_classes = [
        *api_settings.DEFAULT_RENDERER_CLASSES,  # type: ignore[list-item]
        GeoJSONRenderer,
    ]
    ordering_fields = [
        "id",
        "vendor",
        "status",
        "camera_type",
        "installed_on",
        "removed_on",
        "last_verified",
        "latitude",
        "longitude",
    ]
    export_name = "cameras"
    export_formats = ("csv", GeoJSONRenderer.format)

    def get_queryset(self):
        return camera_list()

    def export_response(self, fmt: str, queryset: QuerySet) -> HttpResponseBase:
        if fmt != GeoJSONRenderer.format:
            return super().export_response(fmt, queryset)
        response = StreamingHttpResponse(
            feature_collection_stream(self.export_rows(queryset)),
            content_type=GEOJSON_MEDIA_TYPE,
        )
        response["Content-Disposition"] = f'inline; filename="{export_filename(self, "geojson")}"'
        return response


@public_schema(
    tag="sharing-agreements",
    serializer=SharingAgreementSerializer,
    list_description=_(
        "Who may search whose cameras. Each agreement carries three flags computed from the "
        "agencies and the owner's state law profile: recipient out of state, federal "
        "recipient, and sharing the owner's state forbids."
    ),
    retrieve_description=_("One sharing agreement, by id."),
)
class SharingAgreementViewSet(PublicReadOnlyViewSet):
    serializer_class = SharingAgreementSerializer
    filterset_class = SharingAgreementFilter
    ordering_fields = ["owner__name", "recipient__name", "kind", "first_seen", "last_seen"]
    export_name = "sharing-agreements"

    def get_queryset(self):
        return sharing_list()


@public_schema(
    tag="snapshots",
    serializer=TransparencySnapshotSerializer,
    list_description=_(
        "What agencies' transparency pages said on each capture date: retention, camera "
        "counts, 30-day searches and hotlist hits, and policy texts."
    ),
    retrieve_description=_("One transparency snapshot, by id."),
)
class TransparencySnapshotViewSet(PublicReadOnlyViewSet):
    serializer_class = TransparencySnapshotSerializer
    filterset_class = TransparencySnapshotFilter
    ordering_fields = [
        "captured_on",
        "agency__name",
        "retention_days",
        "total_cameras",
        "vehicles_detected_30d",
        "searches_30d",
        "hotlist_hits_30d",
    ]
    export_name = "snapshots"

    def get_queryset(self):
        return snapshot_list()
