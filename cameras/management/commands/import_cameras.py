"""manage.py import_cameras PATH [--city SLUG] [--owner NAME] [--source NAME] [--partial]"""

from typing import Any

from django.core.management.base import CommandParser

from cameras.importers.command import ImportCommand
from core.models import City, ImportJob


class Command(ImportCommand):
    help = "Import ALPR camera locations (Overpass JSON, GeoJSON or CSV with lat/lon columns)."
    kind = ImportJob.Kind.CAMERAS

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city", help="Slug of the city the cameras belong to.")
        parser.add_argument("--owner", default="", help="Owner agency for rows that name none.")
        parser.add_argument(
            "--source",
            default="",
            help="Source name re-imports match on (default: osm, csv-<city>).",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="The file is not the city's whole list: mark nothing removed.",
        )

    def job_options(self, options: dict[str, Any]) -> tuple[dict[str, Any], City | None]:
        job_options = {
            "owner": options["owner"].strip(),
            "source": options["source"].strip(),
            "partial": options["partial"],
        }
        return {k: v for k, v in job_options.items() if v}, self.city_from(options["city"])
