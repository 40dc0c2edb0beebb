"""One exception handler: service errors become 400s, throttling a JSON 429 with a wait time,
and every error is JSON even when the client asked for a CSV or GeoJSON download."""

from __future__ import annotations

import math

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.services import ServiceError

# Renderers that can show an error as it is; any other (CSV, GeoJSON) would turn it into a
# one-row file that looks like data.
ERROR_FORMATS = {"json", "api"}


def exception_handler(exc, context):
    response: Response | None
    if isinstance(exc, ServiceError):
        response = Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    else:
        response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.Throttled):
        # DRF truncates the wait, and has none when the throttle's history is empty; round up
        # (at least one second) so a client that obeys is never refused again.
        # DRF sets ``wait`` in Throttled.__init__; the stubs leave the attribute out.
        wait = max(1, math.ceil(exc.wait or 0))  # type: ignore[attr-defined]
        response.data = {
            "detail": _("Request was throttled. Please slow down."),
            "retry_after_seconds": wait,
        }
        response["Retry-After"] = str(wait)
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and getattr(renderer, "format", None) not in ERROR_FORMATS:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response
