"""Public camera pages: the filterable list and one camera's detail."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cameras import charts
from cameras.filters import CameraFilter
from cameras.models import Camera
from cameras.sections import camera_rows
from cameras.selectors import (
    camera_get,
    camera_list,
    camera_nearby,
    camera_points,
    camera_vendors,
    city_list,
)
from core.models import Agency
from core.pages import LIST_PAGE_SIZE, api_url, paginate
from core.selectors import law_profile_get
from core.states import STATE_CHOICES

# The fields of ``CameraFilter`` the page offers; the API takes the rest.
PAGE_FILTERS = ("city", "state", "owner_kind", "vendor", "status")


def camera_filter_form(request: HttpRequest) -> forms.Form:
    """``CameraFilter``'s form with pick lists instead of free text for city and vendor."""
    form = CameraFilter(request.GET or None, queryset=Camera.objects.none()).form
    for name in list(form.fields):
        if name not in PAGE_FILTERS:
            del form.fields[name]
    everywhere = [("", _("All cities"))]
    form.fields["city"].widget = forms.Select(
        choices=everywhere + [(c.slug, str(c)) for c in city_list().only("slug", "name", "state")]
    )
    form.fields["city"].label = _("City")
    form.fields["vendor"].widget = forms.Select(
        choices=[("", _("All vendors"))] + [(v, v) for v in camera_vendors()]
    )
    # django-filter builds its choice list when choices are set, so set them after the label.
    form.fields["state"].empty_label = _("All states")
    form.fields["state"].choices = STATE_CHOICES
    form.fields["owner_kind"].widget = forms.CheckboxSelectMultiple(choices=Agency.Kind.choices)
    form.fields["status"].widget = forms.CheckboxSelectMultiple(choices=Camera.Status.choices)
    return form


def camera_index(request: HttpRequest) -> HttpResponse:
    params = [(k, v) for k in PAGE_FILTERS for v in request.GET.getlist(k) if v]
    page = paginate(request, camera_list(filters=request.GET), per_page=LIST_PAGE_SIZE)
    compass = charts.compass_names()
    for camera in page.object_list:
        camera.directions_label = charts.directions_label(
            camera.directions, camera.direction_text, compass=compass
        )
    return render(
        request,
        "cameras/camera_list.html",
        {
            "filter_form": camera_filter_form(request),
            "page": page,
            "filtered": bool(params),
            "csv_url": api_url("camera", [*params, ("format", "csv")]),
            "geojson_url": api_url("camera", [*params, ("format", "geojson")]),
        },
    )


def camera_detail(request: HttpRequest, pk: int) -> HttpResponse:
    camera = camera_get(pk=pk)
    if camera is None:
        raise Http404(_("No such camera."))
    nearby = camera_nearby(camera=camera)
    # One query for the camera and its neighbours as map rows.
    rows = camera_rows(
        camera_points(cameras=Camera.objects.filter(pk__in=[camera.pk, *(c.pk for c in nearby)]))
    )
    point = [row for row in rows if row["pk"] == camera.pk]
    neighbours = [row for row in rows if row["pk"] != camera.pk]
    for other in nearby:
        # For the template; mypy knows only the attributes the model declares.
        other.directions_label = charts.directions_label(  # type: ignore[attr-defined]
            other.directions, other.direction_text
        )
    return render(
        request,
        "cameras/camera_detail.html",
        {
            "camera": camera,
            "directions_label": point[0]["directions_label"],
            "kind_label": camera.owner.get_kind_display() if camera.owner else "",
            "camera_map": charts.camera_map(
                points=point,
                context_points=neighbours,
                focus=point[0],
                div_id="camera-map",
                height=340,
            ),
            "nearby": nearby,
            "law": law_profile_get(state=camera.city.state if camera.city else ""),
        },
    )
