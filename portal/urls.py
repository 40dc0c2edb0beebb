from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal.health import healthz

urlpatterns = [
    path("", include("portal.site_urls")),
    path("", include("watch.urls")),
    path("", include("reports.urls")),
    path("cameras/", include("cameras.urls")),
    path("searches/", include("searches.urls")),
    path("hearings/", include("hearings.urls")),
    path("petitions/", include("petitions.urls")),
    path("subscribe/", include("alerts.urls")),
    path("records-requests/", include("records.urls")),
    path("downloads/", include("exports.urls")),
    path("data/", include("datasets.urls")),
    path("compare/", include("compare.urls")),
    path("", include("embeds.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Normally answered by HealthCheckMiddleware; the route names it for reverse() and the docs.
    path("healthz", healthz, name="healthz"),
]
