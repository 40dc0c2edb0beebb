"""How stated search reasons are classified, and the state-law flags searches carry.

Rules are data (``ReasonCategory``, ``ReasonPattern``, ``OffenseType``); this module compiles
them once per process and recompiles when ``RuleSet.version`` changes. Classification runs on
the distinct reasons in Python, then searches are updated by one set-based join:

1. ``reasons_classify_pending`` classifies reasons whose ``rules_version`` is stale and writes
   only the rows whose result changed.
2. ``searches_apply_classification`` copies each reason's category and concern flags onto its
   searches and adds the bits computed from the agencies and their states' law profiles
   (forbidden use, forbidden sharing, out of state, federal), touching only changed rows.
3. ``searches_reclassify`` runs both for all history and moves the changed searches' counts
   between rollup groups; rule edits in the admin call ``search_rules_changed``, which queues
   it. ``searches_reflag`` does the same after a state law profile changes.

The rules, in order:

* The reason is normalized: case folded, every character that is not a letter or a digit
  becomes a space, spaces collapse. So ``ICE+ERO`` reads ``ice ero``, ``I.C.E.`` reads
  ``i c e`` and the scrubber's ``[plate]`` reads ``plate``; ``§`` reads ``sec``, so a statute
  typed as ``§459`` keeps its code word. Patterns of every kind match this normalized text.
* A *words* pattern matches whole words only: letters and digits are word characters, so
  ``ice`` never matches inside ``notice``, ``police`` or ``justice``, nor ``inv`` inside
  ``invoice``. A *regex* pattern is a regular expression over the normalized text; an *exact*
  pattern must equal the whole normalized reason.
* Specific beats vague: the primary category is the matching active concern or offense
  category with the lowest priority; the catch-all buckets (kind *other*: blank, case number
  only, vague) count only when no such category matches, whatever their priority. So
  "suspect stole a credit card" is theft, not vague. The flags are the primary category's
  flags, the flags of every matching concern category (so a reason naming both ICE and a
  protest carries both) and the extra flags of every matching pattern.
* Offense types as written (``", "``-joined) map to offense families through ``OffenseType``.
  When the reason itself says nothing specific (its primary category is of kind *other*:
  vague, case number only, blank or unclassified) and an offense type is mapped, the search
  takes the offense family as its category and keeps the vague/blank/case-number flag, because
  the reason as written was still vague. A reason that names a concern or an offense family
  keeps it whatever the offense type says.
* A reason that matches nothing falls in the fallback category (slug ``other``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from core.audit import audit_change
from core.models import Agency, StateLawProfile
from core.services import audit_record
from searches.models import (
    CONCERN_FLAGS,
    OffenseType,
    Reason,
    ReasonCategory,
    ReasonPattern,
    RuleSet,
    Search,
    SearchFlag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

if TYPE_CHECKING:
    from searches.rollups import RollupDelta

logger = logging.getLogger(__name__)

FALLBACK_SLUG = "other"
OFFENSE_SEPARATOR = ", "
BATCH = 2000

# The StateLawProfile.forbidden_uses values that a concern flag stands for.
USE_FLAGS: dict[str, SearchFlag] = {
    StateLawProfile.ForbiddenUse.IMMIGRATION: SearchFlag.IMMIGRATION,
    StateLawProfile.ForbiddenUse.REPRODUCTIVE_CARE: SearchFlag.REPRODUCTIVE_CARE,
    StateLawProfile.ForbiddenUse.PROTEST: SearchFlag.PROTEST,
}
USE_CONCERNS = SearchFlag.IMMIGRATION | SearchFlag.REPRODUCTIVE_CARE | SearchFlag.PROTEST

# Any lock id will do as long as it is the same everywhere; this one spells "reclass".
_LOCK_ID = 0x7265636C617373

_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Case-fold, turn everything but letters and digits into spaces, collapse spaces."""
    # "§" would vanish with the other punctuation; officers type it instead of "PC" or "sec".
    text = (text or "").replace("§", " sec ")
    return _NON_WORD.sub(" ", text.casefold()).strip()


def offense_names(offense_text: str) -> list[str]:
    """The distinct offense types of a ``", "``-joined offense text, in order."""
    seen: dict[str, None] = {}
    for part in (offense_text or "").split(OFFENSE_SEPARATOR):
        part = " ".join(part.split())
        if part:
            seen.setdefault(part, None)
    return list(seen)


def _offense_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def words_regex(patterns: Iterable[str]) -> str:
    """One alternation of word patterns, each bounded by non-alphanumerics or the text's ends."""
    words = sorted({normalize(p) for p in patterns} - {""}, key=lambda w: (-len(w), w))
    if not words:
        return ""
    body = "|".join(re.escape(w).replace(r"\ ", " ") for w in words)
    # Normalized text has only letters, digits and single spaces, so \b is exactly the
    # letters-and-digits boundary we want.
    return rf"\b(?:{body})\b"


# --- compiled rules -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CompiledCategory:
    id: int
    slug: str
    name: str
    kind: str
    priority: int
    flags: int
    # (compiled regex, extra flags, pattern text) — patterns without extra flags share one regex
    tests: tuple[tuple[re.Pattern[str], int, str], ...]
    exact: frozenset[str]
    exact_flags: tuple[tuple[str, int], ...]

    def match(self, text: str) -> tuple[bool, int]:
        """Whether the normalized ``text`` matches, and the extra flags of matched patterns."""
        matched, extra = False, 0
        if text in self.exact:
            matched = True
            for value, flags in self.exact_flags:
                if value == text:
                    extra |= flags
        for regex, flags, _source in self.tests:
            if (flags or not matched) and regex.search(text):
                matched = True
                extra |= flags
        return matched, extra


@dataclasses.dataclass(frozen=True)
class Rules:
    version: int
    categories: tuple[CompiledCategory, ...]  # active ones, by priority
    by_id: dict[int, CompiledCategory]
    offenses: dict[str, int | None]  # offense type (case-folded) -> family id
    fallback_id: int | None


@dataclasses.dataclass(frozen=True)
class Classification:
    category_id: int | None
    category_slug: str
    flags: int
    offense_family_id: int | None
    matched: tuple[str, ...] = ()  # slugs of every matching category, primary first
    unknown_offenses: tuple[str, ...] = ()  # offense types no OffenseType row knows yet

    @property
    def flag_names(self) -> list[str]:
        from searches.models import FLAG_NAMES

        return [name for name, bit in FLAG_NAMES.items() if self.flags & bit]


def _compile_category(
    category: ReasonCategory, patterns: Sequence[ReasonPattern]
) -> CompiledCategory:
    tests: list[tuple[re.Pattern[str], int, str]] = []
    plain_words = [p.pattern for p in patterns if p.kind == p.Kind.WORDS and not p.flags]
    if source := words_regex(plain_words):
        tests.append((re.compile(source), 0, source))
    exact: set[str] = set()
    exact_flags: list[tuple[str, int]] = []
    for p in patterns:
        if p.kind == p.Kind.WORDS and p.flags:
            if source := words_regex([p.pattern]):
                tests.append((re.compile(source), p.flags & CONCERN_FLAGS, source))
        elif p.kind == p.Kind.REGEX:
            try:
                tests.append((re.compile(p.pattern), p.flags & CONCERN_FLAGS, p.pattern))
            except re.error:
                # The admin form validates patterns; a bad one from elsewhere must not stop
                # every import, so it is skipped and logged.
                logger.warning("Skipping invalid reason pattern %s: %r", p.pk, p.pattern)
        elif p.kind == p.Kind.EXACT:
            value = normalize(p.pattern)
            exact.add(value)
            if p.flags:
                exact_flags.append((value, p.flags & CONCERN_FLAGS))
    return CompiledCategory(
        id=category.pk,
        slug=category.slug,
        name=category.name,
        kind=category.kind,
        priority=category.priority,
        flags=category.flags & CONCERN_FLAGS,
        tests=tuple(tests),
        exact=frozenset(exact),
        exact_flags=tuple(exact_flags),
    )


def rules_load() -> Rules:
    """Compile the rules as they are in the database now (no cache)."""
    ruleset = ruleset_get()
    categories = list(ReasonCategory.objects.order_by("priority", "name", "pk"))
    patterns: dict[int, list[ReasonPattern]] = {}
    for p in ReasonPattern.objects.order_by("position", "pk"):
        patterns.setdefault(p.category_id, []).append(p)
    compiled = [_compile_category(c, patterns.get(c.pk, [])) for c in categories]
    active = tuple(c for c, row in zip(compiled, categories, strict=True) if row.is_active)
    fallback = next((c for c in active if c.slug == FALLBACK_SLUG), None)
    offenses = {
        _offense_key(name): family_id
        for name, family_id in OffenseType.objects.values_list("name", "family_id")
    }
    active_ids = {c.id for c in active}
    # A mapping to an inactive family counts as no mapping.
    offenses = {k: (v if v in active_ids else None) for k, v in offenses.items()}
    return Rules(
        version=ruleset.version,
        categories=tuple(c for c in active if c.slug != FALLBACK_SLUG),
        by_id={c.id: c for c in compiled},
        offenses=offenses,
        fallback_id=fallback.id if fallback else None,
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


def classify(text: str, offense_text: str = "", *, rules: Rules | None = None) -> Classification:
    """Classify one reason as written (and its offense types) with the current rules."""
    rules = rules or rules_current()
    normalized = normalize(text)
    primary: CompiledCategory | None = None
    bucket: CompiledCategory | None = None  # the first matching catch-all (kind other)
    matched: list[str] = []
    flags = 0
    for category in rules.categories:  # by priority, so the first match of a kind wins
        hit, extra = category.match(normalized)
        if not hit:
            continue
        matched.append(category.slug)
        flags |= extra
        if category.kind == ReasonCategory.Kind.OTHER:
            bucket = bucket or category
        elif primary is None:
            primary = category
        if category.kind == ReasonCategory.Kind.CONCERN:
            flags |= category.flags
    primary = primary or bucket
    if primary is not None:
        flags |= primary.flags
        matched.remove(primary.slug)
        matched.insert(0, primary.slug)

    family: CompiledCategory | None = None
    unknown: list[str] = []
    for name in offense_names(offense_text):
        key = _offense_key(name)
        if key not in rules.offenses:
            unknown.append(name)
            continue
        candidate = rules.by_id.get(rules.offenses[key]) if rules.offenses[key] else None
        if candidate is not None and (family is None or candidate.priority < family.priority):
            family = candidate

    category = primary
    if family is not None and (primary is None or primary.kind == ReasonCategory.Kind.OTHER):
        category = family
        flags |= family.flags
    if category is None and rules.fallback_id is not None:
        category = rules.by_id[rules.fallback_id]
        flags |= category.flags
    return Classification(
        category_id=category.id if category else None,
        category_slug=category.slug if category else "",
        flags=int(flags & CONCERN_FLAGS),
        offense_family_id=family.id if family else None,
        matched=tuple(matched),
        unknown_offenses=tuple(unknown),
    )


# --- writes ---------------------------------------------------------------------------------


def ruleset_get() -> RuleSet:
    """The single rule-set row, created on first use."""
    ruleset = RuleSet.objects.order_by("pk").first()
    return ruleset if ruleset is not None else RuleSet.objects.create()


def _serialize() -> None:
    """Serialize classification writers (imports and reclassification) inside a transaction.

    PostgreSQL: a transaction-level advisory lock, so a rule edit in the admin never waits for
    a long reclassification. SQLite already lets one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _write_reasons(rows: list[tuple[int, int | None, int | None, int]], version: int) -> None:
    """Set (category, offense family, flags) and the rules version of reasons by one join."""
    if not rows:
        return
    table = Reason._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [value for row in rows for value in row]
    # VALUES columns are column1..4 on both PostgreSQL and SQLite; the casts type NULL columns.
    sql = f"""
        UPDATE {table} SET
            category_id = CAST(v.column2 AS integer),
            offense_family_id = CAST(v.column3 AS integer),
            flags = CAST(v.column4 AS integer),
            rules_version = {int(version)}
        FROM (VALUES {values}) AS v
        WHERE {table}.id = CAST(v.column1 AS bigint)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def reasons_classify_pending(*, reason_ids: Iterable[int] | None = None) -> int:
    """Classify reasons not yet classified with the current rules (or the given ones).

    Only reasons whose result changed are rewritten with their classification; the others just
    get the new rules version. Offense types never seen before are added, unmapped, for clerks
    to map. Returns how many reasons changed.
    """
    return len(_classify_pending(reason_ids=reason_ids))


def _classify_pending(*, reason_ids: Iterable[int] | None = None) -> list[int]:
    """The work of ``reasons_classify_pending``; returns the ids of the reasons that changed."""
    _serialize()
    rules = rules_current()
    qs = Reason.objects.all()
    if reason_ids is not None:
        ids = list(reason_ids)
        if not ids:
            return []
        qs = qs.filter(pk__in=ids)
    else:
        qs = qs.exclude(rules_version=rules.version)
    fields = ("pk", "text", "offense_text", "category_id", "offense_family_id", "flags")
    changed_ids: list[int] = []
    unknown: dict[str, None] = {}
    last_pk = 0
    while True:
        batch = list(qs.filter(pk__gt=last_pk).order_by("pk").values_list(*fields)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1][0]
        changed: list[tuple[int, int | None, int | None, int]] = []
        same: list[int] = []
        for pk, text, offense_text, category_id, family_id, flags in batch:
            result = classify(text, offense_text, rules=rules)
            for name in result.unknown_offenses:
                unknown.setdefault(name, None)
            new = (result.category_id, result.offense_family_id, result.flags)
            if new != (category_id, family_id, flags):
                changed.append((pk, *new))
            else:
                same.append(pk)
        _write_reasons(changed, rules.version)
        if same:
            Reason.objects.filter(pk__in=same).update(rules_version=rules.version)
        changed_ids.extend(row[0] for row in changed)
    if unknown:
        OffenseType.objects.bulk_create(
            [OffenseType(name=name[:300]) for name in unknown], ignore_conflicts=True
        )
    return changed_ids


def law_values_sql() -> tuple[str, list[object]]:
    """A per-state VALUES table: (state, forbidden-use flag mask, forbids out of state, federal)."""
    rows: list[tuple[str, int, int, int]] = []
    for state, uses, oos, fed in StateLawProfile.objects.values_list(
        "state", "forbidden_uses", "forbids_out_of_state_sharing", "forbids_federal_sharing"
    ):
        mask = 0
        for use in uses or []:
            mask |= USE_FLAGS.get(use, 0)
        rows.append((state, mask, int(oos), int(fed)))
    if not rows:
        rows.append(("", 0, 0, 0))  # VALUES cannot be empty; a row of zeros changes nothing
    params: list[object] = []
    for row in rows:
        params.extend(row)
    return ", ".join(["(%s, %s, %s, %s)"] * len(rows)), params


def flags_sql() -> str:
    """The flags of a search from its reason ``r``, agencies ``src``/``sa`` and laws ``ls``/``la``.

    Out of state: both states known and different (as for sharing agreements). Federal: the
    searching agency's kind. Forbidden use: a concern the reason carries is a use the source's
    or the searcher's state forbids. Forbidden sharing: out of state and the source's state
    forbids out-of-state sharing, or federal and it forbids federal sharing.
    """
    out_of_state = "(src.state <> '' AND sa.state <> '' AND src.state <> sa.state)"
    federal = f"(sa.kind = '{Agency.Kind.FEDERAL.value}')"
    return f"""(
        (r.flags & {int(CONCERN_FLAGS)})
        | CASE WHEN (r.flags & (COALESCE(ls.column2, 0) | COALESCE(la.column2, 0))) <> 0
               THEN {int(SearchFlag.FORBIDDEN_USE)} ELSE 0 END
        | CASE WHEN ({out_of_state} AND COALESCE(ls.column3, 0) = 1)
                 OR ({federal} AND COALESCE(ls.column4, 0) = 1)
               THEN {int(SearchFlag.FORBIDDEN_SHARING)} ELSE 0 END
        | CASE WHEN {out_of_state} THEN {int(SearchFlag.OUT_OF_STATE)} ELSE 0 END
        | CASE WHEN {federal} THEN {int(SearchFlag.FEDERAL)} ELSE 0 END
    )"""


def _apply(
    *,
    source_agency_ids: Iterable[int] | None = None,
    min_search_id: int | None = None,
    states: Iterable[str] | None = None,
    reason_ids: Sequence[int] | None = None,
    with_deltas: bool = False,
) -> tuple[int, list[RollupDelta]]:
    """Run the classification UPDATE; returns the rows changed and, when asked, what that
    does to each search rollup group."""
    table = Search._meta.db_table
    reason = Reason._meta.db_table
    agency = Agency._meta.db_table
    law_sql, law_params = law_values_sql()
    params: list[object] = []
    where: list[str] = []
    if source_agency_ids is not None:
        ids = sorted({int(i) for i in source_agency_ids})
        if not ids:
            return 0, []
        where.append(f"s.source_agency_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    if min_search_id is not None:
        where.append("s.id >= %s")
        params.append(int(min_search_id))
    if states is not None:
        states = sorted(set(states))
        if not states:
            return 0, []
        marks = ", ".join(["%s"] * len(states))
        where.append(f"(src.state IN ({marks}) OR sa.state IN ({marks}))")
        params.extend(states + states)
    if reason_ids is not None:
        if not reason_ids:
            return 0, []
        if connection.vendor == "postgresql":
            where.append("s.reason_id = ANY(%s)")
            params.append(list(reason_ids))
        else:
            where.append(f"s.reason_id IN ({', '.join(['%s'] * len(reason_ids))})")
            params.extend(reason_ids)
    flags = flags_sql()
    extra = "".join(f" AND {w}" for w in where)
    law = f"(SELECT * FROM (VALUES {law_sql}) AS l)"
    # The law table is written inline twice rather than as a CTE: SQLite reports no row count
    # for a statement that starts with WITH.
    joins = f"""
        FROM {reason} AS r,
             {agency} AS src LEFT JOIN {law} AS ls ON ls.column1 = src.state,
             {agency} AS sa LEFT JOIN {law} AS la ON la.column1 = sa.state
        WHERE r.id = s.reason_id
          AND src.id = s.source_agency_id
          AND sa.id = s.searching_agency_id
          {extra}
          AND (s.category_id IS DISTINCT FROM r.category_id OR s.flags <> {flags})
    """
    params = law_params + law_params + params
    deltas: list[RollupDelta] = []
    if with_deltas:
        deltas = _rollup_deltas(joins=joins, flags=flags, params=params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET category_id = r.category_id, flags = {flags} {joins}",
            params,
        )
        return max(cursor.rowcount, 0), deltas


def _rollup_deltas(*, joins: str, flags: str, params: list[object]) -> list[RollupDelta]:
    """What the coming UPDATE does to each rollup group, read before it runs: every changed
    search leaves its old (category, flags) group and joins its new one."""
    from searches.rollups import RollupDelta, month_sql

    table = Search._meta.db_table
    month = month_sql()
    sql = f"""
        WITH moved AS (
            SELECT s.source_agency_id AS source, s.searching_agency_id AS searcher,
                {month} AS month, s.category_id AS old_category, s.flags AS old_flags,
                r.category_id AS new_category, {flags} AS new_flags,
                s.devices_searched AS devices, s.networks_searched AS networks
            FROM {table} AS s, {joins.strip().removeprefix("FROM")}
        )
        SELECT source, searcher, month, category, flags, SUM(sign),
            SUM(sign * COALESCE(devices, 0)), SUM(sign * COALESCE(networks, 0)),
            MAX(CASE WHEN sign < 0 THEN devices END), MAX(CASE WHEN sign > 0 THEN devices END)
        FROM (
            SELECT source, searcher, month, old_category AS category, old_flags AS flags,
                -1 AS sign, devices, networks
            FROM moved
            UNION ALL
            SELECT source, searcher, month, new_category, new_flags, 1, devices, networks
            FROM moved
        ) AS m
        GROUP BY source, searcher, month, category, flags
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [RollupDelta.from_row(row) for row in cursor.fetchall()]


@transaction.atomic
def searches_apply_classification(
    *, source_agency_ids: Iterable[int] | None = None, min_search_id: int | None = None
) -> int:
    """Copy reasons' categories and flags onto searches and add the state-law bits.

    Set-based: one UPDATE joining reasons, agencies and a per-state law table; only rows whose
    category or flags change are written. Returns how many searches changed.
    """
    return _apply(source_agency_ids=source_agency_ids, min_search_id=min_search_id)[0]


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


@transaction.atomic
def search_rules_changed(*, actor: User | None = None, obj=None, action: str = "change") -> RuleSet:
    """Record a change to the classification rules and queue the reclassification of history.

    Called by the rules admin after saving or deleting a category, pattern or offense type.
    """

    ruleset = RuleSet.objects.select_for_update().filter(pk=ruleset_get().pk).get()
    old = ruleset.version
    ruleset.version = old + 1
    ruleset.save(update_fields=["version", "changed_at"])
    changes: dict[str, object] = {
        "version": audit_change(old, ruleset.version),
        "operation": action,
    }
    if obj is not None:
        changes["object"] = f"{obj._meta.label_lower}:{obj.pk}"
        changes["object_repr"] = str(obj)[:200]
    audit_record(actor=actor, action="searches.rules_changed", obj=ruleset, changes=changes)
    from searches import tasks

    tasks.searches_reclassify.delay_on_commit()
    return ruleset


@transaction.atomic
def reason_rules_load(*, update: bool = False, actor: User | None = None):
    """Create the missing default rules of ``searches/rules_data.py``; with ``update``, reset
    the listed categories and offense mappings to it. Any change is audited and reclassifies."""
    from searches.rules_data import default_rules_apply

    result = default_rules_apply(
        category_model=ReasonCategory,
        pattern_model=ReasonPattern,
        offense_model=OffenseType,
        ruleset_model=RuleSet,
        update=update,
    )
    if result.changed:
        search_rules_changed(actor=actor, action="load_defaults" + (" --update" if update else ""))
    return result


def searches_reclassify(*, full: bool = False) -> dict[str, int]:
    """Reclassify all history with the current rules and move the rollup counts it changed.

    Reasons are classified in Python; then only the searches of reasons whose result changed
    are updated, by one join (``full`` rechecks every search, state-law bits included). Safe to
    run twice and concurrently: runs serialize on a lock, and a run that finds nothing stale
    changes nothing.
    """
    from searches.rollups import rollups_apply_deltas

    with transaction.atomic():
        _serialize()
        ruleset = RuleSet.objects.select_for_update().filter(pk=ruleset_get().pk).get()
        version = ruleset.version
        changed_reasons = _classify_pending()
        if full:
            searches, deltas = _apply(with_deltas=True)
        else:
            searches, deltas = _apply(reason_ids=changed_reasons, with_deltas=True)
        rollups_apply_deltas(deltas=deltas)
        RuleSet.objects.filter(pk=ruleset.pk).update(
            reclassified_version=version, reclassified_at=timezone.now()
        )
    return {
        "version": version,
        "reasons_changed": len(changed_reasons),
        "searches_changed": searches,
        "rollup_groups_changed": len(deltas),
    }


def searches_apply_reasons(*, reason_ids: Sequence[int]) -> int:
    """Copy these reasons' classification onto their searches and move the rollup counts (after
    reasons were re-scrubbed or merged). Returns how many searches changed."""
    from searches.rollups import rollups_apply_deltas

    with transaction.atomic():
        _serialize()
        changed, deltas = _apply(reason_ids=sorted(set(reason_ids)), with_deltas=True)
        rollups_apply_deltas(deltas=deltas)
    return changed


def searches_reflag(*, states: Iterable[str] | None = None) -> int:
    """Recompute the state-law bits after a law profile or an agency's state or kind changed.

    ``states`` limits the work to searches whose source or searching agency is in them. The
    search rollups follow the searches that changed. Returns how many searches changed.
    """
    from searches.rollups import rollups_apply_deltas

    with transaction.atomic():
        _serialize()
        changed, deltas = _apply(states=states, with_deltas=True)
        rollups_apply_deltas(deltas=deltas)
    return changed


def rules_for_methodology() -> list[ReasonCategory]:
    """Active categories by priority, each with ``pattern_list``, ``example_list``,
    ``flag_labels`` and ``offense_type_names`` for the methodology page."""
    from django.db.models import Prefetch

    from searches.models import FLAG_LABELS, FLAG_NAMES

    categories = list(
        ReasonCategory.objects.filter(is_active=True)
        .order_by("priority", "name")
        .prefetch_related(
            Prefetch("patterns", queryset=ReasonPattern.objects.order_by("position", "pk")),
            Prefetch("offense_types", queryset=OffenseType.objects.order_by("name")),
        )
    )
    for category in categories:
        category.pattern_list = list(category.patterns.all())
        category.example_list = [e.strip() for e in category.examples.splitlines() if e.strip()]
        category.flag_labels = [
            FLAG_LABELS[name] for name, bit in FLAG_NAMES.items() if category.flags & bit
        ]
        category.offense_type_names = [o.name for o in category.offense_types.all()]
    return categories
