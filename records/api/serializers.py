"""The public shape of a records request: no requester email or other contact detail."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import enum_field
from core.models import Agency, City, ImportJob
from records.models import RecordsRequest
from records.selectors import public_text

RecordsKindField = enum_field("RecordsRequestKindEnum", RecordsRequest.Kind.choices)
RecordsStatusField = enum_field("RecordsRequestStatusEnum", RecordsRequest.Status.choices)


class RecordsRequestSerializer(serializers.ModelSerializer):
    city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    kind = RecordsKindField(help_text=_("What was asked for."))
    status = RecordsStatusField()
    reference = serializers.SerializerMethodField(help_text=_("The agency's reference number."))
    public_note = serializers.SerializerMethodField(help_text=_("Licence plates are masked."))
    import_job: serializers.PrimaryKeyRelatedField[ImportJob] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("The import job of the file received, once it is imported; else null."),
    )
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = RecordsRequest
        # Public fields only: requester_email, language and the reminder stamp stay out.
        fields = [
            "id",
            "city",
            "agency",
            "agency_name",
            "kind",
            "status",
            "sent_on",
            "due_on",
            "original_due_on",
            "response_on",
            "reference",
            "public_note",
            "import_job",
            "page_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_reference(self, obj: RecordsRequest) -> str:
        return public_text(obj.reference)

    @extend_schema_field(serializers.CharField())
    def get_public_note(self, obj: RecordsRequest) -> str:
        return public_text(obj.public_note)

    @extend_schema_field(serializers.URLField())
    def get_page_url(self, obj: RecordsRequest) -> str:
        path = reverse("records:detail", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
