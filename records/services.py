"""Writes for records requests: a resident files one (confirmed by an emailed link), the
requester or a clerk records the agency's response, a received file becomes an import job, and
the daily reminder of due dates.

The requester's address is used only to send this request's emails; audit rows name the
request, never the address.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.imports import import_job_create
from core.models import Agency, City, ImportJob
from core.selectors import records_law_get
from core.services import ServiceError, audit_record
from core.tasking import task_enqueue_on_commit
from hearings.abuse import email_normalize, ip_hash, rate_limit_hit
from hearings.outbox import EmailLink, email_queue
from records.deadlines import due_date
from records.models import RecordsRequest
from records.selectors import (
    RECORDS_CONFIRM,
    RECORDS_MANAGE,
    records_request_from_link,
    request_mailbox_tag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files import File
    from django_stubs_ext import StrOrPromise

Status = RecordsRequest.Status
Kind = RecordsRequest.Kind

# Filing from one connection or for one mailbox, per hour.
FILE_LIMIT_IP = 20
FILE_LIMIT_EMAIL = 6

# The import a received file goes through, by what was asked for (a clerk or the requester may
# pick another one of these).
IMPORT_KINDS = (ImportJob.Kind.AUDIT, ImportJob.Kind.SHARING, ImportJob.Kind.PORTAL_PAGE)
DEFAULT_IMPORT_KIND: dict[str, str] = {
    Kind.AUDIT: ImportJob.Kind.AUDIT,
    Kind.SHARING: ImportJob.Kind.SHARING,
    Kind.PORTAL: ImportJob.Kind.PORTAL_PAGE,
}


def records_due_on(*, city: City, sent_on: dt.date) -> dt.date | None:
    """The response due date under the city's state law; None when the law sets no days or
    the state's records law is not profiled."""
    law = records_law_get(state=city.state)
    if law is None or not law.records_deadline_days:
        return None
    return due_date(
        sent_on=sent_on,
        days=law.records_deadline_days,
        business_days=law.records_deadline_business_days,
    )


def _check(city: City, agency: Agency, sent_on: dt.date) -> None:
    of_city = agency.home_city_id == city.pk
    of_state = agency.home_city_id is None and agency.state in ("", city.state)
    if not (of_city or of_state):
        raise ServiceError(_("Choose an agency of that city (or a statewide one)."))
    if sent_on > timezone.localdate():
        raise ServiceError(_("The date sent cannot be in the future."))


def _audit(
    records_request: RecordsRequest,
    action: str,
    *,
    actor: User | None = None,
    changes: dict | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=f"records_request.{action}",
        obj=records_request,
        city=records_request.city,
        changes=changes or {},
    )


def _links(records_request: RecordsRequest) -> dict[str, EmailLink]:
    return {
        "confirm_url": EmailLink(
            url_name="records:confirm",
            purpose=RECORDS_CONFIRM,
            pk=records_request.pk,
            extra=request_mailbox_tag(records_request),
            absolute=True,
        ),
        "manage_url": EmailLink(
            url_name="records:manage",
            purpose=RECORDS_MANAGE,
            pk=records_request.pk,
            extra=request_mailbox_tag(records_request),
            absolute=True,
        ),
    }


def _email(
    records_request: RecordsRequest,
    *,
    key: str,
    subject: StrOrPromise,
    template: str,
    context: dict[str, Any] | None = None,
) -> None:
    with translation.override(records_request.language):
        email_queue(
            key=f"records-request-{records_request.pk}-{key}",
            to=records_request.requester_email,
            subject=subject,
            template=f"records/email/{template}",
            context={
                "records_request": records_request,
                **_links(records_request),
                **(context or {}),
            },
            city=records_request.city,
        )


@transaction.atomic
def records_request_file(
    *,
    city: City,
    agency: Agency,
    kind: str,
    sent_on: dt.date,
    reference: str,
    email: str,
    language: str,
    ip: str,
) -> RecordsRequest:
    """Log a request a resident sent; it becomes public once they follow the emailed link."""
    _check(city, agency, sent_on)
    normalized = email_normalize(email)
    for scope, key, limit in (
        ("records_file_ip", ip_hash(ip), FILE_LIMIT_IP),
        ("records_file_email", normalized, FILE_LIMIT_EMAIL),
    ):
        if key:  # no address (a test client, a local call): nothing to count
            rate_limit_hit(scope=scope, key=key, limit=limit, window=3600)
    due_on = records_due_on(city=city, sent_on=sent_on)
    records_request = RecordsRequest.objects.create(
        city=city,
        agency=agency,
        kind=kind,
        sent_on=sent_on,
        reference=reference.strip(),
        due_on=due_on,
        original_due_on=due_on,
        requester_email=email.strip(),
        email_normalized=normalized,
        language=language,
    )
    _email(
        records_request,
        key="confirm",
        subject=_("Confirm your public records request"),
        template="confirm",
    )
    return records_request


@transaction.atomic
def records_request_confirm(*, token: str) -> tuple[RecordsRequest, bool]:
    """Publish a request from its emailed link; (request, whether this call confirmed it)."""
    records_request = records_request_from_link(token=token, purpose=RECORDS_CONFIRM)
    records_request = RecordsRequest.objects.select_for_update().get(pk=records_request.pk)
    if records_request.confirmed_at is not None:
        return records_request, False
    records_request.confirmed_at = timezone.now()
    records_request.save(update_fields=["confirmed_at", "updated_at"])
    _audit(records_request, "confirm")
    return records_request, True


def records_request_fill(*, records_request: RecordsRequest, actor: User | None) -> None:
    """Complete a request a clerk logs or changes in the admin (the admin saves and audits it):
    public at once, due date computed from the state's law when none was given."""
    if records_request.due_on is None:
        records_request.due_on = records_due_on(
            city=records_request.city, sent_on=records_request.sent_on
        )
    if records_request.original_due_on is None:
        records_request.original_due_on = records_request.due_on
    if records_request.confirmed_at is None:
        records_request.confirmed_at = timezone.now()
    if records_request.pk is None and actor is not None and actor.is_authenticated:
        records_request.created_by = actor
    records_request.email_normalized = email_normalize(records_request.requester_email)


@transaction.atomic
def records_request_respond(
    *,
    records_request: RecordsRequest,
    status: str,
    response_on: dt.date | None = None,
    due_on: dt.date | None = None,
    public_note: str | None = None,
    actor: User | None = None,
) -> RecordsRequest:
    """Record the agency's response: a new status, its date, a new due date for an extension,
    and a public note."""
    if status not in Status.values:
        raise ServiceError(_("Unknown status."))
    if status == Status.EXTENDED and due_on is None:
        raise ServiceError(_("An extension needs the new due date."))
    if due_on is not None and due_on < records_request.sent_on:
        raise ServiceError(_("The due date cannot be before the date sent."))
    before = {
        "status": records_request.status,
        "response_on": str(records_request.response_on or ""),
        "due_on": str(records_request.due_on or ""),
    }
    records_request.status = status
    if response_on is not None:
        records_request.response_on = response_on
    if due_on is not None:
        records_request.due_on = due_on
    if public_note is not None:
        records_request.public_note = public_note.strip()
    records_request.save()
    after = {
        "status": records_request.status,
        "response_on": str(records_request.response_on or ""),
        "due_on": str(records_request.due_on or ""),
    }
    changes = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    _audit(records_request, "respond", actor=actor, changes=changes)
    return records_request


@transaction.atomic
def records_request_attach(
    *,
    records_request: RecordsRequest,
    file: File,
    import_kind: str,
    actor: User | None,
    run: bool = True,
) -> ImportJob:
    """Store the file an agency sent as an import job of ``import_kind`` linked both ways with
    the request. ``run=False`` keeps it pending until a clerk starts it (a requester's upload)."""
    if import_kind not in IMPORT_KINDS:
        raise ServiceError(_("Choose what the file holds."))
    options: dict = {"agency": records_request.agency.name, "records_request": records_request.pk}
    if import_kind != ImportJob.Kind.AUDIT:
        # A response may cover part of the lists: never mark missing sharing ended from it.
        options["partial"] = True
    job = import_job_create(
        kind=import_kind,
        file=file,
        original_name=getattr(file, "name", "") or "",
        city=records_request.city,
        options=options,
        actor=actor,
        run=run,
    )
    records_request.import_job = job
    records_request.save(update_fields=["import_job", "updated_at"])
    _audit(records_request, "attach", actor=actor, changes={"import_job": job.pk})
    return job


@transaction.atomic
def records_request_import_start(*, records_request: RecordsRequest, actor: User) -> bool:
    """Run the pending import of a file the requester uploaded, on the clerk's authority (so it
    changes only what the clerk may change). False when there is no pending job."""
    job = records_request.import_job
    if job is None or job.status != ImportJob.Status.PENDING or job.created_by_id is not None:
        return False
    job.created_by = actor
    job.save(update_fields=["created_by", "updated_at"])
    task_enqueue_on_commit("core.tasks.import_job_run", job.pk)
    _audit(records_request, "import_start", actor=actor, changes={"import_job": job.pk})
    return True


def records_reminders_send(*, today: dt.date | None = None) -> int:
    """Mark open requests past their due date overdue, and email each requester once per due
    date when it arrives. Safe to run twice a day; returns how many reminders were queued."""
    today = today or timezone.localdate()
    RecordsRequest.objects.filter(
        status__in=[Status.SENT, Status.ACKNOWLEDGED, Status.EXTENDED], due_on__lt=today
    ).update(status=Status.OVERDUE, updated_at=timezone.now())
    due = (
        RecordsRequest.objects.public()
        .filter(status__in=RecordsRequest.OPEN_STATUSES, due_on__lte=today)
        .exclude(requester_email="")
        # Those reminded for their current due date are not locked again every day.
        .exclude(reminded_for=F("due_on"))
        .only("pk")
    )
    sent = 0
    for candidate in due:
        with transaction.atomic():
            records_request = (
                RecordsRequest.objects.select_for_update()
                .select_related("city", "agency")
                .get(pk=candidate.pk)
            )
            if (
                records_request.due_on is None
                or records_request.reminded_for == records_request.due_on
            ):
                continue
            _email(
                records_request,
                key=f"due-{records_request.due_on}",
                subject=_("Your public records request is due"),
                template="reminder",
                context={"law": records_law_get(state=records_request.city.state)},
            )
            records_request.reminded_for = records_request.due_on
            records_request.save(update_fields=["reminded_for", "updated_at"])
            sent += 1
    return sent
