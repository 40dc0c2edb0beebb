"""``/api/v1/changes/``: the change log, newest first, filtered like the changes pages. Every
value in it is public (agency names, published figures and policy texts, counts); never a
reason text, a plate, an officer's name or anyone's email."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from core.api.serializers import AgencyBriefSerializer, enum_field
from core.models import City
from exports.schema import public_schema
from exports.viewsets import PublicReadOnlyViewSet
from watch.filters import ChangeEventFilter
from watch.models import TOPIC_OF, ChangeEvent
from watch.selectors import change_list, change_summary

ChangeKindField = enum_field("ChangeKindEnum", ChangeEvent.Kind.choices)
ChangeTopicField = enum_field("ChangeTopicEnum", ChangeEvent.Topic.choices)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A sharing partner added",
            value={
                "id": 412,
                "kind": "sharing_added",
                "topic": "sharing",
                "occurred_on": "2026-11-02",
                "summary": "Prairie Junction PD began sharing its cameras with Dallas TX PD",
                "city": "prairie-junction-il",
                "agency": {
                    "slug": "prairie-junction-pd",
                    "name": "Prairie Junction PD",
                    "kind": "police",
                    "state": "IL",
                },
                "other_agency": {
                    "slug": "dallas-tx-pd",
                    "name": "Dallas TX PD",
                    "kind": "police",
                    "state": "TX",
                },
                "out_of_state": True,
                "federal": False,
                "forbidden": True,
                "details": {
                    "owner": "Prairie Junction PD",
                    "partner": "Dallas TX PD",
                    "partner_state": "TX",
                    "sharing_kind": "direct",
                },
                "page_url": "https://alpr.example.org/cities/prairie-junction-il/changes/#change-412",
            },
            response_only=True,
        )
    ]
)
class ChangeEventSerializer(serializers.ModelSerializer):
    kind = ChangeKindField()
    topic = serializers.SerializerMethodField(help_text=_("The topic a subscriber picks."))
    summary = serializers.SerializerMethodField(help_text=_("What changed, in one sentence."))
    city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text=_("Slug of the city.")
    )
    agency = AgencyBriefSerializer(
        read_only=True, allow_null=True, help_text=_("The agency that changed (the owner).")
    )
    other_agency = AgencyBriefSerializer(
        read_only=True, allow_null=True, help_text=_("The sharing partner, for sharing changes.")
    )
    details = serializers.JSONField(
        source="data",
        read_only=True,
        help_text=_(
            "Public details by kind: names of the agencies, old and new values of a figure or "
            "policy text (`old`, `new`, `field`), counts of an audit or by flag."
        ),
    )
    page_url = serializers.SerializerMethodField(help_text=_("The change on its changes page."))

    class Meta:
        model = ChangeEvent
        fields = [
            "id",
            "kind",
            "topic",
            "occurred_on",
            "summary",
            "city",
            "agency",
            "other_agency",
            "out_of_state",
            "federal",
            "forbidden",
            "details",
            "page_url",
        ]
        read_only_fields = fields

    @extend_schema_field(ChangeTopicField())
    def get_topic(self, obj: ChangeEvent) -> str:
        return TOPIC_OF[obj.kind]

    def get_summary(self, obj: ChangeEvent) -> str:
        return change_summary(obj)

    def get_page_url(self, obj: ChangeEvent) -> str:
        if obj.city is not None:
            url = reverse("watch:city-changes", kwargs={"slug": obj.city.slug})
        elif obj.agency is not None:
            url = reverse("watch:agency-changes", kwargs={"slug": obj.agency.slug})
        else:
            url = reverse("watch:changes")
        url = f"{url}#change-{obj.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@public_schema(
    tag="changes",
    serializer=ChangeEventSerializer,
    list_description=_(
        "What changed in the network, newest first: sharing partners added and removed (with "
        "out-of-state, federal and state-law-forbidden partners marked), retention, policy "
        "texts, camera counts and other published figures changed between dated snapshots, "
        "search audits imported and new flagged searches (counts only), hearings scheduled, "
        "petitions opened and closed. Dates are when the change was seen."
    ),
    retrieve_description=_("One change, by id."),
)
class ChangeEventViewSet(PublicReadOnlyViewSet):
    serializer_class = ChangeEventSerializer
    filterset_class = ChangeEventFilter
    ordering_fields = ["occurred_on", "kind"]
    ordering = ["-occurred_on", "-id"]
    export_name = "changes"

    def get_queryset(self) -> QuerySet[ChangeEvent]:
        return change_list()

    def export_rows(self, queryset: QuerySet) -> Iterator[dict[str, Any]]:
        # The details differ by kind: one JSON cell rather than a column per key of any kind.
        for row in super().export_rows(queryset):
            details = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
            yield {**row, "details": details}


def register_watch(router: BaseRouter) -> None:
    router.register("changes", ChangeEventViewSet, basename="change")
