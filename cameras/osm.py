"""OpenStreetMap ALPR cameras refreshed on a schedule: each due :class:`OsmArea` is asked of the
Overpass API (``OVERPASS_URL``) for its surveillance nodes and ways tagged
``surveillance:type=ALPR`` and the answer goes through the camera importer as the city's whole
OSM list (source ``osm``): cameras are updated by OSM id, ones no longer mapped marked removed.

Data © OpenStreetMap contributors, ODbL 1.0: the site's footer, methodology and camera pages say
so wherever OSM cameras appear.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.models import OsmArea
from core.fetching import FetchError, fetch_to_file, sources_due
from core.imports import import_job_create, import_job_run
from core.models import ImportJob
from core.services import ServiceError, audit_record, signed_in
from core.tasking import task_enqueue_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SOURCE = "osm"
ALPR_FILTER = '["man_made"="surveillance"]["surveillance:type"="ALPR"]'
# Overpass reports a query that ran out of time or memory in a "remark" after the (partial)
# elements, with status 200; such an answer must not mark the missing cameras removed.
REMARK_ERROR = re.compile(rb'"remark"\s*:\s*"[^"]*(error|timed out|out of memory)', re.I)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def overpass_query(area: OsmArea) -> str:
    """The Overpass QL asking for the area's ALPR cameras, with each way's centre."""
    header = f"[out:json][timeout:{settings.OVERPASS_QUERY_TIMEOUT}];"
    if area.kind == OsmArea.Kind.BBOX:
        box = f"({area.south},{area.west},{area.north},{area.east})"
        body = f"(node{ALPR_FILTER}{box};way{ALPR_FILTER}{box};);"
    else:
        name = area.boundary_name.strip() or area.city.name
        body = (
            f'area["ISO3166-2"="US-{area.city.state}"]["admin_level"="4"]->.state;'
            f'area["boundary"="administrative"]["name"={_quoted(name)}](area.state)->.city;'
            f"(node{ALPR_FILTER}(area.city);way{ALPR_FILTER}(area.city););"
        )
    return f"{header}{body}out center tags;"


def overpass_url(area: OsmArea) -> str:
    return f"{settings.OVERPASS_URL}?{urlencode({'data': overpass_query(area)})}"


def _refused_answer(path: Path) -> str:
    """Why an Overpass answer is not a whole result, or ""."""
    with path.open("rb") as stream:
        stream.seek(max(0, path.stat().st_size - 8192))
        tail = stream.read()
    match = REMARK_ERROR.search(tail)
    if match:
        return (
            _("Overpass could not finish the query (%s); nothing was changed.")
            % (match.group(0).decode("utf-8", "replace")[:200])
        )
    return ""


def osm_area_refresh(
    *, area: OsmArea, actor: User | None = None, now: dt.datetime | None = None
) -> OsmArea:
    """Ask Overpass for the area's ALPR cameras and import them as the city's OSM cameras."""
    now = now or timezone.now()
    actor = signed_in(actor)
    job = None
    error = ""
    with tempfile.TemporaryDirectory(prefix="overpass-") as tmp:
        target = Path(tmp) / "overpass.json"
        try:
            if not settings.OVERPASS_URL:
                raise FetchError(_("No Overpass endpoint is set (OVERPASS_URL)."))
            fetch_to_file(
                url=overpass_url(area),
                target=target,
                accept="application/json",
                max_bytes=settings.OVERPASS_MAX_BYTES,
            )
            error = _refused_answer(target)
            if not error:
                job = import_job_create(
                    kind=ImportJob.Kind.CAMERAS,
                    file=target,
                    original_name=f"osm-{area.city.slug}-{timezone.localdate(now):%Y%m%d}.json",
                    city=area.city,
                    options={"source": SOURCE, "osm_area": area.pk},
                    actor=actor,
                    run=False,
                )
                job = import_job_run(job=job)
                if job.status != ImportJob.Status.SUCCEEDED:
                    error = job.error or _("The import failed.")
        except (FetchError, ServiceError) as exc:
            error = str(exc)
    with transaction.atomic():
        area.last_fetched_at = now
        area.last_status = OsmArea.Status.FAILED if error else OsmArea.Status.REFRESHED
        area.last_error = error[:2000]
        area.last_job = job or area.last_job
        area.save(update_fields=["last_fetched_at", "last_status", "last_error", "last_job"])
        audit_record(
            actor=actor,
            action="osmarea.refresh",
            obj=area,
            city=area.city,
            changes={
                "status": area.last_status,
                "job": job.pk if job else None,
                "created": job.rows_created if job else 0,
                "updated": job.rows_updated if job else 0,
                "removed": job.rows_removed if job else 0,
                "error": error[:300],
            },
        )
    if error:
        logger.warning("OSM refresh of %s failed: %s", area.city, error)
    return area


def osm_areas_refresh_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue a refresh of every active area whose interval has passed; returns their ids."""
    due = sources_due(OsmArea.objects.all(), now=now or timezone.now())
    for area_id in due:
        task_enqueue_on_commit("cameras.tasks.osm_area_refresh", area_id)
    return due
