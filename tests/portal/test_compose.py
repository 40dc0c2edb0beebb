"""compose.yaml describes the stack a deployer expects: web, a worker for each Celery queue,
beat, PostgreSQL and Redis, with the media volume shared by web and workers. `docker compose
config` checks it too where a Docker engine exists."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PORTAL_SERVICES = ("web", "worker", "worker-imports", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_every_part_is_a_service(compose):
    services = compose["services"]
    assert set(services) == {*PORTAL_SERVICES, "db", "redis"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "gunicorn --config gunicorn.conf.py" in services["web"]["command"]
    assert "beat" in services["beat"]["command"]


def test_web_and_workers_share_the_media_volume(compose):
    media = "/app/media"
    for name in PORTAL_SERVICES:
        service = compose["services"][name]
        assert f"media:{media}" in service["volumes"], name
        assert service["environment"]["MEDIA_ROOT"] == media, name
    assert "media" in compose["volumes"]


def test_production_settings_and_separate_redis_databases(compose):
    for name in PORTAL_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        broker, cache = environment["REDIS_URL"], environment["REDIS_CACHE_URL"]
        assert broker.rsplit("/", 1)[0] == cache.rsplit("/", 1)[0] and broker != cache


def test_each_queue_has_a_worker(compose):
    queues = {q.name for q in settings.CELERY_TASK_QUEUES}
    consumed = set()
    for name in ("worker", "worker-imports"):
        command = compose["services"][name]["command"]
        consumed |= set(command.split("--queues=")[1].split()[0].split(","))
    assert consumed == queues


def test_web_is_checked_by_healthz(compose):
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def _docker_compose() -> str | None:
    """The docker CLI, if it has the compose plugin and an engine answers."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    for probe in (["compose", "version"], ["info"]):
        done = subprocess.run([docker, *probe], capture_output=True, check=False, timeout=30)
        if done.returncode != 0:
            return None
    return docker


@pytest.mark.skipif(_docker_compose() is None, reason="no Docker engine with compose here")
def test_docker_compose_config_accepts_it():
    result = subprocess.run(
        [_docker_compose(), "compose", "config", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
        env={"DJANGO_SECRET_KEY": "k", "DJANGO_ALLOWED_HOSTS": "h", "POSTGRES_PASSWORD": "p",
             "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
