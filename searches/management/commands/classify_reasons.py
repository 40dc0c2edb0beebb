"""manage.py classify_reasons [--csv FILE --column NAME [--offense-column NAME]]
manage.py classify_reasons --evaluate LABELS.csv [--fail-under [NAME=]VALUE ...]

Classify reason strings with the portal's current rules, so reporters can run the same rules on
their own files: reasons come one per line on stdin, or from a column of a CSV file, and a CSV
``reason,category,flags`` goes to stdout (flags joined with ``|``, e.g. ``immigration|vague``).

``--evaluate`` scores the rules against a hand-labeled table (``searches.evaluation``):
precision and recall per flag, accuracy per category and per source, and the misclassified
rows. ``--fail-under 0.95`` exits non-zero when any of those measures is lower;
``--fail-under immigration=1`` or ``--fail-under accuracy=0.9`` sets one measure's threshold.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.csvsafe import csv_safe
from searches.classifier import classify
from searches.evaluation import (
    REASON_FLAGS,
    Evaluation,
    LabelsError,
    evaluation_failures,
    labeled_reasons_read,
    reasons_evaluate,
)
from searches.models import FLAG_NAMES
from searches.selectors.rules import rules_current


def _flag_text(flags: int) -> str:
    return "|".join(name for name, bit in FLAG_NAMES.items() if flags & bit)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _threshold(text: str) -> tuple[str, float]:
    """``0.95`` (every measure) or ``NAME=0.95`` (one flag, or ``accuracy``)."""
    name, _sep, value = text.rpartition("=")
    name = name.strip() or "*"
    if name not in (*REASON_FLAGS, "accuracy", "*"):
        raise CommandError(_("Unknown measure %(name)s in --fail-under.") % {"name": name})
    try:
        limit = float(value)
    except ValueError:
        raise CommandError(
            _("--fail-under needs a number, not %(value)r.") % {"value": value}
        ) from None
    return name, limit


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
        parser.add_argument(
            "--evaluate",
            type=Path,
            metavar="LABELS.csv",
            help="Score the rules against a labeled CSV (reason,offense_type,category,flags).",
        )
        parser.add_argument(
            "--fail-under",
            action="append",
            default=[],
            metavar="[NAME=]VALUE",
            help="With --evaluate: exit non-zero when a measure is below VALUE (repeatable).",
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
        if options["evaluate"] is not None:
            self._evaluate(options)
            return
        if options["fail_under"]:
            raise CommandError(_("--fail-under needs --evaluate."))
        rules = rules_current()
        names = {c.id: c.slug for c in rules.by_id.values()}
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["reason", "category", "flags"])
        for reason, offense in self._rows(options):
            result = classify(reason, offense, rules=rules)
            category = names.get(result.category_id, "") if result.category_id else ""
            writer.writerow([csv_safe(v) for v in (reason, category, _flag_text(result.flags))])

    def _evaluate(self, options) -> None:
        if options["csv"] or options["column"] or options["offense_column"]:
            raise CommandError(_("--evaluate reads its own file; drop --csv and --column."))
        thresholds = dict(_threshold(text) for text in options["fail_under"])
        try:
            rows = labeled_reasons_read(options["evaluate"])
        except LabelsError as exc:
            raise CommandError(str(exc)) from exc
        evaluation = reasons_evaluate(rows=rows)
        self._report(evaluation)
        failures = evaluation_failures(evaluation=evaluation, thresholds=thresholds)
        if failures:
            raise CommandError(
                _("Below threshold: %(failures)s") % {"failures": "; ".join(failures)}
            )

    def _report(self, evaluation: Evaluation) -> None:
        out = self.stdout.write
        out(_("Labeled reasons: %(rows)d") % {"rows": evaluation.rows})
        out("")
        out(
            f"{_('flag'):<18} {_('labeled'):>8} {_('predicted'):>9} {_('TP'):>5} {_('FP'):>5} "
            f"{_('FN'):>5} {_('precision'):>9} {_('recall'):>7}"
        )
        for name, score in evaluation.flags.items():
            out(
                f"{name:<18} {score.labeled:>8} {score.predicted:>9} {score.true_positives:>5} "
                f"{score.false_positives:>5} {score.false_negatives:>5} "
                f"{_ratio(score.precision):>9} {_ratio(score.recall):>7}"
            )
        out("")
        out(f"{_('category'):<26} {_('rows'):>5} {_('correct'):>8} {_('accuracy'):>8}")
        for slug, (correct, total) in evaluation.categories.items():
            out(f"{slug or '-':<26} {total:>5} {correct:>8} {_ratio(correct / total):>8}")
        for source, (correct, total) in evaluation.sources.items():
            if source:
                out(
                    _("Source %(source)s: %(correct)d of %(rows)d rows right (%(ratio)s)")
                    % {
                        "source": source,
                        "correct": correct,
                        "rows": total,
                        "ratio": _ratio(correct / total),
                    }
                )
        out(
            _("Overall category accuracy: %(ratio)s (%(correct)d of %(rows)d)")
            % {
                "ratio": _ratio(evaluation.accuracy),
                "correct": evaluation.correct,
                "rows": evaluation.rows,
            }
        )
        out("")
        out(_("Misclassified rows: %(count)d") % {"count": len(evaluation.misses)})
        for miss in evaluation.misses:
            row = miss.row
            offense = f" [{row.offense_type}]" if row.offense_type else ""
            out(
                _("line %(line)d: %(reason)r%(offense)s expected %(want)s got %(got)s")
                % {
                    "line": row.line,
                    "reason": row.reason,
                    "offense": offense,
                    "want": f"{row.category} ({'|'.join(sorted(row.flags)) or '-'})",
                    "got": f"{miss.category or '-'} ({'|'.join(sorted(miss.flags)) or '-'})",
                }
            )
