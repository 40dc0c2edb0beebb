"""The changes pages and their Atom feeds, beside the city and agency pages they belong to."""

from django.urls import path

from watch import views

app_name = "watch"

urlpatterns = [
    path("changes/", views.national_changes, name="changes"),
    path("changes/feed/", views.NationalChangesFeed(), name="changes-feed"),
    path("cities/<slug:slug>/changes/", views.city_changes, name="city-changes"),
    path("cities/<slug:slug>/changes/feed/", views.CityChangesFeed(), name="city-changes-feed"),
    path("agencies/<slug:slug>/changes/", views.agency_changes, name="agency-changes"),
    path(
        "agencies/<slug:slug>/changes/feed/",
        views.AgencyChangesFeed(),
        name="agency-changes-feed",
    ),
]
