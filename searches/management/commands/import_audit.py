"""manage.py import_audit PATH [--agency NAME] [--format auto|portal|portal-legacy|
records-network|records-organization] [--city SLUG] [--no-wait]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from cameras.importers.command import SHOWN_ROW_ERRORS, ImportCommand
from core.models import City, ImportJob
from searches.importers.layouts import FORMAT_CHOICES


class Command(ImportCommand):
    help = (
        "Import a search-audit file (transparency-portal CSV, records-request network or "
        "organization audit, CSV or XLSX): print read, new, duplicate and rejected rows."
    )
    kind = ImportJob.Kind.AUDIT

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        # The camera commands say --queue; audits also accept the name the issue uses.
        parser.add_argument(
            "--no-wait",
            dest="queue",
            action="store_true",
            help="Queue the job for the Celery workers and return at once (same as --queue).",
        )

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency",
            default="",
            help="Whose audit the file is (the source agency); required.",
        )
        parser.add_argument(
            "--format",
            default="auto",
            choices=FORMAT_CHOICES,
            help="The file's layout; auto-detected by default.",
        )
        parser.add_argument("--city", help="Slug of the city the import belongs to.")

    def job_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], City | None]:
        agency = options["agency"].strip()
        if not agency:
            raise CommandError("Give --agency: whose audit the file is.")
        return {"agency": agency, "format": options["format"]}, self.city_from(options["city"])

    def report(self, job: ImportJob, *, seconds: float) -> None:
        self.stdout.write(
            f"Import job #{job.pk} {job.status} in {seconds:.2f}s: read {job.rows_read}, "
            f"new {job.rows_created}, duplicate {job.rows_unchanged}, "
            f"rejected {job.rows_rejected}."
        )
        errors = list(job.row_errors.all()[:SHOWN_ROW_ERRORS])
        for error in errors:
            self.stderr.write(f"  line {error.line}: {error.message}")
        hidden = job.row_errors.count() - len(errors)
        if hidden > 0:
            self.stderr.write(
                f"  … and {hidden} more row notes and errors (see the job in the admin)."
            )
