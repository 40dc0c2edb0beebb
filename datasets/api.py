"""``/api/v1/datasets/``: the bulk data snapshots and their files, newest first."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.api.conditional import ConditionalListMixin
from core.api.serializers import ThrottledSerializer
from datasets.selectors import Snapshot, SnapshotFile, snapshot_get, snapshot_list


class SnapshotFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("File name."))
    format = serializers.ChoiceField(
        choices=[("csv", "CSV"), ("parquet", "Parquet"), ("sqlite", "SQLite")],
        help_text=_("csv, parquet or sqlite."),
    )
    table = serializers.CharField(
        allow_null=True, help_text=_("The table the file holds; null for the SQLite file.")
    )
    rows = serializers.IntegerField(help_text=_("Rows in the file (all tables for SQLite)."))
    size = serializers.IntegerField(help_text=_("Size in bytes."))
    sha256 = serializers.CharField(help_text=_("SHA-256 of the file, hexadecimal."))
    download_url = serializers.SerializerMethodField(help_text=_("Where to download it."))

    def get_download_url(self, obj: SnapshotFile) -> str:
        day = self.context["day"]
        url = reverse("datasets:data-file", args=[day, obj.name])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class SnapshotTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    rows = serializers.IntegerField()
    columns = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text=_("Each column's name and type."),
    )


class SnapshotSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("The snapshot's date."))
    created_at = serializers.DateTimeField(help_text=_("When it was written."))
    size = serializers.IntegerField(help_text=_("Bytes of all its files."))
    manifest_url = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    tables = SnapshotTableSerializer(many=True)
    license = serializers.DictField(help_text=_("The license statement and credits."))

    def get_manifest_url(self, obj: Snapshot) -> str:
        url = reverse("datasets:data-file", args=[obj.date.isoformat(), "manifest.json"])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(SnapshotFileSerializer(many=True))
    def get_files(self, obj: Snapshot) -> list[dict]:
        context = {**self.context, "day": obj.date.isoformat()}
        # many=True makes a ListSerializer, whose data is a list; the stubs say ReturnDict.
        return SnapshotFileSerializer(obj.files, many=True, context=context).data  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(
        tags=["datasets"],
        description=_(
            "The nightly bulk data snapshots, newest first: every public table as CSV and "
            "Parquet plus one SQLite file, each with its row count, size, SHA-256 and download "
            "link. Answers conditional requests (ETag, Last-Modified)."
        ),
        responses={200: SnapshotSerializer(many=True), 429: ThrottledSerializer},
    ),
    retrieve=extend_schema(
        tags=["datasets"],
        description=_("One snapshot, by date (YYYY-MM-DD)."),
        responses={200: SnapshotSerializer, 429: ThrottledSerializer},
    ),
)
class DatasetViewSet(ConditionalListMixin, viewsets.ViewSet):
    lookup_field = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"
    serializer_class = SnapshotSerializer

    def list(self, request):
        snapshots = snapshot_list()
        return Response(SnapshotSerializer(snapshots, many=True, context={"request": request}).data)

    def retrieve(self, request, date: str):
        try:
            snapshot = snapshot_get(dt.date.fromisoformat(date))
        except ValueError:
            snapshot = None
        if snapshot is None:
            raise Http404
        return Response(SnapshotSerializer(snapshot, context={"request": request}).data)
