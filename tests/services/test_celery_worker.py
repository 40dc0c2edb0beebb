"""A real Celery worker, started by this test run, consumes import tasks from Redis and writes
to the same PostgreSQL test database. Runs only under `make test-services`."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cameras.models import SharingAgreement
from portal.celery import app as celery_app
from portal.models import ImportJob

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SHARING_CSV = (
    "src_agency,external_agency\n"
    "Prairie Junction IL PD,Maple Falls IL PD\n"
    "Prairie Junction IL PD,Cedar Bluff WI SO\n"
    "Prairie Junction IL PD,Homeland Security Investigations\n"
    "Prairie Junction IL PD,Prairie Junction IL PD\n"
)


def _database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


class Workers:
    """Starts `celery worker` processes against the test database and the run's Redis."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        n = len(self.processes)
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        log_path = self.tmp_path / f"worker{n}.log"
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "portal", "worker",
                "--pool=solo", "--concurrency=1", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", f"--hostname=test{n}-{os.getpid()}@%h",
            ],
            cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"worker exited: {log_path.read_text()}")
            if celery_app.control.ping(
                destination=[f"test{n}-{os.getpid()}@{os.uname()[1]}"], timeout=1.0
            ):
                return process
        process.kill()
        pytest.fail(f"worker did not answer: {log_path.read_text()}")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def workers(tmp_path):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail("the services run needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def _wait_finished(job: ImportJob, seconds: float = 120) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.3)
    pytest.fail(f"job {job.pk} did not finish: {job.status}")


def test_import_task_runs_on_a_real_worker(workers, tmp_path):
    from portal.imports import import_job_create

    workers.start()
    path = tmp_path / "access.csv"
    path.write_text(SHARING_CSV, encoding="utf-8")
    # run=True queues the task on commit; this test is transactional, so it goes at once.
    job = _wait_finished(import_job_create(kind=ImportJob.Kind.SHARING, file=path, run=True))

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (4, 3, 1)
    assert job.row_errors.get().line == 5


def test_worker_killed_mid_import_leaves_a_job_that_reruns_to_the_same_result(
    workers, tmp_path, settings
):
    from portal.imports import import_job_create, import_jobs_requeue_stalled

    # Big enough that the import is still running when the worker is killed.
    owners, recipients = 40, 1500
    path = tmp_path / "big_access.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("src_agency,external_agency\n")
        for o in range(owners):
            for r in range(recipients):
                out.write(f"Owner Town {o} IL PD,Recipient Town {r} WI PD\n")
    expected = owners * recipients

    first = workers.start()
    job = import_job_create(kind=ImportJob.Kind.SHARING, file=path, run=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == ImportJob.Status.RUNNING:
            break
        time.sleep(0.05)
    assert job.status == ImportJob.Status.RUNNING
    time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # left behind by the dead worker
    assert SharingAgreement.objects.count() == 0  # its data transaction never committed

    workers.start()
    settings.IMPORT_STALLED_MINUTES = 0
    assert import_jobs_requeue_stalled(now=timezone.now() + dt.timedelta(minutes=1)) == [job.pk]
    job = _wait_finished(job)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.attempts == 2
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (expected, expected, 0)
    assert SharingAgreement.objects.count() == expected
