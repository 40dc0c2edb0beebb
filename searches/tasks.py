"""Celery tasks of search audits: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from searches import fetch
from searches.models import AuditSource


@shared_task(acks_late=True, ignore_result=True)
def audit_source_fetch(source_id: int) -> None:
    source = AuditSource.objects.select_related("agency__home_city").filter(pk=source_id).first()
    if source is not None and source.is_active:
        fetch.audit_source_fetch(source=source)


@shared_task(ignore_result=True)
def audit_sources_fetch_due() -> list[int]:
    return fetch.audit_sources_fetch_due()


@shared_task(acks_late=True, ignore_result=True)
def searches_reclassify() -> dict:
    from searches.classification import searches_reclassify as reclassify

    return reclassify()


@shared_task(acks_late=True, ignore_result=True)
def searches_reflag(states: list[str] | None = None) -> int:
    """Recompute state-law flags after a law profile or an agency's state or kind changed."""
    from searches.classification import searches_reflag as reflag

    return reflag(states=states)


@shared_task(acks_late=True, ignore_result=True)
def reasons_rescrub() -> dict:
    """Re-scrub every stored reason after a scrub pattern was added, changed or deleted."""
    from searches.scrubbing import reasons_rescrub as rescrub

    return rescrub()
