"""Own Redis databases for each pytest-xdist worker of the services run (``make test-services``
loads this with ``-p tests.xdist_redis``).

pytest-django gives every xdist worker a PostgreSQL test database of its own; Redis has no such
thing, and two workers on one broker database would purge each other's queues, consume each
other's tasks and flush each other's cache. This plugin is imported before Django reads its
settings, in each worker process (xdist names it in ``PYTEST_XDIST_WORKER`` by then), and moves
``REDIS_URL`` and ``REDIS_CACHE_URL`` of worker ``gwN`` 2N databases up (modulo Redis's 16):
``gw0`` keeps the configured pair, ``gw1`` takes the two after it, and so on. The Celery workers
a test starts inherit the environment, so they listen on their test process's own broker.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def _db(url: str) -> int:
    return int(urlsplit(url).path.strip("/") or 0)


def _move(worker: str) -> None:
    broker = os.environ.get("REDIS_URL", "")
    if not broker or not worker.startswith("gw"):
        return
    index = int(worker.removeprefix("gw"))
    if index * 2 >= REDIS_DATABASES:
        raise RuntimeError(f"{worker}: Redis has {REDIS_DATABASES} databases, 2 per worker")
    broker_db = _db(broker)
    cache = os.environ.get("REDIS_CACHE_URL") or _with_db(
        broker, broker_db + 1 if broker_db < REDIS_DATABASES - 1 else broker_db - 1
    )
    cache_db = _db(cache)
    if (cache_db - broker_db) % 2 == 0:
        # Shifting both by 2N would land one worker's broker on another's cache.
        raise RuntimeError("REDIS_CACHE_URL must name a database next to REDIS_URL's")
    shift = 2 * index
    os.environ["REDIS_URL"] = _with_db(broker, (broker_db + shift) % REDIS_DATABASES)
    os.environ["REDIS_CACHE_URL"] = _with_db(cache, (cache_db + shift) % REDIS_DATABASES)


_move(os.environ.get("PYTEST_XDIST_WORKER", ""))
