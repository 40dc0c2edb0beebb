"""Search-audit pages: the sections of the city and agency pages, the explorer and the national
view. Views read through ``searches.selectors`` and shape the result for a template; figures
come from ``searches.charts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from cameras.selectors import city_get
from core.models import Agency, City, StateLawProfile
from core.pages import api_url, query_url
from core.querystring import without_empty_params
from core.selectors import agency_get, law_profiles_by_state
from core.states import STATE_CHOICES
from searches import charts
from searches.filters import FLAG_CHOICES, SearchFilter
from searches.models import DRILL_DOWN_FLAGS, FLAG_LABELS, Search
from searches.selectors.coverage import (
    Coverage,
    audited_agencies,
    audited_agency_ids,
    search_coverage,
)
from searches.selectors.explorer import (
    DEFAULT_SORT,
    ROLLUP_FILTERS,
    SORTS,
    TIME_SORTS,
    RowPage,
    explorer_count,
    explorer_sorts,
    flagged_searches,
    keyset_page,
    largest_searches,
    search_explore,
)
from searches.selectors.rules import law_for_flags
from searches.selectors.stats import (
    COUNTED_FLAGS,
    AgencyCount,
    SearchStats,
    cached,
    distinct_searchers,
    flag_names,
    flagged_by,
    searcher_stats,
    source_stats_cached,
    stats_version,
    top_searched_sources,
    top_searching_agencies,
)

EXPLORER_PAGE_SIZE = 50
DRILL_DOWN_PAGE_SIZE = 25
# ``?fragment=<section anchor>-flagged`` renders only that section's flagged rows (flagged.js
# swaps them in place); the URL differs from the page's, so the page cache keeps them apart.
FRAGMENT_PARAM = "fragment"
DRILL_DOWN_FLAG_NAMES = flag_names(DRILL_DOWN_FLAGS)
STATE_NAMES = dict(STATE_CHOICES)
# Badge style of each flag: concerns in the reason, state law, and who searched.
FLAG_STYLES = {
    "immigration": "concern",
    "reproductive_care": "concern",
    "protest": "concern",
    "vague": "neutral",
    "case_number_only": "neutral",
    "blank": "neutral",
    "forbidden_use": "forbidden",
    "forbidden_sharing": "forbidden",
    "out_of_state": "out-of-state",
    "federal": "federal",
}


# --- Sections of the city and agency pages ----------------------------------------------------


@dataclass
class FlagCard:
    name: str
    label: str
    count: int
    law: StateLawProfile | None = None
    explore_url: str = ""


@dataclass
class SearchSection:
    """Everything the statistics section of a city or agency page shows, ready to render."""

    key: str
    heading: str
    intro: str
    stats: SearchStats
    flagged: RowPage
    distinct_searchers: int = 0
    cards: list[FlagCard] = field(default_factory=list)
    chart: SafeString | None = None
    chart_caption: str = ""
    table_series: list[Any] = field(default_factory=list)
    month_labels: list[str] = field(default_factory=list)
    flagged_next_url: str = ""
    flagged_first_url: str = ""
    largest: list[dict[str, Any]] = field(default_factory=list)
    top_agencies: list[AgencyCount] = field(default_factory=list)
    top_heading: str = ""
    flagged_caption: str = ""
    coverage: list[Coverage] = field(default_factory=list)
    explore_url: str = ""
    csv_url: str = ""
    stats_url: str = ""
    # The laws behind the section's state-law flags, cited once instead of on every row.
    statutes: list[StateLawProfile] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"searches-{self.key}"

    @property
    def fragment(self) -> str:
        return f"{self.anchor}-flagged"

    @property
    def table_rows(self) -> list[tuple[str, list[int], int]]:
        """(month, value per series, month total) for the chart's data table."""
        rows = []
        for i, label in enumerate(self.month_labels):
            values = [s.values[i] for s in self.table_series]
            rows.append((label, values, sum(values)))
        return rows


def _cards(
    stats: SearchStats, *, law: StateLawProfile | None, explore_params: dict[str, str]
) -> list[FlagCard]:
    # A card cites the statute only where that law has the rule the flag is about.
    cites = {
        "forbidden_use": law if law and law.forbidden_uses else None,
        "forbidden_sharing": law if law and law.restricts_sharing else None,
    }
    return [
        FlagCard(
            name=name,
            label=str(FLAG_LABELS[name]),
            count=stats.by_flag.get(name, 0),
            law=cites.get(name),
            explore_url=explorer_url({**explore_params, "flag": name}),
        )
        for name in COUNTED_FLAGS
    ]


def explorer_url(params: dict[str, Any]) -> str:
    query = urlencode([(k, v) for k, v in params.items() if v not in ("", None)])
    return reverse("searches:explorer") + (f"?{query}" if query else "")


def _with_laws(rows: Sequence[dict[str, Any]], profiles: dict[str, StateLawProfile]) -> None:
    for row in rows:
        row["law"] = law_for_flags(
            flags=row["flags"],
            source_state=row["source_agency__state"],
            searching_state=row["searching_agency__state"],
            profiles=profiles,
        )
        row["flag_labels"] = [(FLAG_LABELS[name], FLAG_STYLES[name]) for name in row["flag_names"]]


def _statutes(section: SearchSection) -> list[StateLawProfile]:
    laws = [card.law for card in section.cards if card.law and card.count]
    laws += [row["law"] for row in (*section.flagged.rows, *section.largest) if row["law"]]
    by_state: dict[str, StateLawProfile] = {}
    for law in laws:
        if law.statute_citation or law.statute_url:
            by_state.setdefault(law.state, law)
    return sorted(by_state.values(), key=lambda law: law.state)


def _flagged_links(request: HttpRequest, section: SearchSection, param: str) -> None:
    # Links point at the whole page (the fragment request's own parameter left out), so they
    # work without JavaScript and a copied address shows the same rows.
    if section.flagged.next_token:
        section.flagged_next_url = query_url(
            request, section.fragment, **{param: section.flagged.next_token, FRAGMENT_PARAM: ""}
        )
    if request.GET.get(param):
        section.flagged_first_url = query_url(
            request, section.fragment, **{param: "", FRAGMENT_PARAM: ""}
        )


def _bundle(
    *,
    stats: SearchStats,
    div_id: str,
    distinct: Callable[[], int],
    flagged: Callable[[], RowPage],
    largest: Callable[[], list[dict[str, Any]]],
    top: Callable[[], list[AgencyCount]],
    coverage: Callable[[], list[Coverage]],
) -> dict[str, Any]:
    """Everything a section computes from the data (not from the request), to cache as one."""
    bundle: dict[str, Any] = {
        "stats": stats,
        "distinct": distinct(),
        "flagged": flagged(),
        "largest": largest(),
        "top": top(),
        "coverage": coverage(),
        "series": [],
        "labels": [],
        "chart": None,
    }
    if stats.total:
        bundle["series"] = charts.monthly_series(stats)
        bundle["labels"] = charts.month_labels(stats)
        bundle["chart"] = charts.monthly_category_chart(stats=stats, div_id=div_id)
    return bundle


def _section(
    request: HttpRequest,
    *,
    key: str,
    bundle: dict[str, Any],
    flagged_param: str,
    flagged_live: Callable[[str], RowPage],
    law: StateLawProfile | None,
    explore_params: dict[str, str],
    **fields: Any,
) -> SearchSection:
    after = request.GET.get(flagged_param, "")
    section = SearchSection(
        key=key,
        stats=bundle["stats"],
        distinct_searchers=bundle["distinct"],
        cards=_cards(bundle["stats"], law=law, explore_params=explore_params),
        chart=bundle["chart"],
        table_series=bundle["series"],
        month_labels=bundle["labels"],
        # Later pages of the drill-down are read live; the first comes with the cached bundle.
        flagged=flagged_live(after) if after else bundle["flagged"],
        largest=bundle["largest"],
        top_agencies=bundle["top"],
        coverage=bundle["coverage"],
        explore_url=explorer_url(explore_params),
        csv_url=download_url("search", explore_params),
        stats_url=api_url("search-stats", {**explore_params, "group_by": "month,category"}),
        **fields,
    )
    profiles = law_profiles_by_state()
    _with_laws(section.flagged.rows, profiles)
    _with_laws(section.largest, profiles)
    section.statutes = _statutes(section)
    _flagged_links(request, section, flagged_param)
    return section


def source_section(
    request: HttpRequest,
    *,
    key: str,
    heading: str,
    intro: str,
    source_ids: Sequence[int],
    outside_ids: Sequence[int],
    explore_params: dict[str, str],
    law: StateLawProfile | None,
    chart_caption: str,
    flagged_caption: str,
) -> SearchSection:
    """Searches of the cameras of ``source_ids`` (their audits), whoever ran them."""
    source_ids, outside_ids = sorted(source_ids), sorted(outside_ids)

    version = stats_version()

    def compute() -> dict[str, Any]:
        return _bundle(
            stats=source_stats_cached(source_ids=source_ids, version=version),
            div_id=f"searches-{key}-chart",
            distinct=lambda: distinct_searchers(source_ids=source_ids, version=version),
            flagged=lambda: flagged_searches(source_ids=source_ids, size=DRILL_DOWN_PAGE_SIZE),
            largest=lambda: largest_searches(source_ids=source_ids),
            top=lambda: top_searching_agencies(source_ids=source_ids, exclude_ids=outside_ids),
            coverage=lambda: search_coverage(source_ids=source_ids),
        )

    bundle = cached(f"source:{key}:{source_ids}:{outside_ids}", version, compute)
    return _section(
        request,
        key=key,
        bundle=bundle,
        flagged_param=f"{key}_after",
        flagged_live=lambda after: flagged_searches(
            source_ids=source_ids, after=after, size=DRILL_DOWN_PAGE_SIZE
        ),
        law=law,
        explore_params=explore_params,
        heading=heading,
        intro=intro,
        chart_caption=chart_caption,
        top_heading=str(_("Outside agencies that searched most")),
        flagged_caption=flagged_caption,
    )


def searcher_section(request: HttpRequest, *, agency: Agency) -> SearchSection | None:
    """Searches an agency ran on other agencies' cameras, from those agencies' audits."""

    version = stats_version()

    def compute() -> dict[str, Any]:
        return _bundle(
            stats=searcher_stats(agency=agency),
            div_id="searches-by-chart",
            distinct=lambda: distinct_searchers(searching_id=agency.pk, version=version),
            flagged=lambda: flagged_searches(searching_id=agency.pk, size=DRILL_DOWN_PAGE_SIZE),
            largest=list,
            top=lambda: top_searched_sources(agency=agency),
            coverage=list,
        )

    bundle = cached(f"searcher:{agency.pk}", version, compute)
    if not bundle["stats"].total:
        return None
    return _section(
        request,
        key="by",
        bundle=bundle,
        flagged_param="searcher_after",
        flagged_live=lambda after: flagged_searches(
            searching_id=agency.pk, after=after, size=DRILL_DOWN_PAGE_SIZE
        ),
        law=None,
        explore_params={"searching_agency": agency.slug},
        heading=str(_("Its searches of other agencies' cameras")),
        intro=str(
            _(
                "What the audits of other agencies show %(agency)s searching for. Only agencies "
                "whose audits the portal holds appear here, so this is a floor, not the total."
            )
            % {"agency": agency.name}
        ),
        chart_caption=str(
            _("Searches by %(agency)s of other agencies' cameras per month, by reason category.")
            % {"agency": agency.name}
        ),
        top_heading=str(_("Whose cameras it searched most")),
        flagged_caption=str(
            _("Flagged searches by %(agency)s, newest first") % {"agency": agency.name}
        ),
    )


def city_sections(
    request: HttpRequest, *, city: City, agencies: Sequence[Agency] | None = None
) -> list[SearchSection]:
    """The statistics section of a city page: searches of the cameras of its agencies
    (``agencies``, when the caller already has them)."""
    if agencies is None:
        agencies = list(Agency.objects.filter(home_city=city))
    ids = [a.pk for a in agencies]
    audited = audited_agency_ids(agency_ids=ids)
    if not audited:
        return []
    law = law_profiles_by_state().get(city.state)
    return [
        source_section(
            request,
            key="city",
            heading=str(_("Who searched this city's cameras, and why")),
            intro=str(
                _(
                    "From the search audits of agencies based in %(city)s: every search of "
                    "their cameras, by them or by any agency they share with, with the reason "
                    "the searcher typed. No plate, officer name or user id is kept."
                )
                % {"city": city.name}
            ),
            source_ids=audited,
            outside_ids=ids,
            explore_params={"city": city.slug},
            law=law,
            chart_caption=str(
                _(
                    "Searches of cameras in %(city)s per month, stacked by reason category. "
                    "The table below the chart holds the same numbers."
                )
                % {"city": city.name}
            ),
            flagged_caption=str(
                _("Flagged searches of cameras of agencies in %(city)s, newest first")
                % {"city": city.name}
            ),
        )
    ]


def agency_sections(request: HttpRequest, *, agency: Agency) -> list[SearchSection]:
    """An agency's own audit (searches of its cameras) and its searches of others' cameras."""
    sections = []
    if audited_agency_ids(agency_ids=[agency.pk]):
        sections.append(
            source_section(
                request,
                key="agency",
                heading=str(_("Who searched its cameras, and why")),
                intro=str(
                    _(
                        "From the search audit of %(agency)s: every search of its cameras, by "
                        "its own staff or by agencies it shares with, with the reason typed. "
                        "No plate, officer name or user id is kept."
                    )
                    % {"agency": agency.name}
                ),
                source_ids=[agency.pk],
                outside_ids=[agency.pk],
                explore_params={"source_agency": agency.slug},
                law=law_profiles_by_state().get(agency.state),
                chart_caption=str(
                    _(
                        "Searches of the cameras of %(agency)s per month, stacked by reason "
                        "category. The table below the chart holds the same numbers."
                    )
                    % {"agency": agency.name}
                ),
                flagged_caption=str(
                    _("Flagged searches of the cameras of %(agency)s, newest first")
                    % {"agency": agency.name}
                ),
            )
        )
    by_agency = searcher_section(request, agency=agency)
    if by_agency is not None:
        sections.append(by_agency)
    return sections


def flagged_fragment(request: HttpRequest, *, sections: Sequence[SearchSection]) -> HttpResponse:
    """Only the flagged rows (with their pager and statutes) of the section ``?fragment=``
    names, for flagged.js to swap in without reloading the page."""
    name = request.GET.get(FRAGMENT_PARAM, "")
    for section in sections:
        if section.fragment == name:
            response = render(request, "searches/flagged_fragment.html", {"section": section})
            response["X-Robots-Tag"] = "noindex"
            return response
    raise Http404(_("No such section."))


def has_search_audits(*, agencies: Sequence[Agency]) -> bool:
    """Whether any of these agencies has audit data (decides if the page loads plotly.js)."""
    return bool(audited_agency_ids(agency_ids=[a.pk for a in agencies]))


# --- Explorer -----------------------------------------------------------------------------------

SORT_LABELS = {
    "searched_at": _("Time"),
    "devices_searched": _("Devices"),
    "networks_searched": _("Networks"),
}
SORT_OPTIONS = {
    "-searched_at": _("Newest first"),
    "searched_at": _("Oldest first"),
    "-devices_searched": _("Most devices first"),
    "devices_searched": _("Fewest devices first"),
    "-networks_searched": _("Most networks first"),
    "networks_searched": _("Fewest networks first"),
}


def _sort_param(key: str) -> str:
    # The default order is the page without ``sort``: links and the form leave it out.
    return "" if key == DEFAULT_SORT else key


def explorer_form(request: HttpRequest, *, sorts: Sequence[str] = TIME_SORTS) -> forms.Form:
    """The explorer's form: ``SearchFilter``'s fields with pick lists where lists are short,
    and a sort select offering only ``sorts`` (those the current filters allow).

    A form of its own: the filter set's form must keep every field, or its filters would not
    apply (``city`` and ``searching_agency`` arrive from links, not from this form).
    """
    form = SearchFilter(request.GET or None, queryset=Search.objects.none()).form
    form.fields.pop("min_devices", None)
    form.fields.pop("searching_agency", None)
    form.fields.pop("city", None)
    everywhere = [("", _("All audited agencies"))]
    form.fields["source_agency"].widget = forms.Select(
        choices=everywhere + [(a.slug, a.name) for a in audited_agencies()]
    )
    form.fields["source_agency"].label = _("Audited agency (whose cameras)")
    form.fields["searching_agency_name"].label = _("Searching agency name contains")
    for name, label in (
        ("source_state", _("Any state")),
        ("searching_state", _("Any state")),
    ):
        form.fields[name].empty_label = label
        form.fields[name].choices = STATE_CHOICES
    form.fields["category"].empty_label = _("Any category")
    form.fields["flag"].widget = forms.CheckboxSelectMultiple(choices=FLAG_CHOICES)
    form.fields["sort"] = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(_sort_param(key), SORT_OPTIONS[key]) for key in SORTS if key in sorts],
    )
    form.order_fields(
        [
            "source_agency",
            "searching_agency_name",
            "source_state",
            "searching_state",
            "category",
            "reason",
            "date_from",
            "date_to",
            "sort",
            "flag",
        ]
    )
    return form


def download_url(basename: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """The download page of an API list's CSV: it streams a small result and builds a large
    one as a file in the background (see exports/). Blank values are left out."""
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    query = urlencode([(k, v) for k, v in pairs if v not in ("", None)])
    return reverse("exports:start", kwargs={"kind": basename}) + (f"?{query}" if query else "")


# Filters the page passes through to the API's CSV (everything but paging and sorting).
CSV_PARAMS = (
    *ROLLUP_FILTERS,
    "category",
    "flag",
    "reason",
    "date_from",
    "date_to",
    "min_devices",
)


def _sort_links(request: HttpRequest, *, sort: str, sorts: Sequence[str]) -> dict[str, Any]:
    """Column-header links for the columns the current filters can be sorted by: the first
    click sorts descending, a second on the sorted column ascending."""
    field_name, descending = SORTS[sort]
    links = {}
    for name in SORT_LABELS:
        current = field_name == name
        target = name if current and descending else f"-{name}"
        if target not in sorts:
            continue
        links[name] = {
            "url": query_url(request, "results", sort=_sort_param(target), after=""),
            "aria_sort": ("descending" if descending else "ascending") if current else "",
        }
    return links


@without_empty_params
def explorer(request: HttpRequest) -> HttpResponse:
    filterset = search_explore(filters=request.GET)
    valid = filterset.is_valid()
    cleaned = filterset.form.cleaned_data if valid else {}
    sorts = explorer_sorts(cleaned=cleaned)
    form = explorer_form(request, sorts=sorts)
    sort = request.GET.get("sort") or DEFAULT_SORT
    if sort not in SORTS:
        sort = DEFAULT_SORT
    notice = ""
    # The form and the links offer only allowed sorts; an old or hand-made URL may still ask.
    if sort not in sorts:
        notice = str(
            _("Sorting by devices or networks needs one audited agency; shown newest first.")
        )
        sort = DEFAULT_SORT
    page = (
        keyset_page(
            queryset=filterset.qs.select_related(None),
            sort=sort,
            after=request.GET.get("after", ""),
            size=EXPLORER_PAGE_SIZE,
        )
        if valid
        else RowPage(rows=[])
    )
    _with_laws(page.rows, law_profiles_by_state())
    params = [(k, v) for k in CSV_PARAMS for v in request.GET.getlist(k) if v]
    searching_slug, city_slug = request.GET.get("searching_agency"), request.GET.get("city")
    searching = agency_get(slug=searching_slug) if searching_slug else None
    city = city_get(slug=city_slug) if city_slug else None
    count = explorer_count(cleaned=cleaned, queryset=filterset.qs) if valid else None
    return render(
        request,
        "searches/explorer.html",
        {
            "form": form,
            "errors": filterset.form.errors if not valid else {},
            "page": page,
            "count": count,
            "filtered": bool(params),
            "notice": notice,
            "sort": sort,
            "sort_links": _sort_links(request, sort=sort, sorts=sorts),
            "more_sorts": len(sorts) < len(SORTS),
            "next_url": (
                query_url(request, "results", after=page.next_token) if page.next_token else ""
            ),
            "first_url": query_url(request, "results", after="")
            if request.GET.get("after")
            else "",
            # Through the download page: a large result is built as a file, not cut off.
            "csv_url": download_url("search", params),
            "json_url": api_url("search", params),
            "searching_agency": searching,
            "searching_remove_url": query_url(request, "", searching_agency="", after=""),
            "city": city,
            "city_remove_url": query_url(request, "", city="", after=""),
        },
    )


# --- National view ----------------------------------------------------------------------------


def national(request: HttpRequest) -> HttpResponse:
    flags = _encode([("flag", name) for name in DRILL_DOWN_FLAG_NAMES])
    by_state = flagged_by(dimension="source_state")
    by_source = flagged_by(dimension="source_agency", limit=25)
    by_searcher = flagged_by(dimension="searching_agency", limit=25)
    for dimension, groups in (
        ("source_state", by_state),
        ("source_agency", by_source),
        ("searching_agency", by_searcher),
    ):
        for group in groups:
            group.url = f"{explorer_url({dimension: group.key})}&{flags}"
            group.flag_counts = [group.by_flag.get(n, 0) for n in DRILL_DOWN_FLAG_NAMES]
            if dimension == "source_state":
                group.label = str(STATE_NAMES.get(group.key, _("Unknown state")))
    return render(
        request,
        "searches/national.html",
        {
            "by_state": by_state,
            "by_source": by_source,
            "by_searcher": by_searcher,
            "flag_columns": [(name, FLAG_LABELS[name]) for name in DRILL_DOWN_FLAG_NAMES],
            "total": sum(g.total for g in by_state),
            "chart": (
                charts.flagged_by_state_chart(groups=by_state[:20], div_id="national-chart")
                if by_state
                else None
            ),
            "explore_url": f"{explorer_url({})}?{flags}",
            "stats_url": api_url("search-stats", {"group_by": "state,flag"}),
        },
    )


def _encode(params: list[tuple[str, str]]) -> str:
    return urlencode(params)
