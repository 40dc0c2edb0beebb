"""Benchmark: first contentful paint and bytes transferred of the public pages on a slow phone.

    .venv/bin/python bench/page_weight.py                  # this checkout
    .venv/bin/python bench/page_weight.py --root /tmp/old  # another tree, e.g. `git archive` of
                                                           # an earlier commit, for a before/after
    ... bench/page_weight.py --runs 5 --port 8190 --pages home,city

Serves the demo (a throwaway SQLite database with ``seed_demo``) as production does static
files: ``collectstatic`` into a temporary directory with whitenoise's compressed manifest
storage, ``DEBUG`` off, whitenoise serving the precompressed files (``runserver --nostatic``;
HTML is not compressed, as gunicorn leaves it to a proxy). Each page is loaded in a fresh
Chromium context, 375 px wide, under Chrome DevTools Protocol throttling: 1.6 Mbps down,
750 kbps up, 150 ms round trip, CPU 4x slower. Prints the median first contentful paint, the
load event, the time until every chart and map in the first screen has drawn, and the bytes
received from the site (compressed, as sent; map tiles and other hosts excluded). Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
DOWN_BPS = 1_600_000
UP_BPS = 750_000
RTT_MS = 150
CPU_SLOWDOWN = 4
WIDTH, HEIGHT = 375, 812
OVERRIDES = """
from portal.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STATIC_ROOT = {static!r}
STORAGES = {{
    **STORAGES,  # noqa: F405
    "staticfiles": {{"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
}}
"""
# Figures drawn by charts.js in the first screen (plotly adds .main-svg when it draws one).
VISIBLE_DRAWN = """() => {
    const boxes = Array.from(document.querySelectorAll(".js-plotly-figure"))
        .filter((box) => box.getBoundingClientRect().top < window.innerHeight);
    return boxes.every((box) => box.querySelector(".main-svg"));
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(root: Path, tmp: Path, port: int) -> subprocess.Popen:
    (tmp / "bench_page_weight_settings.py").write_text(OVERRIDES.format(static=str(tmp / "static")))
    prefixes = ("DJANGO_", "DATABASE_", "REDIS_", "PORTAL_", "CELERY_", "PAGE_CACHE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        DJANGO_SETTINGS_MODULE="bench_page_weight_settings",
        PYTHONPATH=os.pathsep.join([str(tmp), str(root)]),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        PORTAL_DEMO_BANNER="1",
        PAGE_CACHE_SECONDS="0",
    )
    manage = [sys.executable, str(root / "manage.py")]
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["collectstatic", "--noinput"]):
        subprocess.run(manage + args, cwd=root, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", "--nostatic", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def _paths(base: str) -> dict[str, str]:
    """Home, the city page of the demo city with most cameras, one camera, the national page."""
    import re
    import urllib.request

    def get(path: str) -> str:
        with urllib.request.urlopen(base + path, timeout=60) as response:  # noqa: S310 - local
            return response.read().decode()

    cities = re.findall(r'href="(/cities/[a-z0-9-]+/)"', get("/cities/"))
    city = max(dict.fromkeys(cities), key=lambda path: get(path).count("/cameras/"))
    camera_link = re.search(r'href="(/cameras/\d+/)"', get(city))
    assert camera_link is not None, f"no camera on {city}"
    camera = camera_link.group(1)
    return {
        "home": "/",
        "city": city,
        "camera": camera,
        "national": "/searches/national/",
        "searches": "/searches/",
    }


def _measure(browser, url: str, origin: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": RTT_MS,
            "downloadThroughput": DOWN_BPS / 8,
            "uploadThroughput": UP_BPS / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    urls: dict[str, str] = {}
    received: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.update({e["requestId"]: e["request"]["url"]})
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.update({e["requestId"]: int(e["encodedDataLength"])}),
    )
    # Tiles: never counted, and refused at once so the run does not depend on the internet.
    page.route(lambda u: not u.startswith(origin), lambda route: route.abort())
    start = time.monotonic()
    page.goto(url, wait_until="load", timeout=180_000)
    load_s = time.monotonic() - start
    page.wait_for_function(VISIBLE_DRAWN, timeout=180_000, polling=100)
    drawn_s = time.monotonic() - start
    page.wait_for_load_state("networkidle", timeout=180_000)
    fcp = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
    )
    site = [rid for rid, u in urls.items() if u.startswith(origin)]
    context.close()
    return {
        "fcp_s": (fcp or 0) / 1000,
        "load_s": load_s,
        "drawn_s": drawn_s,
        "kb": sum(received.get(rid, 0) for rid in site) / 1000,
        "requests": len(site),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project tree to serve")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="home,city,camera,national,searches")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed: page weight not measured")
        return
    from playwright.sync_api import sync_playwright

    port = args.port or _free_port()
    origin = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="page-weight-"))
    server = _serve(args.root.resolve(), tmp, port)
    results: dict[str, dict[str, float]] = {}
    try:
        paths = _paths(origin)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            print(
                f"{args.root}: {WIDTH} px, {DOWN_BPS / 1e6:g} Mbps down, {RTT_MS} ms RTT, "
                f"CPU {CPU_SLOWDOWN}x; median of {args.runs}"
            )
            print(f"{'page':9} {'FCP s':>6} {'load s':>7} {'drawn s':>8} {'kB':>7} {'req':>4}")
            for name in args.pages.split(","):
                runs = [_measure(browser, origin + paths[name], origin) for _ in range(args.runs)]
                row = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                results[name] = row
                print(
                    f"{name:9} {row['fcp_s']:6.2f} {row['load_s']:7.2f} {row['drawn_s']:8.2f} "
                    f"{row['kb']:7.0f} {row['requests']:4.0f}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
