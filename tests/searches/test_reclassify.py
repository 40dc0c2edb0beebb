"""The commands around classification: classify_reasons, reclassify_searches, load_reason_rules,
and the default rules' data migration being safe to apply again."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from searches.models import OffenseType, ReasonCategory, ReasonPattern, RuleSet, SearchFlag
from searches.rules_data import CATEGORIES, OFFENSE_TYPES
from searches.services.reclassification import reason_rules_load
from tests.factories import AgencyFactory
from tests.searches.factories import ReasonFactory, SearchFactory

pytestmark = pytest.mark.django_db


def _run(*args, stdin: str = "", monkeypatch=None) -> list[list[str]]:
    out = io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("classify_reasons", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_classify_reasons_reads_stdin_and_writes_csv(monkeypatch):
    rows = _run(stdin="ICE+ERO\nnotice\n\n=HYPERLINK(1)\nprotest ICE\n", monkeypatch=monkeypatch)
    assert rows == [
        ["reason", "category", "flags"],
        ["ICE+ERO", "immigration", "immigration"],
        ["notice", "other", ""],
        ["", "blank", "blank"],
        ["'=HYPERLINK(1)", "other", ""],  # formula neutralized
        ["protest ICE", "immigration", "immigration|protest"],
    ]


def test_classify_reasons_reads_a_csv_column_with_offense_types(tmp_path):
    path = tmp_path / "audit.csv"
    path.write_text(
        "\ufeffid,reason,offenseType\n"
        '1,investigation,"Wanted Person (Arrest Warrant/Fugitive)"\n'
        "2,abortion,\n"
        '3,"25-1234",Robbery\n',
        encoding="utf-8",
    )
    rows = _run("--csv", str(path), "--column", "reason", "--offense-column", "offenseType")
    assert rows[1:] == [
        ["investigation", "warrant", "vague"],
        ["abortion", "reproductive-care", "reproductive_care"],
        ["25-1234", "robbery", "case_number_only"],
    ]


def test_classify_reasons_names_the_columns_it_found(tmp_path):
    path = tmp_path / "audit.csv"
    path.write_text("id,why\n1,ICE\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Column reason not found; the file has: id, why"):
        _run("--csv", str(path), "--column", "reason")
    with pytest.raises(CommandError, match="--csv needs --column"):
        _run("--csv", str(path))


def test_reclassify_searches_runs_the_pipeline_now():
    agency = AgencyFactory(name="Joliet IL PD")
    row = SearchFactory(source_agency=agency, reason=ReasonFactory(text="ICE WARRANT"))
    out = io.StringIO()
    call_command("reclassify_searches", "--full", "--rebuild-rollups", stdout=out)
    row.refresh_from_db()
    assert row.category.slug == "immigration"
    assert row.flags & SearchFlag.IMMIGRATION
    assert "1 searches changed" in out.getvalue()
    assert "rollups rebuilt" in out.getvalue()
    ruleset = RuleSet.objects.get()
    assert ruleset.reclassified_version == ruleset.version


def test_default_rules_are_loaded_once_and_edits_survive():
    assert ReasonCategory.objects.count() == len(CATEGORIES)
    assert OffenseType.objects.filter(name__in=OFFENSE_TYPES, family__isnull=False).count() == len(
        OFFENSE_TYPES
    )
    patterns = ReasonPattern.objects.count()
    vague = ReasonCategory.objects.get(slug="vague")
    vague.priority = 42
    vague.save()
    ReasonPattern.objects.filter(category=vague, pattern="inv").delete()
    result = reason_rules_load()
    # The missing default pattern comes back, the analyst's priority stays.
    assert result.patterns_created == 1
    assert not result.categories_updated
    assert ReasonPattern.objects.count() == patterns
    vague.refresh_from_db()
    assert vague.priority == 42
    assert AuditEvent.objects.filter(action="searches.rules_changed").count() == 1
    # Nothing missing: nothing changes, no version bump.
    version = RuleSet.objects.get().version
    assert not reason_rules_load().changed
    assert RuleSet.objects.get().version == version


def test_load_reason_rules_update_resets_the_defaults():
    vague = ReasonCategory.objects.get(slug="vague")
    ReasonCategory.objects.filter(pk=vague.pk).update(priority=42, description="mine")
    custom = ReasonPattern.objects.create(category=vague, pattern="per sergeant")
    OffenseType.objects.filter(name="Robbery").update(family=vague)
    out = io.StringIO()
    call_command("load_reason_rules", "--update", stdout=out)
    vague.refresh_from_db()
    assert vague.priority == 500
    assert vague.description != "mine"
    assert ReasonPattern.objects.filter(pk=custom.pk).exists()  # patterns are never removed
    assert OffenseType.objects.get(name="Robbery").family.slug == "robbery"
    assert "1 updated" in out.getvalue()
    assert "1 mapped" in out.getvalue()


def test_every_default_regex_compiles_and_every_offense_maps_to_an_offense_family():
    import re

    slugs = {c["slug"]: c for c in CATEGORIES}
    for category in CATEGORIES:
        for kind, pattern, _note in category["patterns"]:
            if kind == "regex":
                re.compile(pattern)
    for name, slug in OFFENSE_TYPES.items():
        assert slugs[slug]["kind"] == "offense", name
        assert ", " not in name, name  # audits join offense types with ", "
    priorities = [c["priority"] for c in CATEGORIES]
    assert len(set(priorities)) == len(priorities)
