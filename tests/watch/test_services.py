"""Collecting the change log: the right events from dated pages, lists, audits, hearings and
petitions, each once, whatever runs the collection and however often."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from cameras.models import SharingAgreement
from core.models import Agency, AuditEvent
from tests.factories import AgencyFactory, SharingAgreementFactory, TransparencySnapshotFactory
from tests.hearings.factories import HearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory
from tests.searches.test_importers import run_audit
from tests.watch.conftest import NEW_POLICY, NEWER, NEWER_PAGE, OLD_POLICY, run_page
from watch.models import ChangeEvent
from watch.services import changes_collect

pytestmark = pytest.mark.django_db
K = ChangeEvent.Kind


def sharing_events() -> set[tuple]:
    return {
        (
            e.kind,
            e.agency.name,
            e.other_agency.name,
            e.occurred_on,
            e.out_of_state,
            e.federal,
            e.forbidden,
        )
        for e in ChangeEvent.objects.filter(kind__in=[K.SHARING_ADDED, K.SHARING_REMOVED])
    }


def test_two_dated_pages_yield_exactly_the_added_and_removed_partners(two_pages):
    # Collected by the import hook alone. Fresno is on both pages and the older page is the
    # agency's first list: neither is a change. Reno (NV) is out of state, the Border Patrol
    # federal, and California forbids sharing with both.
    assert sharing_events() == {
        (K.SHARING_REMOVED, "Cedar Hollow CA PD", "Reno NV PD", NEWER, True, False, True),
        (K.SHARING_ADDED, "Cedar Hollow CA PD", "US Border Patrol", NEWER, False, True, True),
    }
    assert all(e.city.slug == "cedar-hollow-ca" for e in ChangeEvent.objects.all())


def test_collecting_again_or_reimporting_records_nothing_new(
    two_pages, django_capture_on_commit_callbacks
):
    before = sorted(ChangeEvent.objects.values_list("key", flat=True))
    assert changes_collect(actor=None) == {}
    with django_capture_on_commit_callbacks(execute=True):
        run_page(NEWER_PAGE)
    assert changes_collect(actor=None) == {}
    assert sorted(ChangeEvent.objects.values_list("key", flat=True)) == before


def test_retention_policy_and_camera_changes_keep_old_and_new(two_pages):
    retention = ChangeEvent.objects.get(kind=K.RETENTION_CHANGED)
    assert retention.occurred_on == NEWER
    assert (retention.data["old"], retention.data["new"]) == (30, 90)
    assert retention.data["previous_on"] == "2026-08-03"
    policy = ChangeEvent.objects.get(kind=K.POLICY_CHANGED)
    assert policy.data["field"] == "access_policy"
    assert (policy.data["old"], policy.data["new"]) == (OLD_POLICY, NEW_POLICY)
    cameras = ChangeEvent.objects.get(kind=K.CAMERAS_CHANGED)
    assert (cameras.data["field"], cameras.data["old"], cameras.data["new"]) == (
        "total_cameras",
        6,
        8,
    )
    assert ChangeEvent.objects.count() == 5


def test_a_missing_value_is_skipped_and_compared_with_the_last_known_one():
    agency = AgencyFactory()
    TransparencySnapshotFactory(agency=agency, captured_on=dt.date(2026, 1, 1), retention_days=30)
    TransparencySnapshotFactory(agency=agency, captured_on=dt.date(2026, 2, 1), retention_days=None)
    TransparencySnapshotFactory(agency=agency, captured_on=dt.date(2026, 3, 1), retention_days=30)
    TransparencySnapshotFactory(agency=agency, captured_on=dt.date(2026, 4, 1), retention_days=60)
    changes_collect(actor=None)
    retention = ChangeEvent.objects.get(kind=K.RETENTION_CHANGED)
    assert (retention.occurred_on, retention.data["old"], retention.data["new"]) == (
        dt.date(2026, 4, 1),
        30,
        60,
    )
    assert retention.data["previous_on"] == "2026-03-01"


def test_an_agreement_listed_again_after_it_ended_is_added_again():
    owner = AgencyFactory(name="Oak IL PD")
    first = SharingAgreementFactory(
        owner=owner, recipient=AgencyFactory(name="Elm IL PD"), first_seen=dt.date(2026, 1, 1),
        last_seen=dt.date(2026, 3, 1),
    )  # fmt: skip
    partner = SharingAgreementFactory(
        owner=owner, recipient=AgencyFactory(name="Gary IN PD", state="IN"),
        first_seen=dt.date(2026, 1, 1), last_seen=dt.date(2026, 1, 1), ended_on=dt.date(2026, 2, 1),
    )  # fmt: skip
    for day in (1, 2, 3):
        TransparencySnapshotFactory(agency=owner, captured_on=dt.date(2026, day, 1))
    assert changes_collect(actor=None) == {K.SHARING_REMOVED: 1}

    # The March page lists Gary again: the importer reopens the agreement.
    SharingAgreement.objects.filter(pk=partner.pk).update(
        ended_on=None, last_seen=dt.date(2026, 3, 1)
    )
    assert changes_collect(actor=None) == {K.SHARING_ADDED: 1}
    added = ChangeEvent.objects.get(kind=K.SHARING_ADDED)
    assert (added.other_agency.name, added.occurred_on, added.out_of_state) == (
        "Gary IN PD",
        dt.date(2026, 3, 1),
        True,
    )
    assert not ChangeEvent.objects.filter(other_agency=first.recipient).exists()
    assert changes_collect(actor=None) == {}


def test_an_audit_import_records_its_counts_and_the_new_flagged_searches(
    django_capture_on_commit_callbacks,
):
    AgencyFactory(name="Joliet IL PD", state="IL")
    with django_capture_on_commit_callbacks(execute=True):
        job = run_audit("records_network.csv")
    audit = ChangeEvent.objects.get(kind=K.AUDIT_IMPORTED)
    assert audit.key == f"audit:{job.pk}"
    assert audit.occurred_on == timezone.localdate(job.finished_at)
    assert audit.agency.name == "Joliet IL PD"
    assert audit.data == {
        "agency": "Joliet IL PD",
        "searches_read": job.rows_read,
        "searches_added": job.rows_created,
        "duplicates": job.rows_unchanged,
        "rejected": job.rows_rejected,
    }
    assert job.rows_created > 0
    flagged = ChangeEvent.objects.get(kind=K.FLAGGED_SEARCHES)
    # ICE+ERO is an immigration reason, a use Illinois law forbids.
    assert flagged.data["counts"]["immigration"] >= 1
    assert flagged.data["counts"]["forbidden_use"] >= 1
    assert flagged.data["totals"] == flagged.data["counts"]
    assert set(flagged.data) == {"agency", "counts", "totals"}
    # The same audit again adds no search: a new audit event, no new flagged one.
    with django_capture_on_commit_callbacks(execute=True):
        again = run_audit("records_network.csv")
    assert again.rows_created == 0
    assert ChangeEvent.objects.filter(kind=K.AUDIT_IMPORTED).count() == 2
    assert ChangeEvent.objects.filter(kind=K.FLAGGED_SEARCHES).count() == 1
    text = str(list(ChangeEvent.objects.values_list("data", flat=True)))
    for private in ("Jane Roe", "ABC1234", "XYZ987", "ICE+ERO", "red pickup"):
        assert private not in text


def test_hearings_scheduled_and_petitions_opened_and_closed(clerk_city):
    hearing = HearingFactory(city=clerk_city)
    petition = OpenPetitionFactory(city=clerk_city)
    assert changes_collect(actor=None) == {K.HEARING_SCHEDULED: 1, K.PETITION_OPENED: 1}
    scheduled = ChangeEvent.objects.get(kind=K.HEARING_SCHEDULED)
    assert scheduled.city == clerk_city
    assert scheduled.data["title"] == hearing.title
    assert scheduled.data["url"] == hearing.get_absolute_url()

    petition.status, petition.closed_at = petition.Status.CLOSED, timezone.now()
    petition.save()
    assert changes_collect(actor=None) == {K.PETITION_CLOSED: 1}
    for event in ChangeEvent.objects.filter(kind__startswith="petition"):
        assert event.data == {"title": petition.title, "url": petition.get_absolute_url()}


def test_collection_runs_on_the_beat_schedule_and_writes_one_audit_row():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "watch.tasks.changes_collect_task" in schedule
    TransparencySnapshotFactory(captured_on=dt.date(2026, 1, 1), retention_days=30)
    agency = Agency.objects.get()
    TransparencySnapshotFactory(agency=agency, captured_on=dt.date(2026, 2, 1), retention_days=7)
    assert changes_collect(actor=None) == {K.RETENTION_CHANGED: 1}
    assert AuditEvent.objects.filter(action="changes.collect").count() == 1
    changes_collect(actor=None)
    assert AuditEvent.objects.filter(action="changes.collect").count() == 1
