"""Production settings fail fast without secrets, PostgreSQL or Redis, keep the cache out of
the broker's Redis database, and pass Django's deployment checks; every setting the code reads
is declared and documented."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings
from django.conf import settings as django_settings

from portal import settings as settings_module
from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x9Q" * 20,
    "DJANGO_ALLOWED_HOSTS": "alpr.example.org",
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
}
SHOW_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'cache': s.CACHES['default'], 'broker': s.CELERY_BROKER_URL,"
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'db': s.DATABASES['default']['ENGINE'],"
    "'log': s.LOGGING['handlers']['console']['formatter']}, default=str))"
)


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    prefixes = ("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "LOG_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", env={"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", env={"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "k" * 60})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_passes_deploy_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_postgres_or_redis(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"DJANGO_ENV=production needs {missing}" in result.stderr


def test_production_refuses_sqlite_and_eager_tasks():
    sqlite = run_manage("check", env={**PRODUCTION, "DATABASE_URL": "sqlite:////tmp/x.db"})
    assert sqlite.returncode != 0 and "needs PostgreSQL" in sqlite.stderr
    eager = run_manage("check", env={**PRODUCTION, "CELERY_TASK_ALWAYS_EAGER": "true"})
    assert eager.returncode != 0 and "never runs tasks eagerly" in eager.stderr


def test_production_uses_redis_for_the_cache_in_another_database_than_the_broker():
    result = run_manage("shell", "-c", SHOW_SETTINGS, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["broker"] == "redis://redis.internal:6379/0"
    assert shown["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["cache"]["LOCATION"] == "redis://redis.internal:6379/1"
    assert shown["eager"] is False
    assert shown["db"] == "django.db.backends.postgresql"
    assert shown["log"] == "json"

    last = run_manage(
        "shell", "-c", SHOW_SETTINGS, env={**PRODUCTION, "REDIS_URL": "redis://r:6379/15"}
    )
    assert json.loads(last.stdout.strip().splitlines()[-1])["cache"]["LOCATION"] == (
        "redis://r:6379/14"
    )
    chosen = run_manage(
        "shell", "-c", SHOW_SETTINGS, env={**PRODUCTION, "REDIS_CACHE_URL": "redis://c:6380/3"}
    )
    assert json.loads(chosen.stdout.strip().splitlines()[-1])["cache"]["LOCATION"] == (
        "redis://c:6380/3"
    )


def test_a_cache_url_on_the_brokers_database_is_refused():
    result = run_manage(
        "check", env={**PRODUCTION, "REDIS_CACHE_URL": "redis://redis.internal:6379/0"}
    )
    assert result.returncode != 0
    assert "a cache clear would flush queued tasks" in result.stderr


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs REDIS_URL (make test-services)")
def test_clearing_the_cache_keeps_queued_tasks():
    import redis
    from django.core.cache import cache

    queue = f"h6-probe-{os.getpid()}"
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    celery_app.conf.task_always_eager = False  # the conftest sets it back for the next test
    try:
        celery_app.send_task("hearings.tasks.outbox_purge", queue=queue)
        assert broker.llen(queue) == 1
        cache.set("probe", 1)
        cache.clear()
        assert cache.get("probe") is None
        assert broker.llen(queue) == 1
    finally:
        broker.delete(queue)


@pytest.mark.django_db
def test_embedded_default_runs_tasks_without_touching_a_broker(caplog):
    from hearings.tasks import outbox_purge

    with caplog.at_level(logging.WARNING):
        outbox_purge.delay()
    assert not [r for r in caplog.records if r.name.startswith("kombu")]
    assert django_settings.CELERY_BROKER_URL.startswith(("memory://", "redis://"))


# --- queues -------------------------------------------------------------------------------


def _queue(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_imports_have_their_own_queue_and_emails_stay_on_default():
    celery_app.loader.import_default_modules()
    assert _queue("core.tasks.import_job_run") == "imports"
    assert _queue("searches.tasks.audit_source_fetch") == "imports"
    assert _queue("searches.tasks.searches_reflag") == "imports"
    assert _queue("hearings.tasks.email_send") == "default"
    assert _queue("portal.tasks.moderation_digest_send") == "default"
    declared = {q.name for q in celery_app.conf.task_queues}
    assert declared == {"default", "imports"}
    ours = [name for name in celery_app.tasks if not name.startswith("celery.")]
    assert {_queue(name) for name in ours} == declared
    # A renamed task would silently fall back to the default queue.
    assert set(django_settings.IMPORT_QUEUE_TASKS) <= set(ours)


# --- every setting the code reads is declared and documented ------------------------------

SETTING_READS = re.compile(
    r'getattr\(settings,\s*"([A-Z][A-Z0-9_]+)"|_setting\(\s*"([A-Z][A-Z0-9_]+)"'
    r"|\bsettings\.([A-Z][A-Z0-9_]+)"
)
ENV_READS = re.compile(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"')


def _code_files():
    for app in ("core", "exports", "cameras", "searches", "hearings", "petitions", "portal"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_every_setting_the_code_reads_is_declared_in_settings():
    read = set()
    for path in _code_files():
        for match in SETTING_READS.finditer(path.read_text()):
            read.add(next(group for group in match.groups() if group))
    assert {"AUDIT_FETCH_MAX_BYTES", "SEARCH_STATS_CACHE_SECONDS", "NUM_PROXIES"} <= read
    undeclared = sorted(
        name
        for name in read
        if not hasattr(settings_module, name) and not hasattr(global_settings, name)
    )
    assert undeclared == []


def test_every_environment_variable_is_in_the_readme():
    names = set(ENV_READS.findall((ROOT / "portal" / "settings.py").read_text()))
    assert {"DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "AXES_FAILURE_LIMIT"} <= names
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert sorted(name for name in names if f"`{name}`" not in table) == []


def test_embedded_default_needs_no_configuration(settings):
    assert settings.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }
    assert settings.PRODUCTION is False
