"""Comparisons: cities or agencies side by side, and a state's cities ranked."""

from django.urls import path

from compare import views

app_name = "compare"

urlpatterns = [
    path("", views.compare, name="compare"),
    path("csv/", views.compare_csv, name="csv"),
    path("states/<str:state>/", views.state_view, name="state"),
    path("states/<str:state>/csv/", views.state_csv, name="state-csv"),
]
