"""Two dated transparency pages of one California agency whose sharing list, retention and
access policy change between them, imported through the page importer as a clerk's would be."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from core.imports import import_job_create, import_job_run
from core.models import Agency, ImportJob
from tests.factories import AgencyFactory, CityFactory

OLDER, NEWER = dt.date(2026, 8, 3), dt.date(2026, 9, 24)
OLD_POLICY = "Access requires a valid case number."
NEW_POLICY = "Access requires a valid case number & <b>supervisor</b> approval."


def page(*, updated: str, cameras: int, retention: int, policy: str, shares: list[str]) -> bytes:
    lines = [
        "Transparency Portal",
        "Visit Flock",
        "Cedar Hollow CA PD",
        "Transparency Portal",
        "",
        f"Last updated: {updated}",
        "",
        "POLICIES",
        "",
        "Access Policy",
        "",
        policy,
        "USAGE",
        "",
        "Data retention",
        "",
        "The number of days data is retained.",
        "",
        f"{retention} days",
        "",
        "Total Cameras",
        "",
        "Number of LPR and other cameras.",
        "",
        str(cameras),
        "",
        "Sharing Network Data With",
        "",
        "Organizations granted access to Cedar Hollow CA PD data.",
        "",
        *shares,
        "Policy & Trust",
        "",
        "Provided by Flock Safety",
    ]
    return "\n".join(lines).encode()


OLDER_PAGE = page(
    updated="Mon Aug 03 2026",
    cameras=6,
    retention=30,
    policy=OLD_POLICY,
    shares=["Fresno CA PD", "Reno NV PD"],
)
NEWER_PAGE = page(
    updated="Thu Sep 24 2026",
    cameras=8,
    retention=90,
    policy=NEW_POLICY,
    shares=["Fresno CA PD", "[Federal] US Border Patrol"],
)


def run_page(source: bytes) -> ImportJob:
    job = import_job_create(
        kind=ImportJob.Kind.PORTAL_PAGE,
        file=ContentFile(source, name="page.txt"),
        original_name="page.txt",
        run=False,
    )
    job = import_job_run(job=job)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    return job


@pytest.fixture
def cedar(db) -> Agency:
    city = CityFactory(name="Cedar Hollow", state="CA", slug="cedar-hollow-ca")
    return AgencyFactory(name="Cedar Hollow CA PD", state="CA", home_city=city)


@pytest.fixture
def two_pages(cedar, django_capture_on_commit_callbacks) -> Agency:
    """Both pages imported, oldest first; the import hook collects the changes on commit."""
    for source in (OLDER_PAGE, NEWER_PAGE):
        with django_capture_on_commit_callbacks(execute=True):
            run_page(source)
    return cedar
