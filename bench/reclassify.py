"""Benchmark: reclassify all history after a rule change, and rebuild the rollups.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/reclassify.py \\
        [--rows 10000000] [--reasons 50000] [--agencies 3000] [--months 24] [--fresh] [--drop]

PostgreSQL only (on SQLite it says so and exits 0). Works in the throwaway database
``test_<NAME>``: fills it with SQL (``generate_series``) with N searches over realistic agencies
(a tenth of them sources, the rest searchers, some federal, spread over states with and without
law profiles), distinct reasons written the way officers write them, and the given months; then
classifies everything once (untimed, like an import would). The database is kept so the next
run skips the fill; ``--fresh`` refills it, ``--drop`` drops it at the end.

Timed: an analyst adds a vague pattern, then the full background job runs exactly as Celery runs
it (``searches_reclassify``): classify the distinct reasons in Python, update the searches whose
reasons changed by one join, move their counts between rollup groups. Then the same for
reverting the rule, and a full ``rollups_rebuild_all`` for reference. Target: under 30 s at
10M rows, rollups and summaries included. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 30  # a rule change at 10M searches, rollups and summaries included
# The analyst's new vague pattern. The default rules already file every generated reason with
# it as vague, and a vague pattern never outranks an offense family, so this change moves no
# search: it times the fixed cost of a rule change. ``--big`` times one that moves many.
PATTERN = "plate check"

# Reason stems as officers type them; variants below make ~50k distinct (reason, offense) pairs.
STEMS = [
    "investigation",
    "inv",
    "Investigation",
    "investigative",
    "invest",
    "crime",
    "criminal",
    "stolen vehicle",
    "Stolen Vehicle",
    "UUV",
    "stolen plate",
    "person crime",
    "property crime",
    "suspicious vehicle",
    "welfare check",
    "missing person",
    "warrant",
    "wanted subject",
    "burglary",
    "robbery",
    "assault",
    "homicide",
    "shooting",
    "narcotics",
    "hit and run",
    "theft",
    "fraud",
    "test",
    "camera test",
    "police business",
    "law enforcement purpose",
    "ICE",
    "ICE+ERO",
    "HSI assist",
    "illegal immigration",
    "DHS",
    "abortion",
    "protest",
    "",
    "n/a",
    "case",
    "follow up",
    "ATL",
    "daytime search",
    "pattern of life",
    "intel",
    "kidnapping",
    "runaway",
    "amber alert",
    "DUII",
    "trespass",
    "shoplifting",
    "carjacking",
    "plate check",
    "lpr hit",
    "st2",
]
OFFENSES = [
    "",
    "",
    "",
    "",
    "Wanted Person (Arrest Warrant/Fugitive)",
    "Motor Vehicle Theft",
    "Missing Person",
    "Robbery",
    "Simple Assault",
    "Drug/Narcotic Violations",
    "Burglary/Breaking & Entering",
    "All Other Larceny",
    "Hit and Run",
]
STATES = ["IL", "CA", "OR", "TX", "WA", "GA", "FL", "NC", "VA", "MN", "AZ", "CO", "NY", "OH"]


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def _fill(cursor, *, rows: int, reasons: int, agencies: int, months: int) -> None:
    """Agencies and distinct reasons, the reasons classified, then the searches with their
    category and flags computed in the same INSERT (as an import's classification would)."""
    from searches.services.reclassification import (
        flags_sql,
        law_values_sql,
        reasons_classify_pending,
    )

    states = _array(STATES)
    cursor.execute(
        f"""
        INSERT INTO core_agency (created_at, updated_at, name, normalized_name, slug, kind,
            state, is_active, website, transparency_url, notes)
        SELECT now(), now(), 'Bench Agency ' || i, 'bench agency ' || i, 'bench-agency-' || i,
            CASE WHEN i % 50 = 0 THEN 'federal' WHEN i % 7 = 0 THEN 'sheriff' ELSE 'police' END,
            CASE WHEN i % 23 = 0 THEN '' ELSE ({states})[1 + i % {len(STATES)}] END,
            true, '', '', ''
        FROM generate_series(1, {int(agencies)}) AS i
        """
    )
    stems, offenses = _array(STEMS), _array(OFFENSES)
    per_stem = max(1, reasons // len(STEMS))
    # Each stem alone, and with case numbers / suffixes the way real reasons vary.
    cursor.execute(
        f"""
        INSERT INTO searches_reason (key, text, held_text, name_review, offense_text, flags,
            rules_version)
        SELECT md5(t.text || '|' || t.offense) || substr(md5(t.text), 1, 8), t.text, '', 'none',
            t.offense, 0, 0
        FROM (
            SELECT DISTINCT
                CASE WHEN v = 0 THEN ({stems})[s]
                     WHEN v % 3 = 0 THEN ({stems})[s] || ' 25-' || lpad(v::text, 5, '0')
                     WHEN v % 3 = 1 THEN 'case# ' || (2025000 + v) || ' ' || ({stems})[s]
                     ELSE ({stems})[s] || ' #' || v END AS text,
                ({offenses})[1 + (s * 7 + v) % {len(OFFENSES)}] AS offense
            FROM generate_series(1, {len(STEMS)}) AS s,
                 generate_series(0, {int(per_stem)} - 1) AS v
        ) AS t
        """
    )
    reasons_classify_pending()
    cursor.execute("SELECT min(id), max(id) FROM searches_reason")
    rmin, rmax = cursor.fetchone()
    cursor.execute("SELECT min(id), max(id) FROM core_agency WHERE name LIKE 'Bench Agency %'")
    amin, amax = cursor.fetchone()
    n_agencies = amax - amin + 1
    sources = max(1, n_agencies // 10)
    seconds = months * 30 * 86400
    # Plain indexes are dropped for the load and built again after it (untimed setup).
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'searches_search' "
        "AND indexdef NOT LIKE 'CREATE UNIQUE%'"
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    law_sql, law_params = law_values_sql()
    law = f"(SELECT * FROM (VALUES {law_sql}) AS l)"
    # Searches: 70% by the source itself, the rest by ~20 partner agencies per source (a few
    # of them much more often); ~25 searchers per agency; reasons skewed toward common ones.
    cursor.execute(
        f"""
        INSERT INTO searches_search (searched_at, flags, case_number_present, networks_searched,
            devices_searched, search_type, moderation, external_id, dedupe_key, searcher_hash,
            reason_id, searching_agency_id, source_agency_id, category_id)
        SELECT g.searched_at, {flags_sql()}, g.i % 3 = 0, 1 + g.i % 400,
            1 + (g.i * 7919) % 90000, 'search', '', 'b' || g.i, 'b' || g.i,
            substr(md5(g.searcher || '-' || (g.i * 13) % 25), 1, 32),
            g.reason, g.searcher, g.source, r.category_id
        FROM (
            SELECT i, timestamptz '2024-01-01 00:00:00+00'
                    + (i * {seconds} / {int(rows)}) * interval '1 second' AS searched_at,
                {rmin} + floor(power(random(), 3) * {rmax - rmin + 1})::bigint AS reason,
                {amin} + (i * 17) % {sources} AS source,
                CASE WHEN i % 10 < 7 THEN {amin} + (i * 17) % {sources}
                     ELSE {amin} + (((i * 17) % {sources}) * 37
                          + floor(power(random(), 2) * 20)::bigint) % {n_agencies}
                END AS searcher
            FROM generate_series(1::bigint, {int(rows)}) AS i
        ) AS g
        JOIN searches_reason AS r ON r.id = g.reason
        JOIN core_agency AS src ON src.id = g.source
        LEFT JOIN {law} AS ls ON ls.column1 = src.state
        JOIN core_agency AS sa ON sa.id = g.searcher
        LEFT JOIN {law} AS la ON la.column1 = sa.state
        """.replace("%", "%%").replace("%%s", "%s"),
        law_params + law_params,
    )
    for _name, definition in indexes:
        cursor.execute(definition.replace(" ON ONLY ", " ON "))  # partitioned: every partition
    cursor.execute("ANALYZE")


def _timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s  {result if result is not None else ''}", flush=True)
    return elapsed, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reasons", type=int, default=50_000)
    parser.add_argument("--agencies", type=int, default=3_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--fresh", action="store_true", help="Refill the benchmark database.")
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    parser.add_argument(
        "--big",
        action="store_true",
        help="Also time a rule change that moves a large share of the searches.",
    )
    args = parser.parse_args()

    _setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench/reclassify.py needs PostgreSQL (DATABASE_URL); skipped.")
        return 0

    from django.db.models import F

    from searches.models import ReasonCategory, ReasonPattern, RuleSet, Search
    from searches.services.reclassification import (
        searches_apply_classification,
        searches_reclassify,
    )
    from searches.services.rollups import rollups_rebuild_all

    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=not args.fresh, serialize=False
    )
    print(f"database {name}", flush=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM searches_search")
            have = cursor.fetchone()[0]
        if have != args.rows:
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE searches_searchrollup, searches_searchday, "
                    "searches_searcherset, searches_search, searches_reason CASCADE"
                )
                cursor.execute("DELETE FROM core_agency WHERE name LIKE 'Bench Agency %%'")
            print(f"filling {args.rows:,} searches ...", flush=True)
            _timed(
                "fill",
                lambda: _fill(
                    connection.cursor(),
                    rows=args.rows,
                    reasons=args.reasons,
                    agencies=args.agencies,
                    months=args.months,
                ),
            )
            _timed("rollups (first time)", rollups_rebuild_all)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE searches_search")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(DISTINCT reason_id) FROM searches_search")
            rows, distinct = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM searches_searchrollup")
            rollup_rows = cursor.fetchone()[0]
        print(
            f"{rows:,} searches, {distinct:,} distinct reasons used, {rollup_rows:,} rollup rows",
            flush=True,
        )

        _timed("full recheck of every search (changes nothing)", searches_apply_classification)

        vague = ReasonCategory.objects.get(slug="vague")

        def bump():
            # What search_rules_changed does, without queueing the task: the bench runs the
            # job itself so that it is the thing timed.
            RuleSet.objects.update(version=F("version") + 1)

        # Start from the default rules.
        ReasonPattern.objects.filter(category=vague, pattern=PATTERN).delete()
        bump()
        searches_reclassify()

        def change():
            ReasonPattern.objects.create(category=vague, kind="words", pattern=PATTERN)
            bump()

        def revert():
            ReasonPattern.objects.filter(category=vague, pattern=PATTERN).delete()
            bump()

        timings = []
        for label, edit in (("add a vague pattern", change), ("remove it again", revert)):
            print(f"rule change: {label}")
            edit()
            elapsed, result = _timed("reclassify + rollups", searches_reclassify)
            timings.append(elapsed)
            print(
                f"  => {rows / elapsed:,.0f} searches/s over the table; "
                f"{result['searches_changed']:,} searches changed"
            )
        big = None
        if args.big:
            print("lowering the vague category's priority below every offense family:")
            ReasonCategory.objects.filter(pk=vague.pk).update(priority=50)
            bump()
            big, result = _timed("reclassify + rollups", searches_reclassify)
            print(f"  => {result['searches_changed']:,} searches changed")
            ReasonCategory.objects.filter(pk=vague.pk).update(priority=500)
            bump()
            _timed("reclassify back", searches_reclassify)
        worst = max(timings)
        print(
            f"RESULT rows={rows} rule_change_s={worst:.2f} rows_per_s={rows / worst:,.0f} "
            f"big_change_s={big if big is None else round(big, 2)} "
            f"target_s={TARGET_S} ok={worst < TARGET_S}"
        )
        assert Search.objects.exists()
    finally:
        if args.drop:
            connection.creation.destroy_test_db(name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
