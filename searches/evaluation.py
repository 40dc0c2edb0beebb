"""How well the classification rules agree with a table of hand-labeled reasons.

A labels file is a CSV with the columns ``reason``, ``category`` (a category slug) and ``flags``
(concern flag names joined with ``|``), and optionally ``offense_type`` and ``source``. Each row
is classified with the current rules; the result is precision and recall per concern flag,
accuracy per expected category and per source, and the rows the rules get wrong.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable
from pathlib import Path

from searches.classifier import Rules, classify
from searches.models import CONCERN_FLAGS, FLAG_NAMES
from searches.selectors.rules import rules_current

# The flags a reason can carry by itself, in the order the portal lists them.
REASON_FLAGS: tuple[str, ...] = tuple(
    name for name, bit in FLAG_NAMES.items() if bit & CONCERN_FLAGS
)
REQUIRED_COLUMNS = ("reason", "category", "flags")


class LabelsError(ValueError):
    """The labels file cannot be read as a labeled table."""


@dataclasses.dataclass(frozen=True)
class LabeledReason:
    line: int
    reason: str
    offense_type: str
    category: str
    flags: frozenset[str]
    source: str = ""


@dataclasses.dataclass(frozen=True)
class Miss:
    row: LabeledReason
    category: str
    flags: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Score:
    """Counts behind a precision and recall; either is None when it has no denominator."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def labeled(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def predicted(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.labeled if self.labeled else None


@dataclasses.dataclass(frozen=True)
class Evaluation:
    rows: int
    flags: dict[str, Score]
    categories: dict[str, tuple[int, int]]  # expected slug -> (correct, rows)
    sources: dict[str, tuple[int, int]]  # source -> (correct, rows)
    misses: list[Miss]

    @property
    def correct(self) -> int:
        return sum(correct for correct, _rows in self.categories.values())

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.rows if self.rows else None


def _flag_set(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in (text or "").split("|") if part.strip())


def labeled_reasons_read(path: Path) -> list[LabeledReason]:
    """The rows of a labels CSV; unknown flag names and missing columns are errors."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise LabelsError(str(exc)) from exc
    rows: list[LabeledReason] = []
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LabelsError(f"missing column(s): {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            flags = _flag_set(row["flags"])
            unknown = sorted(flags - set(REASON_FLAGS))
            if unknown:
                raise LabelsError(f"line {line}: unknown flag(s) {', '.join(unknown)}")
            rows.append(
                LabeledReason(
                    line=line,
                    reason=row["reason"] or "",
                    offense_type=row.get("offense_type") or "",
                    category=(row["category"] or "").strip(),
                    flags=flags,
                    source=(row.get("source") or "").strip(),
                )
            )
    return rows


def reasons_evaluate(*, rows: Iterable[LabeledReason], rules: Rules | None = None) -> Evaluation:
    """Classify every labeled row and score the rules against the labels."""
    rules = rules or rules_current()
    counts = {name: [0, 0, 0] for name in REASON_FLAGS}  # tp, fp, fn
    categories: dict[str, list[int]] = {}
    sources: dict[str, list[int]] = {}
    misses: list[Miss] = []
    total = 0
    for row in rows:
        total += 1
        result = classify(row.reason, row.offense_type, rules=rules)
        got = frozenset(result.flag_names) & set(REASON_FLAGS)
        for name in REASON_FLAGS:
            expected, predicted = name in row.flags, name in got
            if expected and predicted:
                counts[name][0] += 1
            elif predicted:
                counts[name][1] += 1
            elif expected:
                counts[name][2] += 1
        right = result.category_slug == row.category
        for table, key in ((categories, row.category), (sources, row.source)):
            tally = table.setdefault(key, [0, 0])
            tally[0] += int(right)
            tally[1] += 1
        if not right or got != row.flags:
            misses.append(Miss(row=row, category=result.category_slug, flags=got))
    return Evaluation(
        rows=total,
        flags={name: Score(*values) for name, values in counts.items()},
        categories={k: (v[0], v[1]) for k, v in sorted(categories.items())},
        sources={k: (v[0], v[1]) for k, v in sorted(sources.items())},
        misses=misses,
    )


def evaluation_failures(*, evaluation: Evaluation, thresholds: dict[str, float]) -> list[str]:
    """The measures below their threshold, as ``name measure value < threshold`` strings.

    ``thresholds`` maps a flag name, ``accuracy``, or ``*`` (every flag that is labeled or
    predicted at least once, and the accuracy) to the least value allowed.
    """
    failures: list[str] = []
    default = thresholds.get("*")
    for name, score in evaluation.flags.items():
        limit = thresholds.get(name, default if score.labeled or score.predicted else None)
        if limit is None:
            continue
        for measure, value in (("precision", score.precision), ("recall", score.recall)):
            if value is None or value < limit:
                shown = "n/a" if value is None else f"{value:.3f}"
                failures.append(f"{name} {measure} {shown} < {limit:.3f}")
    limit = thresholds.get("accuracy", default)
    if limit is not None and (evaluation.accuracy or 0.0) < limit:
        failures.append(f"accuracy {evaluation.accuracy or 0.0:.3f} < {limit:.3f}")
    return failures
