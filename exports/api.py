"""The download API: ask for a CSV of a list's filters (202 and a poll address), poll the job,
and fetch the finished file. Asking is a GET, like the list it downloads: it is safe to repeat
(the same filters reuse the job), and the whole API stays read-only. Nothing here is cached."""

from __future__ import annotations

import base64

from django.http import FileResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from core.api.renderers import PortalCSVRenderer, export_filename_for
from core.api.serializers import ThrottledSerializer
from exports.models import ExportJob
from exports.services import export_job_request
from exports.sources import export_view, exportable_views, query_normalize


class ExportJobSerializer(serializers.ModelSerializer):
    """A download's state; ``download_url`` once the whole file is ready."""

    url = serializers.SerializerMethodField(help_text=_("Poll this address for the status."))
    download_url = serializers.SerializerMethodField(
        help_text=_("The finished file; null until the status is `ready`.")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "query",
            "status",
            "row_count",
            "size_bytes",
            "sha256",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def _absolute(self, name: str, obj: ExportJob) -> str:
        path = reverse(name, kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: ExportJob) -> str:
        return self._absolute("api:export-detail", obj)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, obj: ExportJob) -> str | None:
        if obj.status != ExportJob.Status.READY:
            return None
        return self._absolute("api:export-download", obj)


def export_job_response(*, job: ExportJob, request, status_code: int) -> JsonResponse:
    """The job as JSON with its poll address in ``Location`` (a 202 or a 303), whatever format
    the client asked for: a CSV of one status row would look like data."""
    data = ExportJobSerializer(job, context={"request": request}).data
    response = JsonResponse(data, status=status_code)
    response["Location"] = data["url"]
    response["Cache-Control"] = "no-store"
    return response


class ExportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class _OneJobSchema(AutoSchema):
    """Every operation here answers one job: asking for an export is a GET on the collection,
    but it returns the job, not a list of jobs."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


@method_decorator(never_cache, name="dispatch")
class ExportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Downloads of every row of a list, built in the background."""

    serializer_class = ExportJobSerializer
    queryset = ExportJob.objects.all()
    renderer_classes = [JSONRenderer]
    filter_backends: list = []
    pagination_class = None
    schema = _OneJobSchema()

    @extend_schema(
        # Named as before the single-job schema (which would name it like retrieve).
        operation_id="v1_exports_list",
        tags=["exports"],
        description=_(
            "Ask for a CSV of every row an API list returns: `kind` names the list (the same "
            "filters follow as query parameters, as on that list). The same filters within the "
            "retention period reuse the job. Answers 202 with the job; poll its `url` until "
            "`status` is `ready`, then fetch `download_url`. Lists answer `?format=csv` over "
            "more rows than the inline limit with a 303 to such a job."
        ),
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.QUERY,
                required=True,
                description=_(
                    "The list to download, by route name: `search`, `camera`, `agency`, ..."
                ),
            )
        ],
        request=None,
        responses={
            (202, "application/json"): OpenApiResponse(ExportJobSerializer),
            (429, "application/json"): OpenApiResponse(ThrottledSerializer),
        },
    )
    def list(self, request: Request, *args, **kwargs):
        kind = request.query_params.get("kind", "")
        if kind not in exportable_views():
            raise ValidationError({"kind": [_("Not a list that downloads as CSV.")]})
        query = query_normalize(request.query_params)
        # Bad filters are a 400 now, not a failed job later.
        view = export_view(kind=kind, query=query)
        view.filter_queryset(view.get_queryset())
        job = export_job_request(kind=kind, query=query)
        return export_job_response(job=job, request=request, status_code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        tags=["exports"],
        description=_(
            "A download's status: `pending`, `running`, `ready` (with row count, size, SHA-256 "
            "and `download_url`) or `failed` (with `error`). Files are deleted at `expires_at`."
        ),
        responses={
            (200, "application/json"): OpenApiResponse(ExportJobSerializer),
            (429, "application/json"): OpenApiResponse(ThrottledSerializer),
        },
    )
    def retrieve(self, request: Request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["exports"],
        description=_(
            "The finished CSV, whole: `Content-Length` is its size and `Repr-Digest` its "
            "SHA-256. 409 while it is being built or when the build failed."
        ),
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (409, "application/json"): OpenApiResponse(ExportErrorSerializer),
            (429, "application/json"): OpenApiResponse(ThrottledSerializer),
        },
    )
    # Accepts a CSV request (the file) as well as JSON (the 409).
    @action(
        detail=True,
        methods=["get"],
        url_path="download",
        renderer_classes=[JSONRenderer, PortalCSVRenderer],
    )
    def download(self, request: Request, *args, **kwargs):
        job = self.get_object()
        if job.status != ExportJob.Status.READY:
            detail = _("This download is not ready: its status is %(status)s.")
            return JsonResponse(
                {"detail": str(detail % {"status": job.status})}, status=status.HTTP_409_CONFLICT
            )
        try:
            handle = job.file.open("rb")
        except FileNotFoundError as exc:
            raise NotFound(_("This download has expired.")) from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=export_filename_for(
                exportable_views().get(job.kind), QueryDict(job.query), "csv"
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Repr-Digest"] = f"sha-256=:{_b64(job.sha256)}:"
        response["X-Row-Count"] = str(job.row_count)
        return response


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")
