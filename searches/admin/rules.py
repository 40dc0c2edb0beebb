"""Classification rules in the admin: reason categories with their ordered patterns, offense
types and their families, and a read-only list of the distinct reasons.

The rules are national, not per city: clerks may view them (``portal/permissions.py``); only
users holding the model's add/change/delete permissions (superusers, or an "Analysts" group a
superuser grants them to) edit them. Every edit is audited field by field and then goes through
``search_rules_changed``, which bumps the rule-set version and reclassifies history in the
background.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Value, When
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import CityScopedAdmin
from core.subqueries import count_subquery
from searches.admin.national import NationalAdmin
from searches.classifier import classify, normalize
from searches.models import (
    CONCERN_FLAGS,
    FLAG_LABELS,
    FLAG_NAMES,
    OffenseType,
    Reason,
    ReasonCategory,
    ReasonPattern,
    Search,
    SearchRollup,
)
from searches.selectors.rules import OffenseTypeCounts, offense_type_list, rules_current
from searches.services.reclassification import search_rules_changed

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

CONCERN_CHOICES = [
    (str(int(bit)), FLAG_LABELS[name]) for name, bit in FLAG_NAMES.items() if bit & CONCERN_FLAGS
]


def flag_labels(flags: int) -> str:
    return ", ".join(str(FLAG_LABELS[n]) for n, bit in FLAG_NAMES.items() if flags & bit) or "—"


class FlagsField(forms.TypedMultipleChoiceField):
    """Concern flags as checkboxes, stored as the bit mask the models keep."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", CONCERN_CHOICES)
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [str(int(bit)) for _n, bit in FLAG_NAMES.items() if value & bit]
        return value

    def clean(self, value) -> int:
        mask = 0
        for bit in super().clean(value):
            mask |= bit
        return mask

    def has_changed(self, initial, data) -> bool:
        try:
            return self.clean(data) != (initial or 0)
        except forms.ValidationError:
            return True


class ReasonCategoryForm(forms.ModelForm):
    flags = FlagsField(
        label=_("Concern flags"),
        help_text=_("Every search in this category carries these flags."),
    )

    class Meta:
        model = ReasonCategory
        fields = [
            "name",
            "slug",
            "kind",
            "priority",
            "flags",
            "is_active",
            "description",
            "examples",
            "limits",
        ]


class ReasonPatternForm(forms.ModelForm):
    flags = FlagsField(
        label=_("Extra flags"),
        help_text=_("Added when this pattern matches, whatever the category."),
    )

    class Meta:
        model = ReasonPattern
        fields = ["position", "kind", "pattern", "flags", "note"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, pattern = data.get("kind"), data.get("pattern") or ""
        if kind == ReasonPattern.Kind.REGEX:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.add_error("pattern", _("Not a valid regular expression: %s") % exc)
        elif kind in (ReasonPattern.Kind.WORDS, ReasonPattern.Kind.EXACT) and not normalize(
            pattern
        ):
            self.add_error(
                "pattern",
                _("Letters or digits needed: patterns match the reason without punctuation."),
            )
        return data


class ReasonPatternInline(admin.TabularInline):
    model = ReasonPattern
    form = ReasonPatternForm
    extra = 1
    ordering = ["position", "pk"]


class RulesAdmin(NationalAdmin):
    """Rules are national: audited edits, and a reclassification after each."""

    changed = staticmethod(search_rules_changed)


class TryReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason as written"), required=False, max_length=2000)
    offense_type = forms.CharField(
        label=_("Offense type(s)"),
        required=False,
        max_length=500,
        help_text=_('Several joined with ", ", as audits write them.'),
    )


@admin.register(ReasonCategory)
class ReasonCategoryAdmin(RulesAdmin):
    form = ReasonCategoryForm
    inlines = [ReasonPatternInline]
    list_display = [
        "name",
        "kind",
        "priority",
        "flags_display",
        "is_active",
        "pattern_count",
        "reason_count",
        "search_count",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "description", "patterns__pattern"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["priority", "name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_patterns=count_subquery(ReasonPattern, "category"),
                n_reasons=count_subquery(Reason, "category"),
                n_searches=count_subquery(SearchRollup, "category", sum_of="searches"),
            )
        )

    @admin.display(description=_("flags"))
    def flags_display(self, obj: ReasonCategory) -> str:
        return flag_labels(obj.flags)

    @admin.display(description=_("patterns"), ordering="n_patterns")
    def pattern_count(self, obj) -> int:
        return obj.n_patterns

    @admin.display(description=_("distinct reasons"), ordering="n_reasons")
    def reason_count(self, obj) -> int:
        return obj.n_reasons

    @admin.display(description=_("searches"), ordering="n_searches")
    def search_count(self, obj) -> int:
        return obj.n_searches

    def get_urls(self):
        urls = [
            path(
                "try/",
                self.admin_site.admin_view(self.try_view),
                name="searches_reasoncategory_try",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "try_url": reverse("admin:searches_reasoncategory_try"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def try_view(self, request):
        """Show how the current rules classify a reason typed in, without saving anything."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TryReasonForm(request.GET or None)
        result = None
        if form.is_bound and form.is_valid():
            rules = rules_current()
            outcome = classify(
                form.cleaned_data["reason"], form.cleaned_data["offense_type"], rules=rules
            )
            names = {c.slug: c.name for c in rules.by_id.values()}
            family = (
                rules.by_id.get(outcome.offense_family_id) if outcome.offense_family_id else None
            )
            result = {
                "normalized": normalize(form.cleaned_data["reason"]),
                "category": rules.by_id.get(outcome.category_id) if outcome.category_id else None,
                "flags": flag_labels(outcome.flags),
                "matched": [names.get(slug, slug) for slug in outcome.matched],
                "family": family,
                "unknown_offenses": outcome.unknown_offenses,
            }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Try a reason"),
            "form": form,
            "result": result,
            "rules_version": rules_current().version,
        }
        return TemplateResponse(request, "admin/searches/try_reason.html", context)


class MappedFilter(admin.SimpleListFilter):
    title = _("mapping")
    parameter_name = "mapped"

    def lookups(self, request, model_admin):
        return [("no", _("Unmapped")), ("yes", _("Mapped"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(family__isnull=True)
        if self.value() == "yes":
            return queryset.filter(family__isnull=False)
        return queryset


@admin.register(OffenseType)
class OffenseTypeAdmin(RulesAdmin):
    """Offense types as audits write them. Unmapped ones come first, most searches first, so
    clerks see what to map; choosing a family reclassifies history in the background."""

    list_display = ["name", "family", "search_count", "reasons_link"]
    list_editable = ["family"]
    list_filter = [MappedFilter, "family"]
    search_fields = ["name"]
    fields = ["name", "family"]

    def get_queryset(self, request):
        return offense_type_list()

    def get_ordering(self, request):
        unmapped_first = Case(When(family__isnull=True, then=Value(0)), default=Value(1))
        return [unmapped_first.asc(), F("n_searches").desc(), "name"]

    def changelist_view(self, request, extra_context=None):
        unmapped = offense_type_list().filter(family__isnull=True)
        count = unmapped.count() if request.method == "GET" else 0
        if count:
            searches = sum(unmapped.values_list("n_searches", flat=True))
            self.message_user(
                request,
                ngettext(
                    "%(count)s offense type has no offense family yet (%(searches)s searches "
                    "carry it): choose one to count those searches in it.",
                    "%(count)s offense types have no offense family yet (%(searches)s searches "
                    "carry them): choose one to count those searches in it.",
                    count,
                )
                % {"count": count, "searches": searches},
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description=_("searches"), ordering="n_searches")
    def search_count(self, obj: WithAnnotations[OffenseType, OffenseTypeCounts]) -> int:
        return obj.n_searches

    @admin.display(description=_("reasons"))
    def reasons_link(self, obj: WithAnnotations[OffenseType, OffenseTypeCounts]) -> str:
        url = reverse("admin:searches_reason_changelist") + "?" + urlencode({"q": obj.name})
        return format_html(
            '<a href="{}">{}</a>',
            url,
            ngettext("%(n)s reason", "%(n)s reasons", obj.n_reasons) % {"n": obj.n_reasons},
        )


class FlagFilter(admin.SimpleListFilter):
    title = _("flag")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [(n, FLAG_LABELS[n]) for n, bit in FLAG_NAMES.items() if bit & CONCERN_FLAGS]

    def queryset(self, request, queryset):
        bit = FLAG_NAMES.get(self.value() or "")
        if bit is None:
            return queryset
        return queryset.annotate(_bit=F("flags").bitand(int(bit))).filter(_bit__gt=0)


@admin.register(Reason)
class ReasonAdmin(CityScopedAdmin):
    """Distinct reasons as written and how they are classified: read-only, for reviewing rules."""

    list_display = ["short_text", "offense_text", "category", "flags_display", "search_count"]
    list_filter = ["category", FlagFilter]
    search_fields = ["text", "offense_text"]
    list_select_related = ["category"]
    show_full_result_count = False  # an exact count of a large table on every page is slow
    fields = (
        "text",
        "offense_text",
        "category",
        "offense_family",
        "flags_display",
        "rules_version",
    )
    readonly_fields = fields

    def scope(self, request, queryset):
        return queryset

    def get_queryset(self, request):
        # A correlated count on the reason index, for the rows of one page only; not sortable.
        return super().get_queryset(request).annotate(n_searches=count_subquery(Search, "reason"))

    @admin.display(description=_("reason as written"), ordering="text")
    def short_text(self, obj: Reason) -> str:
        return str(obj)

    @admin.display(description=_("flags"))
    def flags_display(self, obj: Reason) -> str:
        return flag_labels(obj.flags)

    @admin.display(description=_("searches"))
    def search_count(self, obj) -> int:
        return obj.n_searches

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
