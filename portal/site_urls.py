"""Public pages of the portal, with URLs people can share and guess."""

from django.urls import path

from portal import site_files, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("cities/", views.city_index, name="city-list"),
    path("cities/<slug:slug>/", views.city_detail, name="city-detail"),
    path("agencies/", views.agency_index, name="agency-list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("laws/", views.laws, name="laws"),
    path("methodology/", views.methodology, name="methodology"),
    path("robots.txt", site_files.robots_txt, name="robots-txt"),
    path("favicon.ico", site_files.favicon_ico, name="favicon"),
]
