"""Cities (or agencies) side by side: each figure read through the selectors the city and agency
pages use, so a comparison shows the numbers those pages show.

A comparison costs a fixed handful of queries for all subjects together (the cities, their
agencies, snapshots, audited agencies, hearings, petitions) plus a bounded few per subject
(its sharing counts, and its search figures, which are cached under the rollups' stamp).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cameras.models import TransparencySnapshot
from cameras.selectors import (
    SharingCounts,
    agency_directory,
    city_list,
    sharing_agreements,
    sharing_counts,
    snapshot_history,
    snapshots_latest,
)
from core.models import Agency, City
from hearings.selectors.hearings import hearing_list
from petitions.selectors import petition_list
from searches.filters import with_any_flag
from searches.models import DRILL_DOWN_FLAGS, SearchMonthTotal
from searches.selectors.coverage import audited_agency_ids
from searches.selectors.stats import cached, flag_names, source_stats_cached, stats_version

MAX_SUBJECTS = 12
# Searches per month are averaged over at most this many of the latest months with searches.
MONTHS_WINDOW = 12
# Rates over fewer searches than this (or per-resident rates over fewer residents) are shown
# but marked: a handful of searches or residents moves them a lot.
SMALL_SEARCHES = 500
SMALL_POPULATION = 10_000
DRILL_DOWN_FLAG_NAMES = flag_names(DRILL_DOWN_FLAGS)


class CompareError(ValueError):
    """A comparison asked for unknown slugs, too many, or nothing at all."""


@dataclass(frozen=True)
class SearchFigures:
    """What an audit says, as the city page's search section counts it (``source_stats``)."""

    total: int = 0
    vague: int = 0
    blank: int = 0
    # Searches carrying a drill-down flag (immigration, reproductive care, protest, a use or a
    # sharing forbidden by state law): those the city page lists as flagged, each once.
    flagged: int = 0
    # (month, searches) of the latest months with searches, oldest first.
    months: tuple[tuple[dt.date, int], ...] = ()


@dataclass
class Measures:
    """One city's (or agency's) figures, side by side with the others'."""

    kind: str  # "city" or "agency"
    slug: str
    name: str
    state: str
    url: str
    population: int | None
    active_cameras: int
    agencies: list[Agency]
    snapshots: list[TransparencySnapshot]
    sharing: SharingCounts
    audited: bool
    searches: SearchFigures
    # None for an agency: hearings and petitions belong to cities.
    hearings: int | None = None
    public_comments: int | None = None
    petition_signatures: int | None = None
    notes: list[str] = field(default_factory=list)

    # --- Transparency pages ---

    @property
    def has_snapshot(self) -> bool:
        return bool(self.snapshots)

    @property
    def retention_snapshot(self) -> TransparencySnapshot | None:
        """The latest snapshot with the longest retention: residents' data lasts that long."""
        known = [s for s in self.snapshots if s.retention_days is not None]
        return max(known, key=lambda s: (s.retention_days, s.agency.name)) if known else None

    @property
    def retention_days(self) -> int | None:
        snapshot = self.retention_snapshot
        return snapshot.retention_days if snapshot else None

    @property
    def hotlist_hits_30d(self) -> int | None:
        """Hotlist hits of the latest snapshots, summed over the agencies that published any."""
        known = [s.hotlist_hits_30d for s in self.snapshots if s.hotlist_hits_30d is not None]
        return sum(known) if known else None

    @property
    def snapshot_date(self) -> dt.date | None:
        return max((s.captured_on for s in self.snapshots), default=None)

    # --- Cameras and sharing ---

    @property
    def cameras_per_10k(self) -> float | None:
        if not self.population:
            return None
        return 10_000 * self.active_cameras / self.population

    @property
    def small_population(self) -> bool:
        return bool(self.population) and (self.population or 0) < SMALL_POPULATION

    @property
    def sharing_total(self) -> int:
        return self.sharing.total

    @property
    def out_of_state_percent(self) -> float | None:
        return 100 * self.sharing.out_of_state / self.sharing.total if self.sharing.total else None

    @property
    def federal_percent(self) -> float | None:
        return 100 * self.sharing.federal / self.sharing.total if self.sharing.total else None

    # --- Searches ---

    @property
    def months(self) -> list[dt.date]:
        return [month for month, _n in self.searches.months]

    @property
    def searches_in_months(self) -> int:
        return sum(n for _month, n in self.searches.months)

    @property
    def searches_per_month(self) -> float | None:
        months = self.searches.months
        return self.searches_in_months / len(months) if months else None

    @property
    def few_months(self) -> bool:
        return 0 < len(self.searches.months) < MONTHS_WINDOW

    @property
    def vague_percent(self) -> float | None:
        total = self.searches.total
        return 100 * self.searches.vague / total if total else None

    @property
    def blank_percent(self) -> float | None:
        total = self.searches.total
        return 100 * self.searches.blank / total if total else None

    @property
    def vague_or_blank_percent(self) -> float | None:
        # A blank reason is never also vague: the two flags come from different categories.
        total = self.searches.total
        return 100 * (self.searches.vague + self.searches.blank) / total if total else None

    @property
    def flagged_per_10k(self) -> float | None:
        total = self.searches.total
        return 10_000 * self.searches.flagged / total if total else None

    @property
    def few_searches(self) -> bool:
        return 0 < self.searches.total < SMALL_SEARCHES


# --- Reading the subjects ---------------------------------------------------------------------


def parse_slugs(values: Iterable[str]) -> list[str]:
    """Slugs from ``?cities=a,b&cities=c``: split on commas, trimmed, lower-cased, each once."""
    slugs: list[str] = []
    for value in values:
        for part in value.split(","):
            slug = part.strip().lower()
            if slug and slug not in slugs:
                slugs.append(slug)
    return slugs


def _check(slugs: Sequence[str], found: Iterable[str], *, what: str) -> None:
    if not slugs:
        raise CompareError(_("Choose at least one %(what)s to compare.") % {"what": what})
    if len(slugs) > MAX_SUBJECTS:
        raise CompareError(
            _("At most %(max)d can be compared at once; %(count)d were given.")
            % {"max": MAX_SUBJECTS, "count": len(slugs)}
        )
    unknown = [slug for slug in slugs if slug not in set(found)]
    if unknown:
        raise CompareError(
            _("No %(what)s has the slug %(slugs)s.")
            % {"what": what, "slugs": ", ".join(f"“{s[:60]}”" for s in unknown[:5])}
        )


def compare_cities(*, slugs: Sequence[str]) -> list[Measures]:
    """The measures of the cities with these slugs, in the order given; ``CompareError`` for
    none, too many or unknown slugs."""
    slugs = list(slugs)
    if len(slugs) > MAX_SUBJECTS:
        _check(slugs, [], what=str(_("city")))
    cities = {c.slug: c for c in city_list().filter(slug__in=slugs)}
    _check(slugs, cities, what=str(_("city")))
    return city_measures(cities=[cities[slug] for slug in slugs])


def state_city_measures(*, state: str) -> list[Measures]:
    """The measures of every city of a state, by name."""
    return city_measures(cities=list(city_list().filter(state=state.upper())))


def city_measures(*, cities: Sequence[City]) -> list[Measures]:
    """Measures of cities from ``city_list`` (which counts their active cameras)."""
    if not cities:
        return []
    agencies = list(Agency.objects.filter(home_city__in=cities).order_by("kind", "name"))
    by_city: dict[int, list[Agency]] = defaultdict(list)
    for agency in agencies:
        by_city[agency.home_city_id].append(agency)  # type: ignore[index]
    snapshots = _latest_snapshots(agencies)
    audited = set(audited_agency_ids(agency_ids=[a.pk for a in agencies]))
    participation = _participation(cities)
    version = stats_version()
    measures = []
    for city in cities:
        own = by_city.get(city.pk, [])
        sources = sorted(a.pk for a in own if a.pk in audited)
        hearings, comments, signatures = participation.get(city.pk, (0, 0, 0))
        measures.append(
            Measures(
                kind="city",
                slug=city.slug,
                name=city.name,
                state=city.state,
                url=city.get_absolute_url(),
                population=city.population,
                active_cameras=city.active_camera_count,  # type: ignore[attr-defined]
                agencies=own,
                snapshots=[s for a in own if (s := snapshots.get(a.pk))],
                sharing=sharing_counts(agreements=sharing_agreements(owner_city=city)),
                audited=bool(sources),
                searches=search_figures(source_ids=sources, version=version),
                hearings=hearings,
                public_comments=comments,
                petition_signatures=signatures,
            )
        )
    return measures


def compare_agencies(*, slugs: Sequence[str]) -> list[Measures]:
    """The measures of the agencies with these slugs, in the order given (cameras they own,
    agreements sharing them, their own audit and transparency page)."""
    slugs = list(slugs)
    if len(slugs) > MAX_SUBJECTS:
        _check(slugs, [], what=str(_("agency")))
    agencies = {a.slug: a for a in agency_directory().filter(slug__in=slugs)}
    _check(slugs, agencies, what=str(_("agency")))
    ordered = [agencies[slug] for slug in slugs]
    snapshots = _latest_snapshots(ordered)
    audited = set(audited_agency_ids(agency_ids=[a.pk for a in ordered]))
    version = stats_version()
    return [
        Measures(
            kind="agency",
            slug=agency.slug,
            name=agency.name,
            state=agency.state,
            url=agency.get_absolute_url(),
            population=None,
            active_cameras=agency.camera_count,  # type: ignore[attr-defined]
            agencies=[agency],
            snapshots=[s for s in [snapshots.get(agency.pk)] if s],
            sharing=sharing_counts(agreements=sharing_agreements(owner=agency)),
            audited=agency.pk in audited,
            searches=search_figures(
                source_ids=[agency.pk] if agency.pk in audited else [], version=version
            ),
        )
        for agency in ordered
    ]


def _latest_snapshots(agencies: Sequence[Agency]) -> dict[int, TransparencySnapshot]:
    history = snapshot_history(agencies=agencies)
    return {s.agency_id: s for s in snapshots_latest(history=history)}


def _participation(cities: Sequence[City]) -> dict[int, tuple[int, int, int]]:
    """(hearings, published comments, confirmed signatures of published petitions) per city, as
    the hearing and petition pages count them: two queries for all the cities."""
    hearings: dict[int, int] = defaultdict(int)
    comments: dict[int, int] = defaultdict(int)
    # ``comment_count`` is an annotation of hearing_list, which mypy's plugin cannot see.
    for hearing in hearing_list().filter(city__in=cities).only("pk", "city_id"):
        hearings[hearing.city_id] += 1
        comments[hearing.city_id] += hearing.comment_count  # type: ignore[attr-defined]
    signatures: dict[int, int] = defaultdict(int)
    for city_id, count in (
        petition_list().filter(city__in=cities).values_list("city_id", "signature_count")
    ):
        signatures[city_id] += count
    return {c.pk: (hearings[c.pk], comments[c.pk], signatures[c.pk]) for c in cities}


def search_figures(*, source_ids: Sequence[int], version: str | None = None) -> SearchFigures:
    """The search figures of these audited agencies' cameras: ``source_stats`` (what the city
    page shows) and the drill-down flagged count, cached under the rollups' stamp."""
    ids = sorted(source_ids)
    if not ids:
        return SearchFigures()

    def compute() -> SearchFigures:
        stats = source_stats_cached(source_ids=ids, version=version)
        per_month: dict[dt.date, int] = defaultdict(int)
        for (month, _category), n in stats.monthly.items():
            per_month[month] += n
        with_searches = sorted(m for m, n in per_month.items() if n)[-MONTHS_WINDOW:]
        flagged = with_any_flag(
            SearchMonthTotal.objects.filter(source_agency_id__in=ids), DRILL_DOWN_FLAGS
        ).aggregate(n=Sum("searches"))["n"]
        return SearchFigures(
            total=stats.total,
            vague=stats.by_flag.get("vague", 0),
            blank=stats.by_flag.get("blank", 0),
            flagged=flagged or 0,
            months=tuple((m, per_month[m]) for m in with_searches),
        )

    return cached(f"compare:searches:{ids}", version or stats_version(), compute)


# --- Measures, charts and rankings ------------------------------------------------------------


@dataclass(frozen=True)
class MeasureSpec:
    """One measure: its key (a ``Measures`` attribute), its label, and how it is shown."""

    key: str
    label: Any
    decimals: int = 0
    percent: bool = False
    # Why a subject has no value for it.
    missing: Callable[[Measures], Any] = lambda m: _("no data")
    # A caveat on a subject's value (a small denominator, few months), or "".
    caveat: Callable[[Measures], Any] = lambda m: ""


def _missing_snapshot(m: Measures) -> Any:
    if not m.has_snapshot:
        return _("no transparency page on record")
    return _("not published")


def _missing_population(m: Measures) -> Any:
    if m.kind == "agency":
        return _("an agency has no residents")
    return _("population unknown")


def _missing_audit(m: Measures) -> Any:
    return _("no search audit on record")


def _few_searches(m: Measures) -> Any:
    if m.few_searches:
        total = m.searches.total
        return ngettext("only %(count)d search", "only %(count)d searches", total) % {
            "count": total
        }
    return ""


def _few_months(m: Measures) -> Any:
    if m.few_months:
        months = len(m.months)
        return ngettext(
            "only %(count)d month of audits", "only %(count)d months of audits", months
        ) % {"count": months}
    return ""


def _small_population(m: Measures) -> Any:
    if m.small_population:
        count = number_format(SMALL_POPULATION, force_grouping=True)
        return _("fewer than %(count)s residents") % {"count": count}
    return ""


def _city_only(m: Measures) -> Any:
    return _("a city's figure, not an agency's")


MEASURES: tuple[MeasureSpec, ...] = (
    MeasureSpec(
        "retention_days", _("Retention (days)"), missing=_missing_snapshot, caveat=lambda m: ""
    ),
    MeasureSpec(
        "cameras_per_10k",
        _("Active cameras per 10,000 residents"),
        decimals=1,
        missing=_missing_population,
        caveat=_small_population,
    ),
    MeasureSpec("sharing_total", _("Agencies with access (sharing agreements)")),
    MeasureSpec(
        "searches_per_month",
        _("Searches per month"),
        decimals=1,
        missing=_missing_audit,
        caveat=_few_months,
    ),
    MeasureSpec(
        "vague_or_blank_percent",
        _("Searches with a vague or blank reason (%)"),
        decimals=1,
        percent=True,
        missing=_missing_audit,
        caveat=_few_searches,
    ),
    MeasureSpec(
        "flagged_per_10k",
        _("Flagged searches per 10,000 searches"),
        decimals=1,
        missing=_missing_audit,
        caveat=_few_searches,
    ),
    MeasureSpec("hotlist_hits_30d", _("Hotlist hits in 30 days"), missing=_missing_snapshot),
    MeasureSpec("hearings", _("Hearings"), missing=_city_only),
    MeasureSpec("public_comments", _("Public comments"), missing=_city_only),
    MeasureSpec("petition_signatures", _("Petition signatures"), missing=_city_only),
)
MEASURE_KEYS = tuple(spec.key for spec in MEASURES)


@dataclass(frozen=True)
class RankedRow:
    rank: int | None
    measures: Measures
    value: float | int | None
    caveat: str
    missing: str


@dataclass(frozen=True)
class Ranking:
    spec: MeasureSpec
    rows: list[RankedRow]

    @property
    def ranked(self) -> list[RankedRow]:
        return [row for row in self.rows if row.rank is not None]

    @property
    def unranked(self) -> list[RankedRow]:
        return [row for row in self.rows if row.rank is None]


def rank(measures: Sequence[Measures], spec: MeasureSpec) -> Ranking:
    """The subjects by one measure, highest first (equal values share a rank, 1, 1, 3), then
    those without a value, each with why."""
    valued = [(m, getattr(m, spec.key)) for m in measures]
    known = sorted(
        ((m, v) for m, v in valued if v is not None), key=lambda mv: (-mv[1], mv[0].name)
    )
    rows: list[RankedRow] = []
    previous: Any = None
    position = 0
    for index, (m, value) in enumerate(known, start=1):
        if value != previous:
            position, previous = index, value
        rows.append(RankedRow(position, m, value, str(spec.caveat(m)), ""))
    for m, value in valued:
        if value is None:
            rows.append(RankedRow(None, m, None, "", str(spec.missing(m))))
    return Ranking(spec=spec, rows=rows)


def rankings(measures: Sequence[Measures]) -> list[Ranking]:
    return [rank(measures, spec) for spec in MEASURES]


# --- One flat row per subject, for the CSV and the API ----------------------------------------

ROW_COLUMNS = (
    "kind",
    "slug",
    "name",
    "state",
    "population",
    "active_cameras",
    "cameras_per_10k",
    "retention_days",
    "retention_agency",
    "snapshot_date",
    "sharing_agreements",
    "out_of_state",
    "out_of_state_percent",
    "federal",
    "federal_percent",
    "search_months",
    "searches_in_months",
    "searches_per_month",
    "searches_total",
    "vague_reason",
    "blank_reason",
    "vague_or_blank_percent",
    "flagged",
    "flagged_per_10k",
    "hotlist_hits_30d",
    "hearings",
    "public_comments",
    "petition_signatures",
)


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def measures_row(m: Measures) -> dict[str, Any]:
    """Every figure of one subject under ``ROW_COLUMNS`` (rates rounded to two decimals,
    months as ``YYYY-MM``): public values only."""
    snapshot = m.retention_snapshot
    return {
        "kind": m.kind,
        "slug": m.slug,
        "name": m.name,
        "state": m.state,
        "population": m.population,
        "active_cameras": m.active_cameras,
        "cameras_per_10k": _rounded(m.cameras_per_10k),
        "retention_days": m.retention_days,
        "retention_agency": snapshot.agency.name if snapshot else "",
        "snapshot_date": m.snapshot_date.isoformat() if m.snapshot_date else None,
        "sharing_agreements": m.sharing.total,
        "out_of_state": m.sharing.out_of_state,
        "out_of_state_percent": _rounded(m.out_of_state_percent),
        "federal": m.sharing.federal,
        "federal_percent": _rounded(m.federal_percent),
        "search_months": [month.strftime("%Y-%m") for month in m.months],
        "searches_in_months": m.searches_in_months,
        "searches_per_month": _rounded(m.searches_per_month),
        "searches_total": m.searches.total,
        "vague_reason": m.searches.vague,
        "blank_reason": m.searches.blank,
        "vague_or_blank_percent": _rounded(m.vague_or_blank_percent),
        "flagged": m.searches.flagged,
        "flagged_per_10k": _rounded(m.flagged_per_10k),
        "hotlist_hits_30d": m.hotlist_hits_30d,
        "hearings": m.hearings,
        "public_comments": m.public_comments,
        "petition_signatures": m.petition_signatures,
    }
