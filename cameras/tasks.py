"""Celery tasks of scheduled sources: each takes ids, calls one service, is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from cameras import osm, sources
from cameras.models import OsmArea, PageSource


@shared_task(acks_late=True, ignore_result=True)
def page_source_fetch(source_id: int) -> None:
    source = PageSource.objects.select_related("agency__home_city").filter(pk=source_id).first()
    if source is not None and source.is_active:
        sources.page_source_fetch(source=source)


@shared_task(ignore_result=True)
def page_sources_fetch_due() -> list[int]:
    return sources.page_sources_fetch_due()


@shared_task(acks_late=True, ignore_result=True)
def osm_area_refresh(area_id: int) -> None:
    area = OsmArea.objects.select_related("city").filter(pk=area_id).first()
    if area is not None and area.is_active:
        osm.osm_area_refresh(area=area)


@shared_task(ignore_result=True)
def osm_areas_refresh_due() -> list[int]:
    return osm.osm_areas_refresh_due()
