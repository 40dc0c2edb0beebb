"""The embedded default (no REDIS_URL) sends email without a word from kombu.

Tasks run eagerly there, but Celery still builds its broker connection from the in-memory
broker URL whenever something asks for one (a health probe, `celery inspect`, a task queued
with eagerness switched off); a URL without a host made kombu log "No hostname was supplied"
each time. The URL names its host, and a confirmation email goes out in-process, unlogged.
"""

import logging

import pytest
from django.conf import settings
from django.core import mail

from portal.celery import app as celery_app
from tests.hearings.factories import AgendaItemFactory, HearingFactory
from tests.hearings.test_hearing_services import submit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("memory://"),
        reason="the embedded default only: REDIS_URL is set",
    ),
]


def _kombu_records(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("kombu", "celery")) and r.levelno >= logging.WARNING
    ]


def test_the_embedded_broker_connection_names_its_host(caplog):
    caplog.set_level(logging.WARNING)
    with celery_app.connection_for_write() as connection:
        info = connection.info()
    assert info["transport"] == "memory"
    assert info["hostname"] == "localhost"
    assert _kombu_records(caplog) == []


def test_a_confirmation_email_is_sent_without_kombu_warnings(
    caplog, django_capture_on_commit_callbacks
):
    item = AgendaItemFactory(hearing=HearingFactory(), position=1)
    caplog.set_level(logging.WARNING)
    with django_capture_on_commit_callbacks(execute=True):
        submit(item)
    assert [m.subject for m in mail.outbox] == [f"Confirm your comment on “{item.hearing.title}”"]
    assert _kombu_records(caplog) == []
