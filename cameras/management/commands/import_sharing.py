"""manage.py import_sharing PATH [--agency NAME] [--date YYYY-MM-DD] [--kind KIND] [--partial]"""

from typing import Any

from django.core.management.base import CommandParser

from cameras.importers.command import ImportCommand, iso_date
from cameras.models import SharingAgreement
from core.models import City, ImportJob


class Command(ImportCommand):
    help = (
        "Import sharing agreements: a src_agency/external_agency CSV, a records-request CSV, "
        "or a transparency page (HTML or pasted text)."
    )
    kind = ImportJob.Kind.SHARING

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", default="", help="The agency a transparency page is of.")
        parser.add_argument(
            "--date", type=iso_date, help="Date the lists were seen (default: from the file name)."
        )
        parser.add_argument("--kind", choices=SharingAgreement.Kind.values)
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
            "kind": options["kind"],
            "partial": options["partial"],
        }
        return {k: v for k, v in job_options.items() if v}, self.city_from(options["city"])
