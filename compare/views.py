"""The comparison pages: cities (or agencies) side by side, the picker that builds a comparison,
a state's cities ranked on each measure, and the CSV of each. Thin: the figures come from
``compare.selectors``, the charts from ``compare.charts``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cameras.selectors import city_list
from compare.charts import measure_chart
from compare.downloads import csv_filename, csv_response, requested_measures
from compare.selectors import (
    MAX_SUBJECTS,
    MEASURES,
    MONTHS_WINDOW,
    SMALL_POPULATION,
    SMALL_SEARCHES,
    CompareError,
    Measures,
    MeasureSpec,
    RankedRow,
    Ranking,
    parse_slugs,
    rankings,
    state_city_measures,
)
from core.pages import api_url
from core.states import STATE_CHOICES

STATE_NAMES = dict(STATE_CHOICES)
SUGGESTED = 4


# --- Table cells --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    note: str = ""
    caveat: str = ""


def _number(value: float | int, decimals: int = 0) -> str:
    # number_format cuts the digits past ``decimals`` off; round them first.
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def _months_text(m: Measures) -> str:
    months = m.months
    if not months:
        return ""
    first, last = (date_format(d, "YEAR_MONTH_FORMAT") for d in (months[0], months[-1]))
    return ngettext(
        "%(count)d month with searches: %(first)s",
        "%(count)d months with searches, %(first)s to %(last)s",
        len(months),
    ) % {"count": len(months), "first": first, "last": last}


def _note(spec: MeasureSpec, m: Measures) -> str:
    """What a value rests on, said next to it."""
    key = spec.key
    if key == "retention_days":
        snapshot = m.retention_snapshot
        if snapshot and len(m.snapshots) > 1:
            return _("longest of its agencies: %(agency)s") % {"agency": snapshot.agency.name}
        return ""
    if key == "cameras_per_10k":
        cameras = ngettext(
            "%(count)s active camera", "%(count)s active cameras", m.active_cameras
        ) % {"count": _number(m.active_cameras)}
        if m.population:
            return _("%(cameras)s, population %(population)s") % {
                "cameras": cameras,
                "population": _number(m.population),
            }
        return cameras
    if key == "sharing_total" and m.sharing.total:
        return _("%(out)s%% out of state, %(federal)s%% federal") % {
            "out": _number(m.out_of_state_percent or 0, 1),
            "federal": _number(m.federal_percent or 0, 1),
        }
    if key == "searches_per_month":
        return _months_text(m)
    if key == "vague_or_blank_percent" and m.searches.total:
        return _("vague %(vague)s%%, blank %(blank)s%% of %(total)s searches") % {
            "vague": _number(m.vague_percent or 0, 1),
            "blank": _number(m.blank_percent or 0, 1),
            "total": _number(m.searches.total),
        }
    if key == "flagged_per_10k" and m.searches.total:
        return _("%(flagged)s of %(total)s searches") % {
            "flagged": _number(m.searches.flagged),
            "total": _number(m.searches.total),
        }
    if key == "hotlist_hits_30d" and m.snapshot_date:
        return _("captured %(date)s") % {"date": date_format(m.snapshot_date, "DATE_FORMAT")}
    return ""


def display(spec: MeasureSpec, value: float | int | None, m: Measures) -> str:
    if value is None:
        return str(spec.missing(m))
    shown = _number(value, spec.decimals)
    return f"{shown}%" if spec.percent else shown


def cells(m: Measures) -> list[Cell]:
    out = []
    for spec in MEASURES:
        value = getattr(m, spec.key)
        out.append(
            Cell(
                label=str(spec.label),
                value=display(spec, value, m),
                note=_note(spec, m),
                caveat=str(spec.caveat(m)) if value is not None else "",
            )
        )
    return out


def by_measure(
    measures: Sequence[Measures],
) -> list[tuple[MeasureSpec, list[tuple[Measures, Cell]]]]:
    """The table of a comparison: one row per measure, one cell per subject."""
    per_subject = [cells(m) for m in measures]
    return [
        (spec, [(m, row[index]) for m, row in zip(measures, per_subject, strict=True)])
        for index, spec in enumerate(MEASURES)
    ]


def _charts(measures: Sequence[Measures], *, prefix: str) -> list[Any]:
    return [
        measure_chart(spec=spec, measures=measures, div_id=f"{prefix}-{spec.key}")
        for spec in MEASURES
    ]


# --- Pages --------------------------------------------------------------------------------------


def _picker_context(selected: Sequence[str]) -> dict[str, Any]:
    cities = list(city_list().order_by("state", "name"))
    groups: dict[str, list[Any]] = {}
    for city in cities:
        groups.setdefault(city.state, []).append(city)
    suggested = sorted(cities, key=lambda c: (-c.active_camera_count, c.name))[:SUGGESTED]
    return {
        "state_groups": sorted(
            ((code, STATE_NAMES.get(code, code), rows) for code, rows in groups.items()),
            key=lambda group: group[1],
        ),
        "selected": set(selected),
        "suggested": suggested,
        "suggested_url": compare_url("city", [c.slug for c in suggested]),
        "max_subjects": MAX_SUBJECTS,
    }


def compare_url(kind: str, slugs: Sequence[str]) -> str:
    param = "agencies" if kind == "agency" else "cities"
    return reverse("compare:compare") + "?" + urlencode({param: ",".join(slugs)})


def _api_params(kind: str, measures: Sequence[Measures]) -> dict[str, str]:
    return {"agencies" if kind == "agency" else "cities": ",".join(m.slug for m in measures)}


def compare(request: HttpRequest) -> HttpResponse:
    if not (request.GET.get("cities") or request.GET.get("agencies")):
        return render(request, "compare/picker.html", _picker_context([]))
    selected = parse_slugs(request.GET.getlist("cities"))
    try:
        kind, measures = requested_measures(request.GET)
    except CompareError as error:
        context = {**_picker_context(selected), "error": str(error)}
        return render(request, "compare/picker.html", context, status=400)
    params = _api_params(kind, measures)
    return render(
        request,
        "compare/compare.html",
        {
            "kind": kind,
            "measures": measures,
            "by_measure": by_measure(measures),
            "charts": _charts(measures, prefix="compare"),
            "csv_url": reverse("compare:csv") + "?" + urlencode(params),
            "api_url": api_url("compare", params),
            "states": sorted(
                (code, STATE_NAMES.get(code, code))
                for code in {m.state for m in measures if m.state}
            ),
            **(_picker_context([m.slug for m in measures]) if kind == "city" else {}),
            **_caveat_context(),
        },
    )


def compare_csv(request: HttpRequest) -> HttpResponse:
    try:
        kind, measures = requested_measures(request.GET)
    except CompareError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return csv_response(measures, filename=csv_filename(kind, measures))


def _state(code: str) -> str:
    state = code.upper()
    if state not in STATE_NAMES:
        raise Http404(_("No such state."))
    return state


def _caveat_context() -> dict[str, Any]:
    return {
        "months_window": MONTHS_WINDOW,
        "small_searches": _number(SMALL_SEARCHES),
        "small_population": _number(SMALL_POPULATION),
    }


def _ranked_rows(ranking: Ranking) -> list[tuple[RankedRow, str]]:
    return [(row, display(ranking.spec, row.value, row.measures)) for row in ranking.rows]


def state_view(request: HttpRequest, state: str) -> HttpResponse:
    code = _state(state)
    measures = state_city_measures(state=code)
    ranked = rankings(measures)
    charts = []
    for ranking in ranked:
        order = [row.measures for row in ranking.rows]
        charts.append(
            measure_chart(spec=ranking.spec, measures=order, div_id=f"state-{ranking.spec.key}")
        )
    return render(
        request,
        "compare/state.html",
        {
            "state": code,
            "state_name": STATE_NAMES[code],
            "measures": measures,
            # Up to a comparison's worth of cities reads best one column per city.
            "by_measure": by_measure(measures) if len(measures) <= MAX_SUBJECTS else None,
            "rows": [(m, cells(m)) for m in measures] if len(measures) > MAX_SUBJECTS else None,
            "specs": MEASURES,
            "rankings": [
                (ranking, chart, _ranked_rows(ranking))
                for ranking, chart in zip(ranked, charts, strict=True)
            ],
            "without_population": [m.name for m in measures if not m.population],
            "without_audit": [m.name for m in measures if not m.audited],
            "without_snapshot": [m.name for m in measures if not m.has_snapshot],
            "few_months": [m.name for m in measures if m.few_months],
            "few_searches": [m.name for m in measures if m.few_searches],
            "compare_url": (
                compare_url("city", [m.slug for m in measures])
                if 1 < len(measures) <= MAX_SUBJECTS
                else ""
            ),
            "csv_url": reverse("compare:state-csv", kwargs={"state": code.lower()}),
            "api_url": api_url("compare", {"state": code.lower()}),
            **_caveat_context(),
        },
    )


def state_csv(request: HttpRequest, state: str) -> HttpResponse:
    code = _state(state)
    return csv_response(state_city_measures(state=code), filename=f"compare-{code.lower()}.csv")
