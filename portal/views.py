"""Public pages: home, search, cities, agencies, state laws and methodology.

Views only read through selectors, shape the result for a template and render it; the figures
come from ``portal.charts``. Every list that can grow is paginated or grouped, so a page costs
a fixed number of queries however many cameras or agreements it describes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from cameras.selectors import (
    SHARING_FLAGS,
    SharingCounts,
    camera_list,
    camera_points,
    sharing_agreements,
    sharing_breakdown,
    sharing_counts,
    snapshot_history,
    snapshots_latest,
)
from core.filters import AgencyFilter, CityFilter
from core.models import Agency, City, StateLawProfile
from core.names import PHRASES
from core.selectors import (
    agency_directory,
    agency_get,
    city_agencies,
    city_get,
    city_list,
    headline_figures,
    law_profile_list,
    law_profiles_by_state,
    portal_search,
)
from core.states import STATE_CHOICES
from hearings.selectors.hearings import upcoming_hearings
from petitions.selectors import open_petitions
from portal import charts
from searches.models import FLAG_LABELS as SEARCH_FLAG_LABELS
from searches.selectors import has_search_data, latest_flagged_searches

LIST_PAGE_SIZE = 50
CAMERA_TABLE_PAGE_SIZE = 100
SHARING_PAGE_SIZE = 25
# Longer sharing tables start folded behind their counts, so the page reads topic by topic.
SHARING_OPEN_UP_TO = 10
BREAKDOWN_ROWS = 8

FLAG_LABELS = {
    "": _("All"),
    "flagged": _("Any flag"),
    "out_of_state": _("Out of state"),
    "federal": _("Federal"),
    "forbidden": _("Forbidden by state law"),
}
KIND_LABELS = dict(Agency.Kind.choices)
STATE_NAMES = dict(STATE_CHOICES)
BREAKDOWN_TITLES = {
    "recipient": (_("Recipients by kind"), _("Recipients by state")),
    "owner": (_("Owners by kind"), _("Owners by state")),
}
FORBIDDEN_USE_LABELS = dict(StateLawProfile.ForbiddenUse.choices)


# --- Shared helpers -------------------------------------------------------------------------


def api_url(basename: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> str:
    """A link to an API list, e.g. ``api_url("camera", {"city": "x", "format": "csv"})``."""
    query = urlencode(list(params.items()) if isinstance(params, Mapping) else list(params))
    return reverse(f"api:{basename}-list") + (f"?{query}" if query else "")


def query_url(request: HttpRequest, anchor: str = "", **changes: Any) -> str:
    """The current URL with some query parameters set (or removed when the value is empty)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value in ("", None):
            params.pop(key, None)
        else:
            params[key] = value
    query = params.urlencode()
    return (f"?{query}" if query else request.path) + (f"#{anchor}" if anchor else "")


def paginate(
    request: HttpRequest,
    items: Sequence[Any] | Any,
    *,
    per_page: int,
    param: str = "page",
    anchor: str = "",
) -> Page:
    """A page of ``items`` with previous/next links that keep the other query parameters."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    page.previous_url = (
        query_url(request, anchor, **{param: page.previous_page_number()})
        if page.has_previous()
        else ""
    )
    page.next_url = (
        query_url(request, anchor, **{param: page.next_page_number()}) if page.has_next() else ""
    )
    return page


@dataclass
class FilterLink:
    label: str
    url: str
    count: int
    current: bool


@dataclass
class Breakdown:
    """Counts of one grouping (e.g. recipients by state), with a share for the bar."""

    title: str
    rows: list[dict[str, Any]]
    total: int
    # Rows in ``flagged`` carry a text badge, e.g. "Out of state" next to a state's name.
    flag_label: str = ""
    flag_style: str = ""
    label_heading: str = ""

    @property
    def top(self) -> list[dict[str, Any]]:
        return self.rows[:BREAKDOWN_ROWS]

    @property
    def rest(self) -> list[dict[str, Any]]:
        return self.rows[BREAKDOWN_ROWS:]


def breakdown(
    title: str,
    counts: Iterable[tuple[str, int]],
    *,
    flagged: Iterable[str] = (),
    flag_label: str = "",
    flag_style: str = "",
    label_heading: str = "",
) -> Breakdown:
    rows = sorted(counts, key=lambda kv: (-kv[1], kv[0]))
    total = sum(n for _label, n in rows) or 1
    flagged = set(flagged)
    return Breakdown(
        title=title,
        rows=[
            {
                "label": label,
                "count": n,
                "percent": round(100 * n / total, 1),
                "flag": label in flagged,
            }
            for label, n in rows
        ],
        total=sum(n for _label, n in rows),
        flag_label=flag_label,
        flag_style=flag_style,
        label_heading=label_heading,
    )


@dataclass
class SharingSection:
    """One direction of sharing on a city or agency page, ready for ``includes/sharing.html``."""

    key: str
    heading: str
    intro: str
    counterpart: str
    counts: SharingCounts
    flag: str
    page: Page
    links: list[FilterLink]
    breakdowns: list[Breakdown] = field(default_factory=list)
    csv_url: str = ""
    # City pages also name the city's agency on the other side; agency pages need not.
    show_other_side: bool = False
    # The table opens by itself when short or when the reader filtered or paged it.
    expanded: bool = True
    # The owners' laws behind the rows' "forbidden" badges, cited once above the table.
    statutes: list[StateLawProfile] = field(default_factory=list)

    @property
    def party_heading(self) -> str:
        return str(_("Recipient") if self.counterpart == "recipient" else _("Owner"))

    @property
    def other_heading(self) -> str:
        return str(_("Shared by") if self.counterpart == "recipient" else _("Shared with"))

    @property
    def anchor(self) -> str:
        return f"sharing-{self.key}"


def sharing_section(
    request: HttpRequest,
    *,
    key: str,
    heading: str,
    intro: str,
    counterpart: str,
    where: Mapping[str, Any],
    law_profiles: Mapping[str, StateLawProfile],
    home_state: str = "",
    csv_url: str = "",
    show_other_side: bool = False,
) -> SharingSection:
    """Counts, flag filter links, breakdowns and one page of agreements for one direction.

    ``counterpart`` is the side shown in the table: "recipient" (who can search) or "owner"
    (whose cameras can be searched); ``where`` selects the agreements.
    """
    flag_param, page_param, anchor = f"{key}_flag", f"{key}_page", f"sharing-{key}"
    flag = request.GET.get(flag_param, "")
    if flag not in SHARING_FLAGS:
        flag = ""
    everything = sharing_agreements(**where)
    counts = sharing_counts(agreements=everything)
    links = [
        FilterLink(
            label=str(FLAG_LABELS[value]),
            url=query_url(request, anchor, **{flag_param: value, page_param: ""}),
            count=getattr(counts, value or "total"),
            current=value == flag,
        )
        for value in ("", *SHARING_FLAGS)
    ]
    page = paginate(
        request,
        sharing_agreements(**where, flag=flag),
        per_page=SHARING_PAGE_SIZE,
        param=page_param,
        anchor=anchor,
    )
    statutes: dict[str, StateLawProfile] = {}
    for agreement in page.object_list:
        # A "forbidden" badge rests on the owner's state law.
        agreement.law = law_profiles.get(agreement.owner.state)
        if agreement.forbidden_by_state_law and agreement.law:
            statutes.setdefault(agreement.law.state, agreement.law)
        if counterpart == "recipient":
            agreement.party, agreement.other_side = agreement.recipient, agreement.owner
        else:
            agreement.party, agreement.other_side = agreement.owner, agreement.recipient
    grouped = sharing_breakdown(
        agreements=everything, fields=(f"{counterpart}__kind", f"{counterpart}__state")
    )
    by_kind: Counter[str] = Counter()
    by_state: Counter[str] = Counter()
    for row in grouped:
        kind, state = row[f"{counterpart}__kind"], row[f"{counterpart}__state"]
        by_kind[str(KIND_LABELS.get(kind, kind))] += row["count"]
        by_state[str(STATE_NAMES.get(state, _("Unknown state")))] += row["count"]
    out_of_state = [
        str(name) for code, name in STATE_NAMES.items() if home_state and code != home_state
    ]
    return SharingSection(
        key=key,
        heading=heading,
        intro=intro,
        counterpart=counterpart,
        counts=counts,
        flag=flag,
        page=page,
        links=links,
        breakdowns=[
            breakdown(
                str(BREAKDOWN_TITLES[counterpart][0]),
                by_kind.items(),
                flagged=[str(KIND_LABELS[Agency.Kind.FEDERAL])],
                flag_label=str(FLAG_LABELS["federal"]),
                flag_style="federal",
                label_heading=str(_("Kind")),
            ),
            breakdown(
                str(BREAKDOWN_TITLES[counterpart][1]),
                by_state.items(),
                flagged=out_of_state,
                flag_label=str(FLAG_LABELS["out_of_state"]),
                flag_style="out-of-state",
                label_heading=str(_("State")),
            ),
        ],
        csv_url=csv_url,
        show_other_side=show_other_side,
        expanded=(
            counts.total <= SHARING_OPEN_UP_TO
            or bool(request.GET.get(flag_param) or request.GET.get(page_param))
        ),
        statutes=sorted(statutes.values(), key=lambda law: law.state),
    )


@dataclass
class SnapshotSummary:
    """An agency's latest transparency snapshot and how it changed since the first one."""

    latest: TransparencySnapshot
    first: TransparencySnapshot | None
    changes: list[dict[str, Any]]


SNAPSHOT_METRICS = (
    ("retention_days", _("Retention (days)")),
    ("total_cameras", _("Cameras")),
    ("lpr_cameras", _("LPR cameras")),
    ("vehicles_detected_30d", _("Vehicles detected in 30 days")),
    ("searches_30d", _("Searches in 30 days")),
    ("hotlist_hits_30d", _("Hotlist hits in 30 days")),
    ("external_organizations_count", _("External organizations with access")),
)


def snapshot_summaries(history: Sequence[TransparencySnapshot]) -> list[SnapshotSummary]:
    summaries = []
    for latest in snapshots_latest(history=history):
        own = [s for s in history if s.agency_id == latest.agency_id]
        first = own[0] if len(own) > 1 else None
        changes = []
        for name, label in SNAPSHOT_METRICS:
            now = getattr(latest, name)
            before = getattr(first, name) if first else None
            changes.append(
                {
                    "label": label,
                    "value": now,
                    "before": before,
                    "delta": (now - before) if now is not None and before is not None else None,
                }
            )
        summaries.append(SnapshotSummary(latest=latest, first=first, changes=changes))
    return summaries


def snapshot_context(agencies: Sequence[Agency], *, div_id: str) -> dict[str, Any]:
    history = snapshot_history(agencies=agencies)
    dates = {s.captured_on for s in history}
    return {
        "snapshot_history": history,
        "snapshot_summaries": snapshot_summaries(history),
        # A line needs two dates; one snapshot is shown as its figures alone.
        "snapshot_chart": (
            charts.snapshot_history_chart(history=history, div_id=div_id)
            if len(dates) > 1
            else None
        ),
    }


def camera_rows(points: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``camera_points`` rows with display labels for tables."""
    status_labels = dict(Camera.Status.choices)
    for row in points:
        row["directions_label"] = charts.directions_label(row["directions"], row["direction_text"])
        row["status_label"] = status_labels.get(row["status"], row["status"])
        row["kind_label"] = KIND_LABELS.get(row["owner__kind"], "")
    return points


def camera_breakdowns(points: Sequence[dict[str, Any]]) -> list[Breakdown]:
    active = [p for p in points if p["status"] == Camera.Status.ACTIVE]
    return [
        breakdown(
            str(_("By owner kind")),
            Counter(
                str(KIND_LABELS.get(p["owner__kind"], _("Unknown owner"))) for p in active
            ).items(),
            label_heading=str(_("Owner kind")),
        ),
        breakdown(
            str(_("By vendor")),
            Counter(p["vendor"] or str(_("Unknown vendor")) for p in active).items(),
            label_heading=str(_("Vendor")),
        ),
    ]


def camera_map_or_none(points: Sequence[dict[str, Any]], *, div_id: str) -> Any:
    shown = [p for p in points if p["status"] != Camera.Status.REMOVED]
    return charts.camera_map(points=shown, div_id=div_id) if shown else None


def forbidden_use_labels(profile: StateLawProfile | None) -> list[str]:
    if profile is None:
        return []
    return [str(FORBIDDEN_USE_LABELS.get(use, use)) for use in profile.forbidden_uses or []]


# --- Pages ----------------------------------------------------------------------------------


HOME_HEARINGS = 3
HOME_PETITIONS = 3
HOME_FLAGGED = 6


def home_flagged_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each flagged search's badges as (label, style, explorer link filtered by that flag)."""
    # searches.views reads portal.views at import time, so its names are read here.
    from searches.views import FLAG_STYLES, explorer_url

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
    # Imported here: searches.views builds its links with this module's helpers.
    from searches.views import FRAGMENT_PARAM, city_sections, flagged_fragment

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
    from searches.views import FRAGMENT_PARAM, agency_sections, flagged_fragment

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
    for profile in profiles:
        profile.forbidden_use_labels = forbidden_use_labels(profile)
        profile.state_name = str(STATE_NAMES.get(profile.state, profile.state))
    profiles.sort(key=lambda p: p.state_name)
    return render(request, "portal/laws.html", {"profiles": profiles})


def name_phrase_groups() -> list[tuple[str, list[str]]]:
    """core/names.py's folded words, grouped by the abbreviation they fold to."""
    groups: dict[str, list[str]] = {}
    for written, folded in PHRASES:
        groups.setdefault(folded, []).append(written.replace("sheriff s", "sheriff's"))
    return list(groups.items())


def methodology(request: HttpRequest) -> HttpResponse:
    from searches.classification import rules_for_methodology

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
