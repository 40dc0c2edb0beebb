"""Template context every page needs."""

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    """Whether to show the demo-data notice (``PORTAL_DEMO_BANNER``)."""
    return {"PORTAL_DEMO_BANNER": getattr(settings, "PORTAL_DEMO_BANNER", False)}
