"""Audit imports on a real Celery worker, PostgreSQL and Redis (``make test-services``): a worker
killed mid-file leaves its committed segments, and the requeued job continues from the last one
to the same result as an uninterrupted run; re-imports and overlapping files count the same on
this path as on SQLite (see tests/searches/test_importers.py, which runs on both databases)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.utils import timezone

from core import imports
from core.imports import import_job_create, import_jobs_requeue_stalled
from core.models import ImportJob
from searches import partitions
from searches.importers import audit
from searches.models import Search, SearchRollup
from tests.services.test_celery_worker import (  # noqa: F401 - workers is a fixture
    _wait_finished,
    job_status_is,
    workers,
    writing_into,
)
from tests.waiting import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HEADER = (
    "ID,Name,Org Name,Total Networks Searched,Time Frame,License Plate,Reason,Case #,Filters,"
    "Search Time,Search Type,Text Prompt,Moderation\n"
)


def _write_network_audit(path: Path, rows: int) -> None:
    """``rows`` searches by 40 agencies; every 50th row repeats the row before it (a duplicate)
    and every 1000th has a bad time (rejected)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            n = i - 1 if i % 50 == 49 else i
            minute, second = divmod(n % 3600, 60)
            day = 1 + n % 28
            when = f"11/{day:02d}/2025, {1 + n % 12:02d}:{minute:02d}:{second:02d} AM UTC"
            if i % 1000 == 999:
                when = "not a time"
            out.write(
                f'id{n},Officer {n % 97},Town {n % 40} IL PD,{1 + n % 9},"{when}\n{when}",'
                f'PLATE{n},reason {n % 300},{"***" if n % 3 else ""},,"{when}",search,,\n'
            )


def _loaded(job: ImportJob) -> int:
    """Rows in the job's load table (committed segments), 0 while it has none."""
    with connection.cursor() as cursor:
        if not partitions.table_exists(cursor, partitions.load_table_name(job.pk)):
            return 0
        cursor.execute(f"SELECT count(*) FROM {partitions.load_table_name(job.pk)}")
        return cursor.fetchone()[0]


def test_worker_killed_mid_audit_import_continues_from_its_last_segment(
    workers,  # noqa: F811
    tmp_path,
    settings,
    monkeypatch,
):
    rows = 120_000
    path = tmp_path / "network_audit.csv"
    _write_network_audit(path, rows)
    rejected = rows // 1000  # rows 999, 1999, ...: each also a copy of the row before it
    duplicates = rows // 50 - rejected
    new = rows - rejected - duplicates

    monkeypatch.setitem(os.environ, "AUDIT_SEGMENT_ROWS", "20000")  # the workers' setting
    first = workers.start()
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT, file=path, options={"agency": "Prairie Junction IL PD"},
        run=True,
    )  # fmt: skip
    wait_until(lambda: job_status_is(job, ImportJob.Status.RUNNING), timeout=60)
    # Two segments committed, the third on its way: then the worker dies.
    wait_until(lambda: _loaded(job) >= 40_000 - 100, timeout=120, interval=0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # left behind by the dead worker
    # Whole segments only (the file's lines outnumber its rows: time frames span two lines).
    assert job.checkpoint["line"] > job.rows_read >= 40_000 and job.rows_read % 20_000 == 0
    assert _loaded(job) > 0
    assert not Search.objects.exists()  # nothing is visible before the last segment

    workers.start()
    settings.IMPORT_STALLED_MINUTES = 0
    assert import_jobs_requeue_stalled(now=timezone.now() + dt.timedelta(minutes=1)) == [job.pk]
    job = _wait_finished(job, seconds=300)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.attempts == 2
    assert (job.rows_read, job.rows_created, job.rows_unchanged, job.rows_rejected) == (
        rows, new, duplicates, rejected
    )  # fmt: skip
    assert Search.objects.count() == new
    assert not job.checkpoint
    assert (
        job.row_errors.filter(message="the time is not a date and time in a known format").count()
        == rejected
    )
    assert "PLATE" not in "".join(Search.objects.values_list("dedupe_key", flat=True)[:1000])
    # The rollups count every search once, as an uninterrupted run's would.
    assert sum(SearchRollup.objects.values_list("searches", flat=True)) == new

    # The same file again, now on the worker: nothing new.
    again = _wait_finished(
        import_job_create(
            kind=ImportJob.Kind.AUDIT,
            file=path,
            options={"agency": "Prairie Junction IL PD"},
            run=True,
        )
    )
    assert (again.rows_read, again.rows_created, again.rows_unchanged, again.rows_rejected) == (
        rows, 0, rows - rejected, rejected
    )  # fmt: skip
    assert Search.objects.count() == new


def test_an_audit_import_stopped_by_the_time_limit_continues_in_a_new_run(
    tmp_path, settings, monkeypatch
):
    rows = 60_000
    path = tmp_path / "network_audit.csv"
    _write_network_audit(path, rows)
    rejected = rows // 1000
    duplicates = rows // 50 - rejected
    settings.AUDIT_SEGMENT_ROWS = 20_000
    queued: list[tuple] = []
    monkeypatch.setattr(imports, "task_enqueue_on_commit", lambda *args: queued.append(args))
    beats = {"n": 0}
    real_heartbeat = audit.import_job_heartbeat

    def heartbeat(**kwargs):
        beats["n"] += 1
        if beats["n"] == 3:  # two segments committed, the third under way
            raise SoftTimeLimitExceeded()
        real_heartbeat(**kwargs)

    monkeypatch.setattr(audit, "import_job_heartbeat", heartbeat)
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT, file=path, options={"agency": "Prairie Junction IL PD"},
        run=False,
    )  # fmt: skip
    job = imports.import_job_run(job=job)

    assert job.status == ImportJob.Status.PENDING, job.error
    assert queued == [("core.tasks.import_job_run", job.pk)]
    assert job.rows_read == 40_000 and _loaded(job) > 0
    assert not Search.objects.exists()

    job = imports.import_job_run(job=job)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_unchanged, job.rows_rejected) == (
        rows, rows - rejected - duplicates, duplicates, rejected
    )  # fmt: skip
    assert Search.objects.count() == rows - rejected - duplicates
    assert sum(SearchRollup.objects.values_list("searches", flat=True)) == Search.objects.count()


def test_a_run_that_commits_nothing_before_the_time_limit_fails(tmp_path, monkeypatch):
    path = tmp_path / "network_audit.csv"
    _write_network_audit(path, 5_000)

    def heartbeat(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(audit, "import_job_heartbeat", heartbeat)
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT, file=path, options={"agency": "Prairie Junction IL PD"},
        run=False,
    )  # fmt: skip
    job = imports.import_job_run(job=job)
    assert job.status == ImportJob.Status.FAILED
    assert "time limit" in job.error
    assert not Search.objects.exists()


def test_first_imports_of_two_audits_finishing_together_both_succeed(tmp_path, monkeypatch):
    """Each first import attaches its audit's partition; finishing at the same moment they
    must not deadlock on the parent table and the default partition (they did)."""
    paths = []
    for name in ("one", "two"):
        paths.append(tmp_path / f"{name}.csv")
        _write_network_audit(paths[-1], 3_000)
    together = threading.Barrier(2)
    take_default = partitions.load_table_take_default

    def take_default_then_wait(cursor, name, source_id):
        moved = take_default(cursor, name, source_id)
        # Both past this point before either attaches, when they can.
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=3)
        return moved

    monkeypatch.setattr(partitions, "load_table_take_default", take_default_then_wait)
    agencies = ["Prairie Junction IL PD", "Harbor Vista CA PD"]
    jobs = [
        import_job_create(
            kind=ImportJob.Kind.AUDIT, file=path, options={"agency": agency}, run=False
        )
        for path, agency in zip(paths, agencies, strict=True)
    ]

    def run(job: ImportJob) -> None:
        try:
            imports.import_job_run(job=job)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for job in jobs:
        job.refresh_from_db()
        assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Search.objects.filter(source_agency__name="Prairie Junction IL PD").count() > 2_000
    assert Search.objects.filter(source_agency__name="Harbor Vista CA PD").count() > 2_000
