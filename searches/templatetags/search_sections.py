"""Inclusion tags for the search-audit sections of the city and agency pages, so each page
template gains one line: ``{% city_searches city %}`` or ``{% agency_searches agency %}``."""

from __future__ import annotations

from typing import Any

from django import template

from portal.models import Agency, City
from searches.views import agency_sections, city_sections

register = template.Library()


@register.inclusion_tag("searches/sections.html", takes_context=True)
def city_searches(context: dict[str, Any], city: City) -> dict[str, Any]:
    """Who searched the cameras of a city's agencies, and why (or how audits get here)."""
    request = context["request"]
    # The page already knows its agencies and whether any has audit data; reuse both.
    if context.get("search_data") is False:
        sections = []
    else:
        sections = city_sections(request, city=city, agencies=context.get("agencies"))
    return {
        "request": request,
        "sections": sections,
        "subject": city.name,
        "subject_kind": "city",
    }


@register.inclusion_tag("searches/sections.html", takes_context=True)
def agency_searches(context: dict[str, Any], agency: Agency) -> dict[str, Any]:
    """An agency's audit and its searches of other agencies' cameras (or how audits get here)."""
    request = context["request"]
    no_data = context.get("search_data") is False
    return {
        "request": request,
        "sections": [] if no_data else agency_sections(request, agency=agency),
        "subject": agency.name,
        "subject_kind": "agency",
    }
