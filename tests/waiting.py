"""Waiting on a condition instead of sleeping a fixed time: as fast as the worker or server
allows, and a clear failure (not a later, puzzling assertion) when it never happens."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], *, timeout: float, interval: float = 0.05, message: str = ""
) -> T:
    """Call ``predicate`` until it returns something truthy and return that; raise
    ``TimeoutError`` (with ``message``, which may also be a callable) after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise TimeoutError(f"not within {timeout:g} s: {text or predicate}")
        time.sleep(interval)
