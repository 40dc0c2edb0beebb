"""Transparency pages on a schedule, fetched from a local HTTP server in a thread: versions kept,
changed pages imported as dated snapshots, blocks and challenge pages recorded and never
imported, saved pages uploaded by a clerk, stale sources flagged, everything scoped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cameras.models import PageFetch, PageSource, SharingAgreement, TransparencySnapshot
from cameras.selectors import page_sources_stale
from cameras.sources import page_source_fetch, page_source_upload, page_sources_fetch_due
from core.models import AuditEvent, ImportJob
from core.services import ServiceError
from portal.admin_dashboard import clerk_dashboard
from portal.moderation import moderation_digest_send
from tests.factories import AgencyFactory
from tests.fetchserver import internal_server, local_server  # noqa: F401 - fixtures

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
OLDER = (PAGES / "history_older.txt").read_bytes()  # Aug 2026: shares with Camden County too
NEWER = (PAGES / "history_newer.txt").read_bytes()  # Sep 2026: Camden gone, Tallahassee new
CHALLENGE = (PAGES / "cloudflare_challenge.html").read_bytes()

pytestmark = pytest.mark.django_db


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T12:00:00"))


@pytest.fixture
def source(clerk_city, local_server):  # noqa: F811 - the fixture imported above
    agency = AgencyFactory(name="Pine Lake GA PD", home_city=clerk_city, state="GA")
    local_server.content_type = "text/plain; charset=utf-8"
    return PageSource.objects.create(agency=agency, url=local_server.url("/pinelake"))


def open_partners(agency_name: str) -> tuple[set[str], set[str]]:
    """(who can search the agency's cameras, whose cameras it can search), open agreements."""
    open_ = SharingAgreement.objects.filter(ended_on__isnull=True)
    out = set(open_.filter(owner__name=agency_name).values_list("recipient__name", flat=True))
    into = set(open_.filter(recipient__name=agency_name).values_list("owner__name", flat=True))
    return out, into


def test_a_changed_page_is_imported_again_as_a_dated_snapshot(local_server, source):  # noqa: F811
    local_server.files["/pinelake"] = OLDER
    first = page_source_fetch(source=source, now=at("2026-08-05"))
    assert first.status == PageFetch.Status.IMPORTED, first.reason
    assert (first.origin, first.http_status, first.bytes_received) == ("fetch", 200, len(OLDER))
    assert first.body.startswith("Transparency Portal") and not first.body_truncated
    assert first.job.kind == ImportJob.Kind.PORTAL_PAGE
    assert first.job.options["date"] == "2026-08-05"
    assert first.job.city == source.agency.home_city
    assert open_partners("Pine Lake GA PD") == (
        {"Atlanta GA PD", "Camden County GA SO", "Decatur GA PD"},
        {"Atlanta GA PD", "Macon GA PD", "Quincy FL PD"},
    )

    local_server.files["/pinelake"] = NEWER
    second = page_source_fetch(source=source, now=at("2026-09-25"))
    assert second.status == PageFetch.Status.IMPORTED, second.reason
    assert second.sha256 != first.sha256
    # The second import's partners: Camden County and Quincy ended, Tallahassee added.
    assert open_partners("Pine Lake GA PD") == (
        {"Atlanta GA PD", "Decatur GA PD"},
        {"Atlanta GA PD", "Macon GA PD", "Tallahassee FL PD"},
    )
    camden = SharingAgreement.objects.get(recipient__name="Camden County GA SO")
    assert (camden.last_seen, camden.ended_on) == (dt.date(2026, 8, 5), dt.date(2026, 9, 25))
    snapshots = TransparencySnapshot.objects.filter(agency=source.agency).order_by("captured_on")
    assert [(s.captured_on, s.total_cameras) for s in snapshots] == [
        (dt.date(2026, 8, 5), 6),
        (dt.date(2026, 9, 25), 7),
    ]
    assert snapshots[0].portal_url == source.url
    source.refresh_from_db()
    assert source.last_changed_at == at("2026-09-25") == source.last_fetched_at
    assert AuditEvent.objects.filter(action="pagesource.fetch").count() == 2


def test_an_unchanged_page_imports_nothing(local_server, source):  # noqa: F811
    local_server.files["/pinelake"] = OLDER
    assert page_source_fetch(source=source, now=at("2026-08-05")).status == "imported"
    source.refresh_from_db()
    assert source.etag

    asked = page_source_fetch(source=source, now=at("2026-08-06"))
    assert (asked.status, asked.http_status, asked.job) == ("not_modified", 304, None)
    assert local_server.requests[-1]["If-None-Match"] == source.etag

    source.etag = source.last_modified = ""  # a server that ignores conditional requests
    source.save()
    same = page_source_fetch(source=source, now=at("2026-08-07"))
    assert (same.status, same.http_status, same.job) == ("unchanged", 200, None)
    assert same.sha256 and same.body  # the version is kept all the same
    assert ImportJob.objects.count() == 1
    assert TransparencySnapshot.objects.count() == 1
    source.refresh_from_db()
    assert source.last_changed_at == at("2026-08-05")
    assert source.last_fetched_at == at("2026-08-07")


@pytest.mark.parametrize("status", [403, 429, 503])
def test_a_waf_block_is_recorded_as_blocked_and_imports_nothing(local_server, source, status):  # noqa: F811
    local_server.answers["/pinelake"] = (status, b"<html><h1>Access denied</h1></html>")
    fetch = page_source_fetch(source=source)
    assert (fetch.status, fetch.http_status) == ("blocked", status)
    assert f"answered {status}" in fetch.reason and "upload" in fetch.reason
    assert "Access denied" in fetch.body  # the clerk sees what the site said
    assert len(local_server.requests) == 1  # a block is not hammered with retries
    assert not ImportJob.objects.exists()
    assert not TransparencySnapshot.objects.exists()


def test_a_challenge_page_is_recorded_as_blocked_and_imports_nothing(local_server, source):  # noqa: F811
    local_server.files["/pinelake"] = CHALLENGE
    fetch = page_source_fetch(source=source)
    assert (fetch.status, fetch.http_status) == ("blocked", 200)
    assert "Cloudflare" in fetch.reason and "Just a moment" in fetch.reason
    assert not ImportJob.objects.exists()
    assert not SharingAgreement.objects.exists()
    source.refresh_from_db()
    assert source.etag == "" and source.last_changed_at is None


def test_a_redirect_to_a_private_address_is_refused(local_server, source, internal_server):  # noqa: F811
    local_server.redirects["/pinelake"] = internal_server.url("/secret")
    fetch = page_source_fetch(source=source)
    assert fetch.status == PageFetch.Status.FAILED
    assert "127.0.0.1 is a private or local address" in fetch.reason
    assert internal_server.requests == []  # never connected
    assert not ImportJob.objects.exists()


def test_private_addresses_are_refused_without_the_test_allowance(source, settings):
    settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS = []
    fetch = page_source_fetch(source=source)
    assert fetch.status == PageFetch.Status.FAILED
    assert "private or local" in fetch.reason


def test_a_page_that_is_not_a_transparency_page_fails_and_is_kept(local_server, source):  # noqa: F811
    local_server.files["/pinelake"] = b"<html><body><p>Hello</p></body></html>"
    fetch = page_source_fetch(source=source)
    assert fetch.status == PageFetch.Status.FAILED
    assert "does not look like a transparency page" in fetch.reason
    assert fetch.job.status == ImportJob.Status.FAILED and "Hello" in fetch.body
    source.refresh_from_db()
    assert source.etag == ""  # the next fetch reads it again


def test_a_large_body_is_kept_cut_short(local_server, source, settings):  # noqa: F811
    settings.PAGE_FETCH_KEEP_CHARS = 100
    local_server.files["/pinelake"] = OLDER
    fetch = page_source_fetch(source=source)
    assert fetch.status == "imported"
    assert len(fetch.body) == 100 and fetch.body_truncated


def test_an_uploaded_saved_page_imports_with_its_capture_date(source, clerk):
    upload = SimpleUploadedFile("pinelake.txt", OLDER, content_type="text/plain")
    version = page_source_upload(
        source=source, file=upload, captured_on=dt.date(2026, 8, 4), actor=clerk
    )
    assert (version.origin, version.status, version.http_status) == ("upload", "imported", None)
    assert version.created_by == clerk and version.job.created_by == clerk
    assert TransparencySnapshot.objects.get().captured_on == dt.date(2026, 8, 4)
    assert open_partners("Pine Lake GA PD")[0] == {
        "Atlanta GA PD", "Camden County GA SO", "Decatur GA PD",
    }  # fmt: skip
    source.refresh_from_db()
    assert source.last_fetched_at is None  # nothing was fetched
    assert timezone.localdate(source.last_changed_at) == dt.date(2026, 8, 4)

    again = page_source_upload(
        source=source,
        file=SimpleUploadedFile("pinelake.txt", OLDER),
        captured_on=dt.date(2026, 8, 6),
        actor=clerk,
    )
    assert again.status == PageFetch.Status.UNCHANGED
    challenge = page_source_upload(
        source=source,
        file=SimpleUploadedFile("saved.html", CHALLENGE),
        captured_on=dt.date(2026, 8, 6),
        actor=clerk,
    )
    assert challenge.status == PageFetch.Status.BLOCKED
    assert ImportJob.objects.count() == 1


def test_an_upload_refuses_a_future_date_and_an_empty_file(source, clerk):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ServiceError, match="future"):
        page_source_upload(
            source=source, file=SimpleUploadedFile("p.txt", OLDER), captured_on=tomorrow,
            actor=clerk,
        )  # fmt: skip
    with pytest.raises(ServiceError, match="empty"):
        page_source_upload(
            source=source, file=SimpleUploadedFile("p.txt", b""), captured_on=dt.date(2026, 8, 1),
            actor=clerk,
        )  # fmt: skip
    assert not PageFetch.objects.exists()


def test_fetch_due_queues_sources_whose_interval_passed(
    local_server,  # noqa: F811
    source,
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    local_server.files["/pinelake"] = OLDER
    recent = PageSource.objects.create(
        agency=source.agency, url=local_server.url("/other"), interval_hours=24,
        last_fetched_at=now - dt.timedelta(hours=2),
    )  # fmt: skip
    PageSource.objects.create(agency=source.agency, url=local_server.url("/off"), is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        due = page_sources_fetch_due(now=now)
    assert due == [source.pk]
    assert PageFetch.objects.get().source == source  # the eager task ran the fetch
    assert sorted(page_sources_fetch_due(now=now + dt.timedelta(hours=25))) == sorted(
        [source.pk, recent.pk]
    )


def test_beat_fetches_due_pages_and_refreshes_osm_areas_hourly(settings):
    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["cameras.tasks.page_sources_fetch_due"] == 3600
    assert entries["cameras.tasks.osm_areas_refresh_due"] == 3600
    assert settings.CELERY_TASK_ROUTES["cameras.tasks.page_source_fetch"] == {"queue": "imports"}


# --- stale sources --------------------------------------------------------------------------


def test_a_source_not_changed_within_its_interval_is_stale(source, clerk, other_city):
    now = timezone.now()
    PageSource.objects.filter(pk=source.pk).update(
        created_at=now - dt.timedelta(days=60), expected_interval_days=30
    )
    fresh = PageSource.objects.create(
        agency=source.agency, url="https://example.com/fresh", expected_interval_days=30,
        last_changed_at=now - dt.timedelta(days=3),
    )  # fmt: skip
    PageFetch.objects.create(
        source=source, fetched_at=now - dt.timedelta(days=1), status="blocked",
        reason="The site answered 403",
    )  # fmt: skip
    theirs = PageSource.objects.create(
        agency=AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA"),
        url="https://example.com/berkeley",
    )
    PageSource.objects.filter(pk=theirs.pk).update(created_at=now - dt.timedelta(days=90))

    stale = page_sources_stale(user=clerk, now=now)
    assert [page.source.pk for page in stale] == [source.pk]
    assert (stale[0].last_status, stale[0].last_reason) == ("blocked", "The site answered 403")
    assert stale[0].since == PageSource.objects.get(pk=source.pk).created_at

    def stale_ids(at):
        return {page.source.pk for page in page_sources_stale(now=at)}

    assert stale_ids(now) == {source.pk, theirs.pk}
    assert fresh.pk not in stale_ids(now + dt.timedelta(days=20))
    assert fresh.pk in stale_ids(now + dt.timedelta(days=40))


# --- admin ----------------------------------------------------------------------------------


def test_clerk_registers_a_page_only_for_their_citys_agencies(
    clerk_client, clerk, clerk_city, other_city
):
    mine = AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    theirs = AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA")
    add = reverse("admin:cameras_pagesource_add")
    form = {"is_active": "on", "interval_hours": 24, "expected_interval_days": 14,
            "fetches-TOTAL_FORMS": 0, "fetches-INITIAL_FORMS": 0}  # fmt: skip
    refused = clerk_client.post(add, {**form, "agency": theirs.pk, "url": "https://example.com/b"})
    assert refused.status_code == 200
    assert "agency" in refused.context["adminform"].form.errors
    response = clerk_client.post(
        add, {**form, "agency": mine.pk, "url": "https://transparency.example.com/joliet"}
    )
    assert response.status_code == 302
    source = PageSource.objects.get()
    assert (source.agency, source.created_by, source.expected_interval_days) == (mine, clerk, 14)
    assert AuditEvent.objects.filter(action="pagesource.create", city=clerk_city).exists()


def test_a_clerk_cannot_see_or_fetch_another_citys_sources(
    clerk_client, clerk_city, other_city, django_capture_on_commit_callbacks
):
    mine = PageSource.objects.create(
        agency=AgencyFactory(name="Joliet IL PD", home_city=clerk_city),
        url="https://example.com/joliet",
    )
    theirs = PageSource.objects.create(
        agency=AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA"),
        url="https://example.com/berkeley",
    )
    version = PageFetch.objects.create(source=theirs, fetched_at=timezone.now(), status="failed")
    listing = clerk_client.get(reverse("admin:cameras_pagesource_changelist")).content.decode()
    assert "example.com/joliet" in listing and "example.com/berkeley" not in listing
    for url in (
        reverse("admin:cameras_pagesource_change", args=[theirs.pk]),
        reverse("admin:cameras_pagesource_upload", args=[theirs.pk]),
        reverse("admin:cameras_pagefetch_change", args=[version.pk]),
    ):
        response = clerk_client.get(url)
        assert response.status_code in (302, 404), url
        assert "berkeley" not in response.content.decode()
    versions = clerk_client.get(reverse("admin:cameras_pagefetch_changelist")).content.decode()
    assert "Berkeley" not in versions
    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(
            reverse("admin:cameras_pagesource_changelist"),
            {"action": "fetch_now", "_selected_action": [theirs.pk]},
        )
    assert not PageFetch.objects.filter(source=theirs).exclude(pk=version.pk).exists()
    upload = clerk_client.post(
        reverse("admin:cameras_pagesource_upload", args=[theirs.pk]),
        {"file": SimpleUploadedFile("p.txt", OLDER), "captured_on": "2026-08-01"},
    )
    assert upload.status_code == 404
    assert not PageFetch.objects.filter(source=theirs, origin="upload").exists()
    assert (
        clerk_client.get(reverse("admin:cameras_pagesource_change", args=[mine.pk])).status_code
        == 200
    )


def test_clerk_uploads_a_saved_page_in_the_admin_and_sees_the_version(clerk_client, source):
    page = clerk_client.get(reverse("admin:cameras_pagesource_change", args=[source.pk]))
    upload_url = reverse("admin:cameras_pagesource_upload", args=[source.pk])
    assert upload_url in page.content.decode()
    form = clerk_client.get(upload_url).content.decode()
    assert "Capture date" in form
    bad = clerk_client.post(upload_url, {"captured_on": "2026-08-01"})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    response = clerk_client.post(
        upload_url,
        {"file": SimpleUploadedFile("pinelake.txt", OLDER), "captured_on": "2026-08-01"},
        follow=True,
    )
    html = response.content.decode()
    assert "The saved page was recorded: Imported." in html
    assert "Uploaded saved page" in html
    version = PageFetch.objects.get()
    detail = clerk_client.get(reverse("admin:cameras_pagefetch_change", args=[version.pk]))
    assert "Organizations granted access to Pine Lake GA PD data." in detail.content.decode()
    assert TransparencySnapshot.objects.get().captured_on == dt.date(2026, 8, 1)


def test_a_stale_source_is_flagged_on_the_dashboard_and_in_the_digest(
    clerk_client, clerk, source, other_city, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    PageSource.objects.filter(pk=source.pk).update(
        created_at=now - dt.timedelta(days=45), expected_interval_days=30
    )
    PageFetch.objects.create(
        source=source, fetched_at=now - dt.timedelta(hours=3), status="blocked",
        reason="The site answered 403: bot protection refused the download.",
    )  # fmt: skip
    theirs = PageSource.objects.create(
        agency=AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA"),
        url="https://example.com/berkeley",
    )
    PageSource.objects.filter(pk=theirs.pk).update(created_at=now - dt.timedelta(days=90))

    blocks = {block.key: block for block in clerk_dashboard(user=clerk)}
    assert blocks["pages"].count == 1
    row = blocks["pages"].rows[0]
    assert row.label == "Pine Lake GA PD"
    assert row.url == reverse("admin:cameras_pagesource_change", args=[source.pk])
    assert "Blocked: The site answered 403" in row.detail
    html = clerk_client.get(reverse("admin:index")).content.decode()
    assert "Transparency pages not updated within their expected interval" in html
    assert "Pine Lake GA PD" in html and "Berkeley" not in html

    with django_capture_on_commit_callbacks(execute=True):
        assert moderation_digest_send(now=now) == 1  # Berkeley has no clerk to tell
    (mail,) = mailoutbox
    assert mail.to == [clerk.email]
    assert mail.subject == "Joliet, IL: transparency pages gone stale"
    created = timezone.localdate(now - dt.timedelta(days=45))
    assert f"Pine Lake GA PD: unchanged since {created:%Y-%m-%d} (expected within 30 days)" in (
        mail.body
    )
    assert reverse("admin:cameras_pagesource_change", args=[source.pk]) in mail.body
    assert "Berkeley" not in mail.body
