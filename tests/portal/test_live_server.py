"""The browser tests' live server shares no database connection between threads: on SQLite
the test database is a file (tests/conftest.py says why an in-memory one froze make test)."""

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
