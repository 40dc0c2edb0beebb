"""Public petition pages, mounted at /petitions/ (app "petitions")."""

from django.urls import path

from petitions import views as views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_index, name="petition-list"),
    path("start/", views.petition_start, name="petition-start"),
    path("started/", views.petition_started, name="petition-started"),
    path("confirm/<str:token>/", views.petition_confirm, name="petition-confirm"),
    path("city/<slug:city_slug>/", views.petition_city, name="city-petitions"),
    path("signatures/confirm/<str:token>/", views.signature_confirm, name="signature-confirm"),
    path("signatures/withdraw/<str:token>/", views.signature_withdraw, name="signature-withdraw"),
    path("<slug:slug>/", views.petition_detail, name="petition-detail"),
    path("<slug:slug>/signed/", views.petition_signed, name="petition-signed"),
    path("<slug:slug>/signatures-by-zip.csv", views.petition_zip_csv, name="petition-zip-csv"),
]
