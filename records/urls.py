"""Public records pages, mounted at /records-requests/ (app "records")."""

from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.templates_page, name="templates"),
    path("download/<slug:kind>/", views.template_download, name="template-download"),
    path("log/", views.log, name="log"),
    path("log/<int:pk>/", views.detail, name="detail"),
    path("new/", views.file_request, name="file"),
    path("new/sent/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
]
