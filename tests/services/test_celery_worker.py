"""A real Celery worker, started by this test run, consumes import tasks from Redis and writes
to the same PostgreSQL test database. Runs only under `make test-services`."""

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cameras.models import SharingAgreement
from core.models import ImportJob
from portal.celery import app as celery_app
from tests.waiting import wait_until

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


def broker_reset() -> None:
    """Empty the run's broker database: the queues and kombu's record of unacknowledged
    messages. ``control.purge()`` empties the queues only; a message a SIGKILLed worker had
    taken stays in the ``unacked`` hash, and a later worker's shutdown puts it back on its
    queue, so a test after the kill tests found a stranger's import in ``imports``."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def worker_answers(process: subprocess.Popen, name: str, log_path: Path) -> None:
    """Wait until the worker ``name`` answers a ping; fail with its log if it exits or never
    answers."""

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"worker exited: {log_path.read_text()}")
        return bool(celery_app.control.ping(destination=[f"{name}@{os.uname()[1]}"], timeout=1.0))

    try:
        wait_until(answers, timeout=60, interval=0)
    except TimeoutError:
        process.kill()
        pytest.fail(f"worker did not answer: {log_path.read_text()}")


def writing_into(model) -> bool:
    """Another connection has written rows of ``model`` and not committed them: PostgreSQL
    holds its RowExclusiveLock on the table until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks WHERE relation = %s::regclass AND mode = 'RowExclusiveLock'"
            " AND granted AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [model._meta.db_table],
        )
        return cursor.fetchone() is not None


def job_status_is(job: ImportJob, status: str) -> bool:
    job.refresh_from_db()
    return job.status == status


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
        worker_answers(process, f"test{n}-{os.getpid()}", log_path)
        return process

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
    broker_reset()
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def _wait_finished(job: ImportJob, seconds: float = 120) -> ImportJob:
    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    wait_until(finished, timeout=seconds, interval=0.1, message=lambda: f"job {job.pk} finished")
    return job


def test_import_task_runs_on_a_real_worker(workers, tmp_path):
    from core.imports import import_job_create

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
    from core.imports import import_job_create, import_jobs_requeue_stalled

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
    wait_until(lambda: job_status_is(job, ImportJob.Status.RUNNING), timeout=60)
    # Killed once agreements are written but not committed, not at some guessed moment.
    wait_until(lambda: writing_into(SharingAgreement), timeout=60, interval=0.02)
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
