"""Writes to cameras, sharing agreements and transparency snapshots.

The import services take parsed records (see ``cameras/importers``) and write them in bulk:
agency names are resolved in batches, rows are created and updated with ``bulk_create`` and
set-based ``UPDATE``s, and nothing is queried per row. Each returns an ``ImportReport``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.audit import audit_diff
from core.chunks import chunks
from core.import_scope import ImportScope
from core.imports import ImportReport, bulk_insert
from core.models import Agency, City
from core.services import agency_resolver, audit_record_many, record_save

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHUNK = 900


# --- cameras ----------------------------------------------------------------------------------


def _camera_city(camera: Camera) -> City | None:
    return camera.city


@transaction.atomic
def camera_update(*, camera: Camera, data: Mapping[str, Any], actor: User | None) -> Camera:
    """Change a new or stored camera's fields as a clerk of its city before and after the
    edit; one audit row of the fields that changed."""
    record_save(obj=camera, data=data, actor=actor, city_of=_camera_city)
    return camera


# --- sharing agreements -------------------------------------------------------------------------


def _owner_city(agreement: SharingAgreement) -> City | None:
    return agreement.owner.home_city if agreement.owner_id else None


@transaction.atomic
def sharing_agreement_update(
    *, agreement: SharingAgreement, data: Mapping[str, Any], actor: User | None
) -> SharingAgreement:
    """Change a new or stored sharing agreement as a clerk of its owner's home city (the
    recipient may be any agency); one audit row of the fields that changed."""
    record_save(obj=agreement, data=data, actor=actor, city_of=_owner_city)
    return agreement


@transaction.atomic
def camera_mark_removed(
    *, cameras: QuerySet[Camera], actor: User | None = None, on: dt.date | None = None
) -> int:
    """Mark cameras removed as of ``on`` (today by default), one audit row each.

    Cameras already removed are left as they are; returns how many changed.
    """
    on = on or timezone.localdate()
    targets = list(cameras.exclude(status=Camera.Status.REMOVED).order_by("pk"))
    if not targets:
        return 0
    now = timezone.now()
    for chunk in chunks([c.pk for c in targets], CHUNK):
        Camera.objects.filter(pk__in=chunk).update(
            status=Camera.Status.REMOVED, removed_on=on, updated_at=now
        )
    audit_record_many(
        actor=actor,
        action="camera.remove",
        objs=targets,
        # ``targets`` hold each camera's values from before the update.
        changes=lambda camera: audit_diff(
            before={"status": camera.status, "removed_on": camera.removed_on},
            after={"status": Camera.Status.REMOVED, "removed_on": on},
        ),
    )
    return len(targets)


@dataclass(frozen=True)
class CameraRecord:
    """One camera as a file describes it; empty values mean "not given"."""

    line: int
    source_id: str
    latitude: Decimal
    longitude: Decimal
    directions: list[float | int] = field(default_factory=list)
    direction_text: str = ""
    vendor: str = ""
    owner: str = ""
    status: str = ""
    address: str = ""
    installed_on: dt.date | None = None
    camera_type: str = ""
    excerpt: str = ""


CAMERA_UPDATE_FIELDS = [
    "city",
    "owner",
    "latitude",
    "longitude",
    "directions",
    "direction_text",
    "vendor",
    "camera_type",
    "status",
    "removed_on",
    "installed_on",
    "address",
    "last_verified",
    "updated_at",
]


def _camera_values(
    record: CameraRecord, *, camera: Camera | None, owner: Agency | None, city: City | None
) -> dict[str, Any]:
    """The fields a record sets. Values the file leaves blank keep what a clerk entered."""
    values: dict[str, Any] = {"latitude": record.latitude, "longitude": record.longitude}
    if city is not None:
        values["city_id"] = city.pk
    if owner is not None:
        values["owner_id"] = owner.pk
    if record.directions:
        values["directions"] = record.directions
        values["direction_text"] = record.direction_text
    for name in ("vendor", "address", "camera_type", "installed_on"):
        if getattr(record, name):
            values[name] = getattr(record, name)
    status = record.status
    if not status and camera is not None and camera.status == Camera.Status.REMOVED:
        status = Camera.Status.ACTIVE  # it is back in the source
    if status:
        values["status"] = status
        if status != Camera.Status.REMOVED:
            values["removed_on"] = None
    return values


@transaction.atomic
def camera_import(
    *,
    records: Iterable[CameraRecord],
    source: str,
    seen_on: dt.date,
    city: City | None = None,
    default_owner: str = "",
    full: bool = False,
    keep_ids: Collection[str] = (),
    actor: User | None = None,
    scope: ImportScope | None = None,
) -> ImportReport:
    """Create or update cameras by (source, source id); never duplicates.

    With ``full`` and a city, that city's cameras of this source missing from the records (and
    from ``keep_ids``, the ids of rows rejected for other reasons) are marked removed. Rows
    ``scope`` refuses (another city's camera or owner) are rejected and never removed.
    """
    report = ImportReport()
    scope = scope or ImportScope()
    records = list(records)
    owners = agency_resolver(
        names={r.owner or default_owner for r in records} - {""}, home_city=city
    )
    existing: dict[str, Camera] = {}
    for chunk in chunks(sorted({r.source_id for r in records}), CHUNK):
        existing.update(
            (c.source_id, c) for c in Camera.objects.filter(source=source, source_id__in=chunk)
        )
    now = timezone.now()
    first_line: dict[str, int] = {}
    to_create: list[Camera] = []
    to_update: list[Camera] = []
    unchanged: list[int] = []
    for record in records:
        report.read += 1
        if record.source_id in first_line:
            report.reject(
                line=record.line,
                message=_("the same camera (id %(id)s) is already on line %(first)s")
                % {"id": record.source_id, "first": first_line[record.source_id]},
                excerpt=record.excerpt,
            )
            continue
        first_line[record.source_id] = record.line
        owner = owners.get(record.owner or default_owner)
        camera = existing.get(record.source_id)
        values = _camera_values(record, camera=camera, owner=owner, city=city)
        refusal = scope.camera_refusal(
            camera_id=record.source_id,
            exists=camera is not None,
            current_city_id=camera.city_id if camera is not None else None,
            city_id=values.get("city_id", camera.city_id if camera is not None else None),
            owner=owner,
        )
        if refusal:
            report.reject(line=record.line, message=refusal, excerpt=record.excerpt)
            continue
        if camera is None:
            camera = Camera(source=source, source_id=record.source_id, last_verified=seen_on)
            for name, value in values.items():
                setattr(camera, name, value)
            if camera.status == Camera.Status.REMOVED:
                camera.removed_on = seen_on
            to_create.append(camera)
            report.created += 1
            scope.touch(camera.city_id, owner.home_city_id if owner else None)
            continue
        if values.get("status") == Camera.Status.REMOVED and camera.removed_on is None:
            values["removed_on"] = seen_on
        changed = {k: v for k, v in values.items() if getattr(camera, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(camera, name, value)
            camera.last_verified, camera.updated_at = seen_on, now
            to_update.append(camera)
            report.updated += 1
            scope.touch(camera.city_id, owner.home_city_id if owner else None)
        else:
            unchanged.append(camera.pk)
            report.unchanged += 1
    Camera.objects.bulk_create(to_create, batch_size=500)
    Camera.objects.bulk_update(to_update, CAMERA_UPDATE_FIELDS, batch_size=500)
    for pk_chunk in chunks(unchanged, CHUNK):
        Camera.objects.filter(pk__in=pk_chunk).update(last_verified=seen_on)

    imported = report.created + report.updated + report.unchanged
    # A file in which no camera could be read says nothing about which cameras are gone.
    if full and city is not None and imported and scope.owns_city(city.pk):
        present = set(first_line) | set(keep_ids)
        missing = [
            pk
            for pk, source_id in Camera.objects.filter(source=source, city=city)
            .exclude(status=Camera.Status.REMOVED)
            .values_list("pk", "source_id")
            if source_id not in present
        ]
        report.removed = camera_mark_removed(
            cameras=Camera.objects.filter(pk__in=missing), actor=actor, on=seen_on
        )
        if report.removed:
            scope.touch(city.pk)
    return report


# --- sharing agreements -----------------------------------------------------------------------


@dataclass(frozen=True)
class SharingEdge:
    """The owner lets the recipient search its cameras (names as published)."""

    line: int
    owner: str
    recipient: str
    kind: str = SharingAgreement.Kind.DIRECT
    # The owner's networks the recipient can search, when the list names them.
    networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class SharingListComplete:
    """The file holds an agency's whole list on one side (``owner``: everyone it shares with;
    ``recipient``: everyone it receives from), so agreements missing from it have ended."""

    line: int
    agency: str
    side: str = "owner"


NAME_MAX = 255
# Pairs resolved and written per round trip: big enough to amortize queries, small enough
# that a query's IN lists stay well under SQLite's variable limit.
SHARING_BATCH = 5000
AGREEMENT_INSERT_FIELDS = [
    "owner",
    "recipient",
    "kind",
    "first_seen",
    "last_seen",
    "source",
    "source_url",
    "networks",
    "created_at",
    "updated_at",
]


def _name_problem(name: str) -> str:
    if not name or not name.strip():
        return _("the agency name is blank")
    if len(name.strip()) > NAME_MAX:
        return _("an agency name is longer than %s characters") % NAME_MAX
    return ""


class _SharingWriter:
    """Upserts agreements batch by batch, remembering what this import has already seen."""

    def __init__(self, *, seen_on: dt.date, source: str, scope: ImportScope) -> None:
        self.seen_on = seen_on
        self.source = source[:255]
        self.scope = scope
        self.report = ImportReport()
        self.agencies: dict[str, Agency | None] = {}
        self.home_city: dict[int, int | None] = {}
        self.seen: set[tuple[int, int, str]] = set()
        self.complete: dict[str, set[int]] = {"owner": set(), "recipient": set()}
        self.now = timezone.now()

    def _resolve(self, names: Iterable[str]) -> None:
        fresh = {n for n in names if n not in self.agencies and not _name_problem(n)}
        if fresh:
            resolved = agency_resolver(names=fresh)
            for name in fresh:
                self.agencies[name] = resolved.get(name)
            self.home_city.update((a.pk, a.home_city_id) for a in resolved.values())

    def write(self, edges: list[SharingEdge], completes: list[SharingListComplete]) -> None:
        self._resolve([n for e in edges for n in (e.owner, e.recipient)])
        self._resolve([c.agency for c in completes])
        for item in completes:
            agency = self.agencies.get(item.agency)
            if agency is not None:
                self.complete[item.side].add(agency.pk)

        wanted: dict[tuple[int, int, str], SharingEdge] = {}
        for edge in edges:
            self.report.read += 1
            problem = _name_problem(edge.owner) or _name_problem(edge.recipient)
            owner, recipient = self.agencies.get(edge.owner), self.agencies.get(edge.recipient)
            if problem or owner is None or recipient is None:
                message = problem or _("the agency name is blank")
                self.report.reject(line=edge.line, message=message, excerpt=_edge_text(edge))
                continue
            if owner.pk == recipient.pk:
                self.report.reject(
                    line=edge.line,
                    message=_("an agency cannot share with itself (%s)") % owner.name,
                    excerpt=_edge_text(edge),
                )
                continue
            refusal = self.scope.agreement_refusal(owner=owner, recipient=recipient)
            if refusal:
                self.report.reject(line=edge.line, message=refusal, excerpt=_edge_text(edge))
                continue
            key = (owner.pk, recipient.pk, edge.kind)
            if key in self.seen:
                self.report.unchanged += 1  # listed twice in this file
                if key in wanted and edge.networks:
                    merged = tuple(dict.fromkeys(wanted[key].networks + edge.networks))
                    wanted[key] = replace(wanted[key], networks=merged)
                continue
            self.seen.add(key)
            wanted[key] = edge
        self._upsert(list(wanted.items()))

    def _upsert(self, wanted: list[tuple[tuple[int, int, str], SharingEdge]]) -> None:
        if not wanted:
            return
        owners = sorted({k[0] for k, _ in wanted})
        recipients = sorted({k[1] for k, _ in wanted})
        existing: dict[tuple[int, int, str], list[Any]] = {}
        for owner_chunk in chunks(owners, CHUNK):
            for recipient_chunk in chunks(recipients, 5000):
                rows = SharingAgreement.objects.filter(
                    owner_id__in=owner_chunk, recipient_id__in=recipient_chunk
                ).values_list(
                    "owner_id",
                    "recipient_id",
                    "kind",
                    "pk",
                    "first_seen",
                    "last_seen",
                    "ended_on",
                    "networks",
                )
                existing.update(((o, r, k), rest) for o, r, k, *rest in rows)

        seen_on = self.seen_on
        creates: list[tuple] = []
        groups: dict[frozenset[str], list[int]] = defaultdict(list)
        networks_changed: list[SharingAgreement] = []
        for key, edge in wanted:
            row = existing.get(key)
            networks = list(edge.networks)
            if row is None:
                creates.append(
                    (*key, seen_on, seen_on, self.source, "", networks, self.now, self.now)
                )
                self.report.created += 1
                self._touch(key)
                continue
            pk, first_seen, last_seen, ended_on, old_networks = row
            changes = set()
            # A list that names no networks (pairs, pages) says nothing about them.
            if networks and networks != old_networks and seen_on >= last_seen:
                changes.add("networks")
                networks_changed.append(
                    SharingAgreement(pk=pk, networks=networks, updated_at=self.now)
                )
            if seen_on < first_seen:
                changes.add("first_seen")
            if seen_on > last_seen:
                changes.add("last_seen")
            if ended_on is not None and seen_on > ended_on:
                changes.add("ended_on")  # listed again after it ended: reopened
            # Only moving last_seen forward is what every re-import does; that is "unchanged".
            if changes - {"last_seen"}:
                self.report.updated += 1
                self._touch(key)
            else:
                self.report.unchanged += 1
            if changes - {"networks"}:
                groups[frozenset(changes - {"networks"})].append(pk)
        # Tens of thousands of rows: plain tuples, not model instances (see bulk_insert).
        bulk_insert(model=SharingAgreement, fields=AGREEMENT_INSERT_FIELDS, rows=creates)
        for fields, pks in groups.items():
            values = {name: (None if name == "ended_on" else seen_on) for name in fields}
            for chunk in chunks(pks, CHUNK):
                SharingAgreement.objects.filter(pk__in=chunk).update(**values, updated_at=self.now)
        SharingAgreement.objects.bulk_update(
            networks_changed, ["networks", "updated_at"], batch_size=500
        )

    def _touch(self, key: tuple[int, int, str]) -> None:
        self.scope.touch(self.home_city.get(key[0]), self.home_city.get(key[1]))

    def end_missing(self, kinds: Collection[str] | None) -> None:
        """End the open agreements of complete lists that this import did not see again (only
        those its scope may change: a clerk's list never ends another city's sharing)."""
        for side, ids in self.complete.items():
            column = "owner_id" if side == "owner" else "recipient_id"
            for chunk in chunks(sorted(ids), CHUNK):
                # Everything seen here has last_seen >= seen_on, so "older" means "missing".
                stale = SharingAgreement.objects.filter(
                    self.scope.agreements(),
                    **{f"{column}__in": chunk},
                    ended_on__isnull=True,
                    last_seen__lt=self.seen_on,
                )
                if kinds is not None:
                    stale = stale.filter(kind__in=list(kinds))
                self.report.removed += _end_agreements(
                    stale, on=self.seen_on, now=self.now, scope=self.scope
                )


def _end_agreements(
    agreements: QuerySet[SharingAgreement], *, on: dt.date, now: dt.datetime, scope: ImportScope
) -> int:
    """End ``agreements`` on ``on``, noting both sides' cities as changed; returns how many."""
    for owner_city, recipient_city in agreements.values_list(
        "owner__home_city_id", "recipient__home_city_id"
    ).distinct():
        scope.touch(owner_city, recipient_city)
    return agreements.update(ended_on=on, updated_at=now)


def _edge_text(edge: SharingEdge) -> str:
    return f"{edge.owner} → {edge.recipient}"[:300]


@transaction.atomic
def sharing_import(
    *,
    items: Iterable[SharingEdge | SharingListComplete],
    seen_on: dt.date,
    source: str = "",
    end_kinds: Collection[str] | None = None,
    batch_size: int | None = None,
    on_batch: Callable[[], None] | None = None,
    scope: ImportScope | None = None,
) -> ImportReport:
    """Record who shares with whom as seen on ``seen_on``, streaming ``items`` in batches.

    New pairs are created; known ones are unchanged (only last_seen moves) or updated (seen
    earlier than first_seen, or listed again after they ended: reopened). For each complete
    list, open agreements of ``end_kinds`` (all kinds when None) not seen get ended_on. Pairs
    ``scope`` refuses are rejected on their line, and only agreements it allows are ended.
    """
    batch_size = batch_size or SHARING_BATCH
    writer = _SharingWriter(seen_on=seen_on, source=source, scope=scope or ImportScope())
    edges: list[SharingEdge] = []
    completes: list[SharingListComplete] = []
    for item in items:
        if isinstance(item, SharingListComplete):
            completes.append(item)
            continue
        edges.append(item)
        if len(edges) >= batch_size:
            writer.write(edges, completes)
            edges, completes = [], []
            if on_batch is not None:
                on_batch()
    writer.write(edges, completes)
    writer.end_missing(end_kinds)
    return writer.report


@transaction.atomic
def sharing_end_superseded(
    *, agency: str, side: str, seen_on: dt.date, scope: ImportScope | None = None
) -> int:
    """End the agreements only an older page list showed, when a newer page was imported first.

    They ended by the next later capture of the agency's page (a snapshot on that date) whose
    list on ``side`` was seen (an agreement of that side first or last seen then). Only
    agreements ``scope`` may change are ended.
    """
    scope = scope or ImportScope()
    found = agency_resolver(names=[agency]).get(agency)
    if found is None:
        return 0
    column = "owner_id" if side == "owner" else "recipient_id"
    mine = SharingAgreement.objects.filter(**{column: found.pk})
    later = TransparencySnapshot.objects.filter(agency=found, captured_on__gt=seen_on)
    next_seen = next(
        (
            day
            for day in later.order_by("captured_on").values_list("captured_on", flat=True)
            if mine.filter(Q(first_seen=day) | Q(last_seen=day)).exists()
        ),
        None,
    )
    if next_seen is None:
        return 0
    return _end_agreements(
        mine.filter(scope.agreements(), ended_on__isnull=True).filter(
            last_seen__gte=seen_on, last_seen__lt=next_seen
        ),
        on=next_seen,
        now=timezone.now(),
        scope=scope,
    )


@dataclass
class TagsApplied:
    """How many agencies a list's status tags changed, and the names ``scope`` refused with
    why (their tag would have changed another city's agency)."""

    changed: int = 0
    refused: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def agency_status_tags_apply(
    *,
    federal: Iterable[str] = (),
    inactive: Iterable[str] = (),
    actor: User | None = None,
    scope: ImportScope | None = None,
) -> TagsApplied:
    """Record what a list's status tags say (``[Federal]``, ``[Inactive]``) on the agencies
    named (one audit row each); agencies outside ``scope`` that a tag would change are left
    as they are and reported."""
    scope = scope or ImportScope()
    federal, inactive = set(federal), set(inactive)
    agencies = agency_resolver(names=federal | inactive)
    result = TagsApplied()
    for names, field_name, value in (
        (federal, "kind", Agency.Kind.FEDERAL),
        (inactive, "is_active", False),
    ):
        targets: list[Agency] = []
        for name in sorted(names):
            agency = agencies.get(name)
            if agency is None or getattr(agency, field_name) == value or agency in targets:
                continue
            if refusal := scope.agency_refusal(agency):
                result.refused[name] = refusal
                continue
            targets.append(agency)
        if not targets:
            continue
        Agency.objects.filter(pk__in=[a.pk for a in targets]).update(
            **{field_name: value}, updated_at=timezone.now()
        )

        def tag_change(
            agency: Agency, name: str = field_name, new: object = value
        ) -> dict[str, Any]:
            return audit_diff(before={name: getattr(agency, name)}, after={name: new})

        audit_record_many(
            actor=actor,
            action="agency.tag",
            objs=targets,
            changes=tag_change,
            city_attr="home_city_id",
        )
        scope.touch(*(a.home_city_id for a in targets))
        result.changed += len(targets)
    return result


# --- transparency snapshots -------------------------------------------------------------------

SNAPSHOT_FIELDS = [
    "portal_url",
    "retention_days",
    "total_cameras",
    "lpr_cameras",
    "vehicles_detected_30d",
    "searches_30d",
    "hotlist_hits_30d",
    "hotlists",
    "external_organizations_count",
    "whats_detected",
    "whats_not_detected",
    "acceptable_use",
    "prohibited_uses",
    "access_policy",
    "hotlist_policy",
]


@dataclass(frozen=True)
class SnapshotRecord:
    """What one row says about an agency's transparency page on one date (given fields only)."""

    line: int
    agency: str
    captured_on: dt.date
    values: dict[str, Any]
    excerpt: str = ""


@transaction.atomic
def snapshot_import(
    *, records: Iterable[SnapshotRecord], source: str = "", scope: ImportScope | None = None
) -> ImportReport:
    """Create or merge one snapshot per (agency, date); given values overwrite, blanks keep.

    Rows for the same agency and date are merged in file order; the first of them carries the
    outcome and the others count as unchanged. Agencies without a transparency link get one.
    Rows for agencies outside ``scope`` are rejected on their line.
    """
    report = ImportReport()
    scope = scope or ImportScope()
    records = list(records)
    agencies = agency_resolver(names={r.agency for r in records if not _name_problem(r.agency)})
    merged: dict[tuple[int, dt.date], dict[str, Any]] = {}
    first: dict[tuple[int, dt.date], SnapshotRecord] = {}
    for record in records:
        report.read += 1
        problem = _name_problem(record.agency)
        agency = agencies.get(record.agency)
        if problem or agency is None:
            report.reject(
                line=record.line,
                message=problem or _("the agency name is blank"),
                excerpt=record.excerpt,
            )
            continue
        if refusal := scope.agency_refusal(agency):
            report.reject(line=record.line, message=refusal, excerpt=record.excerpt)
            continue
        key = (agency.pk, record.captured_on)
        if key in merged:
            report.unchanged += 1
            merged[key].update(record.values)
            continue
        merged[key] = dict(record.values)
        first[key] = record

    existing: dict[tuple[int, dt.date], TransparencySnapshot] = {}
    agency_ids = sorted({k[0] for k in merged})
    dates = sorted({k[1] for k in merged})
    for chunk in chunks(agency_ids, CHUNK):
        existing.update(
            ((s.agency_id, s.captured_on), s)
            for s in TransparencySnapshot.objects.filter(agency_id__in=chunk, captured_on__in=dates)
        )
    now = timezone.now()
    by_pk = {a.pk: a for a in agencies.values()}
    creates, updates = [], []
    for key, values in merged.items():
        snapshot = existing.get(key)
        if snapshot is None:
            creates.append(
                TransparencySnapshot(agency_id=key[0], captured_on=key[1], source=source, **values)
            )
            report.created += 1
            scope.touch(by_pk[key[0]].home_city_id)
            continue
        changed = {k: v for k, v in values.items() if getattr(snapshot, k) != v}
        if not changed:
            report.unchanged += 1
            continue
        scope.touch(by_pk[key[0]].home_city_id)
        for name, value in changed.items():
            setattr(snapshot, name, value)
        snapshot.updated_at = now
        updates.append(snapshot)
        report.updated += 1
    TransparencySnapshot.objects.bulk_create(creates, batch_size=500)
    TransparencySnapshot.objects.bulk_update(
        updates, [*SNAPSHOT_FIELDS, "updated_at"], batch_size=500
    )

    links: dict[int, str] = {}
    for key, values in merged.items():
        if values.get("portal_url"):
            links[key[0]] = values["portal_url"]
    stale = [by_pk[pk] for pk in links if not by_pk[pk].transparency_url]
    for agency in stale:
        agency.transparency_url, agency.updated_at = links[agency.pk], now
    Agency.objects.bulk_update(stale, ["transparency_url", "updated_at"], batch_size=500)
    return report
