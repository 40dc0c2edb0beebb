"""Benchmark: the city page and ``/`` under 64 concurrent readers, page cache off and on.

    .venv/bin/python bench/load.py                      # scratch SQLite with the demo data
    .venv/bin/python bench/load.py --connections 64 --duration 10 --workers 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python bench/load.py

Builds a database with ``migrate`` and ``seed_demo`` (a throwaway SQLite file unless
``DATABASE_URL`` names a scratch one to seed; ``--sqlite PATH`` keeps and reuses a file). Then
starts gunicorn on 127.0.0.1 with the project's ``gunicorn.conf.py`` (as ``make serve``;
``REDIS_URL`` in the environment puts the cache in Redis) twice: with ``PAGE_CACHE_SECONDS=0``
(every request renders) and with the page cache on. Each time a bounded load generator on
loopback (``--connections`` threads with ``http.client``, each stopping at ``--duration``
seconds or when ``--max-requests`` are spent; a request times out after 30 s) requests each URL
after a short warm-up. Printed: requests/s (answers completed within the duration), p50/p99
latency of every answer (queueing included, and the requests still running at the end) and
errors (timeouts and non-200 answers). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
URLS = {"city page": "/cities/prairie-junction-il/", "home": "/"}
TARGET_RPS, TARGET_P99 = 150, 1.0


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    hits: int = 0
    in_time: int = 0  # answers completed before the deadline
    duration: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def line(self, name: str) -> str:
        done = len(self.latencies)
        if not done:
            return f"  {name:<10} no request completed, {self.errors} errors"
        ordered = sorted(self.latencies)
        p99 = ordered[min(done - 1, int(done * 0.99))]
        return (
            f"  {name:<10} {self.rps():8.1f} req/s  p50 {statistics.median(ordered):6.3f}s"
            f"  p99 {p99:6.3f}s  max {ordered[-1]:6.3f}s  {done:>6} ok  {self.errors} errors"
            f"  cache hits {self.hits / done:.0%}"
        )

    def meets(self) -> bool:
        done = len(self.latencies)
        if not done:
            return False
        p99 = sorted(self.latencies)[min(done - 1, int(done * 0.99))]
        return self.rps() >= TARGET_RPS and p99 < TARGET_P99 and self.errors == 0

    def rps(self) -> float:
        return self.in_time / self.duration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _fetch(port: int, path: str, timeout: float) -> tuple[int, bool]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Language": "en"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Page-Cache") == "hit"
    finally:
        connection.close()


def _load(port: int, path: str, *, connections: int, duration: float, budget: int) -> Result:
    result = Result(duration=duration)
    remaining = [budget]
    deadline = time.monotonic() + duration

    def reader() -> None:
        while time.monotonic() < deadline:
            with result.lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            began = time.monotonic()
            try:
                status, hit = _fetch(port, path, timeout=30)
            except OSError:
                status, hit = 0, False
            ended = time.monotonic()
            with result.lock:
                if status == 200:
                    result.latencies.append(ended - began)
                    result.hits += hit
                    result.in_time += ended <= deadline
                else:
                    result.errors += 1

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()  # the requests still running at the deadline end or time out
    return result


def _serve(env: dict[str, str], port: int, workers: int | None, log: Path) -> subprocess.Popen:
    command = [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    # gunicorn reads ./gunicorn.conf.py from ROOT: the settings `make serve` runs with.
    with log.open("ab") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    for _ in range(300):
        try:
            _fetch(port, "/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per URL and mode")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per URL and mode")
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py's")
    parser.add_argument("--sqlite", type=Path, help="keep the demo database in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        env = {
            **os.environ,
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "0",
            "MEDIA_ROOT": str(Path(tmp) / "media"),
            "LOG_LEVEL": "WARNING",
        }
        if "DATABASE_URL" not in os.environ:
            path = args.sqlite or Path(tmp) / "demo.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{path.resolve()}"
        began = time.monotonic()
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        database = env["DATABASE_URL"].split("@")[-1]
        print(f"database {database}: migrated and seeded in {time.monotonic() - began:.0f}s")
        cache = "Redis" if os.environ.get("REDIS_URL") else "local memory, per worker"
        print(
            f"gunicorn (gunicorn.conf.py, workers {args.workers or 'as configured'}), cache in "
            f"{cache}; {args.connections} connections, {args.duration:g}s per URL; "
            f"{os.cpu_count()} CPUs shared with whatever else runs"
        )
        results: dict[tuple[str, str], Result] = {}
        for mode, seconds in (("uncached", "0"), ("cached", "600")):
            port = _free_port()
            server = _serve(
                {**env, "PAGE_CACHE_SECONDS": seconds}, port, args.workers, Path(tmp) / "server.log"
            )
            try:
                load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
                print(f"{mode} (PAGE_CACHE_SECONDS={seconds}), load average {load}:")
                for name, path in URLS.items():
                    for _ in range(12):  # warm the workers (and their caches)
                        _fetch(port, path, timeout=60)
                    result = _load(
                        port,
                        path,
                        connections=args.connections,
                        duration=args.duration,
                        budget=args.max_requests,
                    )
                    results[mode, name] = result
                    print(result.line(name), flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)
        for name in URLS:
            cold, warm = results["uncached", name], results["cached", name]
            if not cold.in_time:
                print(f"{name}: uncached answered nothing within {args.duration:g}s")
            elif warm.in_time:
                ratio = warm.rps() / cold.rps()
                print(f"{name}: cached serves {ratio:.0f}x the requests/s of uncached")
        verdict = "meets" if results["cached", "city page"].meets() else "misses"
        print(
            f"city page cached: {verdict} the target ({TARGET_RPS} req/s at "
            f"{args.connections} connections, p99 < {TARGET_P99:g}s, 0 errors)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
