"""Public serializers for cameras, sharing agreements and transparency snapshots."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from cameras.services import SNAPSHOT_FIELDS
from core.api.serializers import (
    AgencyBriefSerializer,
    PageURLField,
    PortalModelSerializer,
    enum_field,
)
from core.models import City


class CameraSerializer(PortalModelSerializer):
    page_url = PageURLField()
    city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("Slug of the city the camera is in.")
    )
    owner = AgencyBriefSerializer(read_only=True, allow_null=True)
    latitude = serializers.FloatField(read_only=True)
    longitude = serializers.FloatField(read_only=True)
    directions = serializers.ListField(
        child=serializers.FloatField(),
        read_only=True,
        help_text=_("Compass bearings in degrees, one per camera on the pole."),
    )

    class Meta:
        model = Camera
        fields = [
            "id",
            "city",
            "owner",
            "latitude",
            "longitude",
            "directions",
            "direction_text",
            "vendor",
            "camera_type",
            "status",
            "installed_on",
            "planned_on",
            "removed_on",
            "address",
            "source",
            "source_id",
            "last_verified",
            "page_url",
        ]
        read_only_fields = fields


SharingKindField = enum_field("SharingKindEnum", SharingAgreement.Kind.choices)


class SharingAgreementSerializer(PortalModelSerializer):
    kind = SharingKindField()
    owner = AgencyBriefSerializer(
        read_only=True, help_text=_("The agency whose cameras are shared.")
    )
    owner_city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        source="owner.home_city",
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the owner's home city; null when it has none."),
    )
    recipient = AgencyBriefSerializer(
        read_only=True, help_text=_("The agency that may search the owner's cameras.")
    )
    current = serializers.SerializerMethodField(help_text=_("True unless the agreement ended."))
    networks = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_(
            "The owner's networks the recipient can search, when the source names them "
            "(e.g. “Polk County FL SO (LR)”); empty otherwise."
        ),
    )
    recipient_out_of_state = serializers.BooleanField(
        read_only=True, help_text=_("Both states are known and differ.")
    )
    federal_recipient = serializers.BooleanField(
        read_only=True, help_text=_("The recipient is a federal agency.")
    )
    forbidden_by_state_law = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "The owner's state forbids sharing with this recipient "
            "(out-of-state or federal, per its law profile)."
        ),
    )

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "owner",
            "owner_city",
            "recipient",
            "kind",
            "networks",
            "first_seen",
            "last_seen",
            "ended_on",
            "current",
            "recipient_out_of_state",
            "federal_recipient",
            "forbidden_by_state_law",
            "source",
            "source_url",
        ]
        read_only_fields = fields

    def get_current(self, obj: SharingAgreement) -> bool:
        return obj.ended_on is None


class TransparencySnapshotSerializer(PortalModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)

    class Meta:
        model = TransparencySnapshot
        fields = ["id", "agency", "captured_on", *SNAPSHOT_FIELDS, "source"]
        read_only_fields = fields


# The GeoJSON shapes below only describe the geojson format in the schema; the features
# themselves are written by cameras.api.renderers from CameraSerializer rows.
PointTypeField = enum_field("GeoJSONPointTypeEnum", [("Point", "Point")])
FeatureTypeField = enum_field("GeoJSONFeatureTypeEnum", [("Feature", "Feature")])
FeatureCollectionTypeField = enum_field(
    "GeoJSONFeatureCollectionTypeEnum", [("FeatureCollection", "FeatureCollection")]
)


class PointSerializer(serializers.Serializer):
    type = PointTypeField()
    coordinates = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        read_only=True,
        help_text=_("[longitude, latitude] in WGS 84 (RFC 7946)."),
    )


class CameraFeatureSerializer(serializers.Serializer):
    type = FeatureTypeField()
    id = serializers.IntegerField(read_only=True)
    geometry = PointSerializer(read_only=True)
    properties = CameraSerializer(
        read_only=True, help_text=_("The camera's public fields, as in the JSON format.")
    )


@extend_schema_serializer(many=False)
class CameraFeatureCollectionSerializer(serializers.Serializer):
    type = FeatureCollectionTypeField()
    features = CameraFeatureSerializer(many=True, read_only=True)
