"""Celery tasks of search audits: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from searches.models import AuditSource
from searches.services import fetch, reclassification, scrubbing


@shared_task(acks_late=True, ignore_result=True)
def audit_source_fetch(source_id: int) -> None:
    source = AuditSource.objects.select_related("agency__home_city").filter(pk=source_id).first()
    if source is not None and source.is_active:
        fetch.audit_source_fetch(source=source)


@shared_task(ignore_result=True)
def audit_sources_fetch_due() -> list[int]:
    return fetch.audit_sources_fetch_due()


@shared_task(acks_late=True, ignore_result=True)
def searches_reclassify() -> dict[str, int]:
    return reclassification.searches_reclassify()


@shared_task(acks_late=True, ignore_result=True)
def searches_reflag(states: list[str] | None = None) -> int:
    """Recompute state-law flags after a law profile or an agency's state or kind changed."""
    return reclassification.searches_reflag(states=states)


@shared_task(acks_late=True, ignore_result=True)
def reasons_rescrub() -> dict[str, int]:
    """Re-scrub every stored reason after a scrub pattern was added, changed or deleted."""
    return scrubbing.reasons_rescrub()
