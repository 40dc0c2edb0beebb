"""Times in the clerk admin as the city keeps them.

The project runs in UTC, while the public pages show each city's own time ("3 p.m. CST"). The
admin does the same: lists and read-only fields show a row's times in its city's time zone with
the zone's abbreviation (``city_time_column``), and a change form shows and reads its editable
times in the city's zone, saying which (``CityTimeFormMixin``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.admin_scoping import only_city
from core.models import City
from hearings.templatetags.hearings_tags import zone_time

UTC = zoneinfo.ZoneInfo("UTC")


def related_city(obj: Any, path: str) -> City | None:
    """The City at the end of ``path`` (``"item__hearing__city"``) from ``obj``, or None."""
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value if isinstance(value, City) else None


def city_zone(city: City | None) -> zoneinfo.ZoneInfo:
    """The city's time zone; UTC without a city or with an unknown zone name."""
    if city is None:
        return UTC
    try:
        return zoneinfo.ZoneInfo(city.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def city_time_column(field_name: str, *, city: str, description) -> Callable[[Any, Any], str]:
    """A ``list_display`` or read-only column showing the datetime ``field_name`` in the row's
    city's time zone with its abbreviation ("Jan. 15, 2027, 3 p.m. CST"); a row without a city
    shows UTC, labelled so. ``city`` is the lookup path from the row to its City."""

    @admin.display(description=description, ordering=field_name)
    def column(_model_admin, obj) -> str:
        value: dt.datetime | None = getattr(obj, field_name, None)
        if value is None:
            return "—"
        return zone_time(value, city_zone(related_city(obj, city)))

    column.__name__ = f"{field_name}_local"
    return column


def zone_note(zone: zoneinfo.ZoneInfo) -> str:
    """ "In America/Chicago time (CST).": what a form's time fields are entered in."""
    return gettext("In %(zone)s time (%(abbr)s).") % {
        "zone": zone.key,
        "abbr": timezone.now().astimezone(zone).tzname(),
    }


class CityTimeFormMixin:
    """Render and read a change form's times in its row's city's time zone.

    ``time_city`` is the lookup path from the row to its City; a new row takes the clerk's
    only city, else UTC. The editable datetime fields say which zone they are in.
    """

    time_city: str = "city"

    def form_zone(self, request: HttpRequest, object_id: str | None) -> zoneinfo.ZoneInfo:
        city = None
        if object_id:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            city = related_city(obj, self.time_city) if obj is not None else None
        return city_zone(city or only_city(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        zone = getattr(request, "_city_time_zone", None)
        if zone is None:
            return form
        note = zone_note(zone)
        for field in form.base_fields.values():
            if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
                field.help_text = f"{field.help_text} {note}" if field.help_text else note
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = request._city_time_zone = self.form_zone(request, object_id)
        # Render inside the override: the form shows and reads times in the city's zone.
        with timezone.override(zone):
            response = super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
            if hasattr(response, "render"):
                response.render()
        return response
