"""The camera, sharing and snapshot sections of city and agency pages (and the camera table rows
other pages reuse): each shaped from the cameras app's selectors for its template."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cameras import charts
from cameras.models import Camera, TransparencySnapshot
from cameras.selectors import (
    SHARING_FLAGS,
    SharingCounts,
    sharing_agreements,
    sharing_breakdown,
    sharing_counts,
    snapshot_history,
    snapshots_latest,
)
from core.models import Agency, StateLawProfile
from core.pages import Breakdown, FilterLink, breakdown, paginate, query_url
from core.states import STATE_CHOICES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CAMERA_TABLE_PAGE_SIZE = 100
SHARING_PAGE_SIZE = 25
# Longer sharing tables start folded behind their counts, so the page reads topic by topic.
SHARING_OPEN_UP_TO = 10

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


@dataclass
class SharingSection:
    """One direction of sharing on a city or agency page, ready for ``includes/sharing.html``."""

    key: str
    heading: StrOrPromise
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
    heading: StrOrPromise,
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


def camera_rows(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``camera_points`` rows with display labels for tables."""
    status_labels = dict(Camera.Status.choices)
    compass = charts.compass_names()
    for row in points:
        row["directions_label"] = charts.directions_label(
            row["directions"], row["direction_text"], compass=compass
        )
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
