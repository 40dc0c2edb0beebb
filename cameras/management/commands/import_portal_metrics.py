"""manage.py import_portal_metrics PATH [--date YYYY-MM-DD]"""

from typing import Any

from django.core.management.base import CommandParser

from cameras.importers.command import ImportCommand, iso_date
from core.models import City, ImportJob


class Command(ImportCommand):
    help = "Import transparency-page metrics and policies (CSV), kept as dated snapshots."
    kind = ImportJob.Kind.PORTAL_METRICS

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=iso_date, help="Date for rows that carry none (default: file name)."
        )
        parser.add_argument("--city", help="Slug of the city whose clerks may see this job.")

    def job_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], City | None]:
        return ({"date": options["date"]} if options["date"] else {}), self.city_from(
            options["city"]
        )
