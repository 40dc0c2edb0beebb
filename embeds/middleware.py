"""What makes the ``/embed/`` pages embeddable: their language never comes from a cookie, and
other sites may frame them.

A middleware rather than view decorators: the page cache (``core.pagecache``) replays a stored
response as a new ``HttpResponse``, without the attributes ``xframe_options_exempt`` and
django-csp's ``csp_replace`` set on the view's response, so a cache hit would go out with
``X-Frame-Options: DENY`` again. This sits between the security middleware and the page cache
(see ``MIDDLEWARE``): its request side runs before the cache looks a page up (the cache key
takes the language set here), its response side on every response, hit or miss, before the
clickjacking and CSP middleware read those attributes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

EMBED_PREFIX = "/embed/"
LANGUAGE_PARAM = "lang"


def is_embed(request: HttpRequest) -> bool:
    return request.path_info.startswith(EMBED_PREFIX)


def embed_language(request: HttpRequest) -> str:
    """``?lang=es`` if the site has that language, else the best of ``Accept-Language``, else
    the default; never the language cookie, which a framed page does not get (third-party
    cookies) and which must not make two readers of one URL see different pages."""
    asked = [request.GET.get(LANGUAGE_PARAM, "")]
    asked += [
        code for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    ]
    for code in asked:
        if not code or code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def frame_ancestors() -> list[str]:
    """Who may frame an embed (``PORTAL_EMBED_FRAME_ANCESTORS``, default everyone)."""
    return list(settings.PORTAL_EMBED_FRAME_ANCESTORS or ["*"])


class EmbedMiddleware:
    """On ``/embed/`` only: the language from ``?lang`` or ``Accept-Language``, no
    ``X-Frame-Options``, and CSP ``frame-ancestors`` from ``PORTAL_EMBED_FRAME_ANCESTORS``
    (the rest of the site's policy unchanged)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_embed(request):
            return self.get_response(request)
        language = embed_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # What django.views.decorators.clickjacking.xframe_options_exempt and
        # csp.decorators.csp_replace set; they cannot reach a page-cache hit (module doc).
        response.xframe_options_exempt = True
        response._csp_replace = {"frame-ancestors": frame_ancestors()}  # type: ignore[attr-defined]
        response.headers["Content-Language"] = language
        return response
