"""Template helpers for hearings: times in the city's own time zone, and the city page section
``{% city_hearings_section city %}`` (upcoming hearings and open comment windows)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format

from core.models import City
from hearings.selectors.hearings import city_hearings_summary

register = template.Library()


def _zone(city: City) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(city.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def zone_time(value: dt.datetime, zone: dt.tzinfo) -> str:
    """``value`` in ``zone`` with the zone's abbreviation (e.g. "Jan. 15, 2027, 7 p.m. CST")."""
    return dateformat.format(timezone.localtime(value, zone), f"{get_format('DATETIME_FORMAT')} T")


@register.filter(expects_localtime=False)
def city_time(value: dt.datetime | None, city: City) -> str:
    """``value`` in the city's time zone, with the zone's abbreviation (e.g. "7:00 p.m. CDT")."""
    if not value:
        return ""
    return zone_time(value, _zone(city))


@register.filter(expects_localtime=False)
def city_date(value: dt.datetime | None, city: City) -> str:
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value, _zone(city)), get_format("DATE_FORMAT"))


@register.inclusion_tag("hearings/includes/city_section.html")
def city_hearings_section(city: City) -> dict:
    return city_hearings_summary(city=city)
