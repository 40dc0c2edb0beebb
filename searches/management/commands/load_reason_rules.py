"""manage.py load_reason_rules [--update]: the default classification rules."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from searches.services.reclassification import reason_rules_load


class Command(BaseCommand):
    help = (
        "Create the default reason categories, patterns and offense-type mappings of "
        "searches/rules_data.py that are missing. With --update, also reset the listed "
        "categories and offense mappings to that data (patterns added since are kept). Any "
        "change is recorded in the audit log and reclassifies the searches in the background."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite edited default categories and offense mappings from the data.",
        )

    def handle(self, *args, update: bool = False, **options) -> None:
        result = reason_rules_load(update=update)
        self.stdout.write(
            _(
                "Reason rules: %(created)d categories created, %(updated)d updated, "
                "%(patterns)d patterns added, %(offenses)d offense types added, "
                "%(mapped)d mapped."
            )
            % {
                "created": len(result.categories_created),
                "updated": len(result.categories_updated),
                "patterns": result.patterns_created,
                "offenses": result.offense_types_created,
                "mapped": result.offense_types_mapped,
            }
        )
