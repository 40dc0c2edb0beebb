"""Benchmark: the CPU time of each chart builder on the demo data, as the pages call it.

    .venv/bin/python bench/charts.py [--repeat 200]

Seeds the demo (``seed_demo``) into a throwaway test database, requests the pages that draw
charts once to capture each builder's arguments, then calls each builder again and again and
prints its size and its minimum and median CPU time (``time.process_time``, which a busy
machine inflates less than wall time). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/",
    "/cities/prairie-junction-il/",
    "/agencies/prairie-junction-il-pd/",
    "/agencies/harbor-vista-ca-pd/",
    "/searches/national/",
]
BUILDERS = {
    "cameras.charts": ["camera_map", "snapshot_history_chart", "sharing_sunburst"],
    "searches.charts": ["monthly_category_chart", "flagged_by_state_chart"],
}


def _capture() -> dict[tuple[str, str], tuple[Any, dict[str, Any]]]:
    """Each builder's first call per figure id while the pages render."""
    import importlib

    from django.test import Client

    calls: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
    for module_name, names in BUILDERS.items():
        module = importlib.import_module(module_name)
        for name in names:
            builder = getattr(module, name)

            @functools.wraps(builder)
            def capture(*args: Any, _builder: Any = builder, _name: str = name, **kwargs: Any):
                calls.setdefault((_name, kwargs["div_id"]), (_builder, kwargs))
                return _builder(*args, **kwargs)

            setattr(module, name, capture)
    client = Client()
    client.get(f"/cameras/{_first_camera()}/")
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    return calls


def _first_camera() -> int:
    from cameras.models import Camera

    return Camera.objects.order_by("pk").values_list("pk", flat=True)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-charts-") as tmp:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        settings.PAGE_CACHE_SECONDS = 0
        settings.SEARCH_STATS_CACHE_SECONDS = 0
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            call_command("seed_demo", verbosity=0)
            calls = _capture()
            print(f"{'builder (figure)':48s} {'bytes':>7s} {'min ms':>7s} {'median':>7s}")
            for (name, div_id), (builder, kwargs) in sorted(calls.items()):
                times = []
                for _ in range(args.repeat):
                    began = time.process_time()
                    html = builder(**kwargs)
                    times.append((time.process_time() - began) * 1000)
                label = f"{name} ({div_id})"
                print(
                    f"{label:48s} {len(html):7d} {min(times):7.2f} {statistics.median(times):7.2f}"
                )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
