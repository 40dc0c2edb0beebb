import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEvent
from records.models import RecordsRequest
from records.services import records_request_import_start
from tests.factories import AgencyFactory, ClerkFactory
from tests.records.conftest import EMAIL, logged


@pytest.mark.django_db
def test_public_log_detail_and_api_never_show_the_requester_email(client, agency):
    records_request = logged(
        agency,
        requester_email=EMAIL,
        email_normalized=EMAIL,
        reference="FOIA-2026-77",
        public_note="Agency said the plate 7ABC123 search was an error.",
    )
    pages = [
        client.get(reverse("records:log")),
        client.get(reverse("records:log"), {"city": agency.home_city.slug, "status": "sent"}),
        client.get(reverse("records:detail", args=[records_request.pk])),
        client.get(reverse("api:records-request-list")),
        client.get(reverse("api:records-request-detail", args=[records_request.pk])),
        client.get(reverse("api:records-request-list"), {"format": "csv"}),
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200, page
        assert EMAIL not in body and "resident.private" not in body
        assert "7ABC123" not in body
    assert "Joliet IL PD" in pages[0].content.decode()
    detail = pages[2].content.decode()
    assert "FOIA-2026-77" in detail and "[plate]" in detail
    assert "Illinois Freedom of Information Act" in detail
    api = pages[4].json()
    assert api["public_note"].startswith("Agency said the plate [plate]")
    assert "requester_email" not in api and "language" not in api
    # Filters: another status leaves it out.
    other = client.get(reverse("records:log"), {"status": "denied"}).content.decode()
    assert "No requests match these filters yet." in other
    assert reverse("records:detail", args=[records_request.pk]) not in other


@pytest.mark.django_db
def test_unconfirmed_requests_are_not_public(client, agency):
    hidden = logged(agency, confirmed_at=None, requester_email=EMAIL)
    assert client.get(reverse("records:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("api:records-request-list")).json()["count"] == 0


@pytest.mark.django_db
def test_templates_are_filled_in_for_the_agency_in_english_and_spanish(client, agency):
    query = {"agency": agency.slug, "start": "2025-11-01", "end": "2026-11-01"}
    page = client.get(reverse("records:templates"), query).content.decode()
    assert "5 ILCS 140" in page and "Public Access Counselor" in page
    assert "Total Networks Searched" in page and "License Plate" not in page
    assert 'src="/static/js/copy-text.js"' in page or "copy-text" in page
    download = client.get(reverse("records:template-download", args=["audit"]), query)
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    text = download.content.decode()
    assert text.startswith("Public records request: Search audit logs, Joliet IL PD")
    assert "CSV" in text and "Nov. 1, 2025" in text
    client.cookies["django_language"] = "es"
    spanish = client.get(reverse("records:template-download", args=["contracts"]), query)
    assert "Solicitud de registros públicos" in spanish.content.decode()


@pytest.mark.django_db
def test_clerk_admin_is_scoped_to_their_cities(clerk_client, clerk, agency, other_city):
    mine = logged(agency)
    foreign_agency = AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA")
    theirs = logged(foreign_agency, requester_email=EMAIL, email_normalized=EMAIL)
    changelist = clerk_client.get(reverse("admin:records_recordsrequest_changelist"))
    assert changelist.status_code == 200
    body = changelist.content.decode()
    assert "Joliet IL PD" in body and "Berkeley CA PD" not in body
    for name in ("admin:records_recordsrequest_change", "admin:records_recordsrequest_upload"):
        assert clerk_client.get(reverse(name, args=[mine.pk])).status_code == 200
        response = clerk_client.get(reverse(name, args=[theirs.pk]))
        assert response.status_code in (302, 403, 404)
        assert EMAIL not in response.content.decode()
    # The bulk action cannot reach another city's request either.
    clerk_client.post(
        reverse("admin:records_recordsrequest_changelist"),
        {"action": "start_received_imports", "_selected_action": [mine.pk, theirs.pk]},
    )
    # A clerk logs a request: due date from the state's law, public at once, audited.
    response = clerk_client.post(
        reverse("admin:records_recordsrequest_add"),
        {
            "city": agency.home_city.pk,
            "agency": agency.pk,
            "kind": "contracts",
            "sent_on": "2026-11-19",
            "status": "sent",
            "language": "en",
            "requester_email": "walk.in@example.net",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = RecordsRequest.objects.get(kind="contracts")
    assert added.due_on == dt.date(2026, 11, 27) and added.confirmed_at is not None
    assert added.created_by == clerk
    event = AuditEvent.objects.get(action__startswith="recordsrequest.")
    assert event.city == agency.home_city
    assert "walk.in@example.net" not in str(event.changes)


@pytest.mark.django_db
def test_a_clerk_starts_a_requesters_pending_import_only_in_their_city(
    agency, other_city, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from records.services import records_request_attach

    records_request = logged(agency, requester_email=EMAIL, email_normalized=EMAIL)
    csv = (
        b"id,userId,searchDate,networkCount,reason,offenseType\n"
        b"b1,***,2026-10-01T10:00:00Z,3,warrant,\n"
    )
    job = records_request_attach(
        records_request=records_request,
        file=ContentFile(csv, name="from-resident.csv"),
        import_kind="audit",
        actor=None,
        run=False,
    )
    clerk = ClerkFactory(username="clerk-two", city=agency.home_city)
    with django_capture_on_commit_callbacks(execute=True):
        assert records_request_import_start(records_request=records_request, actor=clerk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created_by == clerk
    assert not records_request_import_start(records_request=records_request, actor=clerk)


def test_the_api_filters_by_slug_an_unknown_one_finds_nothing_and_import_job_is_null(
    client, agency
):
    records_request = logged(agency, requester_email=EMAIL, email_normalized=EMAIL)
    url = reverse("api:records-request-list")

    def ids(params) -> list[int]:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({"agency": agency.slug}) == [records_request.pk]
    assert ids({"city": agency.home_city.slug}) == [records_request.pk]
    assert ids({"agency": "no-such-agency"}) == []
    assert ids({"city": "no-such-city"}) == []
    assert client.get(url).json()["results"][0]["import_job"] is None
