"""Slicing a list into batches, for queries with bounded ``IN (...)`` lists and bulk writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Values per ``IN (...)`` list in lookups: well below SQLite's limit on bound parameters.
IN_BATCH = 2000


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``items``, each ``size`` long but the last."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
