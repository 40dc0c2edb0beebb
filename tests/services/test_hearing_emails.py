"""A comment's confirmation email goes through a real Celery worker consuming from Redis, and
the link in it confirms the comment. Runs only under `make test-services`."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from hearings.models import Comment, OutboundEmail
from hearings.services.comments import comment_submit
from hearings.tasks import email_send
from portal.celery import app as celery_app
from tests.hearings.factories import AgendaItemFactory, EngagementSettingsFactory, HearingFactory
from tests.services.test_celery_worker import Workers, broker_reset
from tests.waiting import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CONFIRM_RE = re.compile(r"https?://[^/\s]+(/hearings/comments/confirm/[^/\s]+/)")


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    path = tmp_path / "mail"
    path.mkdir()
    # The worker reads its settings from the environment it starts with.
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(path))
    return path


@pytest.fixture
def worker(tmp_path, mail_dir):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail("the services run needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    celery_app.conf.task_always_eager = False
    broker_reset()
    pool = Workers(tmp_path)
    pool.start()
    yield pool
    pool.stop_all()
    celery_app.conf.task_always_eager = True


def _wait_sent(email: OutboundEmail, seconds: float = 60) -> OutboundEmail:
    def sent() -> bool:
        email.refresh_from_db()
        return email.sent_at is not None

    wait_until(
        sent,
        timeout=seconds,
        interval=0.1,
        message=lambda: f"email {email.pk} sent ({email.status} {email.last_error})",
    )
    return email


def _tasks_done(name: str) -> int:
    """How many ``name`` tasks the workers have finished (a solo pool answers between tasks)."""
    stats = celery_app.control.inspect(timeout=1.0).stats() or {}
    return sum(worker.get("total", {}).get(name, 0) for worker in stats.values())


def _messages(mail_dir: Path) -> list[str]:
    return [p.read_text() for p in sorted(mail_dir.iterdir())]


def test_confirmation_email_is_sent_by_the_worker_and_its_link_confirms(worker, mail_dir):
    item = AgendaItemFactory(hearing=HearingFactory(), title="Renew the agreement")
    EngagementSettingsFactory(city=item.hearing.city)
    # A transactional test: the task is queued to Redis as soon as the service commits.
    comment = comment_submit(
        item=item,
        name="Maria Lopez",
        email="maria.lopez@example.org",
        address="60431",
        position="oppose",
        text="Please add a ban on immigration searches.",
        wants_to_speak=False,
        consent=True,
        ip="192.0.2.10",
    )
    email = _wait_sent(OutboundEmail.objects.get(key=f"comment:{comment.pk}:confirm"))
    assert email.attempts == 1

    # Running the task again (a redelivery) sends nothing more.
    email_send.delay(email.pk)
    wait_until(lambda: _tasks_done(email_send.name) >= 2, timeout=60, interval=0.1)
    messages = _messages(mail_dir)
    assert len(messages) == 1
    assert "To: maria.lopez@example.org" in messages[0]
    assert "Renew the agreement" in messages[0]

    path = CONFIRM_RE.search(messages[0]).group(1)
    client = Client()
    assert "Confirm my comment" in client.get(path).content.decode()
    assert "your comment is confirmed" in client.post(path).content.decode()
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
