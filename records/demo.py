"""Invented demo records requests for Prairie Junction IL and Harbor Vista CA (see
``portal/demo.py``): one fulfilled whose file is the demo's imported audit, one overdue, one
open. Idempotent: a request is identified by its agency, kind and date sent. Rows are written
directly (no email is sent), with due dates from the states' laws, as of ``core.demo.AS_OF``.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from core.demo import AS_OF, HARBOR_CITY, HARBOR_PD, MAIN_CITY, PRAIRIE_PD
from core.models import Agency, City, ImportJob
from records.models import RecordsRequest
from records.services import records_due_on

Kind, Status = RecordsRequest.Kind, RecordsRequest.Status

PLANS = [
    # city, agency, kind, days before AS_OF sent, status, days after sent answered, reference, note
    (
        MAIN_CITY,
        PRAIRIE_PD,
        Kind.AUDIT,
        48,
        Status.FULFILLED,
        6,
        "FOIA-2026-0912",
        "Network audit received as CSV; imported below.",
    ),
    (MAIN_CITY, PRAIRIE_PD, Kind.SHARING, 12, Status.SENT, None, "FOIA-2026-1020", ""),
    (HARBOR_CITY, HARBOR_PD, Kind.CONTRACTS, 4, Status.SENT, None, "", ""),
]


@transaction.atomic
def demo_records_build(*, stdout: TextIO | None = None) -> int:
    """Load the demo requests that are missing; returns how many were created."""
    cities = {c.slug: c for c in City.objects.filter(slug__in={MAIN_CITY, HARBOR_CITY})}
    agencies = {a.name: a for a in Agency.objects.filter(name__in={PRAIRIE_PD, HARBOR_PD})}
    created = 0
    for city_slug, agency_name, kind, ago, status, answered, reference, note in PLANS:
        city, agency = cities.get(city_slug), agencies.get(agency_name)
        if city is None or agency is None:
            continue
        sent_on = AS_OF - dt.timedelta(days=ago)
        if RecordsRequest.objects.filter(agency=agency, kind=kind, sent_on=sent_on).exists():
            continue
        due_on = records_due_on(city=city, sent_on=sent_on)
        if status == Status.SENT and due_on is not None and due_on < AS_OF:
            status = Status.OVERDUE
        records_request = RecordsRequest.objects.create(
            city=city,
            agency=agency,
            kind=kind,
            status=status,
            sent_on=sent_on,
            due_on=due_on,
            original_due_on=due_on,
            response_on=sent_on + dt.timedelta(days=answered) if answered else None,
            reference=reference,
            public_note=note,
            confirmed_at=timezone.now(),
        )
        if kind == Kind.AUDIT:
            _link_audit(records_request)
        created += 1
    if stdout is not None:
        stdout.write(f"  records requests: {RecordsRequest.objects.count()} ({created} new)\n")
    return created


def _link_audit(records_request: RecordsRequest) -> None:
    """The demo's imported audit of the agency stands for the file the agency sent."""
    job = (
        ImportJob.objects.filter(
            kind=ImportJob.Kind.AUDIT,
            status=ImportJob.Status.SUCCEEDED,
            options__agency=records_request.agency.name,
        )
        .order_by("pk")
        .first()
    )
    if job is None:
        return
    job.options = {**job.options, "records_request": records_request.pk}
    job.save(update_fields=["options", "updated_at"])
    records_request.import_job = job
    records_request.save(update_fields=["import_job", "updated_at"])
