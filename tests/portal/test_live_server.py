"""The browser tests' live server shares no database connection between threads.

Django (and pytest-django's live server) hands an in-memory SQLite database's one connection to
every request thread, and two threads on one sqlite3 connection can deadlock: one inside SQLite
runs one of Django's Python SQL functions and waits for the GIL, the other holds the GIL and
waits for the connection. make test froze so at the browser tests (py-spy showed both threads).
tests/conftest.py puts the SQLite test database in a file, where each thread opens its own.
"""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite only: on PostgreSQL every thread has its own connection",
)
def test_the_sqlite_test_database_is_a_file_the_live_server_threads_open_themselves(db):
    # pytest_django.live_server_helper shares exactly the in-memory SQLite connections.
    assert not connection.is_in_memory_db()
    assert settings.DATABASES["default"]["TEST"]["NAME"].endswith(".sqlite3")
