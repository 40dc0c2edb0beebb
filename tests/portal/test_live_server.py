"""The browser tests' live server: each of its request threads opens its own connection.

On an in-memory SQLite database Django hands the one test connection to every request thread,
and two threads on one sqlite3 connection deadlock (one inside SQLite runs a Django SQL
function and waits for the GIL, the other holds the GIL and waits for the connection): make
test froze so at the browser tests. tests/conftest.py puts the SQLite test database in a file.
"""

import threading

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.factories import CityFactory

pytestmark = [
    # Django shares a connection with the live server's threads only for in-memory SQLite.
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="SQLite only: on PostgreSQL every thread has its own connection",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_request_threads_share_no_connection_and_read_committed_rows(live_server, settings):
    assert live_server.thread.connections_override == {}
    assert not connection.is_in_memory_db()

    settings.PAGE_CACHE_SECONDS = 0
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    statuses: list[int] = []

    def fetch() -> None:
        url = live_server.url + city.get_absolute_url()
        statuses.append(httpx.get(url, timeout=30).status_code)

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 6
