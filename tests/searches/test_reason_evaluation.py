"""The labeled reason table scored by ``classify_reasons --evaluate``: the thresholds the rules
must hold on it, the measures themselves, and the table's real rows against the real files
in ``../shared/data`` (skipped when absent)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from searches.evaluation import (
    LabelsError,
    Score,
    evaluation_failures,
    labeled_reasons_read,
    reasons_evaluate,
)

LABELED = Path(__file__).resolve().parent.parent / "fixtures" / "reasons_labeled.csv"
REAL = Path(settings.BASE_DIR).parent / "shared" / "data"

pytestmark = pytest.mark.django_db


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_the_table_holds_concern_flags_at_one_and_vague_at_095():
    evaluation = reasons_evaluate(rows=labeled_reasons_read(LABELED))
    assert evaluation.rows >= 400
    for name in ("immigration", "reproductive_care", "protest"):
        score = evaluation.flags[name]
        assert score.labeled >= 20, name
        assert (score.precision, score.recall) == (1.0, 1.0), name
    vague = evaluation.flags["vague"]
    assert vague.precision >= 0.95 and vague.recall >= 0.95
    # Overall category accuracy, reported by the command too; the misses are listed there.
    assert evaluation.accuracy >= 0.95, [
        (m.row.line, m.row.reason, m.category) for m in evaluation.misses
    ]
    assert evaluation.sources["real"][1] >= 190


def test_measures_count_true_and_false_positives(tmp_path):
    labels = _write(
        tmp_path / "labels.csv",
        [
            ["reason", "offense_type", "category", "flags", "source"],
            ["ICE", "", "immigration", "immigration", "a"],
            ["investigation", "", "vague", "vague", "a"],
            # Labeled wrong on purpose: the rules say immigration, the label says other.
            ["deportee", "", "other", "", "b"],
            # No rule knows it (other); the label wants a protest.
            ["crowd at city hall", "", "protest", "protest", "b"],
        ],
    )
    evaluation = reasons_evaluate(rows=labeled_reasons_read(labels))
    assert evaluation.flags["immigration"] == Score(1, 1, 0)
    assert evaluation.flags["immigration"].precision == 0.5
    assert evaluation.flags["protest"] == Score(0, 0, 1)
    assert evaluation.flags["protest"].precision is None
    assert evaluation.flags["protest"].recall == 0.0
    assert evaluation.flags["blank"].recall is None
    assert evaluation.categories == {
        "immigration": (1, 1),
        "other": (0, 1),
        "protest": (0, 1),
        "vague": (1, 1),
    }
    assert evaluation.sources == {"a": (2, 2), "b": (0, 2)}
    assert evaluation.accuracy == 0.5
    assert [(m.row.line, m.category) for m in evaluation.misses] == [
        (4, "immigration"),
        (5, "other"),
    ]
    failures = evaluation_failures(evaluation=evaluation, thresholds={"vague": 1.0})
    assert failures == []
    failures = evaluation_failures(evaluation=evaluation, thresholds={"*": 0.9})
    assert failures == [
        "immigration precision 0.500 < 0.900",
        "protest precision n/a < 0.900",
        "protest recall 0.000 < 0.900",
        "accuracy 0.500 < 0.900",
    ]


def test_evaluate_command_prints_flags_categories_and_misses(tmp_path, capsys):
    labels = _write(
        tmp_path / "labels.csv",
        [
            ["reason", "category", "flags"],
            ["ICE+ERO", "immigration", "immigration"],
            ["removal proceedings", "immigration", "immigration"],
            ["inv", "vague", "vague"],
            ["Tuesday", "vague", "vague"],  # no rule knows it: a miss
        ],
    )
    call_command("classify_reasons", "--evaluate", str(labels), "--fail-under", "immigration=1")
    out = capsys.readouterr().out
    assert "Labeled reasons: 4" in out
    assert re.search(r"^immigration\s+2\s+2\s+2\s+0\s+0\s+1\.000\s+1\.000$", out, re.M)
    assert re.search(r"^vague\s+2\s+1\s+1\s+0\s+1\s+1\.000\s+0\.500$", out, re.M)
    assert re.search(r"^vague\s+2\s+1\s+0\.500$", out, re.M)  # the category table
    assert "Overall category accuracy: 0.750 (3 of 4)" in out
    assert "Misclassified rows: 1" in out
    assert "line 5: 'Tuesday' expected vague (vague) got other (-)" in out

    with pytest.raises(CommandError, match=re.escape("vague recall 0.500 < 0.950")):
        call_command("classify_reasons", "--evaluate", str(labels), "--fail-under", "0.95")
    with pytest.raises(CommandError, match=re.escape("accuracy 0.750 < 0.800")):
        call_command("classify_reasons", "--evaluate", str(labels), "--fail-under", "accuracy=.8")


def test_evaluate_command_refuses_bad_input(tmp_path):
    good = _write(tmp_path / "good.csv", [["reason", "category", "flags"], ["ICE", "x", ""]])
    with pytest.raises(CommandError, match="Unknown measure frobs"):
        call_command("classify_reasons", "--evaluate", str(good), "--fail-under", "frobs=1")
    with pytest.raises(CommandError, match="needs a number"):
        call_command("classify_reasons", "--evaluate", str(good), "--fail-under", "high")
    with pytest.raises(CommandError, match="needs --evaluate"):
        call_command("classify_reasons", "--fail-under", "0.9")
    missing = _write(tmp_path / "missing.csv", [["reason", "flags"], ["ICE", ""]])
    with pytest.raises(CommandError, match="missing column"):
        call_command("classify_reasons", "--evaluate", str(missing))
    flags = _write(tmp_path / "flags.csv", [["reason", "category", "flags"], ["ICE", "x", "ice"]])
    with pytest.raises(LabelsError, match="line 2: unknown flag"):
        labeled_reasons_read(flags)


def _real_reasons() -> set[str]:
    files = [REAL / "eugene-or" / "EPDSearchAuditLogs.csv"]
    files += sorted((REAL / "transparency-pages").glob("*/audit.csv"))
    reasons: set[str] = set()
    for path in files:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if "reason" in row:
                    reasons.add(row["reason"] or "")
    return reasons


@pytest.mark.skipif(not (REAL / "eugene-or").is_dir(), reason="../shared/data is not present")
def test_real_rows_are_every_distinct_real_reason_with_plates_and_names_masked():
    real = _real_reasons()
    rows = [r for r in labeled_reasons_read(LABELED) if r.source == "real"]
    # A masked token stands for one plate or name as typed; the rest is the reason verbatim.
    shapes = {
        row.reason: re.compile(
            "".join(
                r"[A-Za-z0-9]+" if part in ("[plate]", "[name]") else re.escape(part)
                for part in re.split(r"(\[plate\]|\[name\])", row.reason)
            )
        )
        for row in rows
    }
    unlabeled = [r for r in real if not any(s.fullmatch(r) for s in shapes.values())]
    assert unlabeled == []
    unseen = [text for text, shape in shapes.items() if not any(shape.fullmatch(r) for r in real)]
    assert unseen == []
    # Only masking merges real reasons ("589hpm" and another plate are both "[plate]").
    assert len(rows) <= len(real) <= len(rows) + sum("[" in text for text in shapes)
    assert len(rows) >= 190
