"""/healthz: database and broker reachable -> 200, either down -> 503; JSON, no secrets."""

import json

import pytest
from django.db.utils import OperationalError

from portal import health
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_embedded_default(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "not used"},
    }


def test_answers_a_probe_by_ip_over_plain_http_in_production(client, settings):
    # A container health check asks by IP: the host is not an allowed host, and production
    # redirects plain HTTP to HTTPS; neither may turn the probe into a 400 or a 301.
    settings.ALLOWED_HOSTS = ["alpr.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_broker_down_is_503_without_the_error_text(client, settings, monkeypatch):
    celery_app.conf.task_always_eager = False
    secret_url = "redis://:hunter2-secret@127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setattr(celery_app.conf, "broker_url", secret_url)
    monkeypatch.setattr(health, "BROKER_TIMEOUT_SECONDS", 1)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "error", "checks": {"database": "ok", "broker": "error"}}
    assert "hunter2" not in response.content.decode()


def test_database_down_is_503(client, monkeypatch):
    def broken():
        raise OperationalError("could not connect to server: password=s3cret")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert "s3cret" not in json.dumps(response.json())


@pytest.mark.skipif(not celery_app.conf.broker_url.startswith("redis://"), reason="needs REDIS_URL")
def test_a_real_redis_broker_is_reachable(client):
    celery_app.conf.task_always_eager = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
