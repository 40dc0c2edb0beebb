"""One exception handler: service errors become 400s, throttling a JSON 429 with a wait time."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.services import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None:
        response.data = {
            "detail": "Request was throttled. Please slow down.",
            "retry_after_seconds": int(exc.wait) if exc.wait is not None else None,
        }
    return response
