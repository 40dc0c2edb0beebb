"""Public alert pages, mounted at /subscribe/ (app "alerts")."""

from django.urls import path

from alerts import views as views

app_name = "alerts"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("sent/", views.subscribe_sent, name="subscribe-sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/", views.manage_request, name="manage-request"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("webhooks/", views.webhook_register, name="webhook-register"),
    path("webhooks/confirm/<str:token>/", views.webhook_confirm, name="webhook-confirm"),
]
