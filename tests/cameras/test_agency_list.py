"""Agency lists (``id, name, notes``): every agency exists once, notes kept, nothing merged."""

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from core.imports import import_job_create, import_job_run
from core.models import Agency, AuditEvent, ImportJob
from core.names import normalize_agency_name
from tests.factories import AgencyFactory

REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "private-eyes" / "agency20240426.csv"

pytestmark = pytest.mark.django_db


def run_import(body: bytes, name="agency20240426.csv"):
    job = import_job_create(
        kind=ImportJob.Kind.PORTAL_METRICS,
        file=ContentFile(body, name=name),
        original_name=name,
        city=None,
        options={},
        run=False,
    )
    return import_job_run(job=job)


def test_each_listed_agency_exists_with_its_note():
    AgencyFactory(name="Abilene KS PD", notes="")
    job = run_import(
        b"id,name,notes\r\n"
        b"1,Abilene KS PD,NA\r\n"
        b"2,Adrian MI PD,Duplicate of Adrian Township MI PD\r\n"
        b"3,Adrian Township MI PD,NA\r\n"
        b'4,"Hermitage PA PD","Also referred to as Hermitage PA PD 2, listed separately"\r\n'
    )
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_unchanged, job.rows_rejected) == (4, 3, 1, 0)
    adrian = Agency.objects.get(name="Adrian MI PD")
    assert adrian.notes == "Duplicate of Adrian Township MI PD"
    assert Agency.objects.filter(name="Adrian Township MI PD").exists()  # never merged
    assert Agency.objects.get(name="Hermitage PA PD").state == "PA"


def test_a_note_on_a_known_agency_is_added_once_and_audited():
    agency = AgencyFactory(name="Daytona Beach FL PD", notes="Clerk's note")
    body = b"id,name,notes\n677,Daytona Beach FL PD,lists locations\n"
    first = run_import(body)
    assert (first.rows_created, first.rows_updated) == (0, 1)
    agency.refresh_from_db()
    assert agency.notes == "Clerk's note\nlists locations"
    assert AuditEvent.objects.filter(action="agency.notes", object_id=str(agency.pk)).count() == 1
    again = run_import(body)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 1)


def test_repeated_and_blank_names_are_accounted_for():
    job = run_import(b"id,name,notes\n1,Yelm WA PD,NA\n2,Yelm Police Department (WA),NA\n3,,NA\n")
    assert (job.rows_read, job.rows_created, job.rows_unchanged, job.rows_rejected) == (3, 1, 1, 1)
    messages = [(e.line, e.message) for e in job.row_errors.order_by("line")]
    assert messages[0][0] == 3 and "same agency as line 2" in messages[0][1]
    assert messages[1] == (4, "no agency name")


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data is not present")
def test_the_real_private_eyes_agency_list():
    with REAL.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    keys = {normalize_agency_name(r["name"]) for r in rows}
    job = run_import(REAL.read_bytes(), name=REAL.name)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.rows_read == len(rows) == 5152
    assert job.rows_rejected == 0
    assert job.rows_created == Agency.objects.count() == len(keys)
    assert job.rows_created + job.rows_unchanged == len(rows)
    with_notes = {normalize_agency_name(r["name"]) for r in rows if r["notes"] != "NA"}
    assert Agency.objects.exclude(notes="").count() == len(with_notes)
    again = run_import(REAL.read_bytes(), name=REAL.name)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, len(rows))
