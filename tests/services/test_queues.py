"""Imports have a queue of their own: with only a `default` worker running (the imports worker
busy or down), a confirmation email is still sent at once and the import waits in `imports`.
Runs only under `make test-services`."""

import os
import signal
import subprocess
import sys

import pytest
import redis
from django.conf import settings
from django.db import connection

from core.imports import import_job_create
from core.models import ImportJob
from hearings.models import OutboundEmail
from hearings.services.comments import comment_submit
from portal.celery import app as celery_app
from tests.hearings.factories import AgendaItemFactory, EngagementSettingsFactory, HearingFactory
from tests.services.test_celery_worker import (
    ROOT,
    SHARING_CSV,
    _database_url,
    broker_reset,
    worker_answers,
)
from tests.services.test_hearing_emails import _wait_sent

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_worker(tmp_path, monkeypatch):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail("the services run needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    celery_app.conf.task_always_eager = False
    broker_reset()
    name = f"default-only-{os.getpid()}"
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--queues=default",
            "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            f"--hostname={name}@%h",
        ],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        env={**os.environ, "DATABASE_URL": _database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
             "CELERY_TASK_ALWAYS_EAGER": "false"},
    )  # fmt: skip
    worker_answers(process, name, log)
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    broker_reset()
    celery_app.conf.task_always_eager = True


def test_an_email_is_not_delayed_by_a_waiting_import(default_worker, tmp_path):
    path = tmp_path / "access.csv"
    path.write_text(SHARING_CSV, encoding="utf-8")
    job = import_job_create(kind=ImportJob.Kind.SHARING, file=path, run=True)
    item = AgendaItemFactory(hearing=HearingFactory(), title="Renew the agreement")
    EngagementSettingsFactory(city=item.hearing.city)
    comment = comment_submit(
        item=item, name="Maria Lopez", email="maria.lopez@example.org", address="60431",
        position="oppose", text="No immigration searches.", wants_to_speak=False,
        consent=True, ip="192.0.2.10",
    )  # fmt: skip
    email = OutboundEmail.objects.get(key=f"comment:{comment.pk}:confirm")
    email = _wait_sent(email)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING  # nobody consumes `imports` here
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert broker.llen("imports") == 1
    assert broker.llen("default") == 0
