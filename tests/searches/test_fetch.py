"""Scheduled fetches of registered audit URLs, served by a local HTTP server in a thread.

The private-address guard allows loopback only on the test server's own port
(``AUDIT_FETCH_ALLOW_LOOPBACK_PORTS``), so a redirect to any other local service is refused
exactly as in production."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from core import fetching as fetch_module
from core.models import AuditEvent, ImportJob
from searches.models import AuditFetch, AuditSource, Search
from searches.services.fetch import audit_source_fetch, audit_sources_fetch_due
from tests.factories import AgencyFactory
from tests.fetchserver import LocalServer as AuditServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audits"

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    settings.AUDIT_FETCH_TIMEOUT_SECONDS = 0.5
    settings.AUDIT_FETCH_BACKOFF_SECONDS = 0
    audit = AuditServer()
    settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS = [audit.port]
    audit.thread.start()
    yield audit
    audit.stop()


@pytest.fixture
def internal():
    """Another local service (think Redis or a metadata endpoint) the guard does not allow."""
    other = AuditServer()
    other.files["/secret"] = b"internal only"
    other.thread.start()
    yield other
    other.stop()


@pytest.fixture
def source(clerk_city):
    agency = AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    return AuditSource.objects.create(agency=agency, url="http://127.0.0.1/audit.csv")


def _point(source: AuditSource, url: str) -> AuditSource:
    source.url = url
    source.save()
    return source


def test_fetch_imports_then_asks_if_changed_then_imports_only_new_searches(server, source):
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    _point(source, server.url("/audit.csv"))

    first = audit_source_fetch(source=source)
    assert first.status == AuditFetch.Status.IMPORTED, first.error
    assert (first.http_status, first.rows_new, first.rows_duplicate, first.rows_rejected) == (
        200, 4, 0, 0
    )  # fmt: skip
    assert first.bytes_received == len(server.files["/audit.csv"])
    assert first.job.status == ImportJob.Status.SUCCEEDED
    assert first.job.options["agency"] == "Joliet IL PD"
    assert first.job.city == source.agency.home_city
    source.refresh_from_db()
    assert source.etag and source.last_modified == "Mon, 01 Dec 2025 10:00:00 GMT"
    assert source.last_fetched_at is not None

    second = audit_source_fetch(source=source)
    assert second.status == AuditFetch.Status.NOT_MODIFIED
    assert second.http_status == 304 and second.job is None
    assert server.requests[-1]["If-None-Match"] == source.etag
    assert server.requests[-1]["If-Modified-Since"] == "Mon, 01 Dec 2025 10:00:00 GMT"

    # The next day's download overlaps the first: only the two new searches are added.
    server.files["/audit.csv"] = (FIXTURES / "overlap_day2.csv").read_bytes()
    third = audit_source_fetch(source=source)
    assert third.status == AuditFetch.Status.IMPORTED, third.error
    assert (third.rows_new, third.rows_duplicate) == (2, 2)
    assert Search.objects.filter(source_agency=source.agency).count() == 6
    assert AuditEvent.objects.filter(action="auditsource.fetch").count() == 3


def test_same_content_without_etag_support_is_not_imported_twice(server, source, monkeypatch):
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    _point(source, server.url("/audit.csv"))
    assert audit_source_fetch(source=source).status == AuditFetch.Status.IMPORTED
    source.etag = source.last_modified = ""  # a server that ignores conditional requests
    source.save()
    again = audit_source_fetch(source=source)
    assert again.status == AuditFetch.Status.NOT_MODIFIED
    assert again.http_status == 200 and again.job is None
    assert ImportJob.objects.count() == 1


def test_404_is_recorded_as_a_failed_fetch(server, source):
    _point(source, server.url("/gone.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert fetch.http_status == 404
    assert "404" in fetch.error
    assert not ImportJob.objects.exists()
    source.refresh_from_db()
    assert source.last_fetched_at is not None and source.etag == ""


def test_timeout_is_retried_then_recorded_as_a_failed_fetch(server, source, settings):
    settings.AUDIT_FETCH_RETRIES = 1
    _point(source, server.url("/slow.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert "timed out" in fetch.error
    assert fetch.finished_at is not None
    assert [r["path"] for r in server.requests] == ["/slow.csv", "/slow.csv"]


def test_transient_server_errors_are_retried_with_backoff(server, source, settings, monkeypatch):
    settings.AUDIT_FETCH_BACKOFF_SECONDS = 0.01
    pauses: list[float] = []
    monkeypatch.setattr(fetch_module.time, "sleep", pauses.append)
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    server.failures["/audit.csv"] = [503, 502]
    _point(source, server.url("/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.IMPORTED, fetch.error
    assert (fetch.http_status, fetch.rows_new) == (200, 4)
    assert len(server.requests) == 3
    assert pauses == [0.01, 0.02]  # doubled each time


def test_a_final_answer_is_not_retried(server, source, settings):
    settings.AUDIT_FETCH_RETRIES = 3
    server.failures["/audit.csv"] = [403]
    _point(source, server.url("/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert (fetch.http_status, len(server.requests)) == (403, 1)


def test_a_download_is_bounded_in_time_as_well_as_per_read(server, source, settings):
    settings.AUDIT_FETCH_MAX_SECONDS = 0.5
    _point(source, server.url("/drip.csv"))
    started = time.monotonic()
    fetch = audit_source_fetch(source=source)
    assert time.monotonic() - started < 1.8  # the server would drip for 2 s
    assert fetch.status == AuditFetch.Status.FAILED
    assert "took longer than 0.5 seconds" in fetch.error


# --- redirects: every hop goes through the private-address guard -----------------------------


def test_a_redirect_to_a_public_location_is_followed(server, source):
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    server.redirects["/old/audit.csv"] = "/audit.csv"  # relative, as servers often send
    _point(source, server.url("/old/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.IMPORTED, fetch.error
    assert [r["path"] for r in server.requests] == ["/old/audit.csv", "/audit.csv"]


def test_a_redirect_to_another_local_service_is_refused_before_connecting(server, source, internal):
    server.redirects["/audit.csv"] = internal.url("/secret")
    _point(source, server.url("/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert [r["path"] for r in server.requests] == ["/audit.csv"]  # the first hop was fetched
    assert internal.requests == []  # the second never connected
    assert fetch.status == AuditFetch.Status.FAILED
    assert "127.0.0.1 is a private or local address" in fetch.error
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.5/audit.csv",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::ffff:10.0.0.5]/audit.csv",  # IPv4-mapped IPv6
        "http://[::1]:6379/",
        "http://0.0.0.0:6379/",
        "http://localhost:6379/",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_redirects_to_private_addresses_are_refused(server, source, location):
    server.redirects["/audit.csv"] = location
    _point(source, server.url("/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert "private or local" in fetch.error or "Only http" in fetch.error
    assert len(server.requests) == 1


def test_redirect_loops_stop(server, source, settings):
    settings.AUDIT_FETCH_MAX_REDIRECTS = 3
    server.redirects["/a.csv"] = "/b.csv"
    server.redirects["/b.csv"] = "/a.csv"
    _point(source, server.url("/a.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert "More than 3 redirects" in fetch.error
    assert len(server.requests) == 4


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(server, source):
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    _point(source, server.url("/audit.csv", host="localhost"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.IMPORTED, fetch.error
    assert server.requests[0]["Host"] == f"localhost:{server.port}"


def test_a_file_over_the_size_cap_is_refused(server, source, settings):
    settings.AUDIT_FETCH_MAX_BYTES = 100
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    _point(source, server.url("/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert "at most 100 bytes" in fetch.error
    assert not ImportJob.objects.exists()


def test_a_file_that_does_not_import_fails_the_fetch(server, source):
    server.files["/audit.csv"] = (FIXTURES / "unknown_layout.csv").read_bytes()
    _point(source, server.url("/audit.csv"))
    fetch = audit_source_fetch(source=source)
    assert fetch.status == AuditFetch.Status.FAILED
    assert "Unknown search-audit layout" in fetch.error
    assert fetch.job.status == ImportJob.Status.FAILED
    source.refresh_from_db()
    assert source.etag == ""  # the next fetch tries again


def test_private_addresses_are_refused_by_default(source, settings):
    assert settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS == []
    for url in ("http://127.0.0.1:6379/", "http://10.0.0.5/audit.csv", "ftp://example.com/a"):
        _point(source, url)
        fetch = audit_source_fetch(source=source)
        assert fetch.status == AuditFetch.Status.FAILED
        assert fetch.http_status is None
        assert "private or local" in fetch.error or "Only http" in fetch.error


def test_fetch_due_queues_sources_whose_interval_passed(
    server, source, django_capture_on_commit_callbacks
):
    now = timezone.now()
    server.files["/audit.csv"] = (FIXTURES / "overlap_day1.csv").read_bytes()
    _point(source, server.url("/audit.csv"))
    recent = AuditSource.objects.create(
        agency=source.agency, url=server.url("/other.csv"), interval_hours=24,
        last_fetched_at=now - dt.timedelta(hours=2),
    )  # fmt: skip
    AuditSource.objects.create(agency=source.agency, url=server.url("/off.csv"), is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        due = audit_sources_fetch_due(now=now)
    assert due == [source.pk]
    assert AuditFetch.objects.get().source == source  # the eager task ran the fetch
    assert audit_sources_fetch_due(now=now + dt.timedelta(hours=1)) == []
    assert sorted(audit_sources_fetch_due(now=now + dt.timedelta(hours=25))) == sorted(
        [source.pk, recent.pk]
    )


def test_a_fetch_already_running_is_not_started_twice(server, source):
    running = AuditFetch.objects.create(source=source)
    assert audit_source_fetch(source=source) == running
    assert AuditFetch.objects.count() == 1
    AuditFetch.objects.filter(pk=running.pk).update(
        started_at=timezone.now() - fetch_module.RUNNING_GRACE - dt.timedelta(minutes=1)
    )
    _point(source, server.url("/gone.csv"))
    assert audit_source_fetch(source=source).pk != running.pk


def test_beat_schedule_fetches_due_sources_hourly(settings):
    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["searches.tasks.audit_sources_fetch_due"] == 3600


# --- admin ------------------------------------------------------------------------------------


def test_clerk_registers_a_source_only_for_their_citys_agencies(
    clerk_client, clerk, clerk_city, other_city
):
    mine = AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    theirs = AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA")
    add = reverse("admin:searches_auditsource_add")
    refused = clerk_client.post(
        add, {"agency": theirs.pk, "url": "https://example.com/a.csv", "is_active": "on",
              "interval_hours": 24, "fetches-TOTAL_FORMS": 0, "fetches-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert refused.status_code == 200
    assert "agency" in refused.context["adminform"].form.errors
    response = clerk_client.post(
        add, {"agency": mine.pk, "url": "https://example.com/joliet/audit.csv",
              "is_active": "on", "interval_hours": 12, "fetches-TOTAL_FORMS": 0,
              "fetches-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 302
    source = AuditSource.objects.get()
    assert (source.agency, source.created_by, source.interval_hours) == (mine, clerk, 12)
    assert AuditEvent.objects.filter(action="auditsource.create", city=clerk_city).exists()

    AuditSource.objects.create(agency=theirs, url="https://example.com/berkeley.csv")
    listing = clerk_client.get(reverse("admin:searches_auditsource_changelist")).content.decode()
    assert "joliet/audit.csv" in listing and "berkeley.csv" not in listing


def test_clerk_sees_fetches_with_their_outcome(clerk_client, source):
    AuditFetch.objects.create(
        source=source, status=AuditFetch.Status.FAILED, http_status=404, error="The server "
        "answered 404 Not Found.",
    )  # fmt: skip
    html = clerk_client.get(
        reverse("admin:searches_auditsource_change", args=[source.pk])
    ).content.decode()
    assert "The server answered 404 Not Found." in html
    assert "Failed" in html
