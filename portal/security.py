"""Response headers Django has no setting for, and the client address django-axes counts."""

from __future__ import annotations

import math
from collections.abc import Callable

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hearings.abuse import client_ip, ip_hash


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def axes_client_ip(request: HttpRequest) -> str:
    """The client django-axes locks out: the address behind ``PORTAL_NUM_PROXIES`` proxies, as
    the same keyed hash the public forms' rate limits use, so no raw IP reaches the cache."""
    return ip_hash(client_ip(request)) or "unknown"


def axes_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The locked-out page: 429 with how many failures locked it and how long to wait."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    response = render(
        request,
        "admin/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
