"""The one shape of an audit row's ``changes``: ``{field: {"old": ..., "new": ...}}``.

A created row's fields have ``"old": None``, a deleted row's ``"new": None``; a private field
(an email, a phone, a plate) records only ``{"changed": True}``. Services, the admin and
commands build their diffs here, so the admin's audit page and the data migration that
converted older rows read one shape. Other keys an action adds (``"merged"``, ``"sha256"``)
are context about the action, not field changes, and keep their plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile

# Field-name words whose values never go into the audit log, only the fact that they changed.
PRIVATE_FIELD_WORDS = frozenset({"email", "password", "phone", "ip", "token", "secret", "plate"})
# Bookkeeping columns that change on every save and say nothing about what a clerk did.
AUDIT_IGNORED_FIELDS = frozenset({"created_at", "updated_at"})
JSON_SCALARS = (str, int, float, bool, type(None))
PRIVATE_CHANGE = {"changed": True}


def is_private_field(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether a field's values stay out of the audit log (only the fact it changed is kept)."""
    return name in extra or bool(PRIVATE_FIELD_WORDS.intersection(name.lower().split("_")))


def audit_json(value: Any) -> Any:
    """A JSON-safe rendering of a value: related rows by their name, dates as ISO text."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, (list, dict, *JSON_SCALARS)):
        return value
    # Decimals, UUIDs and lazy translations (a default such as "City Council") become text.
    return str(value)


def audit_value(obj: models.Model, field: models.Field) -> Any:
    """A JSON-safe rendering of one field's value, related rows by their name."""
    return audit_json(getattr(obj, field.name, None))


def audit_change(old: Any, new: Any) -> dict[str, Any]:
    """One field's entry: ``{"old": ..., "new": ...}`` in JSON-safe values."""
    return {"old": audit_json(old), "new": audit_json(new)}


def audit_diff(
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    private: Iterable[str] = (),
) -> dict[str, dict[str, Any]]:
    """``{field: {"old", "new"}}`` of the fields whose values differ between two snapshots;
    ``before=None`` is a creation and ``after=None`` a deletion (every field is kept)."""
    before, after = before or {}, after or {}
    changes: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = audit_json(before.get(name)), audit_json(after.get(name))
        if before and after and old == new:
            continue
        changes[name] = (
            dict(PRIVATE_CHANGE)
            if is_private_field(name, private)
            else {
                "old": old,
                "new": new,
            }
        )
    return changes


def audit_fields(obj: models.Model, field_names: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of a row's concrete fields (all but the key and bookkeeping columns
    unless ``field_names`` says which)."""
    values: dict[str, Any] = {}
    names = (
        field_names
        if field_names is not None
        else [f.name for f in obj._meta.concrete_fields if not f.primary_key]
    )
    for name in names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        # Reverse relations and generic keys are no columns of the row.
        if (
            isinstance(field, models.Field)
            and field.concrete
            and field.name not in AUDIT_IGNORED_FIELDS
        ):
            values[field.name] = audit_value(obj, field)
    return values


def audit_model_diff(
    *,
    obj: models.Model,
    old: models.Model | None,
    field_names: Iterable[str] | None = None,
    private: Iterable[str] = (),
) -> dict[str, dict[str, Any]]:
    """The diff between a row's stored version ``old`` (``None`` when new) and ``obj``, over
    the fields named (all concrete fields by default)."""
    names = list(field_names) if field_names is not None else None
    after = audit_fields(obj, names)
    before = audit_fields(old, list(after)) if old is not None else None
    return audit_diff(before=before, after=after, private=private)


def audit_model_deleted(
    *, obj: models.Model, private: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """The public values of a row about to be deleted, as ``{"old": value, "new": None}``;
    private fields are left out."""
    values = {
        name: value
        for name, value in audit_fields(obj).items()
        if not is_private_field(name, private)
    }
    return audit_diff(before=values, after=None)


def audit_entries(changes: Mapping[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """``(field, kind, old, new)`` rows for display: kind is ``"change"``, ``"private"`` or
    ``"context"`` (a plain value an action recorded about itself)."""
    rows: list[tuple[str, str, Any, Any]] = []
    for name, entry in changes.items():
        if isinstance(entry, dict) and entry == PRIVATE_CHANGE:
            rows.append((name, "private", None, None))
        elif isinstance(entry, dict) and set(entry) == {"old", "new"}:
            rows.append((name, "change", entry["old"], entry["new"]))
        else:
            rows.append((name, "context", None, entry))
    return rows
