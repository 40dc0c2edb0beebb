import os

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from portal.celery import app as celery_app

SERVICES = os.environ.get("PORTAL_SERVICES") == "1"

# Property tests: the same examples on every run and every machine (a CI failure reproduces
# locally), enough of them to find edge cases, and no per-example deadline on a busy runner.
hypothesis_settings.register_profile(
    "portal", max_examples=200, deadline=None, derandomize=True, database=None
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "portal"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file in the run's temporary directory, not in memory.

    Django hands an in-memory database's one connection to every thread of the live server,
    and two threads on one sqlite3 connection can deadlock: one inside sqlite3_step (holding
    the connection's mutex) calls one of Django's Python SQL functions and waits for the GIL,
    while the other holds the GIL and waits for the mutex. The whole worker froze so, with
    the browser tests' pages loading their iframes and charts at once (make test hung until
    CI's limit). With a file each thread opens its own connection, as a deployment does.
    The temporary directory is already one per xdist worker (popen-gwN).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.getbasetemp() / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


def on_live_server(item) -> bool:
    return "live_server" in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    # The tests on pytest-django's live server run on one worker, one after another in the
    # order below (make test passes `--dist loadgroup`), so which follows which does not depend
    # on how xdist shares out the suite (the clerk admin test saw its Clerks group without
    # permissions after some neighbours, never in the serial order). The mark is added here,
    # at collection: xdist reads it in its own pytest_collection_modifyitems, which runs before
    # the trylast one below (marked there, it was read too late and the browser tests were
    # shared out over both workers).
    if on_live_server(item):
        item.add_marker(pytest.mark.xdist_group("live-server"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # Tests on the live server run last: after one, the next test asking for a serialized
    # rollback found the migrations' rows gone (empty categories) or doubled (the Clerks group
    # inserted twice), so no other test may follow them. Under pytest-xdist every worker (with
    # a test database of its own) collects and sorts alike, and their group is handed out last.
    # trylast: after pytest-django's own reordering (transactional tests after the others).
    items.sort(key=on_live_server)
    if SERVICES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL, Redis and a worker: run `make test-services`")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache(settings, tmp_path):
    """Tasks run in-process unless a test asks for the real worker; each test a fresh cache."""
    celery_app.conf.task_always_eager = True
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
    # A test that read a page or message in Spanish leaves the thread's language as it found
    # it, so the next test on this worker reads English (the default) whatever the order.
    translation.deactivate()


@pytest.fixture
def clerk_city(db):
    from tests.factories import CityFactory

    return CityFactory(name="Joliet", state="IL", slug="joliet-il")


@pytest.fixture
def other_city(db):
    from tests.factories import CityFactory

    return CityFactory(name="Berkeley", state="CA", slug="berkeley-ca")


@pytest.fixture
def clerk(clerk_city):
    from tests.factories import ClerkFactory

    return ClerkFactory(username="clerk-joliet", city=clerk_city)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client
