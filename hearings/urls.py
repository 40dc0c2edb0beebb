"""Public hearing pages, mounted at /hearings/ (app "hearings")."""

from django.urls import path

from hearings.views import hearings as views

app_name = "hearings"

urlpatterns = [
    path("", views.hearing_index, name="hearing-list"),
    path("comments/confirm/<str:token>/", views.comment_confirm_view, name="comment-confirm"),
    path("comments/withdraw/<str:token>/", views.comment_withdraw_view, name="comment-withdraw"),
    path("<slug:city_slug>/", views.city_hearings, name="city-hearings"),
    path("<slug:city_slug>/calendar.ics", views.city_ics, name="city-ics"),
    path("<slug:city_slug>/feed/", views.CityHearingsFeed(), name="city-feed"),
    path("<slug:city_slug>/<slug:slug>/", views.hearing_detail, name="hearing-detail"),
    path("<slug:city_slug>/<slug:slug>/sent/", views.comment_sent, name="comment-sent"),
    path("<slug:city_slug>/<slug:slug>/calendar.ics", views.hearing_ics, name="hearing-ics"),
    path(
        "<slug:city_slug>/<slug:slug>/record/", views.hearing_record_public, name="hearing-record"
    ),
]
