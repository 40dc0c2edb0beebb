"""The base of the admins of national rows (classification rules, scrub patterns): every clerk
sees them all, and a service records each edit and re-applies the rows to stored history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.admin_scoping import CityScopedAdmin


class NationalAdmin(CityScopedAdmin):
    """No city scoping; ``changed`` (a service taking ``actor``, ``obj`` and ``action``, set
    with ``staticmethod``) runs after every add, change and delete, inlines included."""

    changed: Callable[..., Any]

    def scope(self, request, queryset):
        return queryset

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.changed(actor=request.user, obj=form.instance, action="change" if change else "add")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.changed(actor=request.user, obj=obj, action="delete")

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self.changed(actor=request.user, action="delete")
