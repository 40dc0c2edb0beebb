"""Reclassification: the classifier's results written to reasons and searches, with the
state-law flags searches carry, and the rule changes that set it off.

Classification runs on the distinct reasons in Python (``searches.classifier``), then searches
are updated by one set-based join:

1. ``reasons_classify_pending`` classifies reasons whose ``rules_version`` is stale and writes
   only the rows whose result changed.
2. ``searches_apply_classification`` copies each reason's category and concern flags onto its
   searches and adds the bits computed from the agencies and their states' law profiles
   (forbidden use, forbidden sharing, out of state, federal), touching only changed rows.
3. ``searches_reclassify`` runs both for all history and moves the changed searches' counts
   between rollup groups; rule edits in the admin call ``search_rules_changed``, which queues
   it. ``searches_reflag`` does the same after a state law profile changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from core.audit import audit_change
from core.models import Agency
from core.services import audit_record
from core.tasking import task_enqueue_on_commit
from searches.classifier import classify
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
from searches.rules_data import RulesLoadResult, default_rules_apply
from searches.selectors.rules import rules_current, state_laws
from searches.services.rollups import RollupDelta, month_sql, rollups_apply_deltas

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BATCH = 2000

# What the raw SQL here binds: ids, flag masks, state codes and (PostgreSQL) an array of ids.
SQLParam = int | str | list[int]

# Any lock id will do as long as it is the same everywhere; this one spells "reclass".
_LOCK_ID = 0x7265636C617373


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


def classification_lock_shared() -> None:
    """Held by an import while it makes its searches visible (PostgreSQL, until commit): a
    reclassification waits for it, and imports do not wait for one another."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_LOCK_ID])


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


def law_values_sql() -> tuple[str, list[SQLParam]]:
    """A per-state VALUES table: (state, forbidden-use flag mask, forbids out of state, federal)."""
    rows = [
        (state, law.use_mask, int(law.forbids_out_of_state), int(law.forbids_federal))
        for state, law in state_laws().items()
    ]
    if not rows:
        rows.append(("", 0, 0, 0))  # VALUES cannot be empty; a row of zeros changes nothing
    params: list[SQLParam] = []
    for row in rows:
        params.extend(row)
    return ", ".join(["(%s, %s, %s, %s)"] * len(rows)), params


def flags_sql() -> str:
    """The flags of a search from its reason ``r``, agencies ``src``/``sa`` and laws ``ls``/``la``
    (the SQL twin of ``searches.classifier.search_flags``, which imports use).

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
    params: list[SQLParam] = []
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


def _rollup_deltas(*, joins: str, flags: str, params: list[SQLParam]) -> list[RollupDelta]:
    """What the coming UPDATE does to each rollup group, read before it runs: every changed
    search leaves its old (category, flags) group and joins its new one."""
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


@transaction.atomic
def search_rules_changed(
    *, actor: User | None = None, obj: Model | None = None, action: str = "change"
) -> RuleSet:
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
    task_enqueue_on_commit("searches.tasks.searches_reclassify")
    return ruleset


@transaction.atomic
def reason_rules_load(*, update: bool = False, actor: User | None = None) -> RulesLoadResult:
    """Create the missing default rules of ``searches/rules_data.py``; with ``update``, reset
    the listed categories and offense mappings to it. Any change is audited and reclassifies."""
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
    with transaction.atomic():
        _serialize()
        changed, deltas = _apply(states=states, with_deltas=True)
        rollups_apply_deltas(deltas=deltas)
    return changed
