"""One mixin for every clerk-facing ModelAdmin.

A clerk sees and edits only their cities' rows; superusers see everything. The mixin scopes the
changelist, every object URL, foreign-key choices and autocomplete, keeps new rows inside the
clerk's cities, and writes an audit row (old and new values) for every change made in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.fields.related import RelatedField
from django.http import HttpRequest

from core.audit import audit_model_deleted, audit_model_diff
from core.models import City
from core.services import audit_record

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # The mixin is only ever combined with ModelAdmin, whose methods it extends.
    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object

_FilterT = TypeVar("_FilterT", bound=admin.FieldListFilter)
_ModelT = TypeVar("_ModelT", bound=models.Model)


def scope_queryset(
    queryset: QuerySet[_ModelT],
    *,
    user,
    city_field: str | None = None,
    owner_field: str | None = None,
) -> QuerySet[_ModelT]:
    """The rows of ``queryset`` a user may manage: the model's ``get_viewable`` when it has one,
    else rows whose ``city_field`` is one of the user's cities; plus rows ``owner_field`` ties to
    the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if hasattr(queryset, "get_viewable"):
        if not owner_field:
            return queryset.get_viewable(user)
        manager = queryset.model._default_manager
        assert hasattr(manager, "get_viewable")  # the model's manager is built from its QuerySet
        visible = Q(pk__in=manager.get_viewable(user).values("pk"))
    elif city_field:
        visible = Q(**{f"{city_field}__in": City.objects.get_viewable(user)})
    else:
        return queryset.none()
    if owner_field:
        visible |= Q(**{owner_field: user})
    return queryset.filter(visible)


def only_city(user) -> City | None:
    """The one city a clerk manages, to preselect it in forms; None for several or none."""
    if user.is_superuser:
        return None
    cities = list(City.objects.get_viewable(user)[:2])
    return cities[0] if len(cities) == 1 else None


def titled(filter_class: type[_FilterT], title: StrOrPromise) -> type[_FilterT]:
    """``filter_class`` under another title: two filters on fields both named "kind" or "state"
    (the owner's and the recipient's) would otherwise read the same."""

    # mypy cannot check a class whose base is a variable.
    class TitledFilter(filter_class):  # type: ignore[valid-type, misc]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter


class CityScopedAdminMixin(_ModelAdminBase):
    """Scope a ModelAdmin to the request user's cities and audit every change.

    ``city_field`` is the lookup path from the model to its City (``"agency__home_city"``), used
    when the model has no ``get_viewable``; ``owner_field`` names a user foreign key whose rows
    the user also sees (``"created_by"``); ``unscoped_fk_fields`` are foreign keys a clerk may
    point at any row (a sharing agreement's recipient is usually another city's agency);
    ``preselect_city`` fills a new row's ``city`` with the clerk's city when they have one.
    """

    city_field: str | None = None
    owner_field: str | None = None
    unscoped_fk_fields: tuple[str, ...] = ()
    audit_private_fields: tuple[str, ...] = ()
    preselect_city = False

    # --- scoping -------------------------------------------------------------------------

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return scope_queryset(
            queryset,
            user=request.user,
            city_field=self.city_field,
            owner_field=self.owner_field,
        )

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def in_scope(self, request: HttpRequest, obj: models.Model | None, *, fresh=False) -> bool:
        """Whether ``obj`` is one of the rows this user may manage (``None``: no object yet)."""
        if obj is None or obj.pk is None or request.user.is_superuser:
            return True
        # Django asks for several permissions per page; one query per object is enough.
        cache = request.__dict__.setdefault("_admin_scope_cache", {})
        key = (obj._meta.label, obj.pk)
        if fresh or key not in cache:
            rows = self.model._default_manager.filter(pk=obj.pk)
            cache[key] = self.scope(request, rows).exists()
        return cache[key]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def get_changeform_initial_data(self, request):
        # Django's initial data are query-string values; a preselected city is its key.
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        if self.preselect_city:
            city = only_city(request.user)
            if city is not None:
                initial.setdefault("city", city.pk)
        return initial

    @property
    def scope_fk_name(self) -> str | None:
        """The foreign key that places a row in a city; clerks must always fill it."""
        return self.city_field.split("__")[0] if self.city_field else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if (
            "queryset" not in kwargs
            and db_field.name not in self.unscoped_fk_fields
            and hasattr(related._default_manager, "get_viewable")
        ):
            kwargs["queryset"] = related._default_manager.get_viewable(request.user)
        if not request.user.is_superuser and db_field.name == self.scope_fk_name:
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        field = self._unscoped_autocomplete_field(request)
        if field is not None:
            queryset = self.model._default_manager.complex_filter(field.get_limit_choices_to())
        return super().get_search_results(request, queryset, search_term)

    def _unscoped_autocomplete_field(self, request: HttpRequest) -> RelatedField[Any, Any] | None:
        """The source field of an autocomplete request for a field listed as unscoped."""
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "autocomplete":
            return None
        try:
            source_model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            field = source_model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, FieldDoesNotExist):
            return None
        source_admin = self.admin_site._registry.get(source_model)
        # Only foreign keys are listed as unscoped (and autocomplete serves nothing else).
        if not isinstance(field, RelatedField):
            return None
        if field.name not in getattr(source_admin, "unscoped_fk_fields", ()):
            return None
        return field

    def ensure_in_scope(self, request: HttpRequest, obj: models.Model) -> None:
        """Refuse a save that would put a row outside the user's cities (the caller's
        transaction rolls it back)."""
        if not self.in_scope(request, obj, fresh=True):
            raise PermissionDenied

    # --- audit ---------------------------------------------------------------------------

    def audit_city(self, request: HttpRequest, obj: models.Model) -> City | None:
        """The city an audit row about ``obj`` belongs to, following ``city_field``."""
        value: Any = obj
        for part in (self.city_field or "").split("__"):
            if not part:
                return None
            value = getattr(value, part, None)
            if value is None:
                return None
        return value if isinstance(value, City) else None

    def audit_changes(
        self,
        obj: models.Model,
        old: models.Model | None,
        field_names: Iterable[str],
    ) -> dict[str, Any]:
        """``{field: {"old": ..., "new": ...}}`` for the model fields named; private fields
        only record that they changed."""
        return audit_model_diff(
            obj=obj, old=old, field_names=field_names, private=self.audit_private_fields
        )

    def audit_snapshot(self, obj: models.Model) -> dict[str, Any]:
        """The public values of a row about to be deleted."""
        return audit_model_deleted(obj=obj, private=self.audit_private_fields)

    def audit(
        self,
        request: HttpRequest,
        obj: models.Model,
        verb: str,
        *,
        changes: dict[str, Any],
        city: City | None = None,
    ) -> None:
        audit_record(
            actor=request.user if request.user.is_authenticated else None,
            action=f"{obj._meta.model_name}.{verb}",
            obj=obj,
            city=city if city is not None else self.audit_city(request, obj),
            changes=changes,
        )

    def changed_values(self, obj: models.Model, form: Any) -> dict[str, Any]:
        """The values the form changed on ``obj``, for a service that saves and audits it
        (many-to-many fields are the form's to save afterwards)."""
        concrete = {f.name for f in obj._meta.concrete_fields}
        return {name: getattr(obj, name) for name in form.changed_data if name in concrete}

    def save_model(self, request, obj, form, change):
        old = self.model._default_manager.filter(pk=obj.pk).first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self.ensure_in_scope(request, obj)
            changes = self.audit_changes(obj, old, form.changed_data)
            if changes or not change:
                self.audit(request, obj, "change" if change else "create", changes=changes)

    def delete_model(self, request, obj):
        with transaction.atomic():
            self.audit(request, obj, "delete", changes=self.audit_snapshot(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.audit(request, obj, "delete", changes=self.audit_snapshot(obj))
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Save inline rows one by one so each change is audited against the parent's city."""
        parent = form.instance
        city = self.audit_city(request, parent)
        with transaction.atomic():
            formset.save(commit=False)
            for obj in formset.deleted_objects:
                self.audit(request, obj, "delete", changes=self.audit_snapshot(obj), city=city)
                obj.delete()
            for obj, changed in formset.changed_objects:
                old = type(obj)._default_manager.filter(pk=obj.pk).first()
                self.save_inline_object(request, obj, parent=parent)
                changes = self.audit_changes(obj, old, changed)
                if changes:
                    self.audit(request, obj, "change", changes=changes, city=city)
            for obj in formset.new_objects:
                if self.save_inline_object(request, obj, parent=parent):
                    fields = [f.name for f in obj._meta.concrete_fields if not f.primary_key]
                    changes = self.audit_changes(obj, None, fields)
                    self.audit(request, obj, "create", changes=changes, city=city)
            formset.save_m2m()

    def save_inline_object(self, request: HttpRequest, obj: models.Model, *, parent) -> bool:
        """Save one inline row; return False when a service saved and audited it already."""
        obj.save()
        return True


class CityScopedAdmin(CityScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin scoped to the user's cities, with the portal's list defaults."""

    list_per_page = 50
    # Counting millions of rows twice per page is wasted work on the big tables.
    show_full_result_count = False


class ReadOnlyScopedAdmin(CityScopedAdmin):
    """A scoped, read-only view of rows the system writes (audit log, import row errors)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
