"""Files browsers and crawlers ask for at the site root: /favicon.ico and /robots.txt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Crawlers may read every public page; what they should not fetch: the admin, the personal
# confirm/withdraw links from emails, and downloads built on request (CSV exports, export jobs),
# which cost the server a query or a background job per fetch and duplicate the pages' data.
ROBOTS_LINES = (
    "User-agent: *",
    "Disallow: /admin/",
    "Disallow: /downloads/",
    "Disallow: /api/v1/exports/",
    "Disallow: /api/*format=csv",
    "Disallow: /*.csv$",
    "Disallow: /hearings/comments/",
    "Disallow: /petitions/confirm/",
    "Disallow: /petitions/signatures/",
    "Disallow: /i18n/",
    "Allow: /",
)


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse("\n".join(ROBOTS_LINES) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=86400)
def favicon_ico(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page links; the file itself is a static file
    # with a hashed name (served by whitenoise with a far-future expiry), so this only points.
    return HttpResponseRedirect(static("favicon.ico"))
