"""Download pages for people: a CSV link goes through ``download_start``, which sends a small
result straight to the API's streamed CSV and a large one to a page that polls its job
(a meta refresh, no JavaScript) until the file is ready."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import ValidationError

from core.pages import api_url
from exports.models import ExportJob
from exports.services import export_inline_allowed, export_job_request
from exports.sources import export_view, exportable_views, query_normalize

POLL_SECONDS = 3


@never_cache
def download_start(request: HttpRequest, kind: str) -> HttpResponse:
    """The CSV of API list ``kind`` for the request's filters: inline or through a job."""
    if kind not in exportable_views():
        raise Http404
    query = query_normalize(request.GET)
    view = export_view(kind=kind, query=query)
    try:
        queryset = view.filter_queryset(view.get_queryset())
    except ValidationError:
        # The API names what is wrong with the filters.
        return redirect(api_url(kind, [*request.GET.items(), ("format", "json")]))
    if export_inline_allowed(queryset=queryset):
        pairs = [(key, value) for key, values in QueryDict(query).lists() for value in values]
        return redirect(api_url(kind, [*pairs, ("format", "csv")]))
    job = export_job_request(kind=kind, query=query)
    return redirect("exports:job", pk=job.pk)


@never_cache
def download_job(request: HttpRequest, pk: str) -> HttpResponse:
    """A download's status; refreshes itself until the file is ready or the build failed."""
    job = get_object_or_404(ExportJob, pk=pk)
    waiting = job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
    return render(
        request,
        "exports/job.html",
        {
            "job": job,
            "waiting": waiting,
            "poll_seconds": POLL_SECONDS,
            "download_url": reverse("api:export-download", kwargs={"pk": job.pk})
            if job.status == ExportJob.Status.READY
            else "",
            "retry_url": reverse("exports:start", kwargs={"kind": job.kind})
            + (f"?{job.query}" if job.query else ""),
        },
    )
