"""Benchmark: import a real sharing CSV through the real import path.

    .venv/bin/python bench/import_sharing.py [PATH]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/import_sharing.py

PATH defaults to ../shared/data/private-eyes/agency_access20240426.csv. The run happens in a
throwaway test database (``test_<NAME>`` on PostgreSQL, a temporary file on SQLite), first as a
fresh import and then as a re-import. On PostgreSQL the same file is also loaded with a raw
``COPY`` into an unlogged table, the floor any import of it can reach, and the ratio printed.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.models import ImportJob

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "private-eyes" / "agency_access20240426.csv"


def _setup(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp / "bench.sqlite3")


def _timed_import(path: Path) -> tuple[float, ImportJob]:
    from core.imports import import_job_create, import_job_run
    from core.models import ImportJob

    started = time.perf_counter()
    job = import_job_create(kind=ImportJob.Kind.SHARING, file=path, run=False)
    job = import_job_run(job=job)
    return time.perf_counter() - started, job


def _copy_rate(path: Path) -> tuple[float, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        with path.open(newline="") as handle:
            header = handle.readline().strip().split(",")
            columns = ", ".join(f'"{c}" text' for c in header)
            cursor.execute(f"CREATE UNLOGGED TABLE bench_copy ({columns})")
            handle.seek(0)
            started = time.perf_counter()
            with cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    return elapsed, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not args.path.is_file():
        print(f"No such file: {args.path}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        _setup(Path(tmp))
        from django.db import connection

        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
            for label in ("fresh import", "re-import"):
                seconds, job = _timed_import(args.path)
                if job.status != "succeeded":
                    print(f"{label}: FAILED: {job.error}", file=sys.stderr)
                    return 1
                print(
                    f"{label}: {job.rows_read} rows in {seconds:.2f}s = "
                    f"{job.rows_read / seconds:,.0f} rows/s (created {job.rows_created}, "
                    f"unchanged {job.rows_unchanged}, rejected {job.rows_rejected})"
                )
                if label == "fresh import":
                    import_rate = job.rows_read / seconds
            if connection.vendor == "postgresql":
                seconds, rows = _copy_rate(args.path)
                copy_rate = rows / seconds
                print(
                    f"raw COPY into an unlogged table: {rows} rows in {seconds:.2f}s = "
                    f"{copy_rate:,.0f} rows/s"
                )
                print(
                    f"import / COPY: {import_rate / copy_rate:.3f} "
                    f"(the import is {copy_rate / import_rate:.1f}x slower than raw COPY)"
                )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
