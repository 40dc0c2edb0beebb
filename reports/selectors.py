"""The annual surveillance report of a city or an agency, read from the portal's own selectors.

Every figure comes from the selector the site's pages and the API use (``stats_grouped`` for
search totals, ``sharing_counts`` for agreements, ``camera_list`` for cameras, ...), with the
filters the API takes, so a number in the report is the number the linked API query returns.
Each figure carries that link (``Figure.source``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from cameras.sections import KIND_LABELS
from cameras.selectors import (
    camera_list,
    camera_points,
    city_agencies,
    sharing_agreements,
    sharing_counts,
    snapshot_history,
)
from core.models import Agency, City, StateLawProfile
from core.pages import api_url
from core.selectors import law_profiles_by_state
from hearings.models import AgendaItem, Comment, Hearing
from hearings.selectors.hearings import agenda_item_list, hearing_list
from petitions.models import Petition
from petitions.selectors import petition_list
from reports.models import ReportNarrative, ReportNarrativeQuerySet, Section
from searches.filters import next_month, with_any_flag
from searches.models import DRILL_DOWN_FLAGS, FLAG_LABELS, FLAG_NAMES, Search
from searches.selectors.coverage import search_coverage
from searches.selectors.explorer import keyset_page, search_list
from searches.selectors.rules import law_for_flags
from searches.selectors.stats import (
    cached,
    distinct_searchers,
    stats_grouped,
    stats_version,
    top_searchers,
)
from searches.services.scrubbing import scrubber_current
from watch.models import ChangeEvent
from watch.selectors import change_list, change_summary

# The flags counted as "flagged" in a report: a concern or a state-law flag (the explorer's
# drill-down flags), as the API's ``flag=`` parameters select them.
FLAGGED_NAMES = tuple(name for name, bit in FLAG_NAMES.items() if bit & DRILL_DOWN_FLAGS)
LIST_LIMIT = 25
TOP_LIMIT = 10


# --- what a report is about -------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A city (its agencies' cameras and audits) or one agency."""

    city: City | None
    agency: Agency | None
    agencies: tuple[Agency, ...]

    @property
    def kind(self) -> str:
        return "city" if self.city is not None else "agency"

    @property
    def obj(self) -> City | Agency:
        obj = self.city or self.agency
        assert obj is not None
        return obj

    @property
    def name(self) -> str:
        return self.city.name if self.city else (self.agency.name if self.agency else "")

    @property
    def slug(self) -> str:
        return self.obj.slug

    @property
    def state(self) -> str:
        return self.obj.state

    @property
    def agency_ids(self) -> list[int]:
        return [a.pk for a in self.agencies]

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"reports:{self.kind}-{name}", kwargs={"slug": self.slug, **kwargs})

    def page_url(self) -> str:
        name = "portal:city-detail" if self.city else "portal:agency-detail"
        return reverse(name, kwargs={"slug": self.slug})

    # The API's filter names for this subject, per endpoint.
    @property
    def camera_filter(self) -> dict[str, str]:
        return {"city": self.slug} if self.city else {"owner": self.slug}

    @property
    def sharing_filter(self) -> dict[str, str]:
        return {"city": self.slug} if self.city else {"owner": self.slug}

    @property
    def search_filter(self) -> dict[str, str]:
        return {"city": self.slug} if self.city else {"source_agency": self.slug}

    @property
    def snapshot_filter(self) -> dict[str, str]:
        return {"city": self.slug} if self.city else {"agency": self.slug}

    @property
    def change_filter(self) -> dict[str, str]:
        return {"city": self.slug} if self.city else {"agency": self.slug}


def subject_for_city(*, city: City) -> Subject:
    return Subject(city=city, agency=None, agencies=tuple(city_agencies(city=city)))


def subject_for_agency(*, agency: Agency) -> Subject:
    return Subject(city=None, agency=agency, agencies=(agency,))


@dataclass(frozen=True)
class Period:
    """A calendar year, cut at ``last`` while it is not over."""

    year: int
    first: dt.date
    last: dt.date
    complete: bool

    @property
    def month_from(self) -> str:
        return f"{self.year}-01"

    @property
    def month_to(self) -> str:
        return self.last.strftime("%Y-%m")

    @property
    def months(self) -> list[dt.date]:
        return [dt.date(self.year, m, 1) for m in range(1, self.last.month + 1)]


def period_for(*, year: int, today: dt.date) -> Period | None:
    """The report period of ``year`` as of ``today``; None for a year that has not begun."""
    first, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if today < first:
        return None
    return Period(year=year, first=first, last=min(end, today), complete=today > end)


def report_years(*, subject: Subject, today: dt.date) -> list[int]:
    """Years with any data about the subject (audits, cameras installed or removed, sharing
    seen, snapshots, changes, hearings, petitions, narratives), newest first."""
    ids = subject.agency_ids
    years: set[int] = set()
    for row in search_coverage(source_ids=ids):
        years.update(range(row.first.year, row.last.year + 1))
    cameras = Camera.objects.filter(owner_id__in=ids) if subject.agency else None
    if subject.city is not None:
        cameras = Camera.objects.filter(city=subject.city)
    assert cameras is not None
    for first, last in (
        _year_span(cameras, "installed_on"),
        _year_span(cameras, "removed_on"),
        _year_span(SharingAgreement.objects.filter(owner_id__in=ids), "first_seen"),
        _year_span(SharingAgreement.objects.filter(owner_id__in=ids), "ended_on"),
        _year_span(TransparencySnapshot.objects.filter(agency_id__in=ids), "captured_on"),
    ):
        if first is not None and last is not None:
            years.update(range(first.year, last.year + 1))
    if subject.city is not None:
        years.update(
            d.year for d in Hearing.objects.filter(city=subject.city).dates("starts_at", "year")
        )
        years.update(
            d.year
            for d in Petition.objects.public().filter(city=subject.city).dates("created_at", "year")
        )
    years.update(_narratives(subject).values_list("year", flat=True))
    return sorted((y for y in years if y <= today.year), reverse=True)


def _year_span(qs: QuerySet, name: str) -> tuple[dt.date | None, dt.date | None]:
    span = qs.aggregate(first=Min(name), last=Max(name))
    return span["first"], span["last"]


# --- figures and sections ---------------------------------------------------------------------


@dataclass
class Figure:
    """One number of the report and where it comes from."""

    label: str
    value: int | str
    source: str = ""
    alert: bool = False


@dataclass
class Table:
    """A table of the report: shown on the page, and one CSV of the download."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    source: str = ""


def share(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent (0 of nothing)."""
    return 100 * part / whole if whole else 0.0


def _stats_link(subject: Subject, period: Period, **extra: Any) -> str:
    params: list[tuple[str, Any]] = [
        *subject.search_filter.items(),
        ("month_from", period.month_from),
        ("month_to", period.month_to),
    ]
    for key, value in extra.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            params.append((key, item))
    return api_url("search-stats", params)


def search_filters(subject: Subject, period: Period) -> dict[str, Any]:
    """The API filters of the subject's searches in the period (``/api/v1/search-stats/``)."""
    return {
        **subject.search_filter,
        "month_from": period.month_from,
        "month_to": period.month_to,
    }


@dataclass
class SearchFigures:
    total: int
    by_month: list[tuple[dt.date, int]]
    by_category: list[dict[str, Any]]
    by_flag: dict[str, int]
    flagged: int
    devices_max: int | None

    @property
    def vague(self) -> int:
        return self.by_flag.get("vague", 0)

    @property
    def blank(self) -> int:
        return self.by_flag.get("blank", 0)

    @property
    def vague_share(self) -> float:
        return share(self.vague, self.total)

    @property
    def blank_share(self) -> float:
        return share(self.blank, self.total)

    @property
    def flagged_share(self) -> float:
        return share(self.flagged, self.total)


def search_figures(*, subject: Subject, period: Period) -> SearchFigures:
    """Totals by month, category and flag, and the flagged count, each exactly the rows
    ``/api/v1/search-stats/`` returns for the same filters (the same selector); cached under
    the rollups' stamp as the API's figures are."""
    filters = search_filters(subject, period)
    return cached(
        f"reports:searches:{sorted(filters.items())}",
        stats_version(),
        lambda: _search_figures(filters, period),
    )


def _search_figures(filters: dict[str, Any], period: Period) -> SearchFigures:
    monthly = {
        row["month"]: row["searches"] for row in stats_grouped(filters=filters, group_by=["month"])
    }
    by_month = [(m, monthly.get(m.strftime("%Y-%m"), 0)) for m in period.months]
    categories = sorted(
        stats_grouped(filters=filters, group_by=["category"]), key=lambda r: -r["searches"]
    )
    flags = {
        row["flag"]: row["searches"]
        for row in stats_grouped(filters=filters, group_by=["flag"])
        if row["flag"]
    }
    total_rows = stats_grouped(filters=filters, group_by=[])
    total = total_rows[0]["searches"] if total_rows else 0
    for row in categories:
        row["share"] = share(row["searches"], total)
    flagged_rows = stats_grouped(filters={**filters, "flag": list(FLAGGED_NAMES)}, group_by=[])
    return SearchFigures(
        total=total,
        by_month=by_month,
        by_category=categories,
        by_flag=flags,
        flagged=flagged_rows[0]["searches"] if flagged_rows else 0,
        devices_max=total_rows[0]["devices_max"] if total_rows else None,
    )


def _flag_filter(qs: QuerySet) -> QuerySet:
    return with_any_flag(qs, DRILL_DOWN_FLAGS)


def _year_searches(subject: Subject, period: Period, source_id: int) -> QuerySet[Search]:
    return search_list(
        filters={"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
    ).filter(source_agency_id=source_id)


def flagged_search_rows(
    *, subject: Subject, period: Period, profiles: Mapping[str, StateLawProfile]
) -> list[dict[str, Any]]:
    """The newest flagged searches of the period (up to ``LIST_LIMIT``), each with the state
    law its flag rests on; one keyset page per audited agency, merged."""
    rows: list[dict[str, Any]] = []
    for source_id in subject.agency_ids:
        rows += keyset_page(
            queryset=_flag_filter(_year_searches(subject, period, source_id)), size=LIST_LIMIT
        ).rows
    rows.sort(key=lambda r: (r["searched_at"], r["id"]), reverse=True)
    rows = rows[:LIST_LIMIT]
    _with_laws(rows, profiles)
    return rows


def largest_search_rows(
    *, subject: Subject, period: Period, profiles: Mapping[str, StateLawProfile]
) -> list[dict[str, Any]]:
    """The period's searches that reached the most devices (over the devices index)."""
    rows: list[dict[str, Any]] = []
    for source_id in subject.agency_ids:
        rows += keyset_page(
            queryset=_year_searches(subject, period, source_id),
            sort="-devices_searched",
            size=TOP_LIMIT,
        ).rows
    rows.sort(key=lambda r: (-(r["devices_searched"] or 0), -r["id"]))
    rows = rows[:TOP_LIMIT]
    _with_laws(rows, profiles)
    return rows


def _with_laws(rows: list[dict[str, Any]], profiles: Mapping[str, StateLawProfile]) -> None:
    for row in rows:
        row["law"] = law_for_flags(
            flags=row["flags"],
            source_state=row["source_agency__state"],
            searching_state=row["searching_agency__state"],
            profiles=profiles,
        )
        row["flag_labels"] = [FLAG_LABELS[name] for name in row["flag_names"]]


def outside_searchers(*, subject: Subject, period: Period) -> list[dict[str, Any]]:
    """The agencies outside the subject that searched its cameras most in the period."""
    return top_searchers(
        filters=search_filters(subject, period),
        exclude_ids=[a.pk for a in subject.agencies],
        limit=TOP_LIMIT,
    )


# --- cameras ----------------------------------------------------------------------------------


@dataclass
class CameraFigures:
    points: list[dict[str, Any]]
    active: int
    planned: int
    installed: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    by_kind: list[tuple[str, int]]
    vendors: list[tuple[str, int]]
    types: list[tuple[str, int]]


def camera_figures(*, subject: Subject, period: Period) -> CameraFigures:
    """The subject's cameras as ``/api/v1/cameras/`` lists them, and those installed or
    removed in the period (one query)."""
    cameras = camera_list(filters=subject.camera_filter)
    points = camera_points(cameras=cameras)
    dates = {
        row["pk"]: (row["installed_on"], row["removed_on"])
        for row in cameras.values("pk", "installed_on", "removed_on")
    }
    active = [p for p in points if p["status"] == Camera.Status.ACTIVE]
    in_period = lambda day: day is not None and period.first <= day <= period.last  # noqa: E731
    type_labels = dict(Camera.Type.choices)
    for p in points:
        p["installed_on"], p["removed_on"] = dates.get(p["pk"], (None, None))
        p["kind_label"] = str(KIND_LABELS.get(p["owner__kind"], p["owner__kind"]))
    return CameraFigures(
        points=points,
        active=len(active),
        planned=sum(1 for p in points if p["status"] == Camera.Status.PLANNED),
        installed=[p for p in points if in_period(p["installed_on"])],
        removed=[p for p in points if in_period(p["removed_on"])],
        by_kind=Counter(p["kind_label"] for p in active).most_common(),
        vendors=Counter(p["vendor"] or str(_("Unknown vendor")) for p in active).most_common(),
        types=Counter(
            str(type_labels.get(p["camera_type"], p["camera_type"])) for p in active
        ).most_common(),
    )


# --- sharing ----------------------------------------------------------------------------------


@dataclass
class SharingFigures:
    at_end: QuerySet[SharingAgreement]
    total: int
    out_of_state: int
    federal: int
    forbidden: int
    added: list[SharingAgreement]
    added_count: int
    removed: list[SharingAgreement]
    removed_count: int
    added_all: QuerySet[SharingAgreement]
    removed_all: QuerySet[SharingAgreement]
    forbidden_rows: list[SharingAgreement]
    laws: list[StateLawProfile]


def _sharing_where(subject: Subject) -> dict[str, Any]:
    return {"owner_city": subject.city} if subject.city else {"owner": subject.agency}


def sharing_figures(
    *, subject: Subject, period: Period, profiles: Mapping[str, StateLawProfile]
) -> SharingFigures:
    """Who could search the subject's cameras at the end of the period (for a year not over:
    the agreements in force now, as ``/api/v1/sharing-agreements/?current=true`` lists them),
    and the agreements first seen or ended during the period."""
    everything = sharing_agreements(**_sharing_where(subject), current_only=False)
    if period.complete:
        at_end = everything.filter(first_seen__lte=period.last).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=period.last)
        )
    else:
        at_end = everything.filter(ended_on__isnull=True)
    counts = sharing_counts(agreements=at_end)
    added = everything.filter(first_seen__range=(period.first, period.last))
    removed = everything.filter(ended_on__range=(period.first, period.last))
    # The flag is an annotation of ``with_flags()``, which the type checker cannot see.
    forbidden_rows = list(at_end.filter(**{"forbidden_by_state_law": True})[:LIST_LIMIT])
    laws = {
        a.owner.state: profiles[a.owner.state] for a in forbidden_rows if a.owner.state in profiles
    }
    return SharingFigures(
        at_end=at_end,
        total=counts.total,
        out_of_state=counts.out_of_state,
        federal=counts.federal,
        forbidden=counts.forbidden,
        added=list(added[:LIST_LIMIT]),
        added_count=added.count(),
        removed=list(removed[:LIST_LIMIT]),
        removed_count=removed.count(),
        added_all=added,
        removed_all=removed,
        forbidden_rows=forbidden_rows,
        laws=sorted(laws.values(), key=lambda law: law.state),
    )


# --- snapshots, policy and hotlists -----------------------------------------------------------


POLICY_KINDS = (
    ChangeEvent.Kind.RETENTION_CHANGED,
    ChangeEvent.Kind.POLICY_CHANGED,
)


@dataclass
class PolicyFigures:
    snapshots: list[TransparencySnapshot]
    latest: list[TransparencySnapshot]
    retention: list[dict[str, Any]]
    changes: list[ChangeEvent]
    changes_source: str


def policy_figures(*, subject: Subject, period: Period) -> PolicyFigures:
    """The transparency snapshots captured in the period (retention, policies, hotlists) and
    the retention and policy changes the change log recorded in it."""
    history = [
        s
        for s in snapshot_history(agencies=subject.agencies)
        if period.first <= s.captured_on <= period.last
    ]
    latest: dict[int, TransparencySnapshot] = {}
    first: dict[int, TransparencySnapshot] = {}
    for snapshot in history:
        first.setdefault(snapshot.agency_id, snapshot)
        latest[snapshot.agency_id] = snapshot
    retention = [
        {
            "agency": snap.agency,
            "first": first[pk].retention_days,
            "first_on": first[pk].captured_on,
            "last": snap.retention_days,
            "last_on": snap.captured_on,
        }
        for pk, snap in latest.items()
    ]
    change_filters = {
        **subject.change_filter,
        "kind": list(POLICY_KINDS),
        "since": period.first.isoformat(),
        "until": period.last.isoformat(),
    }
    changes = list(change_list(filters=change_filters)[:LIST_LIMIT])
    for event in changes:
        event.summary = change_summary(event)  # type: ignore[attr-defined]
    return PolicyFigures(
        snapshots=history,
        latest=sorted(latest.values(), key=lambda s: s.agency.name),
        retention=sorted(retention, key=lambda r: r["agency"].name),
        changes=changes,
        changes_source=api_url("change", list(_flatten(change_filters))),
    )


def _flatten(params: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in params.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            out.append((key, item))
    return out


# --- public participation ---------------------------------------------------------------------


@dataclass
class Participation:
    hearings: list[Hearing]
    items: list[AgendaItem]
    comments: dict[str, int]
    petitions: list[Petition]


def participation(*, subject: Subject, period: Period) -> Participation:
    """Hearings of the period with their published comments by position, and the petitions
    opened in it; public data only (the selectors load no name, email or address)."""
    items = agenda_item_list().filter(hearing__starts_at__date__range=(period.first, period.last))
    if subject.city is not None:
        items = items.filter(hearing__city=subject.city)
        hearings = list(
            hearing_list(city=subject.city).filter(
                starts_at__date__range=(period.first, period.last)
            )
        )
        petitions = list(
            petition_list(city=subject.city).filter(
                Q(opens_at__date__range=(period.first, period.last))
                | Q(opens_at__isnull=True, created_at__date__range=(period.first, period.last))
            )
        )
    else:
        items = items.filter(agencies=subject.agency)
        hearing_ids = {item.hearing_id for item in items}
        hearings = list(hearing_list().filter(pk__in=hearing_ids))
        petitions = list(petition_list().filter(hearing_id__in=hearing_ids))
    item_rows = list(items)
    comments = {
        position: sum(getattr(item, f"{position}_count", 0) for item in item_rows)
        for position in Comment.Position.values
    }
    return Participation(hearings=hearings, items=item_rows, comments=comments, petitions=petitions)


# --- data gaps ----------------------------------------------------------------------------------


@dataclass
class GapRow:
    agency: Agency
    missing: list[dt.date]
    covered: int
    audited: bool


def data_gaps(*, subject: Subject, period: Period) -> list[GapRow]:
    """For each of the subject's agencies, the months of the period without any day of audit
    data (outside the audits' first and last day, or inside one of their gaps)."""
    coverage = {c.agency.pk: c for c in search_coverage(source_ids=subject.agency_ids)}
    rows = []
    for agency in subject.agencies:
        cov = coverage.get(agency.pk)
        if cov is None:
            rows.append(GapRow(agency=agency, missing=period.months, covered=0, audited=False))
            continue
        missing = []
        for month in period.months:
            end = min(next_month(month) - dt.timedelta(days=1), period.last)
            covered_days = _covered_days(cov.first, cov.last, cov.gaps, month, end)
            if not covered_days:
                missing.append(month)
        rows.append(
            GapRow(
                agency=agency,
                missing=missing,
                covered=len(period.months) - len(missing),
                audited=True,
            )
        )
    return rows


def _covered_days(
    first: dt.date, last: dt.date, gaps: Sequence[Any], start: dt.date, end: dt.date
) -> int:
    lo, hi = max(first, start), min(last, end)
    if lo > hi:
        return 0
    days = (hi - lo).days + 1
    for gap in gaps:
        g_lo, g_hi = max(gap.first, lo), min(gap.last, hi)
        if g_lo <= g_hi:
            days -= (g_hi - g_lo).days + 1
    return days


# --- narratives -------------------------------------------------------------------------------


def _narratives(subject: Subject) -> ReportNarrativeQuerySet:
    if subject.city is not None:
        return ReportNarrative.objects.filter(city=subject.city)
    return ReportNarrative.objects.filter(agency=subject.agency)


def narratives_for(
    *, subject: Subject, year: int, user: Any = None
) -> dict[str, list[ReportNarrative]]:
    """The narratives of a report by section: published ones for everyone, and drafts too for
    a user who manages the subject's city (``ReportNarrative.objects.get_viewable``). Texts are
    scrubbed (plates, phones, ...) as every public free text is."""
    qs = _narratives(subject).filter(year=year)
    viewable = ReportNarrative.objects.get_viewable(user) if user is not None else None
    if viewable is not None:
        qs = qs.filter(Q(status=ReportNarrative.Status.PUBLISHED) | Q(pk__in=viewable.values("pk")))
    else:
        qs = qs.published()
    scrubber = scrubber_current()
    by_section: dict[str, list[ReportNarrative]] = defaultdict(list)
    for narrative in qs.order_by("section", "position", "pk"):
        narrative.paragraphs = [  # type: ignore[attr-defined]
            scrubber.scrub(p.strip()).text for p in narrative.body.split("\n\n") if p.strip()
        ]
        narrative.title = scrubber.scrub(narrative.title).text
        by_section[narrative.section].append(narrative)
    return {section: by_section.get(section, []) for section in Section.values}


# --- the stamp of what a report shows -----------------------------------------------------------


def report_stamp(*, subject: Subject, year: int, language: str | None = None) -> str:
    """A digest of what the report of ``subject`` and ``year`` is made from: the search data's
    stamp, the newest change of the subject's cameras, agreements, snapshots, change log,
    hearings, petitions and narratives (with counts, which deletions move), and the language.
    A handful of small aggregate queries."""
    ids = subject.agency_ids
    parts: list[Any] = [
        subject.kind,
        subject.slug,
        year,
        language or get_language(),
        stats_version(),
    ]
    cameras = (
        Camera.objects.filter(city=subject.city)
        if subject.city is not None
        else Camera.objects.filter(owner_id__in=ids)
    )
    stamped: list[tuple[QuerySet[Any], str]] = [
        (cameras, "updated_at"),
        (SharingAgreement.objects.filter(owner_id__in=ids), "updated_at"),
        (TransparencySnapshot.objects.filter(agency_id__in=ids), "updated_at"),
        (
            ChangeEvent.objects.filter(city=subject.city)
            if subject.city is not None
            else ChangeEvent.objects.filter(agency_id__in=ids),
            "id",
        ),
        (_narratives(subject).filter(year=year), "updated_at"),
    ]
    if subject.city is not None:
        stamped += [
            (Hearing.objects.filter(city=subject.city), "updated_at"),
            (Comment.objects.filter(item__hearing__city=subject.city), "updated_at"),
            (Petition.objects.filter(city=subject.city), "updated_at"),
        ]
    for qs, stamp in stamped:
        row = qs.aggregate(n=Count("pk"), at=Max(stamp))
        parts += [row["n"], row["at"]]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


# --- the whole report -----------------------------------------------------------------------------


@dataclass
class Report:
    subject: Subject
    period: Period
    searches: SearchFigures
    flagged_rows: list[dict[str, Any]]
    largest_rows: list[dict[str, Any]]
    outside: list[dict[str, Any]]
    searchers: int
    cameras: CameraFigures
    sharing: SharingFigures
    policy: PolicyFigures
    participation: Participation
    gaps: list[GapRow]
    law: StateLawProfile | None
    narratives: dict[str, list[ReportNarrative]] = field(default_factory=dict)
    has_drafts: bool = False
    links: dict[str, str] = field(default_factory=dict)


def report_build(*, subject: Subject, period: Period, user: Any = None) -> Report:
    """Every section of the report of ``subject`` over ``period``; ``user`` decides whether
    draft narratives are included (only for clerks of the subject's city)."""
    profiles = law_profiles_by_state()
    narratives = narratives_for(subject=subject, year=period.year, user=user)
    s = subject
    links = {
        "cameras": api_url("camera", {**s.camera_filter, "status": "active"}),
        "cameras_all": api_url("camera", s.camera_filter),
        "cameras_planned": api_url("camera", {**s.camera_filter, "status": "planned"}),
        "cameras_removed": api_url("camera", {**s.camera_filter, "status": "removed"}),
        "sharing": api_url("sharing-agreement", {**s.sharing_filter, "current": "true"}),
        "sharing_out_of_state": api_url(
            "sharing-agreement", {**s.sharing_filter, "current": "true", "out_of_state": "true"}
        ),
        "sharing_federal": api_url(
            "sharing-agreement", {**s.sharing_filter, "current": "true", "federal": "true"}
        ),
        "sharing_forbidden": api_url(
            "sharing-agreement", {**s.sharing_filter, "current": "true", "forbidden": "true"}
        ),
        "sharing_all": api_url("sharing-agreement", s.sharing_filter),
        "searches_total": _stats_link(s, period),
        "searches_month": _stats_link(s, period, group_by="month"),
        "searches_category": _stats_link(s, period, group_by="category"),
        "searches_flag": _stats_link(s, period, group_by="flag"),
        "searches_flagged": _stats_link(s, period, flag=list(FLAGGED_NAMES)),
        "searches_searcher": _stats_link(s, period, group_by="searching_agency"),
        "explorer": reverse("searches:explorer")
        + "?"
        + urlencode(
            {
                **s.search_filter,
                "date_from": period.first.isoformat(),
                "date_to": period.last.isoformat(),
            }
        ),
        "explorer_flagged": reverse("searches:explorer")
        + "?"
        + urlencode(
            [
                *s.search_filter.items(),
                ("date_from", period.first.isoformat()),
                ("date_to", period.last.isoformat()),
                *(("flag", name) for name in FLAGGED_NAMES),
            ]
        ),
        "snapshots": api_url(
            "snapshot",
            {
                **s.snapshot_filter,
                "captured_after": period.first.isoformat(),
                "captured_before": period.last.isoformat(),
            },
        ),
        "changes": api_url(
            "change",
            {
                **s.change_filter,
                "since": period.first.isoformat(),
                "until": period.last.isoformat(),
            },
        ),
        "changes_page": reverse(
            "watch:city-changes" if s.city else "watch:agency-changes", kwargs={"slug": s.slug}
        ),
        "imports": api_url("import", {"kind": "audit"}),
        "hearings": api_url(
            "hearing",
            {
                "city": s.slug,
                "starts_after": period.first.isoformat(),
                "starts_before": period.last.isoformat(),
            },
        )
        if s.city
        else api_url("agenda-item", {"agency": s.slug}),
        "comments": api_url("comment", {"city": s.slug}) if s.city else "",
        "petitions": api_url("petition", {"city": s.slug}) if s.city else "",
        "page": s.page_url(),
        "methodology": reverse("portal:methodology"),
    }
    if period.complete:
        # The API lists the agreements in force now; a past year's end is read from the
        # agreements' first-seen and ended dates, which the unfiltered list carries.
        for key in ("sharing", "sharing_out_of_state", "sharing_federal", "sharing_forbidden"):
            links[key] = links["sharing_all"]
    return Report(
        subject=subject,
        period=period,
        searches=search_figures(subject=subject, period=period),
        flagged_rows=flagged_search_rows(subject=subject, period=period, profiles=profiles),
        largest_rows=largest_search_rows(subject=subject, period=period, profiles=profiles),
        outside=outside_searchers(subject=subject, period=period),
        searchers=distinct_searchers(source_ids=subject.agency_ids),
        cameras=camera_figures(subject=subject, period=period),
        sharing=sharing_figures(subject=subject, period=period, profiles=profiles),
        policy=policy_figures(subject=subject, period=period),
        participation=participation(subject=subject, period=period),
        gaps=data_gaps(subject=subject, period=period),
        law=profiles.get(subject.state),
        narratives=narratives,
        has_drafts=any(
            n.status == ReportNarrative.Status.DRAFT for ns in narratives.values() for n in ns
        ),
        links=links,
    )


def report_size(*, subject: Subject, period: Period) -> int:
    """How big the report is to render: the period's searches plus the subject's cameras
    (two small queries), compared with ``REPORTS_PDF_BACKGROUND_OVER``."""
    rows = stats_grouped(filters=search_filters(subject, period), group_by=[])
    searches = rows[0]["searches"] if rows else 0
    return searches + camera_list(filters=subject.camera_filter).count()
