from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("<uuid:pk>/", views.download_job, name="job"),
    path("<slug:kind>.csv", views.download_start, name="start"),
]
