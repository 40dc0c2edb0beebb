"""Import jobs: one uploaded file, one importer, one transaction, one row of counts.

The lifecycle is the same for every kind of file. ``import_job_create`` stores the file and
queues ``core.tasks.import_job_run``; ``import_job_run`` claims the job, runs the importer
registered for its kind inside one transaction and records the counts and row errors. A file
error (``ImportFileError``) rolls back every data write, so a bad file leaves nothing behind.

Importers are plain functions ``run(*, job, stream, report, scope) -> None`` registered by
kind; a later app adds its own with ``register_importer`` without touching this module. The
``scope`` (``core.import_scope.ImportScope``, built from the job's uploader) says whose data
the import may change: every importer asks it where it resolves the owning agency or city and
rejects the rows it refuses. The cities whose data changed each get the job's audit event.

Liveness: the data transaction of a running job is invisible to other processes until it
commits, so a running import keeps its heartbeat in the cache (Redis when configured) and, on
PostgreSQL, holds a row lock on its job; ``import_jobs_requeue_stalled`` only re-dispatches a
job whose heartbeat is old and whose row is not locked.

Segmented importers (``register_importer(..., segmented=True)``: audits of millions of rows) run
outside that one transaction on PostgreSQL: they commit their work in segments, each with a
``Checkpoint`` (the counts so far, the row errors so far and where to continue), so a worker
killed mid-file leaves a job that the next run continues instead of restarting. Such a job is
held by a session advisory lock instead of a row lock, with the same meaning for the requeue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Field, Model
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.import_scope import ImportScope
from core.models import City, ImportJob, ImportRowError
from core.services import ServiceError, audit_record
from core.signals import import_finished
from core.tasking import task_enqueue, task_enqueue_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Row errors kept per job; the counts stay exact beyond it.
MAX_STORED_ROW_ERRORS = 1000
EXCERPT_MAX = 300
MESSAGE_MAX = 500
HEARTBEAT_EVERY_SECONDS = 10


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message tells the clerk why."""


@dataclass
class RowIssue:
    line: int
    message: str
    excerpt: str = ""


@dataclass
class ImportReport:
    """What one import counted. ``read`` = created + updated + unchanged + rejected."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    stored_issues: int = 0  # issues already written by a checkpoint (not in ``issues``)

    def note(self, *, line: int, message: str, excerpt: str = "") -> None:
        """Record a problem on a line without rejecting the row."""
        if self.stored_issues + len(self.issues) < MAX_STORED_ROW_ERRORS:
            self.issues.append(
                RowIssue(
                    line=line, message=str(message)[:MESSAGE_MAX], excerpt=excerpt[:EXCERPT_MAX]
                )
            )

    def reject(self, *, line: int, message: str, excerpt: str = "") -> None:
        self.rejected += 1
        self.note(line=line, message=message, excerpt=excerpt)

    def add(self, other: ImportReport, *, counts: bool = True) -> None:
        """Fold another report in; with ``counts=False`` only its issues are kept."""
        if counts:
            self.read += other.read
            self.created += other.created
            self.updated += other.updated
            self.unchanged += other.unchanged
            self.rejected += other.rejected
            self.removed += other.removed
        for issue in other.issues:
            self.note(line=issue.line, message=issue.message, excerpt=issue.excerpt)


Importer = Callable[..., None]

# kind -> importer, or its dotted path so that registering does not import the app early. Each
# app registers its kinds in its AppConfig.ready (cameras: cameras, sharing, metrics, pages;
# searches: audits).
IMPORTERS: dict[str, Importer | str] = {}

# Layouts a clerk may pick for a file instead of detection, as (slug, label), all kinds together
# (only search audits have more than one today).
FILE_FORMATS: list[tuple[str, Any]] = []


# Kinds whose files hold private data the portal never keeps (search audits carry plates and
# officer names): the stored file is deleted as soon as the job succeeds.
DISCARD_FILE_KINDS: set[str] = set()

# Kinds whose importer commits in segments and takes a ``checkpoint`` (see the module docstring).
SEGMENTED_KINDS: set[str] = set()

# pg_advisory_lock(namespace, job id) of a segmented job's runner; "imp" in ASCII.
JOB_LOCK_NAMESPACE = 0x696D70


def register_importer(
    kind: str,
    func: Importer | str,
    *,
    keep_file: bool = True,
    formats: Iterable[tuple[str, Any]] = (),
    segmented: bool = False,
) -> None:
    """Register the importer for a job kind (a callable or its dotted path).

    With ``keep_file=False`` the uploaded file is deleted once its job has succeeded;
    ``formats`` are the (slug, label) layouts an uploader may choose instead of detection;
    a ``segmented`` importer takes a ``checkpoint`` and commits its work in segments.
    """
    IMPORTERS[kind] = func
    if segmented:
        SEGMENTED_KINDS.add(kind)
    else:
        SEGMENTED_KINDS.discard(kind)
    FILE_FORMATS.extend(f for f in formats if f not in FILE_FORMATS)
    if keep_file:
        DISCARD_FILE_KINDS.discard(kind)
    else:
        DISCARD_FILE_KINDS.add(kind)


def file_format_choices() -> list[tuple[str, Any]]:
    """Choices of the upload form's layout field: detection first, then every registered one."""
    return [("auto", _("Detect automatically")), *FILE_FORMATS]


def importer_for(kind: str) -> Importer:
    try:
        func = IMPORTERS[kind]
    except KeyError:
        raise ServiceError(_("There is no importer for files of kind “%s”.") % kind) from None
    return import_string(func) if isinstance(func, str) else func


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def job_date(job: ImportJob) -> dt.date:
    """The date an import speaks for when neither the file nor the options give one."""
    return timezone.localdate(job.created_at) if job.created_at else timezone.localdate()


def option_date(options: dict, key: str = "date") -> dt.date | None:
    value = (options or {}).get(key)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(_("“%s” is not a date (YYYY-MM-DD).") % value) from None


# --- fast inserts -----------------------------------------------------------------------------


def bulk_insert(*, model: type[Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain tuples without building model instances: ``COPY`` on PostgreSQL, batched
    ``executemany`` elsewhere. Values go through each field's database preparation (memoized,
    since import columns repeat few distinct values); the caller fills auto fields itself.
    """
    meta = model._meta
    model_fields: list[Field[Any, Any]] = []
    column_names: list[str] = []
    for name in fields:
        model_field = meta.get_field(name)
        # Only a model's own columns can be inserted; anything else is the caller's mistake.
        assert isinstance(model_field, Field) and model_field.column is not None, name
        model_fields.append(model_field)
        column_names.append(model_field.column)
    memo: list[dict[Any, Any]] = [{} for _ in model_fields]

    def prepare(row: tuple) -> tuple:
        out = []
        for value, model_field, seen in zip(row, model_fields, memo, strict=True):
            try:
                out.append(seen[value])
            except KeyError:
                seen[value] = model_field.get_db_prep_save(value, connection)
                out.append(seen[value])
            except TypeError:  # unhashable
                out.append(model_field.get_db_prep_save(value, connection))
        return tuple(out)

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(column) for column in column_names)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepare(row))
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(model_fields))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(prepare(row))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


# --- creating a job ---------------------------------------------------------------------------


def _as_django_file(file: File | Path) -> tuple[File, int, bool]:
    """(file, size, opened_here) for an upload, a Django File or a filesystem path."""
    if isinstance(file, Path | str):
        path = Path(file)
        if not path.is_file():
            raise ServiceError(_("No such file: %s") % path)
        return File(path.open("rb"), name=path.name), path.stat().st_size, True
    size = file.size if file.size is not None else 0
    return file, size, False


def _sha256(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def import_job_create(
    *,
    kind: str,
    file: File | Path,
    original_name: str = "",
    city: City | None = None,
    options: dict | None = None,
    actor: User | None = None,
    run: bool = True,
) -> ImportJob:
    """Store an uploaded file as a pending import job and, with ``run``, queue it on commit."""
    importer_for(kind)
    options = dict(options or {})
    option_date(options)
    django_file, size, opened_here = _as_django_file(file)
    try:
        if size <= 0:
            raise ServiceError(_("The file is empty."))
        limit = _setting("IMPORT_MAX_UPLOAD_BYTES", 4 * 1024**3)
        if size > limit:
            raise ServiceError(
                _("The file is %(size)s bytes; imports take at most %(limit)s bytes.")
                % {"size": size, "limit": limit}
            )
        name = Path(original_name or django_file.name or "upload").name[:255]
        job = ImportJob(
            kind=kind,
            original_name=name,
            sha256=_sha256(django_file),
            city=city,
            options=options,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        job.file.save(name, django_file, save=False)
        job.save()
    finally:
        if opened_here:
            django_file.close()
    audit_record(
        actor=actor,
        action="import.create",
        obj=job,
        city=city,
        changes={"kind": kind, "file": job.original_name, "sha256": job.sha256, "options": options},
    )
    if run:
        task_enqueue_on_commit("core.tasks.import_job_run", job.pk)
    return job


# --- running a job ----------------------------------------------------------------------------


def _heartbeat_key(job_id: int) -> str:
    return f"import-job:{job_id}:heartbeat"


_last_beat: dict[int, float] = {}


def import_job_heartbeat(*, job: ImportJob, force: bool = False) -> None:
    """Tell other processes this job is alive; importers call it between batches."""
    now = time.monotonic()
    if not force and now - _last_beat.get(job.pk, 0.0) < HEARTBEAT_EVERY_SECONDS:
        return
    _last_beat[job.pk] = now
    timeout = int(_setting("IMPORT_STALLED_MINUTES", 15)) * 60 * 2
    cache.set(_heartbeat_key(job.pk), timezone.now().timestamp(), timeout=timeout)


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def import_job_progress(
    *, job: ImportJob, done: int, total: int, rows: int, unit: str = "bytes"
) -> None:
    """Publish how far a running job got (``done`` of ``total`` bytes, or of a sheet's rows with
    ``unit="rows"``, and rows read) through the cache: the job's own row is locked by the
    import's transaction until it ends."""
    timeout = int(_setting("IMPORT_STALLED_MINUTES", 15)) * 60 * 2
    cache.set(
        _progress_key(job.pk),
        {"done": int(done), "total": int(total), "rows": int(rows), "unit": unit},
        timeout=timeout,
    )


def import_job_progress_get(*, job: ImportJob) -> dict[str, int] | None:
    """The last progress a running job published, or None."""
    return cache.get(_progress_key(job.pk))


def _claim(job: ImportJob, *, resume: bool = False) -> bool:
    """Mark the job running (committed at once, so the admin sees it) and reset its results;
    with ``resume``, a job with a checkpoint keeps what it committed."""
    now = timezone.now()
    live = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
    )
    if resume and job.checkpoint:
        return bool(
            live.update(
                status=ImportJob.Status.RUNNING,
                attempts=F("attempts") + 1,
                heartbeat_at=now,
                finished_at=None,
                error="",
                updated_at=now,
            )
        )
    claimed = live.update(
        status=ImportJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error="",
        checkpoint={},
        **dict.fromkeys(ImportJob.COUNT_FIELDS, 0),
        updated_at=now,
    )
    if claimed:
        # Rows left by a run that died before it committed its data; they describe nothing.
        ImportRowError.objects.filter(job_id=job.pk).delete()
    return bool(claimed)


def _open_stream(job: ImportJob) -> IO[bytes]:
    # A FieldFile is empty exactly when it has no name.
    name = job.file.name
    if not name:
        raise ImportFileError(_("The file of this import is no longer stored."))
    try:
        handle = job.file.storage.open(name, "rb")
    except FileNotFoundError:
        raise ImportFileError(_("The file of this import is no longer stored.")) from None
    return getattr(handle, "file", handle)


def _store_issues(job: ImportJob, report: ImportReport) -> None:
    """Write the report's row errors not yet stored, and forget them."""
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job,
                line=max(issue.line, 0),
                message=issue.message[:MESSAGE_MAX],
                excerpt=issue.excerpt[:EXCERPT_MAX],
            )
            for issue in report.issues
        ],
        batch_size=500,
    )
    report.stored_issues += len(report.issues)
    report.issues = []


def _finish(job: ImportJob, *, status: str, report: ImportReport | None, error: str = "") -> None:
    report = report or ImportReport()
    now = timezone.now()
    job.status = status
    job.error = error
    for name in ImportJob.COUNT_FIELDS:
        setattr(job, name, getattr(report, name.removeprefix("rows_")))
    job.finished_at = now
    job.heartbeat_at = now
    job.checkpoint = {}
    job.save(
        update_fields=[
            "status",
            "error",
            *ImportJob.COUNT_FIELDS,
            "finished_at",
            "heartbeat_at",
            "checkpoint",
            "updated_at",
        ]
    )
    _store_issues(job, report)


class Checkpoint:
    """A segmented importer's committed progress.

    ``state`` is what the importer saved at its last commit (empty on a first run); ``save``,
    called inside the importer's own segment transaction, writes the report's counts, its new
    row errors and the new state with that segment's data, so they commit or vanish together.
    Where segments are not committed separately (SQLite, the embedded default: one transaction
    for the whole job), ``save`` only remembers the state.
    """

    def __init__(self, *, job: ImportJob, report: ImportReport, durable: bool) -> None:
        self.job = job
        self.report = report
        self.durable = durable
        self.state: dict[str, Any] = dict(job.checkpoint or {}) if durable else {}

    def save(self, state: dict[str, Any]) -> None:
        self.state = dict(state)
        if not self.durable:
            return
        _store_issues(self.job, self.report)
        counts = {
            name: getattr(self.report, name.removeprefix("rows_"))
            for name in ImportJob.COUNT_FIELDS
        }
        ImportJob.objects.filter(pk=self.job.pk).update(
            checkpoint=self.state, heartbeat_at=timezone.now(), **counts
        )


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a job's importer and record the outcome; a finished job is returned unchanged.

    A job left "running" by a dead worker starts over (its data transaction never committed),
    or, for a segmented importer on PostgreSQL, continues after its last committed segment.
    """
    job.refresh_from_db()
    if job.is_finished:
        return job
    if job.kind in SEGMENTED_KINDS and connection.vendor == "postgresql":
        return _run_segmented(job)
    if not _claim(job):
        job.refresh_from_db()
        return job
    report = ImportReport()
    started = time.monotonic()
    try:
        with transaction.atomic():
            # Held until commit: a second worker handed the same job waits here, then sees it
            # finished; on PostgreSQL the lock also tells the requeue task this job is alive.
            job = (
                ImportJob.objects.select_for_update(of=("self",))
                .select_related("city", "created_by")
                .get(pk=job.pk)
            )
            if job.status != ImportJob.Status.RUNNING:
                return job
            import_job_heartbeat(job=job, force=True)
            importer = importer_for(job.kind)
            scope = ImportScope.for_job(job)
            stream = _open_stream(job)
            try:
                if job.kind in SEGMENTED_KINDS:
                    checkpoint = Checkpoint(job=job, report=report, durable=False)
                    importer(
                        job=job, stream=stream, report=report, scope=scope, checkpoint=checkpoint
                    )
                else:
                    importer(job=job, stream=stream, report=report, scope=scope)
            finally:
                stream.close()
            _finish(job, status=ImportJob.Status.SUCCEEDED, report=report)
            _audit_run(job, scope=scope, seconds=time.monotonic() - started)
    except Exception as exc:
        _fail_on(job, exc)
    return _wind_up(job)


def _fail_on(job: ImportJob, exc: Exception) -> None:
    """Record why a run stopped: the clerk's message for a file or service error."""
    if isinstance(exc, ImportFileError | ServiceError):
        _fail(job, str(exc))
    elif isinstance(exc, SoftTimeLimitExceeded):
        _fail(job, _("The import took longer than the time limit for imports and was stopped."))
    else:
        logger.error("Import job %s failed unexpectedly", job.pk, exc_info=exc)
        _fail(
            job,
            _("The import stopped on an unexpected error (%(kind)s: %(error)s).")
            % {"kind": type(exc).__name__, "error": str(exc)[:300]},
        )


def _run_segmented(job: ImportJob) -> ImportJob:
    """Run a segmented importer (PostgreSQL): it commits its own segments with checkpoints,
    then the job's outcome and audit event are written in one last transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [JOB_LOCK_NAMESPACE, job.pk])
        if not cursor.fetchone()[0]:
            return job  # another worker is running it: it will record the outcome
    try:
        job.refresh_from_db()
        if job.is_finished or not _claim(job, resume=True):
            job.refresh_from_db()
            return job
        job = ImportJob.objects.select_related("city", "created_by").get(pk=job.pk)
        report = ImportReport(
            **{name.removeprefix("rows_"): getattr(job, name) for name in ImportJob.COUNT_FIELDS},
            stored_issues=ImportRowError.objects.filter(job=job).count(),
        )
        started = time.monotonic()
        progress_before = dict(job.checkpoint or {})
        try:
            import_job_heartbeat(job=job, force=True)
            importer = importer_for(job.kind)
            scope = ImportScope.for_job(job)
            checkpoint = Checkpoint(job=job, report=report, durable=True)
            stream = _open_stream(job)
            try:
                importer(job=job, stream=stream, report=report, scope=scope, checkpoint=checkpoint)
            finally:
                stream.close()
            with transaction.atomic():
                _finish(job, status=ImportJob.Status.SUCCEEDED, report=report)
                _audit_run(job, scope=scope, seconds=time.monotonic() - started)
        except SoftTimeLimitExceeded as exc:
            if not _continue_later(job, progress_before=progress_before):
                _fail_on(job, exc)
        except Exception as exc:
            _fail_on(job, exc)
        return _wind_up(job)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_LOCK_NAMESPACE, job.pk])


def _continue_later(job: ImportJob, *, progress_before: dict[str, Any]) -> bool:
    """A segmented run stopped by the task's time limit: if it committed a segment, the job
    goes back to the queue and the next run (with a time limit of its own) continues after that
    segment; a run that committed nothing fails, so no job loops."""
    job.refresh_from_db()
    if not job.checkpoint or job.checkpoint == progress_before:
        return False
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.PENDING, updated_at=timezone.now()
    )
    logger.info("Import job %s reached the time limit; it continues in a new run", job.pk)
    task_enqueue_on_commit("core.tasks.import_job_run", job.pk)
    return True


def _wind_up(job: ImportJob) -> ImportJob:
    """After a run: clear its liveness keys, drop a private file once imported."""
    cache.delete(_heartbeat_key(job.pk))
    cache.delete(_progress_key(job.pk))
    _last_beat.pop(job.pk, None)
    job.refresh_from_db()
    if job.status == ImportJob.Status.SUCCEEDED and job.kind in DISCARD_FILE_KINDS and job.file:
        job.file.delete(save=False)
        job.save(update_fields=["file", "updated_at"])
    if job.status == ImportJob.Status.SUCCEEDED:
        # After the data transaction: receivers read what the import wrote (inside an outer
        # transaction, they queue their work on its commit).
        import_finished.send(sender=ImportJob, job=job)
    return job


def _audit_run(job: ImportJob, *, scope: ImportScope, seconds: float) -> None:
    """The job's audit event in its own city, and one in every other city whose data it
    changed, so that each of those cities' clerks sees what an import did to their records."""
    changes = _summary(job, seconds=seconds)
    audit_record(actor=job.created_by, action="import.run", obj=job, city=job.city, changes=changes)
    others = scope.touched - {job.city_id}
    for city in City.objects.filter(pk__in=sorted(others)).order_by("pk"):
        audit_record(
            actor=job.created_by,
            action="import.run",
            obj=job,
            city=city,
            changes={**changes, "uploaded_for": str(job.city) if job.city else None},
        )


def _summary(job: ImportJob, *, seconds: float) -> dict[str, Any]:
    return {
        "status": job.status,
        "read": job.rows_read,
        "created": job.rows_created,
        "updated": job.rows_updated,
        "unchanged": job.rows_unchanged,
        "rejected": job.rows_rejected,
        "removed": job.rows_removed,
        "seconds": round(seconds, 2),
    }


def _fail(job: ImportJob, message: str) -> None:
    job.refresh_from_db()
    # A segmented run's committed row errors describe data that its importer discarded.
    ImportRowError.objects.filter(job=job).delete()
    _finish(job, status=ImportJob.Status.FAILED, report=None, error=message[:2000])
    audit_record(
        actor=job.created_by,
        action="import.fail",
        obj=job,
        city=job.city,
        changes={"error": job.error[:300]},
    )


# --- housekeeping -----------------------------------------------------------------------------


def _row_is_locked(job_id: int) -> bool:
    """True when a live transaction holds the job's row, or a live session its advisory lock
    (a segmented job), which only PostgreSQL can tell."""
    if not connection.features.has_select_for_update_skip_locked:
        return False
    with transaction.atomic():
        free = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).exists()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [JOB_LOCK_NAMESPACE, job_id]
                )
                free = free and cursor.fetchone()[0]
    return not free


def import_jobs_requeue_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """Re-dispatch jobs whose worker died or whose message was lost; give up after N tries.

    Returns the ids sent back to the queue.
    """
    now = now or timezone.now()
    stalled_before = now - dt.timedelta(minutes=_setting("IMPORT_STALLED_MINUTES", 15))
    pending_before = now - dt.timedelta(minutes=_setting("IMPORT_PENDING_MINUTES", 30))
    max_attempts = _setting("IMPORT_MAX_ATTEMPTS", 3)

    candidates: list[ImportJob] = []
    for job in ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=stalled_before
    ):
        beat = cache.get(_heartbeat_key(job.pk))
        if beat is not None and beat >= stalled_before.timestamp():
            continue
        if _row_is_locked(job.pk):
            continue
        candidates.append(job)
    candidates.extend(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=pending_before)
    )

    requeued: list[int] = []
    for job in candidates:
        if job.attempts >= max_attempts:
            _fail(
                job,
                _("Gave up after %(n)s attempts: the worker stopped before finishing each time.")
                % {"n": job.attempts},
            )
            continue
        task_enqueue("core.tasks.import_job_run", job.pk)
        requeued.append(job.pk)
    if requeued:
        logger.warning("Re-dispatched stalled import jobs %s", requeued)
    return requeued


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the stored files of jobs finished more than the retention period ago."""
    now = now or timezone.now()
    days = _setting("IMPORT_FILE_RETENTION_DAYS", 90)
    jobs = ImportJob.objects.filter(
        status__in=[ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED],
        finished_at__lt=now - dt.timedelta(days=days),
    ).exclude(file="")
    purged = 0
    for job in jobs.iterator():
        job.file.delete(save=False)
        job.save(update_fields=["file", "updated_at"])
        purged += 1
    return purged
