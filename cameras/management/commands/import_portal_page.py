"""manage.py import_portal_page PATH [--agency NAME] [--date YYYY-MM-DD] [--url URL] [--city SLUG]
[--partial]"""

from typing import Any

from django.core.management.base import CommandParser

from cameras.importers.command import ImportCommand, iso_date
from core.models import City, ImportJob


class Command(ImportCommand):
    help = (
        "Import a saved Flock transparency page (HTML or its text): a dated snapshot of its "
        "figures and policies, and its sharing lists with their direction."
    )
    kind = ImportJob.Kind.PORTAL_PAGE

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", default="", help="Whose page this is, if it does not say.")
        parser.add_argument(
            "--date", type=iso_date, help="Date of the page (default: its “Last updated” date)."
        )
        parser.add_argument("--url", default="", help="The page's address, kept on the snapshot.")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="The lists are not complete: end no agreement missing from them.",
        )
        parser.add_argument("--city", help="Slug of the city whose clerks may see this job.")

    def job_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], City | None]:
        job_options = {
            "agency": options["agency"].strip(),
            "date": options["date"],
            "url": options["url"].strip(),
            "partial": options["partial"],
        }
        return {k: v for k, v in job_options.items() if v}, self.city_from(options["city"])
