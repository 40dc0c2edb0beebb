"""Big CSV downloads are whole or visibly failed: over the inline limit a list answers 303 to a
background job whose file holds every filtered row, counted and hashed, and expires."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from exports import services
from exports.models import ExportJob
from tests.factories import AgencyFactory
from tests.searches.factories import SearchFactory
from tests.searches.test_privacy import SECRETS
from tests.searches.test_privacy import imported as imported

pytestmark = pytest.mark.django_db


@pytest.fixture
def get(client, django_capture_on_commit_callbacks):
    """A GET whose on-commit tasks run as they would after a real commit (eager Celery)."""

    def _get(url: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(url)

    return _get


@pytest.fixture
def searches(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    pd = AgencyFactory(name="Export Test PD", state="IL")
    other = AgencyFactory(name="Other County SO", state="WI")
    SearchFactory.create_batch(5, source_agency=pd)
    SearchFactory.create_batch(2, source_agency=other)
    return {"pd": pd, "other": other}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _download(get, job_json) -> bytes:
    response = get(job_json["download_url"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_small_result_streams_inline(get, searches):
    url = reverse("api:search-list") + f"?source_agency={searches['other'].slug}&format=csv"
    response = get(url)
    assert response.status_code == 200
    assert not response.has_header("Content-Length")
    assert len(_rows(b"".join(response.streaming_content))) == 2
    assert not ExportJob.objects.exists()


def test_large_result_goes_through_a_job_with_every_row(get, searches):
    url = reverse("api:search-list") + f"?source_agency={searches['pd'].slug}&format=csv"
    response = get(url)

    assert response.status_code == 303
    job = response.json()
    assert response["Location"] == job["url"]
    assert response["Cache-Control"] == "no-store"
    # Eager Celery (the embedded default) built it during the request.
    poll = get(job["url"]).json()
    assert poll["status"] == "ready" and poll["row_count"] == 5
    assert poll["query"] == f"source_agency={searches['pd'].slug}"
    data = _download(get, poll)
    assert hashlib.sha256(data).hexdigest() == poll["sha256"]
    assert len(data) == poll["size_bytes"]
    rows = _rows(data)
    assert len(rows) == 5
    assert {row["source_agency.slug"] for row in rows} == {searches["pd"].slug}

    # The same filters, in another order and format, reuse the job.
    again = get(reverse("api:export-list") + f"?source_agency={searches['pd'].slug}&kind=search")
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    assert ExportJob.objects.count() == 1


def test_job_file_has_exactly_the_columns_of_the_inline_csv(get, searches, settings):
    inline = get(reverse("api:search-list") + "?format=csv")
    assert inline.status_code == 303
    settings.EXPORT_INLINE_MAX_ROWS = 100
    inline_header = b"".join(
        get(reverse("api:search-list") + "?format=csv").streaming_content
    ).splitlines()[0]
    data = _download(get, get(inline.json()["url"]).json())
    assert data.splitlines()[0] == inline_header
    assert len(_rows(data)) == 7


def test_export_files_hold_no_private_value(get, imported, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    response = get(reverse("api:export-list") + "?kind=search")
    assert response.status_code == 202
    poll = get(response.json()["url"]).json()
    data = _download(get, poll)
    assert poll["row_count"] >= 9
    lowered = data.decode().lower()
    assert [secret for secret in SECRETS if secret.lower() in lowered] == []
    header = data.splitlines()[0].decode()
    for private in ("user", "officer", "plate", "email", "hash", "ip"):
        assert private not in header.lower().split(","), header


def test_a_failing_build_is_failed_with_a_message_and_no_file(get, searches, monkeypatch):
    def broken_rows(*, kind, query):
        def rows():
            yield {"id": 1}
            raise RuntimeError("database went away")

        return ["id"], rows()

    monkeypatch.setattr(services, "export_source", broken_rows)
    response = get(reverse("api:search-list") + "?format=csv")
    assert response.status_code == 303
    poll = get(response.json()["url"]).json()
    assert poll["status"] == "failed"
    assert "could not be built" in poll["error"]
    assert poll["download_url"] is None and poll["row_count"] is None
    job = ExportJob.objects.get()
    assert not job.file and job.sha256 == ""
    download = get(reverse("api:export-download", kwargs={"pk": job.pk}))
    assert download.status_code == 409
    # A failed job is not reused: asking again builds anew.
    monkeypatch.undo()
    retry = get(reverse("api:export-list") + "?kind=search").json()
    assert retry["id"] != poll["id"]
    assert get(retry["url"]).json()["row_count"] == 7


def test_expired_files_are_deleted(get, searches, settings):
    response = get(reverse("api:search-list") + "?format=csv")
    job = ExportJob.objects.get(pk=response.json()["id"])
    path = job.file.path
    assert job.expires_at - job.finished_at == dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    assert services.export_jobs_purge() == 0
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.export_jobs_purge() == 1
    assert not ExportJob.objects.exists()
    assert not os.path.exists(path)
    assert get(response.json()["url"]).status_code == 404


def test_a_build_killed_with_its_worker_is_not_reused(get, searches, settings):
    job = ExportJob.objects.create(
        kind="search",
        query="",
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    fresh = get(reverse("api:export-list") + "?kind=search").json()
    assert fresh["id"] != str(job.pk)
    assert get(fresh["url"]).json()["status"] == "ready"
    services.export_jobs_purge()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error


def test_bad_kind_or_filters_are_400s(get, searches):
    assert get(reverse("api:export-list") + "?kind=nope").status_code == 400
    bad = get(reverse("api:export-list") + "?kind=search&date_from=notadate")
    assert bad.status_code == 400
    assert not ExportJob.objects.exists()


def test_explorer_csv_link_polls_without_javascript(get, searches, settings):
    slug = searches["pd"].slug
    explorer = get(reverse("searches:explorer") + f"?source_agency={slug}")
    link = f"/downloads/search.csv?source_agency={slug}"
    assert link in explorer.content.decode()

    start = get(link)
    assert start.status_code == 302
    page = get(start["Location"])
    html = page.content.decode()
    job = ExportJob.objects.get()
    assert reverse("api:export-download", kwargs={"pk": job.pk}) in html
    assert job.sha256 in html and 'http-equiv="refresh"' not in html

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    waiting = get(start["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting

    # A small result goes straight to the streamed CSV.
    small = get(f"/downloads/search.csv?source_agency={searches['other'].slug}")
    assert small["Location"] == (
        reverse("api:search-list") + f"?source_agency={searches['other'].slug}&format=csv"
    )
