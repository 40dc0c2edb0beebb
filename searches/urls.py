"""Public search-audit pages, included at ``searches/``."""

from django.urls import path

from searches import views

app_name = "searches"

urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("national/", views.national, name="national"),
]
