"""Correlated per-row counts for querysets that page: one small subquery per shown row instead
of a join with GROUP BY that would count every row of a big table first."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Count, IntegerField, Model, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def count_subquery(
    model: type[Model] | str, field: str, *, sum_of: str | None = None, **filters: Any
) -> Coalesce:
    """The number of ``model`` rows whose ``field`` points at the outer row (0 when none), or
    the sum of their ``sum_of`` column; ``model`` may be an ``"app.Model"`` label so that lower
    apps can count rows of higher ones without importing them."""
    if isinstance(model, str):
        model = apps.get_model(model)
    counted = (
        model._default_manager.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Sum(sum_of) if sum_of else Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
