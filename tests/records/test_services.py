import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.models import ImportJob
from hearings.models import OutboundEmail
from records.models import RecordsRequest
from records.services import (
    records_reminders_send,
    records_request_attach,
    records_request_file,
    records_request_respond,
)
from searches.models import Search
from tests.records.conftest import EMAIL, link_in, logged

Status = RecordsRequest.Status


@pytest.mark.django_db
def test_filing_computes_the_due_date_and_waits_for_the_emailed_link(client, agency):
    records_request = records_request_file(
        city=agency.home_city,
        agency=agency,
        kind=RecordsRequest.Kind.SHARING,
        sent_on=dt.date(2026, 11, 19),
        reference="FOIA-77",
        email=EMAIL,
        language="en",
        ip="203.0.113.9",
    )
    # Illinois: 5 business days, Thanksgiving skipped.
    assert records_request.due_on == dt.date(2026, 11, 27)
    assert records_request.confirmed_at is None
    assert not RecordsRequest.objects.public().exists()
    email = OutboundEmail.objects.get(to=EMAIL)
    confirm = link_in(email, "confirm")
    page = client.get(confirm)
    assert page.status_code == 200 and not RecordsRequest.objects.public().exists()
    response = client.post(confirm)
    assert response.status_code == 302 and "/records-requests/manage/" in response["Location"]
    assert RecordsRequest.objects.public().get() == records_request
    # A forged or other-purpose token is refused.
    assert client.post(link_in(email, "manage").replace("manage", "confirm")).status_code == 400


@pytest.mark.django_db
def test_reminders_once_per_due_date_and_overdue_marking(agency):
    records_request = logged(agency, requester_email=EMAIL, email_normalized=EMAIL)
    quiet = logged(agency, kind=RecordsRequest.Kind.HOTLISTS)  # clerk-logged: no email
    assert records_reminders_send(today=dt.date(2026, 11, 26)) == 0
    assert records_reminders_send(today=dt.date(2026, 11, 27)) == 1
    assert records_reminders_send(today=dt.date(2026, 11, 27)) == 0
    reminder = OutboundEmail.objects.get(template="records/email/reminder")
    assert reminder.to == EMAIL
    assert "Nov. 27, 2026" in reminder.body_text and "5 ILCS 140" in reminder.body_text
    assert "/records-requests/manage/" in link_in(reminder, "manage")
    records_reminders_send(today=dt.date(2026, 11, 30))
    records_request.refresh_from_db()
    quiet.refresh_from_db()
    assert records_request.status == quiet.status == Status.OVERDUE
    assert OutboundEmail.objects.filter(template="records/email/reminder").count() == 1
    # An extension is a new due date: one more reminder when it comes.
    records_request_respond(
        records_request=records_request, status=Status.EXTENDED, due_on=dt.date(2026, 12, 4)
    )
    assert records_reminders_send(today=dt.date(2026, 12, 4)) == 1
    assert records_reminders_send(today=dt.date(2026, 12, 5)) == 0
    records_request.refresh_from_db()
    assert records_request.due_on == dt.date(2026, 12, 4)


@pytest.mark.django_db
def test_clerk_upload_of_an_audit_csv_runs_the_job_and_links_both_ways(
    clerk_client, agency, django_capture_on_commit_callbacks
):
    records_request = logged(agency)
    csv = (
        "id,userId,searchDate,networkCount,reason,offenseType\n"
        "a1,***,2026-10-01T10:00:00Z,3,stolen vehicle,\n"
        "a2,***,2026-10-02T11:00:00Z,5,inv,\n"
    )
    upload = ContentFile(csv.encode(), name="audit-response.csv")
    url = reverse("admin:records_recordsrequest_upload", args=[records_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(url, {"import_kind": "audit", "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    records_request.refresh_from_db()
    job = records_request.import_job
    assert job is not None and job.status == ImportJob.Status.SUCCEEDED, job and job.error
    assert job.options["records_request"] == records_request.pk
    assert Search.objects.filter(source_agency=agency).count() == 2
    page = clerk_client.get(reverse("records:detail", args=[records_request.pk]))
    assert f"Import job {job.pk}" in page.content.decode()
    assert reverse("admin:core_importjob_change", args=[job.pk]) in page.content.decode()


@pytest.mark.django_db
def test_a_requesters_upload_waits_for_a_clerk(agency, clerk):
    records_request = logged(agency, requester_email=EMAIL, email_normalized=EMAIL)
    job = records_request_attach(
        records_request=records_request,
        file=ContentFile(b"id,searchDate\n1,2026-10-01T10:00:00Z\n", name="a.csv"),
        import_kind="audit",
        actor=None,
        run=False,
    )
    assert job.status == ImportJob.Status.PENDING and job.created_by is None


@pytest.mark.django_db
def test_filing_is_rate_limited_per_mailbox(agency):
    from hearings.abuse import RateLimited

    def file(n: int):
        return records_request_file(
            city=agency.home_city,
            agency=agency,
            kind=RecordsRequest.Kind.CONTRACTS,
            sent_on=dt.date(2026, 11, 2),
            reference=f"R-{n}",
            email=EMAIL,
            language="es",
            ip=f"203.0.113.{n}",
        )

    for n in range(6):
        file(n)
    with pytest.raises(RateLimited):
        file(99)
    # The confirmation went out in the requester's language.
    assert "Confirme" in OutboundEmail.objects.filter(to=EMAIL).first().subject


@pytest.mark.django_db
def test_the_agency_must_belong_to_the_city(agency, other_city):
    from core.services import ServiceError

    with pytest.raises(ServiceError):
        records_request_file(
            city=other_city,
            agency=agency,
            kind=RecordsRequest.Kind.AUDIT,
            sent_on=dt.date(2026, 11, 2),
            reference="",
            email=EMAIL,
            language="en",
            ip="203.0.113.1",
        )
    assert not RecordsRequest.objects.exists()


@pytest.mark.django_db
def test_the_daily_task_calls_the_reminder_service(agency):
    from django.utils import timezone

    from records.tasks import records_reminders_send as task

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    logged(
        agency,
        requester_email=EMAIL,
        email_normalized=EMAIL,
        sent_on=yesterday - dt.timedelta(days=7),
        due_on=yesterday,
    )
    assert task.apply().get() == 1
    assert task.apply().get() == 0
