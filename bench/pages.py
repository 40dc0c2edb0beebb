"""Benchmark: city page, search-stats API, annual report, compare and embed server time at 10k
and at 10M search rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/pages.py
    ... bench/pages.py --small 10000 --large 10000000 --rounds 5 --requests 3 [--profile]

Runs in two databases of its own (``<NAME>_pages_small`` and ``<NAME>_pages_large``),
PostgreSQL only. Searches are generated with SQL ``generate_series`` over 60 audited agencies
(the measured city's two agencies hold 20% of the rows), 3,000 other searching agencies, 24
months and 4,000 distinct reasons with skewed frequencies (a few vague reasons are common,
immigration reasons rare), classified with the real classifier (``reasons_classify_pending``)
and rolled up with the real ``rollups_rebuild_all``. Both databases are kept between runs
(``--fresh`` refills them, ``--drop`` drops them). The city page and
``/api/v1/search-stats/?group_by=month,category`` are then requested on both in turns
(``--rounds`` rounds of ``--requests`` timed requests per page and database, Django test
client, after warm-up), so that the machine's other work weighs on both sizes alike; the
medians and their ratio are printed. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = 60
NEIGHBOURS = 100
TAIL = 3000
REASONS = 4000
MONTHS = 24
START = "2024-11-01"
CITY_SLUG = "bench-city-il"
# Targets: the large table's median at most 1.3x the small one's, and under 50 ms.
RATIO_TARGET = 1.3
MS_TARGET = 50


def _setup(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    import django

    django.setup()


def _reason_texts() -> list[tuple[str, str]]:
    """(text, offense) pairs; index 0 is the most frequent (generation squares a uniform)."""
    vague = ["investigation", "inv", "Investigation", "crime", "investigative", "INV", "inv."]
    offenses = [
        "stolen vehicle", "warrant", "missing person", "robbery", "burglary", "hit and run",
        "narcotics", "homicide", "shooting", "assault", "retail theft", "fraud", "carjacking",
        "AMBER alert", "fleeing and eluding", "domestic battery", "catalytic converter theft",
    ]  # fmt: skip
    concerns = ["ICE", "ICE WARRANT", "HSI assist", "illegal immigration", "abortion", "protest"]
    texts: list[tuple[str, str]] = [(v, "") for v in vague] + [("", "")]
    n = 0
    while len(texts) < REASONS - len(concerns) * 10:
        offense = offenses[n % len(offenses)]
        texts.append((f"{offense} 26-{n:05d}" if n >= len(offenses) else offense, ""))
        n += 1
    for i in range(10):
        texts += [(f"{c} {i}" if i else c, "") for c in concerns]
    return texts


def _build_world() -> dict:
    """Law profiles come from migrations; agencies, the city and reasons are made here."""
    from django.db import connection

    from core.models import Agency, City
    from searches.models import Reason
    from searches.normalize import reason_key
    from searches.services.reclassification import reasons_classify_pending

    city = City.objects.create(name="Bench City", state="IL", slug=CITY_SLUG)
    states = ["IL", "IN", "WI", "MO", "TX", "GA", "FL", "CA", "OH", "MI"]
    agencies = []
    for i in range(SOURCES):
        agencies.append(
            Agency(
                name=f"Source {i} IL PD" if i else "Bench City IL PD",
                normalized_name=f"bench:source:{i}",
                slug=f"bench-source-{i}",
                kind=Agency.Kind.SHERIFF if i == 1 else Agency.Kind.POLICE,
                state="IL",
                home_city=city if i < 2 else None,
            )
        )
    for i in range(NEIGHBOURS):
        agencies.append(
            Agency(
                name=f"Neighbour {i} IL PD",
                normalized_name=f"bench:neighbour:{i}",
                slug=f"bench-neighbour-{i}",
                kind=Agency.Kind.POLICE,
                state="IL",
            )
        )
    for i in range(TAIL):
        federal = i % 97 == 0
        agencies.append(
            Agency(
                name=f"Tail {i} PD",
                normalized_name=f"bench:tail:{i}",
                slug=f"bench-tail-{i}",
                kind=Agency.Kind.FEDERAL if federal else Agency.Kind.POLICE,
                state="" if federal else states[i % len(states)],
            )
        )
    Agency.objects.bulk_create(agencies, batch_size=1000)
    Reason.objects.bulk_create(
        [
            Reason(key=reason_key(text, offense), text=text, offense_text=offense)
            for text, offense in _reason_texts()
        ],
        batch_size=1000,
    )
    reasons_classify_pending()
    ids = {
        kind: list(
            Agency.objects.filter(slug__startswith=f"bench-{kind}-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for kind in ("source", "neighbour", "tail")
    }
    with connection.cursor() as cursor:
        # Lookup tables for the generator: position -> id.
        for kind, values in ids.items():
            cursor.execute(f"CREATE TABLE bench_{kind} (i int PRIMARY KEY, id bigint)")
            cursor.executemany(
                f"INSERT INTO bench_{kind} VALUES (%s, %s)",
                list(enumerate(values)),
            )
        cursor.execute("CREATE TABLE bench_reason (i int PRIMARY KEY, id bigint)")
        reason_ids = list(Reason.objects.order_by("pk").values_list("pk", flat=True))
        cursor.executemany("INSERT INTO bench_reason VALUES (%s, %s)", list(enumerate(reason_ids)))
    return {"city": city}


# Pseudo-random but deterministic picks from the row number g (hashint8 is a PostgreSQL
# built-in); each pick salts g differently so the dimensions are independent. Category and
# concern flags come from the classified reason; the state bits are set here as
# ``searches_apply_classification`` would set them for these agencies (sources in Illinois,
# whose law forbids immigration and reproductive-care use; tail agencies out of state or
# federal), because re-flagging 10M generated rows is the classification bench's subject.
INSERT_SQL = f"""
INSERT INTO searches_search (
    source_agency_id, searching_agency_id, searched_at, reason_id, category_id, flags,
    case_number_present, networks_searched, devices_searched, search_type, moderation,
    external_id, dedupe_key, searcher_hash
)
SELECT src.id,
       CASE WHEN p.who < 50 THEN src.id
            WHEN p.who < 80 THEN nb.id
            ELSE tl.id END,
       TIMESTAMPTZ '{START} 00:00:00+00'
           + make_interval(secs => p.sec),
       r.id, reason.category_id,
       reason.flags
           | CASE WHEN p.who >= 80 AND p.tli % 97 = 0 THEN 512
                  WHEN p.who >= 80 AND p.tli % 10 <> 0 THEN 256 ELSE 0 END
           | CASE WHEN reason.flags & 3 > 0 THEN 64 ELSE 0 END,
       p.who % 3 = 0,
       CASE WHEN p.who >= 80 THEN 200 + p.wide ELSE 1 + p.wide % 4 END,
       CASE WHEN p.who >= 80 THEN 8000 + p.wide * 40 ELSE 60 + p.wide % 300 END,
       'search', '', 'g' || p.g, 'g' || p.g,
       lpad(to_hex(p.person), 32, '0')
FROM (
    SELECT g,
           abs(hashint8(g)) % 1000 AS s,
           abs(hashint8(g + 7919)) % 100 AS who,
           abs(hashint8(g + 104729)) % 20 AS nbi,
           abs(hashint8(g + 1299709)) % {TAIL} AS tli,
           abs(hashint8(g + 15485863)) % {MONTHS * 30 * 86400} AS sec,
           abs(hashint8(g + 32452843)) % 10000 AS rr,
           abs(hashint8(g + 49979687)) % 1000 AS wide,
           abs(hashint8(g + 67867967)) % 40 AS person
    FROM generate_series(%s::bigint, %s::bigint) AS g
) AS p
JOIN bench_source src ON src.i = CASE WHEN p.s < 120 THEN 0 WHEN p.s < 200 THEN 1
                                      ELSE 2 + p.s % {SOURCES - 2} END
JOIN bench_neighbour nb ON nb.i = (src.i * 7 + p.nbi) % {NEIGHBOURS}
JOIN bench_tail tl ON tl.i = p.tli
JOIN bench_reason r ON r.i = (p.rr * p.rr / 10000 * {REASONS}) / 10000
JOIN searches_reason reason ON reason.id = r.id
"""
# Modulo signs are literal; only the two bounds are parameters.
INSERT_SQL = INSERT_SQL.replace("%", "%%").replace("%%s::bigint", "%s::bigint")


def _insert(first: int, last: int, *, chunk: int = 1_000_000) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        start = first
        while start <= last:
            end = min(last, start + chunk - 1)
            began = time.perf_counter()
            cursor.execute(INSERT_SQL, [start, end])
            if last - first > chunk:
                print(
                    f"  rows {start:,}..{end:,} in {time.perf_counter() - began:.1f}s", flush=True
                )
            start = end + 1


def _bulk_mode(on: bool) -> None:
    """Drop the searches indexes and FK triggers for a bulk load, or put them back."""
    from django.db import connection

    from searches.models import Search

    with connection.schema_editor() as editor:
        for index in Search._meta.indexes:
            (editor.remove_index if on else editor.add_index)(Search, index)
        for constraint in Search._meta.constraints:
            (editor.remove_constraint if on else editor.add_constraint)(Search, constraint)
    with connection.cursor() as cursor:
        cursor.execute(f"SET session_replication_role = {'replica' if on else 'origin'}")


def _roll_up() -> float:
    from django.db import connection

    from searches.services.rollups import rollups_rebuild_all

    began = time.perf_counter()
    rollups_rebuild_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - began


def _times_ms(url: str, requests: int) -> tuple[list[float], int]:
    """Server times of ``requests`` GETs after two warm-up requests, and the response size."""
    from django.test import Client

    client = Client()
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    return times, len(response.content)


def _profile(url: str, top: int = 8) -> None:
    """Print the slowest SQL statements of one uncached request."""
    from collections import defaultdict

    from django.db import connection
    from django.test import Client

    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = spent[" ".join(sql.split())[:140]]
            entry[0] += 1
            entry[1] += time.perf_counter() - began

    with connection.execute_wrapper(timed):
        Client().get(url)
    for sql, (count, seconds) in sorted(spent.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"    {seconds * 1000:8.1f} ms x{count:<3} {sql}")


URLS = {
    "city page": f"/cities/{CITY_SLUG}/",
    "search-stats": "/api/v1/search-stats/?group_by=month,category",
    # The oversight toolkit's pages read the same rollups: they must stay as flat.
    "annual report": f"/cities/{CITY_SLUG}/report/2026/",
    "compare": f"/compare/?cities={CITY_SLUG}",
    "embed": f"/embed/cities/{CITY_SLUG}/",
}


def _use(database: str) -> None:
    """Point the default connection at ``database``; the process-wide cache is emptied so that
    nothing measured on one database is served on the other."""
    from django.core.cache import cache
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database
    cache.clear()


def _describe(label: str) -> None:
    from django.db import connection

    from searches.models import SearchRollup

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM searches_search")
        searches = cursor.fetchone()[0]
    print(f"{label}: {searches:,} searches, {SearchRollup.objects.count():,} rollup rows")


def _measure_interleaved(
    databases: dict[str, str], *, rounds: int, requests: int
) -> dict[str, dict[str, float]]:
    """Median ms per page and database, cold (the whole-page cache and the aggregates cache
    off: every request renders and reads the rollups) and warm (both on, as served between
    imports). The databases take turns, a few requests each per round, so that whatever else
    the machine does weighs on both alike."""
    from django.conf import settings

    samples: dict[str, dict[str, list[float]]] = {label: {} for label in databases}
    for _round in range(rounds):
        for mode, seconds in (("cold", 0), ("warm", 600)):
            settings.SEARCH_STATS_CACHE_SECONDS = seconds
            settings.PAGE_CACHE_SECONDS = seconds
            for label, database in databases.items():
                _use(database)
                for name, url in URLS.items():
                    times, _size = _times_ms(url, requests)
                    samples[label].setdefault(f"{name} ({mode})", []).extend(times)
    return {
        label: {name: statistics.median(times) for name, times in by_name.items()}
        for label, by_name in samples.items()
    }


def _database(name: str, rows: int, *, fresh: bool) -> str:
    """A benchmark database of ``rows`` searches, kept between runs (``--fresh`` refills it)."""
    from django.db import connection

    settings_dict = connection.settings_dict
    settings_dict["NAME"] = BASE_NAME
    settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.close()
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=not fresh, serialize=False
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM searches_search")
        have = cursor.fetchone()[0]
    if have == rows:
        from searches.services.rollups import summaries_refresh

        began = time.perf_counter()
        summaries_refresh()  # the summaries as this code derives them (it may be newer)
        print(
            f"{name}: reusing {rows:,} searches (summaries in {time.perf_counter() - began:.1f}s)",
            flush=True,
        )
        return name
    if have:
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=False, serialize=False
        )
    began = time.perf_counter()
    _build_world()
    bulk = rows > 100_000
    if bulk:
        _bulk_mode(True)
    _insert(1, rows)
    if bulk:
        _bulk_mode(False)
    from searches.services.reclassification import searches_apply_classification

    changed = searches_apply_classification() if not bulk else 0
    print(f"{name}: {rows:,} searches in {time.perf_counter() - began:.0f}s", flush=True)
    if not bulk:
        print(f"  classification changed {changed} generated rows (0: the flags agree)")
    print(f"  roll up: {_roll_up():.1f}s", flush=True)
    return name


BASE_NAME = ""


def main() -> int:
    global BASE_NAME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3, help="Timed requests per round.")
    parser.add_argument("--fresh", action="store_true", help="Refill the benchmark databases.")
    parser.add_argument("--drop", action="store_true", help="Drop the databases at the end.")
    parser.add_argument(
        "--profile", action="store_true", help="Print the slowest SQL of an uncached request."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        _setup(Path(tmp))
        from django.conf import settings
        from django.db import connection

        if connection.vendor != "postgresql":
            print("skipped: bench/pages.py needs PostgreSQL (set DATABASE_URL).")
            return 0
        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        # Throttling would refuse the measured requests; it is not what is measured.
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
        BASE_NAME = connection.settings_dict["NAME"]
        databases = {
            "small": _database(f"{BASE_NAME}_pages_small", args.small, fresh=args.fresh),
            "large": _database(f"{BASE_NAME}_pages_large", args.large, fresh=args.fresh),
        }
        try:
            for label, database in databases.items():
                _use(database)
                _describe(f"{label} ({database})")
                if args.profile:
                    settings.SEARCH_STATS_CACHE_SECONDS = settings.PAGE_CACHE_SECONDS = 0
                    for url in URLS.values():
                        print(f"  slowest SQL of {url}:")
                        _profile(url)
            medians = _measure_interleaved(databases, rounds=args.rounds, requests=args.requests)
            small, large = medians["small"], medians["large"]
            count = args.rounds * args.requests
            for name in small:
                ratio = large[name] / small[name]
                flat = "meets" if ratio <= RATIO_TARGET else "misses"
                fast = "meets" if large[name] < MS_TARGET else "misses"
                print(
                    f"{name}: {args.small:,} rows {small[name]:.1f} ms -> {args.large:,} rows "
                    f"{large[name]:.1f} ms (medians of {count}), ratio {ratio:.2f} "
                    f"({flat} the {RATIO_TARGET}x target; {fast} the {MS_TARGET} ms target)"
                )
        finally:
            if args.drop:
                for database in databases.values():
                    connection.close()
                    connection.settings_dict["NAME"] = BASE_NAME
                    connection.settings_dict["TEST"]["NAME"] = database
                    connection.creation.destroy_test_db(database, verbosity=0, keepdb=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
