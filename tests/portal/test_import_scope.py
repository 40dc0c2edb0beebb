"""Clerk scoping of imports (issue 10, finding 1): a clerk's file changes only their cities' data.

Reproducer of the finding: as a Prairie Junction clerk, upload a sharing file whose
``src_agency`` names Harbor Vista's police department. Before the shared check, the file ended
Harbor Vista's agreements and gave it a Texas recipient; metrics, pages, cameras and audits
changed Harbor Vista's data the same way, and the audit log filed it all under Prairie Junction.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.import_scope import ImportScope
from core.imports import import_job_create, import_job_run
from core.models import Agency, AuditEvent, ImportJob
from searches.models import Search
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    ClerkFactory,
    SharingAgreementFactory,
    SuperuserFactory,
    TransparencySnapshotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AUDITS = Path(__file__).resolve().parent.parent / "fixtures" / "audits"
OLD = dt.date(2024, 4, 26)


@pytest.fixture
def world():
    """Two cities, each with its police department, and a clerk of Prairie Junction."""
    pj = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    hv = CityFactory(name="Harbor Vista", state="CA", slug="harbor-vista-ca")
    return {
        "pj": pj,
        "hv": hv,
        "pj_pd": AgencyFactory(name="Prairie Junction IL PD", home_city=pj),
        "hv_pd": AgencyFactory(name="Harbor Vista CA PD", home_city=hv, state="CA"),
        "clerk": ClerkFactory(username="clerk-pj", city=pj),
    }


def run_import(kind, text, *, user, city, name="upload.csv", **options):
    job = import_job_create(
        kind=kind,
        file=ContentFile(text.encode() if isinstance(text, str) else text, name=name),
        original_name=name,
        city=city,
        options=options,
        actor=user,
        run=False,
    )
    job = import_job_run(job=job)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    return job


def errors(job):
    return list(job.row_errors.order_by("line").values_list("line", "message"))


def open_agreements(owner):
    return SharingAgreement.objects.filter(owner=owner, ended_on__isnull=True)


def harbor_vista_shares_with_twelve(hv_pd):
    for n in range(12):
        SharingAgreementFactory(
            owner=hv_pd, recipient=AgencyFactory(name=f"Partner {n} CA PD", state="CA")
        )


SHARING_PAIRS = (
    "src_agency,external_agency\n"
    "Harbor Vista CA PD,Lone Star TX SO\n"
    "Prairie Junction IL PD,Dallas TX PD\n"
)


# --- sharing ----------------------------------------------------------------------------------


def test_clerk_sharing_file_naming_another_citys_agency_is_refused_on_its_line(world):
    harbor_vista_shares_with_twelve(world["hv_pd"])

    job = run_import(ImportJob.Kind.SHARING, SHARING_PAIRS, user=world["clerk"], city=world["pj"])

    assert errors(job) == [
        (
            2,
            "Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities: its sharing "
            "is not yours to change",
        )
    ]
    assert (job.rows_read, job.rows_created, job.rows_rejected, job.rows_removed) == (2, 1, 1, 0)
    # Harbor Vista's twelve agreements stay open and it gains no Texas recipient.
    assert open_agreements(world["hv_pd"]).count() == 12
    assert not SharingAgreement.objects.filter(recipient__name="Lone Star TX SO").exists()
    # The clerk's own agency's row imported.
    assert SharingAgreement.objects.filter(
        owner=world["pj_pd"], recipient__name="Dallas TX PD"
    ).exists()
    # Harbor Vista's public page does not show the Texas recipient.
    page = Client().get(world["hv_pd"].get_absolute_url())
    assert page.status_code == 200
    assert "Lone Star" not in page.content.decode()


def test_clerk_own_list_ends_only_agreements_the_clerk_owns(world):
    """A complete list on the recipient side (who the clerk's agency receives from) ends the
    stale agreements of agencies of no city, never another city's agency's."""
    pj_pd = world["pj_pd"]
    hv_port = AgencyFactory(name="Harbor Vista CA Port Police", home_city=world["hv"], state="CA")
    from_hv = SharingAgreementFactory(owner=hv_port, recipient=pj_pd)
    from_nobody = SharingAgreementFactory(
        owner=AgencyFactory(name="Gone Partner TX PD", state="TX"), recipient=pj_pd
    )
    to_old = SharingAgreementFactory(
        owner=pj_pd, recipient=AgencyFactory(name="Old Recipient IN PD", state="IN")
    )
    page = "\n".join(
        [
            "Prairie Junction IL PD",
            "Transparency Portal",
            "Last Updated: Sun Mar 29 2026",
            "Data retention (in days)",
            "30 days",
            "Organizations granted access to Prairie Junction IL PD data",
            "Dallas TX PD",
            "Organizations sharing their data with Prairie Junction IL PD",
            "Lone Star TX SO, Harbor Vista CA PD",
        ]
    )

    job = run_import(
        ImportJob.Kind.PORTAL_PAGE, page, user=world["clerk"], city=world["pj"], name="pj.txt"
    )

    assert errors(job) == [
        (
            9,
            "Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities: its sharing "
            "is not yours to change",
        )
    ]
    for agreement in (from_hv, from_nobody, to_old):
        agreement.refresh_from_db()
    assert from_hv.ended_on is None  # Harbor Vista's data: not the clerk's to end
    assert from_nobody.ended_on == dt.date(2026, 3, 29)  # received from an agency of no city
    assert to_old.ended_on == dt.date(2026, 3, 29)  # the clerk's own sharing
    assert job.rows_removed == 2
    # Both directions of the clerk's own page import: sharing out and receiving in.
    assert SharingAgreement.objects.filter(owner=pj_pd, recipient__name="Dallas TX PD").exists()
    assert SharingAgreement.objects.filter(owner__name="Lone Star TX SO", recipient=pj_pd).exists()
    assert not SharingAgreement.objects.filter(owner=world["hv_pd"]).exists()
    assert TransparencySnapshot.objects.get(agency=pj_pd).retention_days == 30


def test_clerk_scraper_records_of_another_citys_agency_are_refused(world):
    SharingAgreementFactory(owner=world["hv_pd"], recipient=AgencyFactory(name="Kept CA PD"))
    records = (
        "[\n"
        '  {"source_slug": "harbor-vista-ca-pd", "partner_name": "Lone Star TX SO",'
        ' "direction": "shares_with"},\n'
        '  {"source_slug": "prairie-junction-il-pd", "partner_name": "Dallas TX PD",'
        ' "direction": "shares_with"}\n'
        "]\n"
    )

    job = run_import(
        ImportJob.Kind.SHARING, records, user=world["clerk"], city=world["pj"], name="r.json"
    )

    assert [line for line, _message in errors(job)] == [2]
    assert open_agreements(world["hv_pd"]).get().recipient.name == "Kept CA PD"
    assert open_agreements(world["pj_pd"]).get().recipient.name == "Dallas TX PD"


# --- cameras ----------------------------------------------------------------------------------


def test_clerk_camera_file_cannot_touch_another_citys_cameras_or_owners(world):
    hv_camera = CameraFactory(
        city=world["hv"], owner=world["hv_pd"], source="csv-shared", source_id="hv-1"
    )
    before = (hv_camera.city_id, hv_camera.latitude, hv_camera.owner_id)
    content = (
        "id,latitude,longitude,owner\n"
        "pj-1,41.600000,-88.100000,Prairie Junction IL PD\n"
        "pj-2,41.610000,-88.110000,Harbor Vista CA PD\n"
        "hv-1,41.620000,-88.120000,Prairie Junction IL PD\n"
    )

    job = run_import(
        ImportJob.Kind.CAMERAS, content, user=world["clerk"], city=world["pj"], source="csv-shared"
    )

    assert errors(job) == [
        (3, "the owner Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities"),
        (4, "camera hv-1 belongs to Harbor Vista, CA, outside your cities"),
    ]
    assert (job.rows_created, job.rows_rejected) == (1, 2)
    assert not Camera.objects.filter(owner=world["hv_pd"]).exclude(pk=hv_camera.pk).exists()
    hv_camera.refresh_from_db()
    assert (hv_camera.city_id, hv_camera.latitude, hv_camera.owner_id) == before
    assert hv_camera.status == Camera.Status.ACTIVE
    assert Camera.objects.get(source_id="pj-1").city == world["pj"]


# --- portal metrics and pages -----------------------------------------------------------------


def test_clerk_metrics_file_cannot_set_another_citys_retention(world):
    TransparencySnapshotFactory(agency=world["hv_pd"], captured_on=OLD, retention_days=30)
    content = (
        "agency,data_retention_in_days,number_of_owned_cameras,"
        "external_organizations_with_access\n"
        'Harbor Vista CA PD,9999,3,"Lone Star TX SO, Dallas TX PD"\n'
        "Prairie Junction IL PD,30,12,Dallas TX PD\n"
    )

    job = run_import(
        ImportJob.Kind.PORTAL_METRICS,
        content,
        user=world["clerk"],
        city=world["pj"],
        date=OLD.isoformat(),
    )

    assert errors(job) == [
        (2, "Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities")
    ]
    assert TransparencySnapshot.objects.get(agency=world["hv_pd"]).retention_days == 30
    assert not SharingAgreement.objects.filter(owner=world["hv_pd"]).exists()
    assert TransparencySnapshot.objects.get(agency=world["pj_pd"]).retention_days == 30
    assert SharingAgreement.objects.filter(owner=world["pj_pd"]).count() == 1


def test_clerk_agency_list_cannot_write_notes_on_another_citys_agency(world):
    content = "id,name,notes\n1,Harbor Vista CA PD,Duplicate of X\n2,New Town IL PD,added\n"

    job = run_import(ImportJob.Kind.PORTAL_METRICS, content, user=world["clerk"], city=world["pj"])

    assert errors(job) == [
        (2, "Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities")
    ]
    world["hv_pd"].refresh_from_db()
    assert world["hv_pd"].notes == ""
    assert Agency.objects.get(name="New Town IL PD").notes == "added"


HV_PAGE = "\n".join(
    [
        "Harbor Vista CA PD",
        "Transparency Portal",
        "Last Updated: Sun Mar 29 2026",
        "Data retention (in days)",
        "9999 days",
        "Organizations granted access to Harbor Vista CA PD data",
        "Lone Star TX SO, [Federal] Gulf Task Force",
    ]
)


def test_clerk_page_of_another_citys_agency_changes_nothing_of_it(world):
    kept = SharingAgreementFactory(
        owner=world["hv_pd"], recipient=AgencyFactory(name="Kept CA PD", state="CA")
    )
    task_force = AgencyFactory(
        name="Gulf Task Force", kind=Agency.Kind.OTHER, home_city=world["hv"]
    )

    job = run_import(
        ImportJob.Kind.PORTAL_PAGE, HV_PAGE, user=world["clerk"], city=world["pj"], name="hv.txt"
    )

    refused = "Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities"
    assert errors(job) == [
        (1, refused),
        (7, f"{refused}: its sharing is not yours to change"),
        (7, f"{refused}: its sharing is not yours to change"),
        (7, "status tag not applied: Gulf Task Force belongs to Harbor Vista, CA, outside your "
         "cities"),
    ]  # fmt: skip
    assert not TransparencySnapshot.objects.filter(agency=world["hv_pd"]).exists()
    kept.refresh_from_db()
    assert kept.ended_on is None
    assert list(open_agreements(world["hv_pd"])) == [kept]
    task_force.refresh_from_db()
    assert task_force.kind == Agency.Kind.OTHER


# --- audits -----------------------------------------------------------------------------------


def test_clerk_audit_of_another_citys_agency_fails_and_writes_nothing(world):
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=AUDITS / "portal_new.csv",
        city=world["pj"],
        options={"agency": "Harbor Vista CA PD"},
        actor=world["clerk"],
        run=False,
    )
    job = import_job_run(job=job)

    assert job.status == ImportJob.Status.FAILED
    assert "Harbor Vista CA PD belongs to Harbor Vista, CA, outside your cities" in job.error
    assert not Search.objects.exists()


def test_clerk_audit_of_an_unknown_agency_outside_their_cities_creates_nothing(world):
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=AUDITS / "portal_new.csv",
        city=world["hv"],
        options={"agency": "Brand New CA PD"},
        actor=world["clerk"],
        run=False,
    )
    job = import_job_run(job=job)

    assert job.status == ImportJob.Status.FAILED
    assert not Agency.objects.filter(name="Brand New CA PD").exists()
    assert not Search.objects.exists()


def test_clerk_audit_of_their_own_agency_imports(world):
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=AUDITS / "portal_new.csv",
        city=world["pj"],
        options={"agency": "Prairie Junction IL PD"},
        actor=world["clerk"],
        run=False,
    )
    job = import_job_run(job=job)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.rows_created > 0
    assert Search.objects.filter(source_agency=world["pj_pd"]).count() == job.rows_created


# --- unrestricted imports and the audit log ---------------------------------------------------


def test_superuser_import_is_unrestricted_and_audited_in_every_city_it_changed(world):
    harbor_vista_shares_with_twelve(world["hv_pd"])
    admin = SuperuserFactory(username="root")

    job = run_import(ImportJob.Kind.SHARING, SHARING_PAIRS, user=admin, city=world["pj"])

    assert errors(job) == []
    assert open_agreements(world["hv_pd"]).get().recipient.name == "Lone Star TX SO"
    assert job.rows_removed == 12
    cities = set(
        AuditEvent.objects.filter(action="import.run", object_id=str(job.pk)).values_list(
            "city__slug", flat=True
        )
    )
    # Harbor Vista's clerk sees what the import did to Harbor Vista's records.
    assert cities == {"prairie-junction-il", "harbor-vista-ca"}


def test_command_line_import_is_unrestricted(world, tmp_path, capsys):
    harbor_vista_shares_with_twelve(world["hv_pd"])
    path = tmp_path / "pairs.csv"
    path.write_text(SHARING_PAIRS)

    call_command("import_sharing", str(path))

    assert open_agreements(world["hv_pd"]).get().recipient.name == "Lone Star TX SO"
    assert AuditEvent.objects.filter(action="import.run", city=world["hv"]).exists()


def test_clerk_upload_in_the_admin_runs_in_the_clerks_scope(
    client, world, django_capture_on_commit_callbacks
):
    """The finding as reported: through the admin upload form and the Celery task."""
    harbor_vista_shares_with_twelve(world["hv_pd"])
    client.force_login(world["clerk"])
    upload = SimpleUploadedFile("agency_access20240426.csv", SHARING_PAIRS.encode(), "text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:core_importjob_add"),
            {"kind": ImportJob.Kind.SHARING, "file": upload, "city": world["pj"].pk},
        )

    job = ImportJob.objects.get()
    assert job.created_by == world["clerk"]
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert [line for line, _message in errors(job)] == [2]
    assert open_agreements(world["hv_pd"]).count() == 12
    assert not AuditEvent.objects.filter(city=world["hv"]).exists()


# --- the scope itself -------------------------------------------------------------------------


def test_scope_of_users(world):
    assert not ImportScope.for_user(None).restricted
    assert not ImportScope.for_user(SuperuserFactory(username="root")).restricted
    assert ImportScope.for_user(world["clerk"]).city_ids == {world["pj"].pk}
    staff = UserFactory(username="staff-no-city", is_staff=True)
    assert ImportScope.for_user(staff).city_ids == frozenset()
    world["clerk"].is_active = False
    assert ImportScope.for_user(world["clerk"]).city_ids == frozenset()


def test_scope_filter_matches_its_row_check(world):
    """``agreements()`` (the ending steps) and ``agreement_refusal`` (each row) agree."""
    scope = ImportScope.for_user(world["clerk"])
    nobody = AgencyFactory(name="Nobody TX PD", state="TX")
    pairs = [
        (world["pj_pd"], world["hv_pd"]),
        (world["hv_pd"], world["pj_pd"]),
        (nobody, world["pj_pd"]),
        (world["pj_pd"], nobody),
        (nobody, world["hv_pd"]),
        (world["hv_pd"], nobody),
    ]
    agreements = [SharingAgreementFactory(owner=o, recipient=r) for o, r in pairs]
    allowed = set(SharingAgreement.objects.filter(scope.agreements()).values_list("pk", flat=True))
    checked = {
        a.pk
        for a in agreements
        if not scope.agreement_refusal(owner=a.owner, recipient=a.recipient)
    }
    assert allowed == checked
    assert allowed == {agreements[0].pk, agreements[2].pk, agreements[3].pk}
