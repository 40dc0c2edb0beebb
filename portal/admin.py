"""The admin site itself: its titles and its home page, which shows what waits for the clerk in
their cities (from every app) above the list of records. Each app registers its own models."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from portal.admin_dashboard import clerk_dashboard

admin.site.site_header = _("ALPR Transparency Portal — clerk admin")
admin.site.site_title = _("ALPR Transparency Portal — clerk admin")
admin.site.index_title = _("Records of your cities")
_stock_index = admin.site.index


def _index_with_dashboard(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> TemplateResponse:
    """The admin home: what waits for the clerk in their cities, above the list of records
    (``templates/admin/index.html``)."""
    context = {"dashboard": clerk_dashboard(user=request.user), **(extra_context or {})}
    return _stock_index(request, extra_context=context)


# The project keeps Django's default site; its home only needs this one more context value.
# Replacing the bound method on this one instance is deliberate (no AdminSite subclass).
admin.site.index = _index_with_dashboard  # type: ignore[method-assign]
