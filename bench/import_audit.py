"""Benchmark: import an N-row records-request network audit through the real path on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/import_audit.py \
        --rows 1000000 [--keep] [--reimport] [--kill-after SECONDS]

Generates a realistic file into /tmp (officer names, plates, text prompts, multi-line time
frames, ~2,000 searching agencies with five officers each, ~50,000 distinct reasons, some
redacted ids), times a raw
``COPY`` of the same file into an UNLOGGED table of text columns (the floor any import can
reach), then times the real path (``import_job_create`` + ``import_job_run``, classification and
rollups included) in a child process whose peak RSS is read from ``getrusage(RUSAGE_CHILDREN)``.
Prints rows/s, the ratio real/COPY (target <= 8x at 1M rows), the peak memory (target < 300 MB,
flat from 1M to 5M rows) and, with ``--reimport``, the same file again (all duplicates, target
<= 3x COPY). ``--concurrent`` imports two audits at once (they must not wait for each other)
and then the same audit twice at once (the second waits and finds only duplicates).
``--kill-after S`` SIGKILLs the import S seconds in, runs the job again (it
continues after its last committed segment) and checks the counts are those of a whole run.
Runs in a throwaway database ``<NAME>_bench_audit``; refuses to run on SQLite. Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "Benchmark City IL PD"
STATES = ["IL", "WI", "IN", "MO", "IA", "TX", "CA", "OR", "GA", "FL", "OH", "MI", "AZ", "CO"]
KINDS = ["PD", "Police Department", "SO", "Sheriff's Office", "County SO"]
SEARCH_TYPES = ["search", "lookup", "convoy", "freeform", "visual", "multiGeo", "apiV1",
                "search - Mobile", "lookup - Mobile"]  # fmt: skip
BASE_REASONS = [
    "investigation", "inv", "stolen vehicle", "ICE", "ICE+ERO", "welfare check", "warrant",
    "missing person", "homicide", "burglary", "robbery", "suspicious vehicle", "test", "crime",
    "hit and run", "fraud", "narcotics", "assault", "theft", "illegal immigration",
]  # fmt: skip
OFFENSES = ["", "", "", "Motor Vehicle Theft", "Wanted Person (Arrest Warrant/Fugitive)",
            "Burglary/Breaking & Entering", "Robbery"]  # fmt: skip


def header() -> list[str]:
    """A network audit's headings with the Offense Type some agencies add (Django set up)."""
    from searches.importers.layouts import NETWORK_AUDIT_HEADER

    return [*NETWORK_AUDIT_HEADER, "Offense Type"]


def _us_time(epoch: int) -> str:
    return time.strftime("%m/%d/%Y, %I:%M:%S %p UTC", time.gmtime(epoch))


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write an N-row records-request CSV; the same N and seed give the same file."""
    import csv

    rng = random.Random(seed)
    agencies = [
        f"{rng.choice(['North', 'South', 'East', 'West', 'New', 'Lake', 'Port', 'Fort'])} "
        f"Town {i} {rng.choice(STATES)} {rng.choice(KINDS)}"
        for i in range(2000)
    ]
    officers = [f"Officer {i:05d} Lastname{i % 977}" for i in range(5000)]
    reasons = [
        f"{rng.choice(BASE_REASONS)} {i}" if i >= len(BASE_REASONS) else BASE_REASONS[i]
        for i in range(50_000)
    ]
    start = 1_762_000_000  # early November 2025
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header())
        for i in range(rows):
            at = start + rng.randrange(30 * 86400)
            frame_start = at - rng.randrange(1, 30) * 86400
            plate = "".join(rng.choice(letters) for _ in range(7))
            # An officer searches from their own agency: a few officers per agency, as in the
            # real audits (Eugene's 4,294 searches were run by 147 users).
            agency = rng.randrange(len(agencies))
            officer = officers[(agency * 5 + rng.randrange(5)) % len(officers)]
            writer.writerow(
                [
                    f"{i:012x}{rng.getrandbits(64):016x}" if i % 10 else "***",
                    officer if i % 7 else "***",
                    agencies[agency],
                    rng.randrange(1, 80),
                    rng.randrange(10, 90_000),
                    f"{_us_time(frame_start)}\n{_us_time(at)}",
                    plate,
                    reasons[min(int(rng.paretovariate(1.1)) - 1, 49_999)]
                    if i % 3
                    else rng.choice(reasons),
                    "***" if i % 4 == 0 else "",
                    "" if i % 5 else '{"make":"Toyota"}',
                    _us_time(at),
                    rng.choice(SEARCH_TYPES),
                    "" if i % 11 else f"white sedan {plate}",
                    "",
                    rng.choice(OFFENSES),
                ]
            )


def _django(database_name: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.conf import settings

    if database_name:
        settings.DATABASES["default"]["NAME"] = database_name
    django.setup()


def raw_copy(path: Path) -> float:
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(header())))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_audit_copy")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_audit_copy ({columns})")
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.copy("COPY bench_audit_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_audit_copy")
    return elapsed


def child(path: Path, database_name: str, job_id: int | None = None, agency: str = SOURCE) -> int:
    """The real import path, alone in this process so that its peak memory is its own; with
    ``job_id``, run that (interrupted) job again; ``agency`` is whose audit the file is."""
    _django(database_name)
    from core.imports import import_job_create, import_job_run
    from core.models import ImportJob

    started = time.perf_counter()
    if job_id is None:
        job = import_job_create(
            kind=ImportJob.Kind.AUDIT,
            file=path,
            options={"agency": agency, "format": "auto"},
            run=False,
        )
    else:
        job = ImportJob.objects.get(pk=job_id)
    print(json.dumps({"job": job.pk}), flush=True)
    created = time.perf_counter()
    job = import_job_run(job=job)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "store_seconds": created - started,
                "status": job.status,
                "error": job.error,
                "read": job.rows_read,
                "new": job.rows_created,
                "duplicate": job.rows_unchanged,
                "rejected": job.rows_rejected,
            }
        )
    )
    return 0


def _child_command(
    path: Path, database_name: str, job_id: int | None, agency: str = SOURCE
) -> list[str]:
    command = [sys.executable, __file__, "--child", str(path), "--database", database_name]
    command += ["--agency", agency]
    return [*command, "--job", str(job_id)] if job_id else command


def _child_env(media: Path) -> dict[str, str]:
    return {**os.environ, "MEDIA_ROOT": str(media), "CELERY_TASK_ALWAYS_EAGER": "true"}


def kill_child(path: Path, database_name: str, media: Path, seconds: float) -> tuple[int, int, int]:
    """Start the import, SIGKILL it after ``seconds``; (job id, committed line, rows read)."""
    process = subprocess.Popen(
        _child_command(path, database_name, None),
        env=_child_env(media),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    job_id = json.loads(process.stdout.readline())["job"]
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()
    from core.models import ImportJob

    job = ImportJob.objects.get(pk=job_id)
    return job_id, int((job.checkpoint or {}).get("line", 0)), job.rows_read


def run_child(
    path: Path, database_name: str, media: Path, job_id: int | None = None, agency: str = SOURCE
) -> dict:
    result = subprocess.run(
        _child_command(path, database_name, job_id, agency),
        env=_child_env(media),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(1)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_together(path: Path, database_name: str, media: Path, agencies: list[str]) -> list[dict]:
    """Start one import per agency at the same moment; each one's result, with the seconds from
    the common start to its end (``ended``)."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            _child_command(path, database_name, None, agency),
            env=_child_env(media),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for agency in agencies
    ]
    results = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            sys.stderr.write(err)
            raise SystemExit(1)
        result = json.loads(out.strip().splitlines()[-1])
        if result["status"] != "succeeded":
            print(f"an import FAILED: {result['error']}", file=sys.stderr)
            raise SystemExit(1)
        results.append({**result, "ended": time.perf_counter() - started})
    return results


def concurrency(path: Path, database_name: str, media: Path) -> int:
    """Two imports of different audits side by side, then two of the same audit at once."""
    alone = run_child(path, database_name, media, agency="Concurrency A IL PD")
    print(f"one import alone: {alone['seconds']:.1f}s, new {alone['new']:,}")
    b, c = run_together(path, database_name, media, ["Concurrency B IL PD", "Concurrency C WI SO"])
    wall = max(b["ended"], c["ended"])
    overlapped = wall < 0.9 * (b["seconds"] + c["seconds"])
    complete = b["new"] == c["new"] == alone["new"]
    print(
        f"two different audits at once: {b['seconds']:.1f}s and {c['seconds']:.1f}s, both done "
        f"after {wall:.1f}s (one after the other would take {b['seconds'] + c['seconds']:.1f}s): "
        f"{'side by side, neither waited' if overlapped else 'SERIALIZED'}; "
        f"new {b['new']:,} and {c['new']:,} ({'each complete' if complete else 'ROWS MISSING'})"
    )
    d1, d2 = run_together(path, database_name, media, ["Concurrency D IL PD"] * 2)
    first, second = sorted([d1, d2], key=lambda r: -r["new"])  # the one that added the rows
    serialized = (
        first["new"] == alone["new"] and second["new"] == 0 and second["duplicate"] == first["read"]
    )
    print(
        f"two imports of the same audit at once: one added {first['new']:,} in "
        f"{first['seconds']:.1f}s, the other waited and found {second['duplicate']:,} "
        f"duplicates, {second['new']:,} new ({second['ended']:.1f}s from the start): "
        f"{'serialized' if serialized else 'NOT SERIALIZED'}"
    )
    return 0 if overlapped and complete and serialized else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--keep", action="store_true", help="Keep the generated file and the database."
    )
    parser.add_argument("--reimport", action="store_true", help="Also time a re-import.")
    parser.add_argument(
        "--kill-after",
        type=float,
        help="SIGKILL the import this many seconds in, then rerun the job and check its counts.",
    )
    parser.add_argument(
        "--concurrent",
        action="store_true",
        help="Run imports of two audits at once, then two of the same audit at once.",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--agency", default=SOURCE, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.database, args.job, args.agency)

    _django()
    from django.db import connection

    if connection.vendor != "postgresql":
        # Refused, not failed: bench/run_all.py runs every benchmark on SQLite too.
        print("skipped: bench/import_audit.py measures the PostgreSQL path; set DATABASE_URL.")
        return 0
    path = Path(tempfile.gettempdir()) / f"bench_audit_{args.rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:,.0f} MB) "
            f"in {time.perf_counter() - started:.0f}s"
        )
    else:
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)")

    settings_dict = connection.settings_dict
    settings_dict.setdefault("TEST", {})["NAME"] = f"{settings_dict['NAME']}_bench_audit"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    bench_db = connection.settings_dict["NAME"]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-audit-media-") as media:
            copy_seconds = raw_copy(path)
            if args.concurrent:
                return concurrency(path, bench_db, Path(media))
            if args.kill_after:
                job_id, line, done = kill_child(path, bench_db, Path(media), args.kill_after)
                print(
                    f"killed the import after {args.kill_after:.0f}s: {done:,} rows committed "
                    f"(up to line {line:,} of the file)"
                )
                real = run_child(path, bench_db, Path(media), job_id=job_id)
                print(
                    f"the rerun continued and finished in {real['seconds']:.2f}s: "
                    f"new {real['new']:,}, duplicate {real['duplicate']:,}, "
                    f"rejected {real['rejected']:,}"
                )
                return 0 if real["status"] == "succeeded" else 1
            real = run_child(path, bench_db, Path(media))
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if real["status"] != "succeeded":
                print(f"import FAILED: {real['error']}", file=sys.stderr)
                return 1
            rows = real["read"]
            print(f"database: postgresql ({bench_db}), {rows:,} rows")
            print(
                f"raw COPY into an unlogged table: {copy_seconds:.2f}s = "
                f"{rows / copy_seconds:,.0f} rows/s"
            )
            print(
                f"real import: {real['seconds']:.2f}s = {rows / real['seconds']:,.0f} rows/s "
                f"(storing the upload {real['store_seconds']:.2f}s); new {real['new']:,}, "
                f"duplicate {real['duplicate']:,}, rejected {real['rejected']:,}"
            )
            print(f"real / COPY: {real['seconds'] / copy_seconds:.2f}x (target <= 8x at 1M rows)")
            print(f"peak RSS of the import process: {peak_mb:,.0f} MB (target < 300 MB)")
            if args.reimport:
                again = run_child(path, bench_db, Path(media))
                print(
                    f"re-import: {again['seconds']:.2f}s = {rows / again['seconds']:,.0f} rows/s "
                    f"= {again['seconds'] / copy_seconds:.2f}x COPY (target <= 3x); "
                    f"new {again['new']:,}, duplicate {again['duplicate']:,}"
                )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
