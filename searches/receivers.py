"""Keep searches and their rollups right when the agencies or laws they derive from change.

Connected in ``SearchesConfig.ready``; the signals live in ``core.signals``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from core.models import Agency
from core.tasking import task_enqueue_on_commit
from searches.models import Search, SearcherCount
from searches.services.reclassification import searches_apply_classification
from searches.services.rollups import rollups_refresh


def searches_before_agency_merge(*, source: Agency, target: Agency, **_: object) -> None:
    """Drop the merged agency's searches that the target's audit already holds (same dedupe
    key): after the merge they would be the same search counted twice."""
    twins = Search.objects.filter(source_agency=target, dedupe_key=OuterRef("dedupe_key"))
    Search.objects.filter(source_agency=source).filter(Exists(twins)).delete()


def searches_after_agency_merge(*, source_ids: Iterable[int], target: Agency, **_: object) -> None:
    """Re-derive flags (the target's state and kind apply now) and the rollups of every audit
    the merged agencies appear in; the merged agencies' own rollup rows went with them."""
    affected = {target.pk} | set(
        Search.objects.filter(searching_agency=target)
        .order_by()
        .values_list("source_agency_id", flat=True)
        .distinct()
    )
    searches_apply_classification(source_agency_ids=affected)
    rollups_refresh(source_agency_ids=affected)


def searches_on_state_laws_changed(*, states: Iterable[str], **_: object) -> None:
    """Queue the recomputation of the state-law flags of searches touching these states."""
    states = sorted(set(states))
    if states:
        task_enqueue_on_commit("searches.tasks.searches_reflag", states=states)


def searches_after_agency_delete(**_: object) -> None:
    """An agency's searcher sets go with it (ORM cascade, not a rollup refresh), which the
    rollups' stamp may not show: drop the stored distinct-searcher counts."""
    SearcherCount.objects.all().delete()
