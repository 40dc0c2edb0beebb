"""The embeds (under ``/embed/``, see ``embeds.middleware``) and each city's page of snippets."""

from django.urls import path

from embeds import views

app_name = "embeds"

urlpatterns = [
    path("embed/cities/<slug:slug>/", views.summary, name="summary"),
    path("embed/cities/<slug:slug>/map/", views.camera_map, name="map"),
    path("embed/cities/<slug:slug>/sharing/", views.sharing, name="sharing"),
    path("embed/cities/<slug:slug>/searches/", views.searches, name="searches"),
    path("cities/<slug:slug>/embed/", views.index, name="index"),
]
