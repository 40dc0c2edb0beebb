"""The columns of a bulk data table, read off the public API serializer that serves its rows.

Each serializer field becomes one column (a nested object one column per field, named
``owner_slug``), typed from the field's class, and described by its help text or, for fields
the serializer takes from the model, the model field's translated name. A snapshot therefore
holds exactly the columns the API serves: no column can reach a file that the API leaves out.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise, lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ColumnType(enum.StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TEXT = "text"


TYPE_LABELS = {
    ColumnType.INTEGER: _("integer"),
    ColumnType.NUMBER: _("decimal number"),
    ColumnType.BOOLEAN: _("true or false"),
    ColumnType.DATE: _("date (YYYY-MM-DD)"),
    ColumnType.DATETIME: _("date and time (UTC, ISO 8601)"),
    ColumnType.TEXT: _("text"),
}

# The first class a field is an instance of gives its column's type; anything else is text.
FIELD_TYPES: Sequence[tuple[type[serializers.Field], ColumnType]] = (
    (serializers.BooleanField, ColumnType.BOOLEAN),
    (serializers.IntegerField, ColumnType.INTEGER),
    (serializers.FloatField, ColumnType.NUMBER),
    (serializers.DateTimeField, ColumnType.DATETIME),
    (serializers.DateField, ColumnType.DATE),
)
RETURN_TYPES: Mapping[Any, ColumnType] = {
    bool: ColumnType.BOOLEAN,
    int: ColumnType.INTEGER,
    float: ColumnType.NUMBER,
    dt.datetime: ColumnType.DATETIME,
    dt.date: ColumnType.DATE,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str | Promise
    # Where the value sits in a serialized row: ("owner", "slug").
    path: tuple[str, ...]
    # The serializer fields along the path (the nested serializers, then the field).
    fields: tuple[serializers.Field, ...] = dc_field(default=(), compare=False, repr=False)


def _field_type(field: serializers.Field, parent: serializers.Serializer, name: str) -> ColumnType:
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(parent, field.method_name or f"get_{name}", None)
        hints = typing.get_type_hints(method) if method is not None else {}
        return RETURN_TYPES.get(hints.get("return"), ColumnType.TEXT)
    for cls, column_type in FIELD_TYPES:
        if isinstance(field, cls):
            return column_type
    return ColumnType.TEXT


def _description(
    field: serializers.Field, fallback: Mapping[str, str | Promise], key: str
) -> str | Promise:
    if field.help_text:
        return field.help_text
    # A model field's verbose name comes as a lazy translation; a label DRF made up from the
    # attribute's name is plain text and no description.
    if isinstance(field.label, Promise):
        return field.label
    # DRF leaves out a label equal to the one it derives from the name; the model field's
    # verbose name is still translated.
    verbose = _model_verbose_name(field)
    if verbose is not None:
        return capfirst(verbose)
    return fallback.get(key) or fallback.get(key.rsplit("_", 1)[-1], "")


def _model_verbose_name(field: serializers.Field) -> Any:
    parent = field.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        verbose = getattr(model._meta.get_field(field.source), "verbose_name", None)
    except FieldDoesNotExist:
        return None
    return verbose if isinstance(verbose, Promise) else None


def _prefixed(label: Any, description: Any) -> str:
    return f"{str(label).rstrip('.')}: {description}"


prefixed = lazy(_prefixed, str)


def serializer_columns(
    serializer: serializers.Serializer,
    *,
    exclude: Sequence[str] = (),
    descriptions: Mapping[str, str | Promise] | None = None,
) -> list[Column]:
    """The typed, described columns of ``serializer``'s rows, minus ``exclude`` (column names)."""
    fallback = descriptions or {}
    columns: list[Column] = []

    def walk(
        parent: serializers.Serializer,
        path: tuple[str, ...],
        chain: tuple[serializers.Field, ...],
        label: Any,
    ) -> None:
        for name, field in parent.fields.items():
            key = "_".join((*path, name))
            if key in exclude:
                continue
            if isinstance(field, serializers.Serializer):
                walk(field, (*path, name), (*chain, field), _description(field, fallback, key))
                continue
            description = _description(field, fallback, key)
            if label and description:
                description = prefixed(label, description)
            column_type = _field_type(field, parent, name)
            columns.append(Column(key, column_type, description, (*path, name), (*chain, field)))

    walk(serializer, (), (), None)
    names = [c.name for c in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Two fields flatten to the same column name: {duplicates}")
    return columns


def _text(value: Any) -> str | None:
    if type(value) is str or value is None:
        return value
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return ";".join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _datetime(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:  # the API serves UTC; a naive value is one already
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value in (None, "") else convert(value)


CONVERTERS: Mapping[ColumnType, Callable[[Any], Any]] = {
    ColumnType.INTEGER: _optional(int),
    ColumnType.NUMBER: _optional(float),
    ColumnType.BOOLEAN: lambda value: None if value is None else bool(value),
    ColumnType.DATE: _date,
    ColumnType.DATETIME: _datetime,
    ColumnType.TEXT: _text,
}


def row_values(columns: Sequence[Column], row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The typed values of one serialized row, in column order (None where absent)."""
    values = []
    for column in columns:
        value: Any = row
        for part in column.path:
            value = value.get(part) if isinstance(value, Mapping) else None
        values.append(CONVERTERS[column.type](value))
    return tuple(values)


# Fields whose value, read straight from the database, is already what the API serves; any
# other field of a text column has its own ``to_representation`` applied to that value.
RELATED_AS_IS = (serializers.SlugRelatedField, serializers.PrimaryKeyRelatedField)
UNPLANNABLE = (
    serializers.SerializerMethodField,
    serializers.ManyRelatedField,
    serializers.ListSerializer,
    serializers.ListField,
    serializers.JSONField,
)


def _lookup(column: Column) -> str | None:
    parts: list[str] = []
    for field in column.fields:
        if isinstance(field, UNPLANNABLE) or field.source == "*" or not field.source_attrs:
            return None
        if isinstance(field, serializers.Serializer) and getattr(field, "many", False):
            return None
        parts.extend(field.source_attrs)
    last = column.fields[-1]
    if isinstance(last, serializers.SlugRelatedField):
        parts.append(last.slug_field)
    return "__".join(parts)


# Text fields whose representation of a text value is that value: a CharField's is ``str()``,
# a choice field's the same choice.
VERBATIM = (serializers.CharField.to_representation, serializers.ChoiceField.to_representation)
# Other representations (flag names, state names, URLs) are remembered per value, up to this
# many values a column: a million searches carry a few hundred flag sets.
MEMO_MAX = 10_000


def _plan_converter(column: Column) -> Callable[[Any], Any]:
    convert = CONVERTERS[column.type]
    last = column.fields[-1]
    if column.type != ColumnType.TEXT or isinstance(last, RELATED_AS_IS):
        return convert
    default = last.default
    verbatim = type(last).to_representation in VERBATIM
    memo: dict[Any, Any] = {}

    def text(value: Any) -> Any:
        if value is None:
            # As the serializer: a missing related object gives the field's default, or null.
            return None if default is serializers.empty else convert(default)
        if verbatim and type(value) is str:
            return value
        found = memo.get(value)
        if found is None:
            found = convert(last.to_representation(value))
            if len(memo) < MEMO_MAX:
                memo[value] = found
        return found

    return text


def values_plan(columns: Sequence[Column]) -> tuple[list[str], list[Callable[[Any], Any]]] | None:
    """ORM lookups and converters that give each column's value straight from a ``values_list``
    of the list's queryset, skipping the serializer (and the model instances it needs) where
    every column is a plain field: the searches table is read this way. None otherwise."""
    lookups = [_lookup(column) for column in columns]
    if any(lookup is None for lookup in lookups):
        return None
    return [str(lookup) for lookup in lookups], [_plan_converter(c) for c in columns]
