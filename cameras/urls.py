"""Public camera pages, included at ``cameras/``."""

from django.urls import path

from cameras import views

app_name = "cameras"

urlpatterns = [
    path("", views.camera_index, name="camera-list"),
    path("<int:pk>/", views.camera_detail, name="camera-detail"),
]
