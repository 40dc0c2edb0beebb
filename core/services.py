"""Writes to the core models. Every function is keyword-only, typed and transactional."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from core.access import is_superuser, require_city_manager
from core.audit import audit_diff, audit_model_diff
from core.chunks import IN_BATCH, chunks
from core.import_scope import ImportScope
from core.models import Agency, AgencyAlias, AuditEvent, City, StateLawProfile
from core.names import ParsedName, guess_agency_kind, parse_agency_name
from core.pagecache import page_cache_invalidate
from core.signals import agency_merged, agency_merging, state_laws_changed
from core.slugs import SlugOptions, unique_slug, unique_slugs

# New agencies' slugs: room is left in the column for a "-2" suffix.
AGENCY_SLUG: SlugOptions = {"fallback": "agency", "max_length": 240}

_ModelT = TypeVar("_ModelT", bound=models.Model)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ServiceError(Exception):
    """A write refused for a reason the caller should show to the user."""


def audit_record(
    *,
    actor: User | None = None,
    action: str,
    obj: models.Model | None = None,
    city: City | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Write one audit row; ``obj`` fills the object columns when given."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)[:300]
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        city=city,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=object_repr[:300],
        changes=changes or {},
    )


def signed_in(actor: User | None) -> User | None:
    """The acting user for audit rows and ``created_by``: None for anonymous or absent users."""
    return actor if actor is not None and actor.is_authenticated else None


def agency_find(*, name: str) -> Agency | None:
    """The agency a name refers to, through its normalized name or an alias."""
    key = parse_agency_name(name).key
    if not key:
        return None
    agency = Agency.objects.filter(normalized_name=key).first()
    if agency is None:
        alias = AgencyAlias.objects.select_related("agency").filter(normalized_name=key).first()
        agency = alias.agency if alias else None
    return agency


@transaction.atomic
def agency_get_or_create(
    *, name: str, kind: str | None = None, state: str | None = None, home_city: City | None = None
) -> tuple[Agency, bool]:
    """Resolve a published agency name to one Agency, creating it on first sight.

    Kind and state are guessed from the name unless given; an existing agency is never
    overwritten here (clerks correct agencies in the admin).
    """
    parsed = parse_agency_name(name)
    if not parsed.key:
        raise ServiceError("An agency name is required.")
    existing = agency_find(name=name)
    if existing is not None:
        return existing, False
    agency = Agency(
        name=parsed.display[:255],
        normalized_name=parsed.key,
        slug=unique_slug(parsed.display, scope=Agency.objects.all(), **AGENCY_SLUG),
        kind=kind or guess_agency_kind(parsed.display),
        state=state if state is not None else parsed.state,
        home_city=home_city,
        is_active=not parsed.inactive,
    )
    try:
        with transaction.atomic():
            agency.save()
    except IntegrityError:
        # A concurrent import created it first; take that one.
        found = agency_find(name=name)
        if found is None:
            raise
        return found, False
    return agency, True


def _agencies_by_key(keys: Iterable[str]) -> dict[str, Agency]:
    """Agencies for normalized keys, through their own key or an alias, in batched queries."""
    keys = sorted(set(keys))
    found: dict[str, Agency] = {}
    for chunk in chunks(keys, IN_BATCH):
        found.update(
            (a.normalized_name, a) for a in Agency.objects.filter(normalized_name__in=chunk)
        )
    unresolved = [k for k in keys if k not in found]
    for chunk in chunks(unresolved, IN_BATCH):
        for alias in AgencyAlias.objects.select_related("agency").filter(normalized_name__in=chunk):
            found.setdefault(alias.normalized_name, alias.agency)
    return found


def agency_resolver(*, names: Iterable[str], home_city: City | None = None) -> dict[str, Agency]:
    """Resolve many names at once: batched lookups of known keys, bulk creation for the rest.

    Returns {name as given: Agency}; blank names are left out. New agencies get their kind and
    state guessed from the name and ``home_city`` when given.
    """
    parsed = {}
    for name in names:
        if name and name.strip() and name not in parsed:
            parsed[name] = parse_agency_name(name)
    by_key = _agencies_by_key(p.key for p in parsed.values() if p.key)
    missing: dict[str, tuple[str, ParsedName]] = {}
    for name, p in parsed.items():
        if p.key and p.key not in by_key:
            missing.setdefault(p.key, (name, p))
    if missing:
        entries = list(missing.values())
        slugs = unique_slugs(
            [p.display for _, p in entries], scope=Agency.objects.all(), **AGENCY_SLUG
        )
        Agency.objects.bulk_create(
            [
                Agency(
                    name=p.display[:255],
                    normalized_name=p.key,
                    slug=slug,
                    kind=guess_agency_kind(p.display),
                    state=p.state,
                    home_city=home_city,
                    is_active=not p.inactive,
                )
                for (_, p), slug in zip(entries, slugs, strict=True)
            ],
            batch_size=500,
            # A concurrent import may create some of them first; those rows are then found below.
            ignore_conflicts=True,
        )
        by_key.update(_agencies_by_key(missing))
        for key, (name, _p) in missing.items():
            if key not in by_key:
                # Lost a slug race to another writer; the one-by-one path settles it.
                by_key[key], _created = agency_get_or_create(name=name, home_city=home_city)
    return {name: by_key[p.key] for name, p in parsed.items() if p.key}


def audit_record_many(
    *,
    actor: User | None = None,
    action: str,
    objs: Iterable[_ModelT],
    changes: dict[str, Any] | Callable[[_ModelT], dict[str, Any]] | None = None,
    city_attr: str = "city_id",
) -> int:
    """One audit row per object in a single insert; returns how many were written.

    ``changes`` is the same for every row, or a function giving each object's own."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    events = [
        AuditEvent(
            actor=actor,
            action=action,
            city_id=getattr(obj, city_attr, None),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            changes=(changes(obj) if callable(changes) else changes) or {},
        )
        for obj in objs
    ]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    # bulk_create (like the update() these rows record) sends no post_save: say it here.
    page_cache_invalidate()
    return len(events)


@transaction.atomic
def agency_add_alias(*, agency: Agency, name: str, actor: User | None = None) -> AgencyAlias:
    parsed = parse_agency_name(name)
    if parsed.key == agency.normalized_name:
        raise ServiceError("That spelling already resolves to this agency.")
    other = agency_find(name=name)
    if other is not None and other.pk != agency.pk:
        raise ServiceError(f"That spelling belongs to {other}; merge the agencies instead.")
    alias, _ = AgencyAlias.objects.get_or_create(
        normalized_name=parsed.key, defaults={"agency": agency, "name": parsed.display}
    )
    audit_record(
        actor=actor,
        action="agency.alias",
        obj=agency,
        city=agency.home_city,
        changes={"alias": parsed.display},
    )
    return alias


@transaction.atomic
def agency_merge(*, target: Agency, sources: Iterable[Agency], actor: User | None = None) -> Agency:
    """Fold duplicate agencies into ``target``: their names become aliases, their cameras,
    sharing agreements and snapshots move over, and duplicates that would collide are dropped
    keeping the widest seen-date range. The apps that own those rows move them in their
    ``agency_merging`` receivers (cameras: ``cameras.receivers``); any other foreign key to
    Agency is repointed here."""
    merged: list[str] = []
    merged_ids: list[int] = []
    for source in sources:
        if source.pk == target.pk:
            continue
        agency_merging.send(sender=Agency, source=source, target=target)
        merged_ids.append(source.pk)
        AgencyAlias.objects.filter(agency=source).update(agency=target)
        AgencyAlias.objects.create(
            agency=target, name=source.name, normalized_name=source.normalized_name
        )
        if target.home_city_id is None and source.home_city_id is not None:
            target.home_city_id = source.home_city_id
        merged.append(source.name)
        _repoint_other_references(source=source, target=target)
        source.delete()
    target.save()
    if merged_ids:
        agency_merged.send(sender=Agency, source_ids=merged_ids, target=target)
    audit_record(
        actor=actor,
        action="agency.merge",
        obj=target,
        city=target.home_city,
        changes={"merged": merged},
    )
    return target


def _repoint_other_references(*, source: Agency, target: Agency) -> None:
    """Move every other foreign key to Agency over to the target (rows the receivers of
    ``agency_merging`` already moved match nothing any more)."""
    for rel in Agency._meta.related_objects:
        model = rel.related_model
        if model is AgencyAlias or not rel.concrete or rel.many_to_many:
            continue
        model._default_manager.filter(**{rel.field.name: source}).update(**{rel.field.name: target})


# --- Edits of one row -----------------------------------------------------------------------


def _concrete_values(obj: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data``, refused when it names anything but the model's concrete fields."""
    names = {f.name for f in obj._meta.concrete_fields}
    unknown = set(data) - names
    if unknown:
        raise ServiceError(f"unknown {obj._meta.model_name} fields: {sorted(unknown)}")
    return dict(data)


def record_save(
    *,
    obj: _ModelT,
    data: Mapping[str, Any],
    actor: User | None,
    city_of: Callable[[_ModelT], City | None],
) -> dict[str, dict[str, Any]]:
    """Apply ``data`` to a new or stored row, save it, and write one audit row of the fields
    ``data`` names (``<model>.create`` or ``<model>.change``; none for an edit that changed
    nothing).

    ``actor`` must manage the city ``city_of`` places the row in, before and after the edit
    (``actor=None`` is a command or task); the caller's transaction rolls back a refusal.
    """
    data = _concrete_values(obj, data)
    model = type(obj)
    old = model._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    if old is not None:
        require_city_manager(actor, city_of(old), system=True)
    for name, value in data.items():
        setattr(obj, name, value)
    city = city_of(obj)
    require_city_manager(actor, city, system=True)
    obj.save()
    # A new row given no data (a command's) is audited with all its fields.
    changes = audit_model_diff(obj=obj, old=old, field_names=list(data) if data else None)
    if changes or old is None:
        audit_record(
            actor=actor,
            action=f"{model._meta.model_name}.{'change' if old else 'create'}",
            obj=obj,
            city=city,
            changes=changes,
        )
    return changes


def _agency_city(agency: Agency) -> City | None:
    return agency.home_city


@transaction.atomic
def agency_update(*, agency: Agency, data: Mapping[str, Any], actor: User | None) -> Agency:
    """Change a new or stored agency's fields as a clerk of its home city, audited.

    A new ``name`` is normalized; another agency's name or alias is refused. When the
    normalized name changes, the old spelling is kept as an alias (source files still use it);
    a new state or kind reflags its searches and sharing once the edit commits.
    """
    data = dict(data)
    before = Agency.objects.filter(pk=agency.pk).first() if agency.pk is not None else None
    if "name" in data:
        parsed = parse_agency_name(data["name"])
        if not parsed.key:
            raise ServiceError(_("Enter the agency's name."))
        existing = agency_find(name=data["name"])
        if existing is not None and existing.pk != agency.pk:
            raise ServiceError(
                _("“%(name)s” already refers to %(agency)s. Edit that agency or merge the two.")
                % {"name": parsed.display, "agency": existing}
            )
        data["name"], data["normalized_name"] = parsed.display, parsed.key
    record_save(obj=agency, data=data, actor=actor, city_of=_agency_city)
    if before is None:
        return agency
    if before.normalized_name != agency.normalized_name:
        # The old spelling still appears in source files; keep it resolving here.
        AgencyAlias.objects.filter(agency=agency, normalized_name=agency.normalized_name).delete()
        agency_add_alias(agency=agency, name=before.name, actor=actor)
    if (before.state, before.kind) != (agency.state, agency.kind):
        # Out-of-state, federal and forbidden flags of its searches may change (the receivers
        # queue the reflag on commit).
        state_laws_changed.send(sender=Agency, states={before.state, agency.state})
    return agency


@transaction.atomic
def agency_rename(*, agency: Agency, name: str, actor: User | None) -> Agency:
    """Rename an agency, keeping its old spelling as an alias (see ``agency_update``)."""
    return agency_update(agency=agency, data={"name": name}, actor=actor)


# --- State law profiles --------------------------------------------------------------------
# A profile sets the flags of every city's searches and sharing in its state, so only
# superusers (or a command, ``actor=None``) change one; clerks read them.


def _require_law_editor(actor: User | None) -> None:
    if actor is not None and not is_superuser(actor):
        raise PermissionDenied(_("Only a superuser can change a state law profile."))


@transaction.atomic
def state_law_profile_save(
    *, profile: StateLawProfile, fields: Iterable[str], actor: User | None = None
) -> dict[str, dict[str, Any]]:
    """Save a new or changed law profile (``fields`` name what may have changed) as a superuser
    or a command; audits ``{field: {"old", "new"}}`` and reflags the old and new states."""
    _require_law_editor(actor)
    before = StateLawProfile.objects.filter(pk=profile.pk).first() if profile.pk else None
    fields = list(fields)
    changes = audit_diff(
        before={name: getattr(before, name) for name in fields} if before else None,
        after={name: getattr(profile, name) for name in fields},
    )
    if before is not None and not changes:
        return {}
    profile.save()
    audit_record(
        actor=actor,
        action="statelaw.update" if before else "statelaw.create",
        obj=profile,
        changes=changes,
    )
    state_laws_changed.send(
        sender=StateLawProfile, states={profile.state, *([before.state] if before else [])}
    )
    return changes


@transaction.atomic
def state_law_profile_delete(*, profile: StateLawProfile, actor: User | None = None) -> None:
    """Delete a law profile as a superuser or a command, audited; its state is reflagged."""
    _require_law_editor(actor)
    state = profile.state
    audit_record(
        actor=actor,
        action="statelaw.delete",
        obj=profile,
        changes=audit_diff(
            before={"state": state, "statute_citation": profile.statute_citation}, after=None
        ),
    )
    profile.delete()
    state_laws_changed.send(sender=StateLawProfile, states={state})


@dataclass(frozen=True)
class AgencyListEntry:
    """One row of an agency list: a name as published and the list's note on it."""

    line: int
    name: str
    notes: str = ""


@dataclass
class AgencyListResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (line, message) of rows naming an agency an earlier row already named
    repeats: list[tuple[int, str]] = field(default_factory=list)
    # (line, message) of rows whose note ``scope`` refused (another city's agency)
    refused: list[tuple[int, str]] = field(default_factory=list)


@transaction.atomic
def agency_list_import(
    *, entries: list[AgencyListEntry], actor: User | None = None, scope: ImportScope | None = None
) -> AgencyListResult:
    """Make sure every listed agency exists; keep each list note in the agency's notes.

    Existing agencies are matched by normalized name or alias (never renamed); a note is
    added on its own line unless the agency's notes already hold it, audited. A name that
    normalizes like an earlier row's counts as unchanged, with a note saying so. A note for
    an existing agency outside ``scope`` is refused with its line.
    """
    scope = scope or ImportScope()
    result = AgencyListResult()
    before = set(
        Agency.objects.filter(
            normalized_name__in={parse_agency_name(e.name).key for e in entries}
        ).values_list("normalized_name", flat=True)
    )
    agencies = agency_resolver(names=[e.name for e in entries])
    first_line: dict[int, int] = {}
    changed: dict[int, Agency] = {}
    for entry in entries:
        agency = agencies[entry.name]
        note = " ".join(entry.notes.split())
        adds_note = bool(note) and note not in agency.notes.splitlines()
        refusal = scope.agency_refusal(agency) if adds_note else ""
        if refusal and agency.normalized_name in before:
            result.refused.append((entry.line, refusal))
            continue
        if agency.pk in first_line:
            result.unchanged += 1
            result.repeats.append(
                (
                    entry.line,
                    _("same agency as line %(line)s (%(name)s)")
                    % {"line": first_line[agency.pk], "name": agency.name},
                )
            )
        else:
            first_line[agency.pk] = entry.line
            if agency.normalized_name in before:
                result.unchanged += 1
            else:
                result.created += 1
        if adds_note:
            agency.notes = f"{agency.notes}\n{note}".strip()
            changed[agency.pk] = agency
    if changed:
        Agency.objects.bulk_update(list(changed.values()), ["notes"], batch_size=500)
        # Notes of agencies this list created are part of creating them, not an update.
        updated = [a for a in changed.values() if a.normalized_name in before]
        result.updated = len(updated)
        result.unchanged -= len(updated)
        audit_record_many(
            actor=actor,
            action="agency.notes",
            objs=updated,
            changes={"notes": "added from an agency list"},
            city_attr="home_city_id",
        )
        scope.touch(*(a.home_city_id for a in updated))
    return result
