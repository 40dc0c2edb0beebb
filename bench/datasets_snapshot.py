"""Benchmark: the nightly bulk data snapshot over an N-row searches table on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python \
        bench/datasets_snapshot.py --rows 1000000

Fills ``searches_search`` of the (migrated, otherwise empty) database NAME with N generated
searches by set-based SQL (200 audited agencies, 2,000 searching agencies, 20,000 reasons),
then writes the searches table's snapshot (CSV, Parquet, SQLite) in a child process whose peak
RSS is read from ``getrusage(RUSAGE_CHILDREN)``. Prints the time, rows/s, peak memory and file
sizes. Refuses to run on SQLite or on a database that already holds searches (``--reuse``
snapshots the rows of an earlier run again). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
import django
django.setup()
from datasets.services import dataset_snapshot_write
from datasets.tables import table_get
started = time.monotonic()
snapshot = dataset_snapshot_write(tables=[table_get("searches")], replace=True)
print(json.dumps({"seconds": time.monotonic() - started,
                  "files": [[f.name, f.rows, f.size] for f in snapshot.files]}))
"""


def _fill(rows: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from core.models import Agency
    from searches.models import ReasonCategory, Search

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL")
    if Search.objects.exists():
        raise SystemExit("The database already holds searches: use an empty one")
    categories: list[int | None] = [*ReasonCategory.objects.values_list("pk", flat=True)] or [None]
    with transaction.atomic(), connection.cursor() as cursor:
        Agency.objects.bulk_create(
            Agency(
                name=f"Bench {i} PD",
                normalized_name=f"bench {i} pd",
                slug=f"bench-{i}-pd",
                state="IL",
            )
            for i in range(2200)
        )
        agency_ids = list(
            Agency.objects.filter(slug__startswith="bench-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cursor.execute(
            "INSERT INTO searches_reason (key, text, held_text, name_review, offense_text, flags,"
            " rules_version, category_id)"
            " SELECT md5(g::text), 'investigation ' || g, '', '', '', 0, 0, NULL"
            " FROM generate_series(1, 20000) g"
        )
        cursor.execute("SELECT min(id) FROM searches_reason")
        (first_reason,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO searches_search (searched_at, flags, case_number_present,"
            " networks_searched, devices_searched, time_frame_start, time_frame_end,"
            " search_type, moderation, external_id, dedupe_key, searcher_hash, category_id,"
            " job_id, reason_id, searching_agency_id, source_agency_id)"
            " SELECT ts, (g %% 7), (g %% 3 = 0), g %% 500, g %% 80000, ts - interval '30 days', ts,"
            " 'search', '', 'ext-' || g, md5(g::text), md5((g %% 900)::text)::varchar(32),"
            " (%s::bigint[])[1 + g %% %s], NULL, %s + g %% 20000,"
            " (%s::bigint[])[201 + g %% 2000], (%s::bigint[])[1 + g %% 200]"
            " FROM (SELECT g, timestamptz '2025-01-01' + g * interval '17 seconds' AS ts"
            "       FROM generate_series(1, %s) g) s",
            [categories, len(categories), first_reason, agency_ids, agency_ids, rows],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE searches_search")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--reuse", action="store_true", help="snapshot the searches an earlier run generated"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    if not args.reuse:
        started = time.monotonic()
        _fill(args.rows)
        print(f"filled {args.rows:,} searches in {time.monotonic() - started:.0f} s")
    with tempfile.TemporaryDirectory(prefix="bench-datasets-") as root:
        env = {**os.environ, "DATASETS_ROOT": root, "LOG_LEVEL": "WARNING"}
        out = subprocess.run(
            [sys.executable, "-c", CHILD], env=env, cwd=ROOT, check=True, capture_output=True
        ).stdout
        result = json.loads(out.decode().strip().splitlines()[-1])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    seconds = result["seconds"]
    print(
        f"snapshot of searches: {seconds:.0f} s, {args.rows / seconds:,.0f} rows/s, "
        f"peak RSS {peak_mb:.0f} MB"
    )
    for name, rows, size in result["files"]:
        print(f"  {name}: {rows:,} rows, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
