from django.urls import path, re_path

from datasets import views

app_name = "datasets"

urlpatterns = [
    path("", views.data_index, name="data-index"),
    re_path(
        r"^(?P<day>\d{4}-\d{2}-\d{2})/(?P<name>[A-Za-z0-9_.-]+)$",
        views.data_file,
        name="data-file",
    ),
]
