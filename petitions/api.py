"""``/api/v1/petitions/``: published petitions with their counts, signatures by ZIP code and
recent public names. Never pending or rejected petitions, never an email or IP hash."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from core.api.serializers import PageURLField, enum_field
from core.models import City
from exports.schema import public_schema
from exports.viewsets import PublicReadOnlyViewSet
from hearings.models import Hearing
from petitions.models import Petition
from petitions.selectors import petition_list, petitions_with_public_details

PUBLIC_STATUS_CHOICES = [
    (value, label) for value, label in Petition.Status.choices if value in Petition.PUBLIC_STATUSES
]
PetitionStatusField = enum_field("PetitionStatusEnum", PUBLIC_STATUS_CHOICES)


class PetitionFilter(filters.FilterSet):
    city = filters.CharFilter(field_name="city__slug", label=_("City (slug)"))
    state = filters.CharFilter(field_name="city__state", lookup_expr="iexact", label=_("State"))
    status = filters.MultipleChoiceFilter(
        distinct=False, choices=PUBLIC_STATUS_CHOICES, label=_("Status")
    )

    class Meta:
        model = Petition
        fields = ["city", "state", "status"]


class PetitionHearingSerializer(serializers.ModelSerializer):
    """The hearing where a petition was presented."""

    page_url = PageURLField()

    class Meta:
        model = Hearing
        fields = ["title", "starts_at", "page_url"]
        read_only_fields = fields


class ZipCountSerializer(serializers.Serializer):
    zip_code = serializers.CharField()
    signatures = serializers.IntegerField()

    def to_representation(self, instance):
        zip_code, count = instance
        return {"zip_code": zip_code, "signatures": count}


class PublicSignerSerializer(serializers.Serializer):
    name = serializers.CharField()
    comment = serializers.CharField()
    signed_at = serializers.DateTimeField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An open petition",
            value={
                "slug": "end-out-of-state-sharing",
                "title": "End sharing of camera data with out-of-state agencies",
                "action": "End the sharing agreements that let agencies outside Illinois "
                "search Prairie Junction's cameras.",
                "background": "Hundreds of agencies in other states can search our cameras.",
                "target_body": "City Council",
                "creator_name": "Marisol Vega",
                "status": "open",
                "city": "prairie-junction-il",
                "goal": 250,
                "count": 131,
                "opens_at": "2026-10-01T15:00:00Z",
                "ends_at": "2026-12-30T15:00:00Z",
                "closed_at": None,
                "hearing": None,
                "response": "",
                "responded_at": None,
                "signatures_by_zip": [
                    {"zip_code": "60490", "signatures": 52},
                    {"zip_code": "60491", "signatures": 37},
                ],
                "recent_public_names": [
                    {
                        "name": "Jordan Ellis",
                        "comment": "Our data should stay in Illinois.",
                        "signed_at": "2026-11-20T18:03:00Z",
                    }
                ],
                "page_url": "https://alpr.example.org/petitions/end-out-of-state-sharing/",
            },
            response_only=True,
        )
    ]
)
class PetitionSerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    status = PetitionStatusField()
    city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("Slug of the petition's city.")
    )
    goal = serializers.IntegerField(source="signature_goal", read_only=True)
    count = serializers.IntegerField(
        source="signature_count", read_only=True, help_text=_("Confirmed signatures.")
    )
    hearing = PetitionHearingSerializer(
        read_only=True, allow_null=True, help_text=_("The hearing where it was presented.")
    )
    signatures_by_zip = serializers.SerializerMethodField(
        help_text=_("Confirmed signatures per ZIP code, most first.")
    )
    recent_public_names = serializers.SerializerMethodField(
        help_text=_("The latest confirmed signers who chose to show their name, with comment.")
    )

    class Meta:
        model = Petition
        fields = [
            "slug",
            "title",
            "action",
            "background",
            "target_body",
            "creator_name",
            "status",
            "city",
            "goal",
            "count",
            "opens_at",
            "ends_at",
            "closed_at",
            "hearing",
            "response",
            "responded_at",
            "signatures_by_zip",
            "recent_public_names",
            "page_url",
        ]
        read_only_fields = fields

    @extend_schema_field(ZipCountSerializer(many=True))
    def get_signatures_by_zip(self, obj: Petition) -> list[dict[str, Any]]:
        # many=True makes a ListSerializer, whose data is a list; the stubs say ReturnDict.
        return ZipCountSerializer(  # type: ignore[return-value]
            getattr(obj, "zip_counts", []), many=True
        ).data

    @extend_schema_field(PublicSignerSerializer(many=True))
    def get_recent_public_names(self, obj: Petition) -> list[dict[str, Any]]:
        # many=True makes a ListSerializer, whose data is a list; the stubs say ReturnDict.
        return PublicSignerSerializer(  # type: ignore[return-value]
            getattr(obj, "public_signers", []), many=True
        ).data


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Lists of objects as readable cells: ``60490: 52; 60491: 37`` and names alone."""
    return {
        **row,
        "signatures_by_zip": [
            f"{z['zip_code']}: {z['signatures']}" for z in row["signatures_by_zip"]
        ],
        "recent_public_names": [n["name"] for n in row["recent_public_names"]],
    }


@public_schema(
    tag="petitions",
    serializer=PetitionSerializer,
    list_description=_(
        "Published petitions (open, closed, delivered, responded), open ones first, with their "
        "confirmed signature count, goal, signatures per ZIP code, the latest signers who chose "
        "to show their name, the hearing where each was presented and the official response. "
        "In CSV, signatures by ZIP read `60490: 52; 60491: 37`."
    ),
    retrieve_description=_("One published petition, by slug."),
)
class PetitionViewSet(PublicReadOnlyViewSet):
    serializer_class = PetitionSerializer
    filterset_class = PetitionFilter
    lookup_field = "slug"
    ordering_fields = ["created_at", "opens_at", "ends_at", "signature_count", "title"]
    export_name = "petitions"

    def get_queryset(self) -> QuerySet[Petition]:
        return petition_list()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else petitions_with_public_details(page)

    def get_object(self) -> Petition:
        return petitions_with_public_details([super().get_object()])[0]

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if request.accepted_renderer.format == "csv":
            response.data = csv_row(response.data)
        return response

    def export_rows(self, queryset: QuerySet) -> Iterator[dict[str, Any]]:
        serializer = self.get_serializer()
        petitions = queryset.iterator(chunk_size=self.export_chunk_size)
        while batch := list(islice(petitions, self.export_chunk_size)):
            for petition in petitions_with_public_details(batch):
                yield csv_row(serializer.to_representation(petition))


def register_petitions(router: BaseRouter) -> None:
    router.register("petitions", PetitionViewSet, basename="petition")
