"""``{% city_petitions_section city %}``: a city page's open petitions and a way to start one."""

from __future__ import annotations

from django import template

from core.models import City
from petitions.selectors import city_open_petitions

register = template.Library()

OPEN_PETITIONS_SHOWN = 3


@register.inclusion_tag("petitions/city_section.html")
def city_petitions_section(city: City) -> dict:
    open_petitions, published = city_open_petitions(city=city, limit=OPEN_PETITIONS_SHOWN)
    return {"city": city, "open_petitions": open_petitions, "published_count": published}
