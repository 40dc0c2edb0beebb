"""A real Celery worker, started by this test run, consumes an import task from Redis and
writes to the same PostgreSQL test database. Runs only under `make test-services`."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

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


@pytest.fixture
def celery_worker_process(tmp_path):
    """Start `celery worker` against the test database and the run's Redis; stop it after."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail("the services run needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "--pool=solo", "--concurrency=1", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", f"--hostname=test-{os.getpid()}@%h",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited: {(tmp_path / 'worker.log').read_text()}")
        if celery_app.control.ping(timeout=1.0):
            break
    else:
        process.kill()
        pytest.fail(f"worker did not answer: {(tmp_path / 'worker.log').read_text()}")
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def test_import_task_runs_on_a_real_worker(celery_worker_process, tmp_path, settings):
    from portal.imports import import_job_create

    celery_app.conf.task_always_eager = False
    path = tmp_path / "access.csv"
    path.write_text(SHARING_CSV, encoding="utf-8")
    # run=True queues the task on commit; this test is transactional, so it goes at once.
    job = import_job_create(kind=ImportJob.Kind.SHARING, file=path, run=True)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.5)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (4, 3, 1)
    assert job.row_errors.get().line == 5
