"""The import job lifecycle: storing, running, re-running, requeueing and purging jobs."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cameras.models import SharingAgreement
from core import imports, pagecache
from core.imports import (
    ImportFileError,
    import_files_purge,
    import_job_create,
    import_job_heartbeat,
    import_job_run,
    import_jobs_requeue_stalled,
    register_importer,
)
from core.models import Agency, AgencyAlias, AuditEvent, ImportJob, ImportRowError
from core.names import normalize_agency_name
from core.services import ServiceError, agency_resolver
from core.tasks import import_job_run as import_job_run_task
from tests.factories import AgencyFactory, CityFactory, UserFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
PAIRS = FIXTURES / "sharing_pairs_20240426.csv"
PAIRS_COUNTS = {"created": 6, "unchanged": 1, "rejected": 2}

pytestmark = pytest.mark.django_db


def job_counts(job):
    return {
        "created": job.rows_created,
        "unchanged": job.rows_unchanged,
        "rejected": job.rows_rejected,
    }


def pairs_job(**kwargs):
    return import_job_create(kind=ImportJob.Kind.SHARING, file=PAIRS, run=False, **kwargs)


# --- creating ---------------------------------------------------------------------------------


def test_create_stores_the_file_with_its_hash_and_an_audit_row():
    user = UserFactory()
    city = CityFactory()
    upload = SimpleUploadedFile("access20240426.csv", PAIRS.read_bytes(), "text/csv")

    job = import_job_create(
        kind=ImportJob.Kind.SHARING,
        file=upload,
        city=city,
        options={"date": "2024-04-26"},
        actor=user,
        run=False,
    )

    assert job.status == ImportJob.Status.PENDING
    assert job.original_name == "access20240426.csv"
    assert job.sha256 == hashlib.sha256(PAIRS.read_bytes()).hexdigest()
    assert job.created_by == user
    assert job.file.name.startswith("imports/")
    with job.file.open("rb") as stored:
        assert stored.read() == PAIRS.read_bytes()
    event = AuditEvent.objects.get(action="import.create")
    assert (event.actor, event.city, event.object_id) == (user, city, str(job.pk))
    assert event.changes["sha256"] == job.sha256


def test_create_accepts_a_path_and_names_the_job_after_it():
    job = pairs_job()

    assert job.original_name == PAIRS.name
    assert job.sha256 == hashlib.sha256(PAIRS.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"file": ContentFile(b"", name="empty.csv")}, "The file is empty."),
        ({"file": ContentFile(b"a,b\n", name="x.csv"), "kind": "spreadsheets"}, "no importer"),
        (
            {"file": ContentFile(b"a,b\n", name="x.csv"), "options": {"date": "yesterday"}},
            "is not a date",
        ),
        ({"file": Path("/nonexistent/file.csv")}, "No such file"),
    ],
)
def test_create_refuses_bad_requests(kwargs, message):
    kwargs = {"kind": ImportJob.Kind.SHARING, "run": False, **kwargs}

    with pytest.raises(ServiceError, match=message):
        import_job_create(**kwargs)
    assert not ImportJob.objects.exists()


def test_create_refuses_files_over_the_limit(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10

    with pytest.raises(ServiceError, match="at most 10 bytes"):
        import_job_create(
            kind=ImportJob.Kind.SHARING, file=ContentFile(b"x" * 11, name="big.csv"), run=False
        )


def test_create_with_run_queues_the_task_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_job_create(kind=ImportJob.Kind.SHARING, file=PAIRS, run=True)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.PENDING  # nothing runs before the commit

    # The import task, then (queued by the finished import, core.signals.import_finished) the
    # change log's collection, besides the page cache's own invalidation.
    assert len([c for c in callbacks if c is not pagecache._bump]) == 2
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job_counts(job) == PAIRS_COUNTS
    assert job.attempts == 1
    assert AuditEvent.objects.filter(action="import.run", object_id=str(job.pk)).exists()


# --- running ----------------------------------------------------------------------------------


def test_run_records_status_times_and_row_errors():
    job = import_job_run(job=pairs_job())

    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.started_at <= job.finished_at
    assert job.heartbeat_at is not None
    assert (job.rows_read, job.attempts, job.error) == (9, 1, "")
    assert list(job.row_errors.values_list("line", flat=True)) == [7, 8]


def test_rerunning_a_finished_job_returns_it_unchanged():
    job = import_job_run(job=pairs_job())
    finished_at = job.finished_at

    again = import_job_run(job=job)
    task_again = import_job_run_task.delay(job.pk)

    assert task_again is not None
    again.refresh_from_db()
    assert (again.attempts, again.finished_at) == (1, finished_at)
    assert job_counts(again) == PAIRS_COUNTS
    assert SharingAgreement.objects.count() == 6


def test_a_job_left_running_by_a_dead_worker_starts_over_with_the_same_result():
    job = pairs_job()
    long_ago = timezone.now() - dt.timedelta(hours=2)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, attempts=1, started_at=long_ago, heartbeat_at=long_ago
    )
    ImportRowError.objects.create(job=job, line=99, message="left by the dead run")

    job = import_job_run(job=job)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.attempts == 2
    assert job.started_at > long_ago
    assert job_counts(job) == PAIRS_COUNTS
    assert list(job.row_errors.values_list("line", flat=True)) == [7, 8]


def test_an_importer_error_rolls_back_its_writes_and_fails_the_job():
    def half_then_fail(*, job, stream, report, scope):
        AgencyFactory(name="Written Before The Error IL PD")
        report.created += 1
        raise ImportFileError("Line 3: the rest of the file is unreadable.")

    register_importer("test_half", half_then_fail)
    try:
        job = import_job_create(kind="test_half", file=PAIRS, run=False)
        job = import_job_run(job=job)
    finally:
        imports.IMPORTERS.pop("test_half")

    assert job.status == ImportJob.Status.FAILED
    assert job.error == "Line 3: the rest of the file is unreadable."
    assert job.rows_created == 0
    assert not Agency.objects.exists()
    assert AuditEvent.objects.filter(action="import.fail", object_id=str(job.pk)).exists()


def test_an_unexpected_error_fails_the_job_with_its_kind():
    def crash(*, job, stream, report, scope):
        raise KeyError("surprise")

    register_importer("test_crash", crash)
    try:
        job = import_job_run(job=import_job_create(kind="test_crash", file=PAIRS, run=False))
    finally:
        imports.IMPORTERS.pop("test_crash")

    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error (KeyError" in job.error


def test_registered_importers_can_be_dotted_paths():
    register_importer("test_dotted", "cameras.importers.entry.sharing_run")
    try:
        job = import_job_run(job=import_job_create(kind="test_dotted", file=PAIRS, run=False))
    finally:
        imports.IMPORTERS.pop("test_dotted")

    assert job_counts(job) == PAIRS_COUNTS


def test_a_job_whose_file_was_purged_fails_clearly():
    job = pairs_job()
    job.file.delete(save=True)

    job = import_job_run(job=job)

    assert job.status == ImportJob.Status.FAILED
    assert "no longer stored" in job.error


def test_the_task_ignores_a_deleted_job():
    job = pairs_job()
    job_id = job.pk
    job.delete()

    import_job_run_task.delay(job_id)

    assert not ImportJob.objects.exists()


# --- housekeeping -----------------------------------------------------------------------------


def _stall(job, *, minutes_ago, attempts=1, status=ImportJob.Status.RUNNING):
    when = timezone.now() - dt.timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, attempts=attempts, heartbeat_at=when, started_at=when, created_at=when
    )


def test_requeue_redispatches_stalled_and_forgotten_jobs(settings):
    settings.IMPORT_STALLED_MINUTES = 15
    settings.IMPORT_PENDING_MINUTES = 30
    stalled, forgotten, fresh_pending = pairs_job(), pairs_job(), pairs_job()
    _stall(stalled, minutes_ago=60)
    _stall(forgotten, minutes_ago=60, attempts=0, status=ImportJob.Status.PENDING)

    requeued = import_jobs_requeue_stalled()

    assert sorted(requeued) == sorted([stalled.pk, forgotten.pk])
    stalled.refresh_from_db()
    forgotten.refresh_from_db()
    fresh_pending.refresh_from_db()
    # Eager Celery ran them at once; the stalled one starts over.
    assert (stalled.status, stalled.attempts) == (ImportJob.Status.SUCCEEDED, 2)
    assert (forgotten.status, forgotten.attempts) == (ImportJob.Status.SUCCEEDED, 1)
    assert fresh_pending.status == ImportJob.Status.PENDING


def test_requeue_leaves_a_job_with_a_recent_heartbeat_alone(settings):
    settings.IMPORT_STALLED_MINUTES = 15
    job = pairs_job()
    _stall(job, minutes_ago=60)
    import_job_heartbeat(job=job, force=True)

    assert import_jobs_requeue_stalled() == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    cache.clear()
    assert import_jobs_requeue_stalled() == [job.pk]


def test_requeue_gives_up_after_the_last_attempt(settings):
    settings.IMPORT_MAX_ATTEMPTS = 3
    job = pairs_job()
    _stall(job, minutes_ago=60, attempts=3)

    assert import_jobs_requeue_stalled() == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Gave up after 3 attempts" in job.error


def test_purge_deletes_old_files_and_keeps_the_jobs(settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    old, recent, pending = (
        import_job_run(job=pairs_job()),
        import_job_run(job=pairs_job()),
        pairs_job(),
    )
    ImportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    old_path = Path(old.file.path)

    assert import_files_purge() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    pending.refresh_from_db()
    assert not old.file and not old_path.exists()
    assert old.rows_created == 6
    assert recent.file and Path(recent.file.path).exists()
    assert pending.file


# --- bulk agency resolution (used by every importer) --------------------------------------


def test_resolver_creates_new_agencies_in_bulk_and_finds_known_ones(django_assert_max_num_queries):
    known = AgencyFactory(name="Maple IL PD")
    AgencyAlias.objects.create(
        agency=known, name="Maple Police", normalized_name=normalize_agency_name("Maple Police")
    )
    names = ["Maple IL PD ", "Maple Police", "IL - Maple PD", "", "   "] + [
        f"Town {n} IL PD" for n in range(300)
    ]

    with django_assert_max_num_queries(12):
        resolved = agency_resolver(names=names)

    assert (
        resolved["Maple IL PD "] == resolved["Maple Police"] == resolved["IL - Maple PD"] == known
    )
    assert "" not in resolved and "   " not in resolved
    assert Agency.objects.count() == 301
    assert resolved["Town 7 IL PD"].kind == Agency.Kind.POLICE
    assert resolved["Town 7 IL PD"].state == "IL"


def test_resolver_gives_unique_slugs_when_different_names_slugify_alike():
    existing = AgencyFactory(name="Oak Cafe PD")
    assert existing.slug == "oak-cafe-pd"

    # Accents are kept in the normalized name but not in the slug: distinct agencies, one base.
    resolved = agency_resolver(names=["Oak Café PD", "Oak Cafe PD", "Elm Café PD", "Elm Cafe PD"])

    assert resolved["Oak Cafe PD"] == existing
    assert resolved["Oak Café PD"].slug == "oak-cafe-pd-2"
    assert {resolved["Elm Café PD"].slug, resolved["Elm Cafe PD"].slug} == {
        "elm-cafe-pd",
        "elm-cafe-pd-2",
    }
