"""OpenAPI descriptions shared by the public viewsets: download formats, media types, the 429."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from core.api.serializers import ThrottledSerializer
from exports.api import ExportJobSerializer
from exports.sources import exportable_views

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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
    description: StrOrPromise,
    formats: ExportFormats,
    format_help: StrOrPromise,
    response_help: StrOrPromise,
    list_operation: bool = False,
):
    responses: dict[tuple[int, str], Any] = {
        (200, "application/json"): OpenApiResponse(serializer, description=response_help)
    }
    for media_type, schema in formats.values():
        responses[(200, media_type)] = schema
    if list_operation and "csv" in formats:
        responses[(303, "application/json")] = OpenApiResponse(
            ExportJobSerializer,
            description=_(
                "A CSV over more rows than the inline limit: the background job building the "
                "file (also in `Location`); poll it, then fetch its `download_url`."
            ),
        )
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
    list_description: StrOrPromise,
    retrieve_description: StrOrPromise,
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
            list_operation=True,
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


ERROR_SCHEMA = {
    "type": "object",
    "description": _(
        "Why the request was refused: `detail` (and `parameter` for a query parameter holding a "
        "control character), or the invalid filters, each with its messages."
    ),
    "properties": {
        "detail": {"type": "string"},
        "parameter": {"type": "string"},
    },
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
ERROR_RESPONSES = {
    "400": _(
        "A filter, page or format is invalid, or a query parameter holds a control character."
    ),
    "404": _("No such object, or a page number past the last page."),
}


# What core.querystring lets through: no C0 control character but tab, newline and return.
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"


def _refuse_control_characters(parameter: dict) -> None:
    schema = parameter.get("schema", {})
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema.setdefault("pattern", NO_CONTROL_CHARACTERS)


def document_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation can answer 400 and 404 with an ``Error`` body, and
    its free-text query parameters say they take no control character."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    # The lists an export job can build are known only once every app's routes are loaded.
    kinds = sorted(exportable_views())
    for route, path in result.get("paths", {}).items():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _refuse_control_characters(parameter)
                if route.endswith("/exports/") and parameter.get("name") == "kind":
                    parameter["schema"]["enum"] = kinds
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                if code == "404":
                    # An address no API route matches gets the site's HTML "Page not found".
                    content["text/html"] = {"schema": {"type": "string"}}
                responses.setdefault(code, {"description": str(description), "content": content})
    return result
