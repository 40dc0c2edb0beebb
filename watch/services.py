"""Writing the change log: ``change_record`` for one fact, ``changes_collect`` for all of them.

``changes_collect`` derives every event from the portal's own data, each under a deterministic
key, so running it twice (or after every import and on a schedule) records nothing twice:

* sharing partners added and removed, from the agreements' first-seen and ended dates (which
  the dated snapshot and list imports set); an agreement first seen on the first date its
  owner's sharing was ever recorded is the starting list, not a change;
* retention, camera counts, the other published figures and policy texts that differ between
  an agency's consecutive dated snapshots (a snapshot that does not give a value is skipped:
  blank means "not published", not "removed");
* finished search-audit imports (counts only), and rises in the searches' flag totals (from
  the rollups, counts by flag only: never a reason text, a name or a plate);
* hearings scheduled and petitions opened and closed (only what their public pages show).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cameras.models import SharingAgreement, TransparencySnapshot
from core.chunks import IN_BATCH, chunks
from core.models import Agency, City, ImportJob
from core.services import agency_find, audit_record
from hearings.models import Hearing
from petitions.models import Petition
from searches.models import FLAG_NAMES, SearchFlag, SearchMonthTotal
from watch.models import ChangeEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

K = ChangeEvent.Kind


def change_record(
    *,
    kind: str,
    key: str,
    occurred_on: dt.date,
    city: City | None = None,
    agency: Agency | None = None,
    other_agency: Agency | None = None,
    out_of_state: bool = False,
    federal: bool = False,
    forbidden: bool = False,
    data: dict[str, Any] | None = None,
) -> ChangeEvent | None:
    """Record one change, once: returns the new event, or None if ``key`` was recorded before."""
    event, created = ChangeEvent.objects.get_or_create(
        key=key[:255],
        defaults={
            "kind": kind,
            "occurred_on": occurred_on,
            "city": city,
            "agency": agency,
            "other_agency": other_agency,
            "out_of_state": out_of_state,
            "federal": federal,
            "forbidden": forbidden,
            "data": data or {},
        },
    )
    return event if created else None


# --- collecting -------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A change as a collector finds it, before it is known whether it was recorded."""

    kind: str
    key: str
    occurred_on: dt.date
    city_id: int | None = None
    agency_id: int | None = None
    other_agency_id: int | None = None
    out_of_state: bool = False
    federal: bool = False
    forbidden: bool = False
    data: dict[str, Any] = field(default_factory=dict)


# Snapshot fields compared between consecutive snapshots, by the kind of change they make.
SNAPSHOT_CHANGES: dict[str, str] = {
    "retention_days": K.RETENTION_CHANGED,
    "total_cameras": K.CAMERAS_CHANGED,
    "lpr_cameras": K.CAMERAS_CHANGED,
    "vehicles_detected_30d": K.METRIC_CHANGED,
    "searches_30d": K.METRIC_CHANGED,
    "hotlist_hits_30d": K.METRIC_CHANGED,
    "hotlists": K.METRIC_CHANGED,
    "external_organizations_count": K.METRIC_CHANGED,
    "whats_detected": K.POLICY_CHANGED,
    "whats_not_detected": K.POLICY_CHANGED,
    "acceptable_use": K.POLICY_CHANGED,
    "prohibited_uses": K.POLICY_CHANGED,
    "access_policy": K.POLICY_CHANGED,
    "hotlist_policy": K.POLICY_CHANGED,
}

# The flags whose new searches are news: a concern in the reason, or a use or sharing that state
# law forbids (the searches pages' drill-down flags). Vague and blank reasons are only counted.
NEWS_FLAGS: tuple[str, ...] = tuple(
    name
    for name, flag in FLAG_NAMES.items()
    if flag
    & (
        SearchFlag.IMMIGRATION
        | SearchFlag.REPRODUCTIVE_CARE
        | SearchFlag.PROTEST
        | SearchFlag.FORBIDDEN_USE
        | SearchFlag.FORBIDDEN_SHARING
    )
)


def _sharing_key(owner_id: int, recipient_id: int, kind: str, action: str, on: dt.date) -> str:
    return f"sharing:{owner_id}:{recipient_id}:{kind}:{action}:{on.isoformat()}"


def _existing_keys(prefix: str) -> set[str]:
    return set(ChangeEvent.objects.filter(key__startswith=prefix).values_list("key", flat=True))


SHARING_ROW = (
    "owner_id",
    "recipient_id",
    "kind",
    "first_seen",
    "last_seen",
    "ended_on",
    "recipient_out_of_state",
    "federal_recipient",
    "forbidden_by_state_law",
    "owner__name",
    "owner__slug",
    "owner__home_city_id",
    "recipient__name",
    "recipient__slug",
    "recipient__state",
    "recipient__kind",
)


def _sharing_event(row: dict[str, Any], action: str, on: dt.date) -> Candidate:
    return Candidate(
        kind=K.SHARING_ADDED if action == "added" else K.SHARING_REMOVED,
        key=_sharing_key(row["owner_id"], row["recipient_id"], row["kind"], action, on),
        occurred_on=on,
        city_id=row["owner__home_city_id"],
        agency_id=row["owner_id"],
        other_agency_id=row["recipient_id"],
        out_of_state=bool(row["recipient_out_of_state"]),
        federal=bool(row["federal_recipient"]),
        forbidden=bool(row["forbidden_by_state_law"]),
        data={
            "owner": row["owner__name"],
            "owner_slug": row["owner__slug"],
            "partner": row["recipient__name"],
            "partner_slug": row["recipient__slug"],
            "partner_state": row["recipient__state"],
            "partner_kind": row["recipient__kind"],
            "sharing_kind": row["kind"],
        },
    )


def _sharing_candidates() -> Iterator[Candidate]:
    """Partners added (first seen after the owner's first recorded list, or listed again after
    they ended) and removed (ended), with the flags the sharing pages show."""
    agreements = SharingAgreement.objects.with_flags().order_by("owner_id", "pk")
    rows = list(agreements.values(*SHARING_ROW))
    baseline: dict[int, dt.date] = {}
    for row in rows:
        owner_id, first_seen = row["owner_id"], row["first_seen"]
        if owner_id not in baseline or first_seen < baseline[owner_id]:
            baseline[owner_id] = first_seen
    # What was recorded per agreement, to tell an agreement listed again after it ended.
    history: dict[tuple[int, int, str], list[tuple[dt.date, str]]] = defaultdict(list)
    for key in _existing_keys("sharing:"):
        _, owner, recipient, kind, action, on = key.split(":")
        history[(int(owner), int(recipient), kind)].append((dt.date.fromisoformat(on), action))
    captures: dict[int, list[dt.date]] = defaultdict(list)
    for agency_id, captured_on in (
        TransparencySnapshot.objects.filter(agency_id__in=list(baseline))
        .order_by("captured_on")
        .values_list("agency_id", "captured_on")
    ):
        captures[agency_id].append(captured_on)

    for row in rows:
        if row["first_seen"] > baseline[row["owner_id"]]:
            yield _sharing_event(row, "added", row["first_seen"])
        if row["ended_on"] is not None:
            yield _sharing_event(row, "removed", row["ended_on"])
            continue
        past = sorted(history.get((row["owner_id"], row["recipient_id"], row["kind"]), []))
        if past and past[-1][1] == "removed":
            # Listed again after it ended: the reopening cleared its end date, so it was seen
            # again at the owner's first capture after the end (or when last seen).
            ended, last_seen = past[-1][0], row["last_seen"]
            seen = (d for d in captures[row["owner_id"]] if ended < d <= last_seen)
            again = next(seen, last_seen)
            if again > ended:
                yield _sharing_event(row, "added", again)


def _value_known(value: Any) -> bool:
    return value is not None and value != ""


def _snapshot_candidates() -> Iterator[Candidate]:
    """What differs between an agency's consecutive snapshots, field by field: each value is
    compared with the last snapshot that gave one, and dated on the capture that changed it."""
    fields = list(SNAPSHOT_CHANGES)
    snapshots = (
        TransparencySnapshot.objects.order_by("agency_id", "captured_on")
        .values("agency_id", "captured_on", "agency__name", "agency__home_city_id", *fields)
        .iterator(chunk_size=2000)
    )
    agency_id: int | None = None
    last: dict[str, tuple[Any, dt.date]] = {}
    for snapshot in snapshots:
        if snapshot["agency_id"] != agency_id:
            agency_id, last = snapshot["agency_id"], {}
        captured_on = snapshot["captured_on"]
        for name in fields:
            value = snapshot[name]
            if not _value_known(value):
                continue
            before = last.get(name)
            last[name] = (value, captured_on)
            if before is None or _same(before[0], value):
                continue
            yield Candidate(
                kind=SNAPSHOT_CHANGES[name],
                key=f"snapshot:{agency_id}:{name}:{captured_on.isoformat()}",
                occurred_on=captured_on,
                city_id=snapshot["agency__home_city_id"],
                agency_id=agency_id,
                data={
                    "field": name,
                    "old": before[0],
                    "new": value,
                    "previous_on": before[1].isoformat(),
                    "agency": snapshot["agency__name"],
                },
            )


def _same(old: Any, new: Any) -> bool:
    # A page fetched again reflows its text; only a change in the words is a change.
    if isinstance(old, str) and isinstance(new, str):
        return old.split() == new.split()
    return old == new


def _audit_jobs() -> list[tuple[ImportJob, Agency | None]]:
    jobs = ImportJob.objects.filter(
        kind=ImportJob.Kind.AUDIT, status=ImportJob.Status.SUCCEEDED
    ).order_by("pk")
    names: dict[str, Agency | None] = {}
    found = []
    for job in jobs:
        name = str((job.options or {}).get("agency") or "").strip()
        if name not in names:
            names[name] = agency_find(name=name) if name else None
        found.append((job, names[name]))
    return found


def _day(moment: dt.datetime | None) -> dt.date:
    return timezone.localdate(moment) if moment else timezone.localdate()


def _audit_candidates(jobs: Iterable[tuple[ImportJob, Agency | None]]) -> Iterator[Candidate]:
    """One event per finished audit import: how many searches it read and added."""
    for job, agency in jobs:
        yield Candidate(
            kind=K.AUDIT_IMPORTED,
            key=f"audit:{job.pk}",
            occurred_on=_day(job.finished_at),
            city_id=(agency.home_city_id if agency else None) or job.city_id,
            agency_id=agency.pk if agency else None,
            data={
                "agency": agency.name if agency else "",
                "searches_read": job.rows_read,
                "searches_added": job.rows_created,
                "duplicates": job.rows_unchanged,
                "rejected": job.rows_rejected,
            },
        )


def _flagged_candidates(jobs: Iterable[tuple[ImportJob, Agency | None]]) -> Iterator[Candidate]:
    """A source's flag totals that rose since the last such event, as counts by flag."""
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    for source_id, flags, searches in (
        SearchMonthTotal.objects.order_by()
        .values("source_agency_id", "flags")
        .annotate(n=Sum("searches"))
        .values_list("source_agency_id", "flags", "n")
    ):
        for name in NEWS_FLAGS:
            if flags & FLAG_NAMES[name]:
                totals[source_id][name] += searches or 0
    if not totals:
        return
    imported_on: dict[int, dt.date] = {}
    for job, agency in jobs:
        if agency is not None:
            day = _day(job.finished_at)
            imported_on[agency.pk] = max(imported_on.get(agency.pk, day), day)
    previous: dict[int, dict[str, int]] = {}
    for agency_id, data in (
        ChangeEvent.objects.filter(kind=K.FLAGGED_SEARCHES, agency_id__in=list(totals))
        .order_by("agency_id", "occurred_on", "id")
        .values_list("agency_id", "data")
    ):
        previous[agency_id] = dict(data.get("totals") or {})
    agencies = Agency.objects.in_bulk(list(totals))
    for source_id, counts in sorted(totals.items()):
        before = previous.get(source_id, {})
        new = {name: n - int(before.get(name, 0)) for name, n in counts.items()}
        new = {name: n for name, n in new.items() if n > 0}
        agency = agencies.get(source_id)
        if not new or agency is None:
            continue
        current = {name: counts[name] for name in NEWS_FLAGS if counts[name]}
        yield Candidate(
            kind=K.FLAGGED_SEARCHES,
            key=f"flagged:{source_id}:"
            + ",".join(f"{name}={n}" for name, n in sorted(current.items())),
            occurred_on=imported_on.get(source_id) or timezone.localdate(),
            city_id=agency.home_city_id,
            agency_id=source_id,
            data={"agency": agency.name, "counts": new, "totals": current},
        )


def _hearing_candidates() -> Iterator[Candidate]:
    """Hearings on the calendar (not cancelled), dated when they were put there."""
    hearings = (
        Hearing.objects.exclude(status=Hearing.Status.CANCELLED)
        .select_related("city")
        .order_by("pk")
    )
    for hearing in hearings:
        yield Candidate(
            kind=K.HEARING_SCHEDULED,
            key=f"hearing:{hearing.pk}:scheduled",
            occurred_on=_day(hearing.created_at),
            city_id=hearing.city_id,
            data={
                "title": hearing.title,
                "starts_at": hearing.starts_at.isoformat(),
                "comment_closes_at": hearing.comment_closes_at.isoformat(),
                "url": hearing.get_absolute_url(),
            },
        )


def _petition_candidates() -> Iterator[Candidate]:
    """Published petitions opened for signatures, and closed."""
    petitions = Petition.objects.public().filter(opens_at__isnull=False).order_by("pk")
    for petition in petitions:
        data = {"title": petition.title, "url": petition.get_absolute_url()}
        yield Candidate(
            kind=K.PETITION_OPENED,
            key=f"petition:{petition.pk}:opened",
            occurred_on=_day(petition.opens_at),
            city_id=petition.city_id,
            data=data,
        )
        if petition.closed_at is not None and petition.status != Petition.Status.OPEN:
            yield Candidate(
                kind=K.PETITION_CLOSED,
                key=f"petition:{petition.pk}:closed",
                occurred_on=_day(petition.closed_at),
                city_id=petition.city_id,
                data=data,
            )


def _record_new(candidates: list[Candidate]) -> list[ChangeEvent]:
    keys = [c.key for c in candidates]
    known: set[str] = set()
    for chunk in chunks(keys, IN_BATCH):
        known.update(ChangeEvent.objects.filter(key__in=chunk).values_list("key", flat=True))
    fresh = [c for c in candidates if c.key not in known]
    if not fresh:
        return []
    cities = City.objects.in_bulk({c.city_id for c in fresh if c.city_id})
    agency_ids = {c.agency_id for c in fresh} | {c.other_agency_id for c in fresh}
    agencies = Agency.objects.in_bulk({pk for pk in agency_ids if pk})
    recorded = []
    for c in fresh:
        event = change_record(
            kind=c.kind,
            key=c.key,
            occurred_on=c.occurred_on,
            city=cities.get(c.city_id) if c.city_id else None,
            agency=agencies.get(c.agency_id) if c.agency_id else None,
            other_agency=agencies.get(c.other_agency_id) if c.other_agency_id else None,
            out_of_state=c.out_of_state,
            federal=c.federal,
            forbidden=c.forbidden,
            data=c.data,
        )
        if event is not None:
            recorded.append(event)
    return recorded


@transaction.atomic
def changes_collect(*, actor: User | None = None) -> dict[str, int]:
    """Record every change the portal's data shows that is not in the change log yet.

    Returns how many events of each kind were recorded (nothing on a second run).
    """
    jobs = _audit_jobs()
    candidates: list[Candidate] = [
        *_sharing_candidates(),
        *_snapshot_candidates(),
        *_audit_candidates(jobs),
        *_flagged_candidates(jobs),
        *_hearing_candidates(),
        *_petition_candidates(),
    ]
    recorded = _record_new(candidates)
    counts = dict(sorted(Counter(event.kind for event in recorded).items()))
    if counts:
        audit_record(actor=actor, action="changes.collect", changes={"recorded": counts})
        logger.info("Recorded %s changes", sum(counts.values()), extra={"recorded": counts})
    return counts
