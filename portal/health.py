"""``/healthz`` for load balancers and container health checks: is the database reachable, and
the broker that queued tasks wait in? JSON, 200 when both are, 503 when either is not.

The answer names only which part failed, never an error text (it can carry a URL with a
password); the reason goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
BROKER_TIMEOUT_SECONDS = 3


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    if celery_app.conf.task_always_eager:
        return "not used"  # the embedded default runs tasks in-process
    with celery_app.connection_for_write() as conn:
        # Opening a Redis channel PINGs the server; one try, bounded, so a probe never hangs.
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        conn.default_channel  # noqa: B018 - evaluated for its connection
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "broker": _broker}


def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok"|"error", "checks": {"database": ..., "broker": ...}}``."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # any failure of a dependency is the answer, not a 500
            logger.exception("Health check %s failed", name)
            results[name] = "error"
    healthy = "error" not in results.values()
    response = JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Serves ``/healthz`` before host validation and the HTTPS redirect, so that a probe by
    container IP over plain HTTP gets the answer rather than a 400 or a 301."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
