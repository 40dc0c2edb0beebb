"""What the import management commands share: make a job, run it here, print its counts.

The commands run the import in this process (so they print the result and exit non-zero on a
failed job) unless ``--queue`` hands the job to the Celery workers instead.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.imports import import_job_create, import_job_run
from core.models import City, ImportJob
from core.services import ServiceError

SHOWN_ROW_ERRORS = 20


def iso_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class ImportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The file to import.")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the job for the Celery workers instead of running it here.",
        )
        self.add_import_arguments(parser)

    def add_import_arguments(self, parser: CommandParser) -> None:
        """Options of one kind of import."""

    def job_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], City | None]:
        """(job options, city) from the command line."""
        return {}, None

    @staticmethod
    def city_from(slug: str | None) -> City | None:
        if not slug:
            return None
        city = City.objects.filter(slug=slug).first()
        if city is None:
            raise CommandError(f"No city with the slug {slug!r}.")
        return city

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        job_options, city = self.job_options(options)
        started = time.monotonic()
        try:
            with transaction.atomic():
                job = import_job_create(
                    kind=self.kind, file=path, city=city, options=job_options, run=options["queue"]
                )
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        if options["queue"]:
            self.stdout.write(f"Queued import job #{job.pk} ({job.original_name}).")
            return
        job = import_job_run(job=job)
        self.report(job, seconds=time.monotonic() - started)
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"Import job #{job.pk} failed: {job.error}")

    def report(self, job: ImportJob, *, seconds: float) -> None:
        self.stdout.write(
            f"Import job #{job.pk} {job.status} in {seconds:.2f}s: read {job.rows_read}, "
            f"created {job.rows_created}, updated {job.rows_updated}, "
            f"unchanged {job.rows_unchanged}, rejected {job.rows_rejected}, "
            f"removed {job.rows_removed}."
        )
        errors = list(job.row_errors.all()[:SHOWN_ROW_ERRORS])
        for error in errors:
            self.stderr.write(f"  line {error.line}: {error.message}")
        hidden = job.row_errors.count() - len(errors)
        if hidden > 0:
            self.stderr.write(f"  … and {hidden} more row errors (see the job in the admin).")
