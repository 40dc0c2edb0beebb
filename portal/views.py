"""Public pages: home, search, cities, agencies, state laws and methodology.

Views only read through selectors, shape the result for a template and render it; the figures
come from ``portal.charts``. Every list that can grow is paginated or grouped, so a page costs
a fixed number of queries however many cameras or agreements it describes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from cameras import charts
from cameras.models import Camera, SharingAgreement
from cameras.sections import (
    CAMERA_TABLE_PAGE_SIZE,
    KIND_LABELS,
    STATE_NAMES,
    camera_breakdowns,
    camera_map_or_none,
    camera_rows,
    sharing_section,
    snapshot_context,
)
from cameras.selectors import (
    agency_directory,
    camera_list,
    camera_points,
    city_agencies,
    city_get,
    city_list,
    sharing_agreements,
    sharing_breakdown,
)
from core.filters import AgencyFilter, CityFilter
from core.models import Agency, City
from core.names import PHRASES
from core.pages import LIST_PAGE_SIZE, api_url, forbidden_use_labels, paginate
from core.selectors import agency_get, law_profile_list, law_profiles_by_state
from core.states import STATE_CHOICES
from hearings.selectors.hearings import upcoming_hearings
from petitions.selectors import open_petitions
from portal.selectors import headline_figures, portal_search
from searches.models import FLAG_LABELS as SEARCH_FLAG_LABELS
from searches.selectors.coverage import has_search_data
from searches.selectors.explorer import latest_flagged_searches
from searches.selectors.rules import rules_for_methodology
from searches.views import (
    FLAG_STYLES,
    FRAGMENT_PARAM,
    agency_sections,
    city_sections,
    explorer_url,
    flagged_fragment,
)

# --- Pages ----------------------------------------------------------------------------------


HOME_HEARINGS = 3
HOME_PETITIONS = 3
HOME_FLAGGED = 6


def home_flagged_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each flagged search's badges as (label, style, explorer link filtered by that flag)."""
    for row in rows:
        row["flag_links"] = [
            (SEARCH_FLAG_LABELS[name], FLAG_STYLES[name], explorer_url({"flag": name}))
            for name in row["flag_names"]
        ]
    return rows


def home(request: HttpRequest) -> HttpResponse:
    points = camera_points(cameras=camera_list(filters={"status": [Camera.Status.ACTIVE]}))
    cities = list(city_list().order_by("-active_camera_count", "name")[:12])
    petitions, open_petition_count = open_petitions(limit=HOME_PETITIONS)
    flagged = latest_flagged_searches(profiles=law_profiles_by_state(), limit=HOME_FLAGGED)
    current = {"current": "true", "format": "csv"}
    return render(
        request,
        "portal/home.html",
        {
            "figures": headline_figures(),
            "sharing_csv": {
                "all": api_url("sharing-agreement", current),
                **{
                    name: api_url("sharing-agreement", {**current, name: "true"})
                    for name in ("out_of_state", "federal", "forbidden")
                },
            },
            "hearings": upcoming_hearings(limit=HOME_HEARINGS),
            "petitions": petitions,
            "open_petition_count": open_petition_count,
            "flagged": home_flagged_rows(flagged),
            "camera_map": charts.camera_map(points=points, div_id="home-map") if points else None,
            "camera_breakdowns": camera_breakdowns(points),
            "cities": cities,
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    results = portal_search(query=request.GET.get("q", ""))
    if results.total == 1:
        return redirect(results.hits[0].obj)
    return render(request, "portal/search.html", {"results": results})


def city_index(request: HttpRequest) -> HttpResponse:
    filterset = CityFilter(request.GET or None, queryset=City.objects.none())
    page = paginate(request, city_list(filters=request.GET), per_page=LIST_PAGE_SIZE)
    return render(request, "portal/city_list.html", {"filter_form": filterset.form, "page": page})


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = city_get(slug=slug)
    if city is None:
        raise Http404(_("No such city."))
    if request.GET.get(FRAGMENT_PARAM):
        return flagged_fragment(request, sections=city_sections(request, city=city))
    law_profiles = law_profiles_by_state()
    points = camera_rows(camera_points(cameras=camera_list(filters={"city": city.slug})))
    agencies = city_agencies(city=city)
    search_data = has_search_data(agency_ids=[a.pk for a in agencies])
    sharing_csv = api_url("sharing-agreement", {"city": city.slug, "format": "csv"})
    sharing_out = sharing_section(
        request,
        key="out",
        heading=_("Who can search this city's cameras"),
        intro=_(
            "Agencies that cameras owned by %(city)s agencies are shared with, so they can search "
            "the plates those cameras record."
        )
        % {"city": city.name},
        counterpart="recipient",
        where={"owner_city": city},
        law_profiles=law_profiles,
        home_state=city.state,
        csv_url=sharing_csv,
        show_other_side=True,
    )
    sharing_in = sharing_section(
        request,
        key="in",
        heading=_("Whose cameras this city's agencies can search"),
        intro=_("Owners that share their cameras with agencies based in %(city)s.")
        % {"city": city.name},
        counterpart="owner",
        where={"recipient_city": city},
        law_profiles=law_profiles,
        home_state=city.state,
        show_other_side=True,
    )
    return render(
        request,
        "portal/city_detail.html",
        {
            "city": city,
            "law": law_profiles.get(city.state),
            "law_forbidden_uses": forbidden_use_labels(law_profiles.get(city.state)),
            "camera_map": camera_map_or_none(points, div_id="city-map"),
            "camera_page": paginate(
                request, points, per_page=CAMERA_TABLE_PAGE_SIZE, param="cam_page", anchor="cameras"
            ),
            "camera_total": len(points),
            "camera_breakdowns": camera_breakdowns(points),
            "agencies": agencies,
            "search_data": search_data,
            "search_sections": (
                city_sections(request, city=city, agencies=agencies) if search_data else []
            ),
            "sharing_sections": [sharing_out, sharing_in],
            "api_links": [
                (
                    _("Cameras (GeoJSON)"),
                    api_url("camera", {"city": city.slug, "format": "geojson"}),
                ),
                (_("Cameras (CSV)"), api_url("camera", {"city": city.slug, "format": "csv"})),
                (_("Sharing agreements (CSV)"), sharing_csv),
            ],
            **snapshot_context(agencies, div_id="city-snapshots"),
        },
    )


def agency_index(request: HttpRequest) -> HttpResponse:
    filterset = AgencyFilter(request.GET or None, queryset=Agency.objects.none())
    form = filterset.form
    for name in ("city", "active"):
        form.fields.pop(name, None)
    # django-filter builds its choice list when choices are set, so set them after the label.
    form.fields["state"].empty_label = _("All states")
    form.fields["state"].choices = STATE_CHOICES
    form.fields["kind"].widget = forms.CheckboxSelectMultiple(choices=Agency.Kind.choices)
    page = paginate(request, agency_directory(filters=request.GET), per_page=LIST_PAGE_SIZE)
    return render(request, "portal/agency_list.html", {"filter_form": form, "page": page})


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = agency_get(slug=slug)
    if agency is None:
        raise Http404(_("No such agency."))
    if request.GET.get(FRAGMENT_PARAM):
        return flagged_fragment(request, sections=agency_sections(request, agency=agency))
    search_data = has_search_data(agency_ids=[agency.pk], as_searcher=agency.pk)
    search_sections = agency_sections(request, agency=agency) if search_data else []
    law_profiles = law_profiles_by_state()
    points = camera_rows(camera_points(cameras=camera_list(filters={"owner": agency.slug})))
    sharing_out = sharing_section(
        request,
        key="out",
        heading=_("Who can search this agency's cameras"),
        intro=_("Agencies that %(agency)s shares its cameras with.") % {"agency": agency.name},
        counterpart="recipient",
        where={"owner": agency},
        law_profiles=law_profiles,
        home_state=agency.state,
        csv_url=api_url("sharing-agreement", {"owner": agency.slug, "format": "csv"}),
    )
    sharing_in = sharing_section(
        request,
        key="in",
        heading=_("Whose cameras this agency can search"),
        intro=_("Owners that share their cameras with %(agency)s.") % {"agency": agency.name},
        counterpart="owner",
        where={"recipient": agency},
        law_profiles=law_profiles,
        home_state=agency.state,
        csv_url=api_url("sharing-agreement", {"recipient": agency.slug, "format": "csv"}),
    )
    network = sharing_breakdown(
        agreements=sharing_agreements(owner=agency), fields=("recipient__state", "recipient__kind")
    )
    return render(
        request,
        "portal/agency_detail.html",
        {
            "agency": agency,
            "kind_label": KIND_LABELS.get(agency.kind, agency.kind),
            "state_name": STATE_NAMES.get(agency.state, ""),
            "law": law_profiles.get(agency.state),
            "law_forbidden_uses": forbidden_use_labels(law_profiles.get(agency.state)),
            "camera_map": camera_map_or_none(points, div_id="agency-map"),
            "camera_page": paginate(
                request, points, per_page=CAMERA_TABLE_PAGE_SIZE, param="cam_page", anchor="cameras"
            ),
            "camera_total": len(points),
            "search_data": search_data,
            # Its own audit reads after who can search its cameras; its searches of others
            # after whose cameras it can search.
            "own_searches": [s for s in search_sections if s.key == "agency"],
            "by_searches": [s for s in search_sections if s.key == "by"],
            "sharing_sections": [sharing_out, sharing_in],
            "network_chart": (
                charts.sharing_sunburst(
                    root_label=agency.name,
                    home_state=agency.state,
                    breakdown=network,
                    div_id="agency-network",
                )
                if network
                else None
            ),
            "api_links": [
                (
                    _("Cameras (GeoJSON)"),
                    api_url("camera", {"owner": agency.slug, "format": "geojson"}),
                ),
                (_("Cameras (CSV)"), api_url("camera", {"owner": agency.slug, "format": "csv"})),
                (
                    _("Snapshots (CSV)"),
                    api_url("snapshot", {"agency": agency.slug, "format": "csv"}),
                ),
            ],
            **snapshot_context([agency], div_id="agency-snapshots"),
        },
    )


def laws(request: HttpRequest) -> HttpResponse:
    profiles = list(law_profile_list())
    # Labels for the template, set on the rows; mypy knows only the attributes models declare.
    for profile in profiles:
        profile.forbidden_use_labels = forbidden_use_labels(profile)  # type: ignore[attr-defined]
        profile.state_name = str(  # type: ignore[attr-defined]
            STATE_NAMES.get(profile.state, profile.state)
        )
    profiles.sort(key=lambda p: p.state_name)  # type: ignore[attr-defined]
    return render(request, "portal/laws.html", {"profiles": profiles})


def name_phrase_groups() -> list[tuple[str, list[str]]]:
    """core/names.py's folded words, grouped by the abbreviation they fold to."""
    groups: dict[str, list[str]] = {}
    for written, folded in PHRASES:
        groups.setdefault(folded, []).append(written.replace("sheriff s", "sheriff's"))
    return list(groups.items())


def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/methodology.html",
        {
            "name_phrases": name_phrase_groups(),
            "sharing_kinds": SharingAgreement.Kind.choices,
            "agency_kinds": Agency.Kind.choices,
            "reason_categories": rules_for_methodology(),
        },
    )
