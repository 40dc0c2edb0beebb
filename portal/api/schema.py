"""OpenAPI descriptions shared by the public viewsets: download formats, media types, the 429."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from portal.api.serializers import ThrottledSerializer

# format name -> (media type, response schema: an OpenApiTypes or a serializer class)
ExportFormats = Mapping[str, tuple[str, Any]]

CSV_FORMAT: ExportFormats = {"csv": ("text/csv", OpenApiTypes.STR)}

LIST_FORMAT_HELP = _(
    "Response format. `json` (the default) is paginated. `csv` returns every row matching the "
    "filters in one download: nested objects become dotted columns such as `owner.name`, lists "
    "are joined with semicolons. An `Accept` header selects the format too."
)
RETRIEVE_FORMAT_HELP = _("Response format. An `Accept` header selects the format too.")
LIST_RESPONSE_HELP = _("JSON: one page of results. Other formats: every matching row.")
RETRIEVE_RESPONSE_HELP = _("The object, in the requested format.")


def _operation(
    *,
    tag: str,
    serializer: type,
    description: str,
    formats: ExportFormats,
    format_help: str,
    response_help: str,
):
    responses: dict[tuple[int, str], Any] = {
        (200, "application/json"): OpenApiResponse(serializer, description=response_help)
    }
    for media_type, schema in formats.values():
        responses[(200, media_type)] = schema
    responses[(429, "application/json")] = OpenApiResponse(
        ThrottledSerializer, description=_("Too many requests; wait retry_after_seconds.")
    )
    fmt = OpenApiParameter(
        "format", str, OpenApiParameter.QUERY, enum=["json", *formats], description=format_help
    )
    return extend_schema(tags=[tag], description=description, parameters=[fmt], responses=responses)


def public_schema(
    *,
    tag: str,
    serializer: type,
    list_description: str,
    retrieve_description: str,
    list_formats: ExportFormats = CSV_FORMAT,
    retrieve_formats: ExportFormats = CSV_FORMAT,
):
    """The OpenAPI description of a public read-only viewset's list and retrieve operations."""
    return extend_schema_view(
        list=_operation(
            tag=tag,
            serializer=serializer,
            description=list_description,
            formats=list_formats,
            format_help=LIST_FORMAT_HELP,
            response_help=LIST_RESPONSE_HELP,
        ),
        retrieve=_operation(
            tag=tag,
            serializer=serializer,
            description=retrieve_description,
            formats=retrieve_formats,
            format_help=RETRIEVE_FORMAT_HELP,
            response_help=RETRIEVE_RESPONSE_HELP,
        ),
    )
