"""Reads of the classification rules: compiled once per process, for the classifier, and as
readers see them on the methodology page and beside a flagged search."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from core.models import Agency, StateLawProfile
from searches.classifier import (
    OFFENSE_SEPARATOR,
    Classification,
    Rules,
    StateLaw,
    classify,
    rules_compile,
)
from searches.models import (
    FLAG_LABELS,
    FLAG_NAMES,
    USE_FLAGS,
    OffenseType,
    Reason,
    ReasonCategory,
    ReasonPattern,
    RuleSet,
    Search,
    SearchFlag,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def rules_load() -> Rules:
    """Compile the rules as they are in the database now (no cache)."""
    version = RuleSet.objects.order_by("pk").values_list("version", flat=True).first()
    patterns: dict[int, list[ReasonPattern]] = {}
    for p in ReasonPattern.objects.order_by("position", "pk"):
        patterns.setdefault(p.category_id, []).append(p)
    return rules_compile(
        version=version if version is not None else RuleSet._meta.get_field("version").default,
        categories=list(ReasonCategory.objects.order_by("priority", "name", "pk")),
        patterns=patterns,
        offenses=OffenseType.objects.values_list("name", "family_id"),
    )


_cache_lock = threading.Lock()
_cache: dict[str, tuple[object, Rules]] = {}


def rules_current() -> Rules:
    """The compiled rules, recompiled only when the rule set's version has moved."""
    # changed_at joins the key so that a version number reused after a rolled-back
    # transaction (tests, a failed admin save) never serves stale rules.
    key = RuleSet.objects.order_by("pk").values_list("version", "changed_at").first()
    with _cache_lock:
        cached = _cache.get("rules")
        if cached is None or cached[0] != key:
            cached = (key, rules_load())
            _cache["rules"] = cached
        return cached[1]


def rules_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


def state_laws() -> dict[str, StateLaw]:
    """Each state's law profile as the search flags read it."""
    laws: dict[str, StateLaw] = {}
    for state, uses, oos, fed in StateLawProfile.objects.values_list(
        "state", "forbidden_uses", "forbids_out_of_state_sharing", "forbids_federal_sharing"
    ):
        mask = 0
        for use in uses or []:
            mask |= USE_FLAGS.get(use, 0)
        laws[state] = StateLaw(mask, bool(oos), bool(fed))
    return laws


def classification_stamp() -> str:
    """Changes whenever what a new search's category and flags derive from changes (the rules'
    version, the state laws): an import that began under another stamp classifies again."""
    laws = sorted(state_laws().items())
    digest = hashlib.sha1(repr(laws).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{rules_current().version}:{digest}"


def reason_classify(text: str, offense_text: str = "") -> Classification:
    """Classify one reason as written (and its offense types) with the current rules."""
    return classify(text, offense_text, rules=rules_current())


def statutes_for(
    *, source_agency: Agency, searching_agency: Agency, flags: int | None = None
) -> list[StateLawProfile]:
    """The law profiles that bear on a search between two agencies: the source's state first.

    With ``flags`` (a search's or a rollup's), only the profiles behind its forbidden-use and
    forbidden-sharing bits are returned.
    """
    states = [s for s in dict.fromkeys([source_agency.state, searching_agency.state]) if s]
    profiles = {p.state: p for p in StateLawProfile.objects.filter(state__in=states)}
    ordered = [profiles[s] for s in states if s in profiles]
    if flags is None:
        return ordered
    wanted: list[StateLawProfile] = []
    for profile in ordered:
        mask = 0
        for use in profile.forbidden_uses or []:
            mask |= USE_FLAGS.get(use, 0)
        use_hit = bool(flags & SearchFlag.FORBIDDEN_USE) and bool(flags & mask)
        sharing_hit = (
            bool(flags & SearchFlag.FORBIDDEN_SHARING)
            and profile.state == source_agency.state
            and (
                (bool(flags & SearchFlag.OUT_OF_STATE) and profile.forbids_out_of_state_sharing)
                or (bool(flags & SearchFlag.FEDERAL) and profile.forbids_federal_sharing)
            )
        )
        if use_hit or sharing_hit:
            wanted.append(profile)
    return wanted


def rules_for_methodology() -> list[ReasonCategory]:
    """Active categories by priority, each with ``pattern_list``, ``example_list``,
    ``flag_labels`` and ``offense_type_names`` for the methodology page."""
    categories = list(
        ReasonCategory.objects.filter(is_active=True)
        .order_by("priority", "name")
        .prefetch_related(
            Prefetch("patterns", queryset=ReasonPattern.objects.order_by("position", "pk")),
            Prefetch("offense_types", queryset=OffenseType.objects.order_by("name")),
        )
    )
    # For the template; mypy knows only the attributes the model declares.
    for category in categories:
        category.pattern_list = list(category.patterns.all())  # type: ignore[attr-defined]
        category.example_list = [  # type: ignore[attr-defined]
            e.strip() for e in category.examples.splitlines() if e.strip()
        ]
        category.flag_labels = [  # type: ignore[attr-defined]
            FLAG_LABELS[name] for name, bit in FLAG_NAMES.items() if category.flags & bit
        ]
        category.offense_type_names = [  # type: ignore[attr-defined]
            o.name for o in category.offense_types.all()
        ]
    return categories


def law_for_flags(
    *,
    flags: int,
    source_state: str,
    searching_state: str,
    profiles: Mapping[str, StateLawProfile],
) -> StateLawProfile | None:
    """The state law a state-law flag rests on: the source's state for forbidden sharing, and
    for a forbidden use whichever of the two states forbids that use (the source's first)."""
    if flags & SearchFlag.FORBIDDEN_SHARING:
        return profiles.get(source_state)
    if flags & SearchFlag.FORBIDDEN_USE:
        uses = {use for use, bit in USE_FLAGS.items() if flags & bit}
        for state in (source_state, searching_state):
            profile = profiles.get(state)
            if profile and uses & set(profile.forbidden_uses or []):
                return profile
        return profiles.get(source_state)
    return None


def reason_category_list() -> QuerySet[ReasonCategory]:
    """Active reason categories with their ordered patterns, in priority order."""
    return (
        ReasonCategory.objects.filter(is_active=True)
        .prefetch_related("patterns")
        .order_by("priority", "name")
    )


class OffenseTypeCounts(TypedDict):
    n_reasons: int
    n_searches: int


def offense_type_list() -> QuerySet[WithAnnotations[OffenseType, OffenseTypeCounts]]:
    """Offense types with ``n_reasons`` and ``n_searches``: the distinct reasons and searches
    whose offense text names them (alone or among others joined by ", "), for clerks."""
    name, sep = OuterRef("name"), Value(OFFENSE_SEPARATOR)

    def names_it(field: str) -> Q:
        return (
            Q(**{f"{field}__iexact": name})
            | Q(**{f"{field}__istartswith": Concat(name, sep)})
            | Q(**{f"{field}__iendswith": Concat(sep, name)})
            | Q(**{f"{field}__icontains": Concat(sep, name, sep)})
        )

    def counted(queryset: QuerySet) -> QuerySet:
        return queryset.order_by().annotate(g=Value(1)).values("g").annotate(n=Count("pk"))

    n_reasons = counted(Reason.objects.filter(names_it("offense_text"))).values("n")
    n_searches = counted(Search.objects.filter(names_it("reason__offense_text"))).values("n")
    return OffenseType.objects.select_related("family").annotate(
        n_reasons=Coalesce(Subquery(n_reasons, output_field=IntegerField()), 0),
        n_searches=Coalesce(Subquery(n_searches, output_field=IntegerField()), 0),
    )
