"""manage.py reclassify_searches [--rebuild-rollups]: reclassify all history now."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from searches.services.reclassification import searches_reclassify
from searches.services.rollups import rollups_rebuild_all


class Command(BaseCommand):
    help = (
        "Reclassify every reason and search with the current rules (the same work a rule "
        "change queues in the background), then refresh the search rollups that changed. "
        "With --rebuild-rollups, rebuild every rollup table even if nothing changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Recheck every search, state-law bits included, not only those whose reason "
            "changed.",
        )
        parser.add_argument(
            "--rebuild-rollups",
            action="store_true",
            help="Also rebuild every rollup table (searches, days, searchers) from scratch.",
        )

    def handle(self, *args, rebuild_rollups: bool = False, full: bool = False, **options) -> None:
        started = time.perf_counter()
        result = searches_reclassify(full=full)
        if rebuild_rollups:
            rollups_rebuild_all()
        self.stdout.write(
            _(
                "Rules version %(version)d: %(reasons)d reasons and %(searches)d searches "
                "changed%(rebuilt)s in %(seconds).1f s."
            )
            % {
                "version": result["version"],
                "reasons": result["reasons_changed"],
                "searches": result["searches_changed"],
                "rebuilt": _("; rollups rebuilt") if rebuild_rollups else "",
                "seconds": time.perf_counter() - started,
            }
        )
