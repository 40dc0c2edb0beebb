"""The base of every public API list: paginated JSON, or every matching row streamed as a
download, or, past the inline limit, a 303 to the export job that builds the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.filters import OrderingFilter

from core.api.conditional import ConditionalListMixin
from core.api.renderers import csv_columns, csv_stream, export_filename
from core.csvstream import csv_download
from exports.api import export_job_response
from exports.services import export_inline_allowed, export_job_request
from exports.sources import query_normalize


class PublicOrderingFilter(OrderingFilter):
    """Ordering whose schema lists the fields a client may order by."""

    def get_schema_operation_parameters(self, view):
        fields = [name for name, _label in self.get_valid_fields(view.get_queryset(), view)]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Fields to order by, comma-separated; a leading minus sorts descending.")
                ),
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [order for name in fields for order in (name, f"-{name}")],
                    },
                },
                "style": "form",
                "explode": False,
            }
        ]


class PublicReadOnlyViewSet(ConditionalListMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only public data: paginated JSON, or every matching row streamed as a download.
    Lists answer conditional requests (ETag, Last-Modified, 304)."""

    filter_backends = [DjangoFilterBackend, PublicOrderingFilter]

    export_name: str = ""
    # Formats whose list is every matching row streamed, rather than one page of JSON.
    export_formats: tuple[str, ...] = ("csv",)
    # Rows fetched per database round trip while streaming a download.
    export_chunk_size = 2000

    def list(self, request, *args, **kwargs):
        fmt = request.accepted_renderer.format
        if fmt in self.export_formats:
            queryset = self.filter_queryset(self.get_queryset())
            if fmt == "csv" and not export_inline_allowed(queryset=queryset):
                return self.export_job_redirect(request)
            return self.export_response(fmt, queryset)
        return super().list(request, *args, **kwargs)

    def export_job_redirect(self, request) -> HttpResponseBase:
        """A 303 to the background job building this CSV: streaming more rows than
        EXPORT_INLINE_MAX_ROWS could outlast the request and end as a cut-off file."""
        # Here ``kind`` can only be the list's own filter (sharing or change kinds), never the
        # export's kind, which is the list itself.
        query = query_normalize(request.query_params, keep=frozenset({"kind"}))
        job = export_job_request(kind=self.basename, query=query)
        return export_job_response(job=job, request=request, status_code=303)

    def export_response(self, fmt: str, queryset: QuerySet) -> HttpResponseBase:
        """Every row of ``queryset`` as one streamed download in ``fmt``. Chunked, without
        ``Content-Length``: a stream that stops early ends without the final chunk, which
        clients report as an incomplete transfer, never as a whole file."""
        serializer = self.get_serializer()
        # Public lists serialize with model serializers, whose fields are the CSV's columns.
        assert isinstance(serializer, serializers.Serializer)
        columns = csv_columns(serializer)
        return csv_download(
            csv_stream(columns=columns, rows=self.export_rows(queryset)),
            filename=export_filename(self, "csv"),
        )

    def export_rows(self, queryset: QuerySet) -> Iterator[dict[str, Any]]:
        # One serializer for all rows: building its fields again per row would dominate.
        serializer = self.get_serializer()
        for obj in queryset.iterator(chunk_size=self.export_chunk_size):
            yield serializer.to_representation(obj)
