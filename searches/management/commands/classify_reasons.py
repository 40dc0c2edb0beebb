"""manage.py classify_reasons [--csv FILE --column NAME [--offense-column NAME]]

Classify reason strings with the portal's current rules, so reporters can run the same rules on
their own files: reasons come one per line on stdin, or from a column of a CSV file, and a CSV
``reason,category,flags`` goes to stdout (flags joined with ``|``, e.g. ``immigration|vague``).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from portal.csvsafe import csv_safe
from searches.classification import classify, rules_current
from searches.models import FLAG_NAMES


def _flag_text(flags: int) -> str:
    return "|".join(name for name, bit in FLAG_NAMES.items() if flags & bit)


class Command(BaseCommand):
    help = (
        "Classify search reasons (one per line on stdin, or a CSV column) with the current "
        "rules and write CSV reason,category,flags to stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="Read reasons from this CSV file.")
        parser.add_argument("--column", help="The CSV column holding the reason.")
        parser.add_argument(
            "--offense-column",
            help="The CSV column holding the offense type(s), if any (e.g. offenseType).",
        )

    def _rows(self, options) -> Iterator[tuple[str, str]]:
        path: Path | None = options["csv"]
        if path is None:
            if options["column"] or options["offense_column"]:
                raise CommandError(_("--column and --offense-column need --csv."))
            for line in sys.stdin:
                yield line.rstrip("\r\n"), ""
            return
        column = options["column"]
        if not column:
            raise CommandError(_("--csv needs --column NAME."))
        try:
            handle = path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        with handle:
            reader = csv.DictReader(handle)
            found = reader.fieldnames or []
            wanted = [c for c in (column, options["offense_column"]) if c]
            missing = [c for c in wanted if c not in found]
            if missing:
                raise CommandError(
                    _("Column %(missing)s not found; the file has: %(found)s.")
                    % {"missing": ", ".join(missing), "found": ", ".join(found) or "-"}
                )
            offense = options["offense_column"]
            for row in reader:
                yield row.get(column) or "", (row.get(offense) or "") if offense else ""

    def handle(self, *args, **options) -> None:
        rules = rules_current()
        names = {c.id: c.slug for c in rules.by_id.values()}
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["reason", "category", "flags"])
        for reason, offense in self._rows(options):
            result = classify(reason, offense, rules=rules)
            category = names.get(result.category_id, "") if result.category_id else ""
            writer.writerow([csv_safe(v) for v in (reason, category, _flag_text(result.flags))])
