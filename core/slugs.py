"""Free slugs for new rows: the slugified text, then ``-2``, ``-3``... past the slugs taken in
a scope (a model's table, or one city's rows), with few queries since collisions are rare."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TypedDict

from django.db.models import QuerySet
from django.utils.text import slugify

from core.chunks import IN_BATCH, chunks


class SlugOptions(TypedDict):
    """The keyword arguments a kind of row passes to ``unique_slug`` and ``unique_slugs``."""

    fallback: str
    max_length: int


def slug_base(text: str, *, fallback: str, max_length: int, reserved: Collection[str] = ()) -> str:
    """``text`` slugified and cut to ``max_length`` (``fallback`` when nothing is left); a
    reserved word (a URL of its own) gets ``-fallback`` appended."""
    base = slugify(text)[:max_length].strip("-") or fallback
    return f"{base}-{fallback}" if base in reserved else base


def _next_free(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def unique_slug(
    text: str,
    *,
    scope: QuerySet,
    fallback: str,
    max_length: int,
    reserved: Collection[str] = (),
) -> str:
    """A slug for ``text`` that no row of ``scope`` holds yet (one query)."""
    base = slug_base(text, fallback=fallback, max_length=max_length, reserved=reserved)
    taken = set(scope.filter(slug__startswith=base).values_list("slug", flat=True))
    return _next_free(base, taken)


def unique_slugs(
    texts: Iterable[str], *, scope: QuerySet, fallback: str, max_length: int
) -> list[str]:
    """One slug per text, free in ``scope`` and distinct from each other, in batched queries:
    the bases first, then rows starting with a base only for the bases already taken."""
    bases = [slug_base(t, fallback=fallback, max_length=max_length) for t in texts]
    taken: set[str] = set()
    for batch in chunks(sorted(set(bases)), IN_BATCH):
        taken.update(scope.filter(slug__in=batch).values_list("slug", flat=True))
    probed: set[str] = set()
    slugs: list[str] = []
    for base in bases:
        if base in taken and base not in probed:
            probed.add(base)
            taken.update(scope.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
        slug = _next_free(base, taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs
