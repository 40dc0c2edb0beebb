"""The suite's own order (tests/conftest.py): the live-server tests last, and under `make
test` (pytest-xdist, `--dist loadgroup`) all on one worker."""

import pytest

from tests.conftest import on_live_server


def _live_server_items(request) -> list:
    live = [item for item in request.session.items if on_live_server(item)]
    if not live:
        pytest.skip("no live-server test in this run")
    return live


def test_the_live_server_tests_run_last(request):
    live = _live_server_items(request)
    assert request.session.items[-len(live) :] == live


def test_under_loadgroup_the_live_server_tests_are_one_group(request):
    # Set on pytest-xdist's workers when the run was started with --dist loadgroup.
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only on pytest-xdist's workers under --dist loadgroup (make test)")
    live = _live_server_items(request)
    # xdist sends a group to one worker by the "@group" its node id ends with; with pytest 9.2
    # the suffix never reached the id and the browser tests ran on both workers.
    assert all(item.nodeid.endswith("@live-server") for item in live), live[0].nodeid
