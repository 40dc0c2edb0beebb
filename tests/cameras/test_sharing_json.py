"""A scraper's aggregated sharing records (JSON): directions, dividers, history, the real file."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from cameras.importers.sharing_json import agency_from_slug
from cameras.models import SharingAgreement
from core.imports import import_job_create, import_job_run
from core.models import ImportJob

REAL = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "data"
    / "transparency-pages"
    / "_sharing-relationships"
    / "sharing-relationships.auburn-wa-pd+centralia-pd-wa.json"
)

pytestmark = pytest.mark.django_db


def run_import(records, *, name="sharing-relationships.json", **options):
    body = records if isinstance(records, bytes) else json.dumps(records, indent=2).encode()
    job = import_job_create(
        kind=ImportJob.Kind.SHARING,
        file=ContentFile(body, name=name),
        original_name=name,
        city=None,
        options=options,
        run=False,
    )
    return import_job_run(job=job)


def record(source, partner, direction="shares_with"):
    return {
        "source_slug": source,
        "partner_name": partner,
        "direction": direction,
        "verified_portal": None,
    }


def edges():
    return {
        (a.owner.name, a.recipient.name): a.ended_on
        for a in SharingAgreement.objects.select_related("owner", "recipient")
    }


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("auburn-wa-pd", "Auburn WA PD"),
        ("centralia-pd-wa", "Centralia PD WA"),
        ("lane-county-or-so", "Lane County OR SO"),
    ],
)
def test_agency_named_from_its_page_slug(slug, name):
    assert agency_from_slug(slug) == name


def test_shares_with_lets_the_partner_search_the_source_and_receives_from_the_reverse():
    job = run_import(
        [
            record("auburn-wa-pd", "Aberdeen WA PD"),
            record("auburn-wa-pd", "[Federal] Homeland Security Investigations"),
            record("auburn-wa-pd", "Kent WA PD", "receives_from"),
        ],
        date="2026-06-27",
    )
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert edges() == {
        ("Auburn WA PD", "Aberdeen WA PD"): None,
        ("Auburn WA PD", "Homeland Security Investigations"): None,
        ("Kent WA PD", "Auburn WA PD"): None,
    }
    assert job.rows_created == 3


def test_page_dividers_and_placeholders_are_rejected_with_their_line():
    text = json.dumps(
        [
            record("auburn-wa-pd", "Aberdeen WA PD"),
            record("auburn-wa-pd", "ADDITIONAL INFO"),
            record("auburn-wa-pd", "Deactivated Users"),
            record("auburn-wa-pd", "Somewhere", "looks_at"),
        ],
        indent=2,
    ).encode()
    job = run_import(text)
    errors = [(e.line, e.message) for e in job.row_errors.order_by("line")]
    assert [line for line, _ in errors] == [8, 14, 20]
    assert "section heading" in errors[0][1]
    assert "names no organization" in errors[1][1]
    assert "unknown direction" in errors[2][1]
    assert job.rows_rejected == 3
    assert set(edges()) == {("Auburn WA PD", "Aberdeen WA PD")}


def test_a_later_file_ends_what_its_list_no_longer_holds_and_a_rerun_changes_nothing():
    first = [record("auburn-wa-pd", "Aberdeen WA PD"), record("auburn-wa-pd", "Yelm WA PD")]
    run_import(first, date="2026-06-01")
    later = run_import([record("auburn-wa-pd", "Aberdeen WA PD")], date="2026-07-01")
    assert later.rows_removed == 1
    assert edges() == {
        ("Auburn WA PD", "Aberdeen WA PD"): None,
        ("Auburn WA PD", "Yelm WA PD"): dt.date(2026, 7, 1),
    }
    again = run_import([record("auburn-wa-pd", "Aberdeen WA PD")], date="2026-07-01")
    assert (again.rows_created, again.rows_removed) == (0, 0)


def test_not_an_array_is_a_clear_error():
    job = run_import(b'{"source_slug": "x", "partner_name": "y"}')
    assert job.status == ImportJob.Status.FAILED


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data is not present")
def test_the_real_scraper_excerpt_every_record_accounted_for():
    records = json.loads(REAL.read_text())
    partners = {
        (r["source_slug"], r["partner_name"])
        for r in records
        if r["partner_name"] != "ADDITIONAL INFO"
    }
    job = run_import(REAL.read_bytes(), name=REAL.name, date="2026-06-27")
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.rows_read == len(records) == 164
    assert job.rows_rejected == 1  # auburn's "ADDITIONAL INFO", the scraper's artefact
    assert job.rows_created == len(partners) == 163
    # Auburn's list names "Centralia WA PD", the same agency as the slug centralia-pd-wa.
    owners = {
        key: SharingAgreement.objects.filter(owner__normalized_name=key).count()
        for key in ("wa:auburn pd", "wa:centralia pd")
    }
    assert owners == {"wa:auburn pd": 80, "wa:centralia pd": 83}
    mutual = SharingAgreement.objects.filter(recipient__normalized_name__in=owners)
    assert sorted(mutual.values_list("owner__normalized_name", "recipient__normalized_name")) == [
        ("wa:auburn pd", "wa:centralia pd"),
        ("wa:centralia pd", "wa:auburn pd"),
    ]
    again = run_import(REAL.read_bytes(), name=REAL.name, date="2026-06-27")
    assert (again.rows_created, again.rows_removed, again.rows_unchanged) == (0, 0, 163)
