"""Reason classification: the labeled table, the matching rules, offense families, pending
classification of reasons and the state-law bits searches get by join."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from core.models import Agency, AuditEvent, StateLawProfile
from searches.classifier import classify, normalize, words_regex
from searches.models import (
    FLAG_NAMES,
    OffenseType,
    Reason,
    ReasonCategory,
    ReasonPattern,
    RuleSet,
    Search,
    SearchFlag,
)
from searches.selectors.rules import reason_classify, rules_cache_clear, rules_current, statutes_for
from searches.services.reclassification import (
    reasons_classify_pending,
    search_rules_changed,
    searches_apply_classification,
    searches_reclassify,
    searches_reflag,
)
from tests.factories import AgencyFactory, StateLawProfileFactory
from tests.searches.factories import ReasonFactory, SearchFactory

LABELED = Path(__file__).resolve().parent.parent / "fixtures" / "reasons_labeled.csv"

pytestmark = pytest.mark.django_db


def _flag_names(flags: int) -> str:
    return "|".join(name for name, bit in FLAG_NAMES.items() if flags & bit)


def _labeled_rows() -> list[dict[str, str]]:
    with LABELED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_labeled_table_is_large_and_covers_every_default_category():
    rows = _labeled_rows()
    assert len({row["reason"] for row in rows}) >= 400
    assert len({(row["reason"], row["offense_type"]) for row in rows}) == len(rows)
    expected = {row["category"] for row in rows}
    assert expected == set(ReasonCategory.objects.values_list("slug", flat=True))
    sources = {row["source"] for row in rows}
    assert sources == {"real", "synthetic"}
    assert sum(row["source"] == "real" for row in rows) >= 190


# Letters and digits, two digits at least: how typed plates look. ISO timestamps (real alert
# reasons carry one) and statute numbers glued to their code ("459PC") are not plates.
_PLATE_LIKE = re.compile(r"\b(?=[a-z0-9]*\d[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{5,8}\b")
_NOT_PLATES = re.compile(
    r"\d{4}-\d\d-\d\dt[\d:.]+z|\b(?:\d{3,5}(?:pc|vc|hs)|(?:pc|vc|hs)\d{3,5})\b"
)


def test_the_labeled_table_holds_no_plate_phone_or_email():
    for line, row in enumerate(_labeled_rows(), start=2):
        text = _NOT_PLATES.sub(" ", row["reason"].casefold())
        assert not _PLATE_LIKE.search(text), (line, row["reason"])
        assert not re.search(r"\d{3}\D{0,2}\d{3}\D?\d{4}", text), (line, row["reason"])
        assert "@" not in text, (line, row["reason"])


def test_every_labeled_reason_classifies_as_expected():
    rules = rules_current()
    mismatches = []
    for line, row in enumerate(_labeled_rows(), start=2):
        result = classify(row["reason"], row["offense_type"], rules=rules)
        got = (result.category_slug, _flag_names(result.flags))
        want = (row["category"], row["flags"])
        if got != want:
            mismatches.append(
                f"line {line}: {row['reason']!r} / {row['offense_type']!r}: "
                f"expected {want}, got {got} (matched {result.matched})"
            )
    assert not mismatches, "\n" + "\n".join(mismatches)


def test_default_patterns_fit_their_columns_and_are_unique():
    from searches.rules_data import CATEGORIES, _pattern_rows

    pattern_max = ReasonPattern._meta.get_field("pattern").max_length
    note_max = ReasonPattern._meta.get_field("note").max_length
    for category in CATEGORIES:
        rows = _pattern_rows(category)
        assert len({(kind, pattern) for kind, pattern, _f, _n in rows}) == len(rows)
        for _kind, pattern, _flags, note in rows:
            assert len(pattern) <= pattern_max, (category["slug"], pattern)
            assert len(note) <= note_max, (category["slug"], note)


def test_normalize_folds_case_punctuation_and_spaces():
    assert normalize("  ICE+ERO  ") == "ice ero"
    assert normalize("I.C.E.") == "i c e"
    assert normalize("Case#\t25-1234") == "case 25 1234"
    assert normalize("investigative_unit") == "investigative unit"
    assert normalize("") == ""
    assert normalize("Straße") == "strasse"


@pytest.mark.parametrize(
    "text", ["notice", "police", "justice", "office", "service", "price", "rice", "device", "ice2"]
)
def test_ice_never_matches_inside_other_words(text):
    assert not __import__("re").search(words_regex(["ice"]), normalize(text))
    assert reason_classify(text).category_slug != "immigration"


@pytest.mark.parametrize("text", ["invoice", "involved", "inventory", "invite", "invalid"])
def test_inv_never_matches_inside_other_words(text):
    assert "vague" not in reason_classify(text).matched


def test_concern_flags_of_every_matching_concern_are_kept():
    result = reason_classify("ICE at the protest about abortion")
    assert result.category_slug == "immigration"
    assert (
        result.flags == SearchFlag.IMMIGRATION | SearchFlag.PROTEST | SearchFlag.REPRODUCTIVE_CARE
    )


def test_pattern_extra_flags_are_added_whatever_the_category():
    result = reason_classify("human smuggling")
    assert result.category_slug == "sex-offense-trafficking"
    assert result.flags == SearchFlag.IMMIGRATION


def test_inactive_category_is_skipped_and_fallback_used():
    ReasonCategory.objects.filter(slug="vague").update(is_active=False)
    search_rules_changed()
    assert reason_classify("investigation").category_slug == "other"
    assert reason_classify("investigation").flags == 0


def test_exact_and_regex_patterns_can_be_added_as_data():
    vague = ReasonCategory.objects.get(slug="vague")
    ReasonPattern.objects.create(category=vague, kind="exact", pattern="Per Sgt.")
    ReasonPattern.objects.create(category=vague, kind="regex", pattern=r"^x{3,}$")
    search_rules_changed()
    assert reason_classify("per sgt").category_slug == "vague"
    assert reason_classify("per sgt today").category_slug == "other"  # exact means the whole reason
    assert reason_classify("XXXX").category_slug == "vague"


def test_an_invalid_regex_is_skipped_not_fatal():
    vague = ReasonCategory.objects.get(slug="vague")
    ReasonPattern.objects.create(category=vague, kind="regex", pattern="([unclosed")
    search_rules_changed()
    assert reason_classify("investigation").category_slug == "vague"


def test_rules_are_compiled_once_and_recompiled_when_the_version_moves(django_assert_num_queries):
    rules_cache_clear()
    first = rules_current()
    with django_assert_num_queries(1):  # only the version is read
        assert rules_current() is first
    RuleSet.objects.update(version=first.version + 1)
    assert rules_current() is not first
    assert rules_current().version == first.version + 1


def test_unmapped_offense_types_are_created_for_clerks_to_map():
    reason = ReasonFactory(text="investigation", offense_text="Cattle Rustling, Robbery")
    reasons_classify_pending()
    reason.refresh_from_db()
    assert reason.category.slug == "robbery"
    assert reason.flags == SearchFlag.VAGUE
    assert reason.offense_family.slug == "robbery"
    rustling = OffenseType.objects.get(name="Cattle Rustling")
    assert rustling.family is None
    # A clerk maps it; the family with the lowest priority wins between the two.
    rustling.family = ReasonCategory.objects.get(slug="theft-fraud")
    rustling.save()
    search_rules_changed()
    assert reason_classify("inv", "Cattle Rustling").category_slug == "theft-fraud"
    assert reason_classify("inv", "Cattle Rustling, Robbery").category_slug == "robbery"


def test_classify_pending_writes_only_changed_reasons(django_assert_max_num_queries):
    reasons = [ReasonFactory(text=f"stolen vehicle {n}") for n in range(5)]
    ReasonFactory(text="inv")
    assert reasons_classify_pending() == 6
    version = rules_current().version
    assert set(Reason.objects.values_list("rules_version", flat=True)) == {version}
    assert reasons_classify_pending() == 0  # nothing stale
    # A rule change that affects one reason rewrites exactly one: homicide comes before
    # stolen vehicle, and "inv" matches neither.
    homicide = ReasonCategory.objects.get(slug="homicide")
    ReasonPattern.objects.create(category=homicide, kind="words", pattern="stolen vehicle 3")
    search_rules_changed()
    assert reasons_classify_pending() == 1
    reasons[3].refresh_from_db()
    assert reasons[3].category.slug == "homicide"


def test_apply_classification_sets_category_and_state_law_bits():
    StateLawProfile.objects.all().delete()
    StateLawProfileFactory(
        state="IL",
        forbidden_uses=["immigration"],
        forbids_out_of_state_sharing=False,
        forbids_federal_sharing=False,
    )
    StateLawProfileFactory(
        state="CA",
        forbidden_uses=[],
        forbids_out_of_state_sharing=True,
        forbids_federal_sharing=True,
        statute_citation="Cal. Civ. Code § 1798.90.55",
    )
    il = AgencyFactory(name="Joliet IL PD", state="IL")
    il2 = AgencyFactory(name="Danville IL PD", state="IL")
    tx = AgencyFactory(name="Austin TX PD", state="TX")
    ca = AgencyFactory(name="Berkeley CA PD", state="CA")
    fed = AgencyFactory(name="HSI Chicago", state="IL", kind=Agency.Kind.FEDERAL)
    nowhere = AgencyFactory(name="Unknown Task Force", state="")
    ice = ReasonFactory(text="ICE+ERO")
    stolen = ReasonFactory(text="stolen vehicle")
    reasons_classify_pending()

    def search(source, searcher, reason):
        return SearchFactory(
            source_agency=source, searching_agency=searcher, reason=reason, category=None, flags=0
        )

    cases = {
        "il-own-stolen": (search(il, il2, stolen), 0),
        "il-ice-in-state": (
            search(il, il2, ice),
            SearchFlag.IMMIGRATION | SearchFlag.FORBIDDEN_USE,
        ),
        # Texas searcher on Illinois cameras: forbidden by the source's law (IL), out of state.
        "tx-on-il-ice": (
            search(il, tx, ice),
            SearchFlag.IMMIGRATION | SearchFlag.FORBIDDEN_USE | SearchFlag.OUT_OF_STATE,
        ),
        # Illinois searcher on Texas cameras: forbidden by the searcher's state law.
        "il-on-tx-ice": (
            search(tx, il, ice),
            SearchFlag.IMMIGRATION | SearchFlag.FORBIDDEN_USE | SearchFlag.OUT_OF_STATE,
        ),
        "tx-on-tx-ice": (search(tx, tx, ice), SearchFlag.IMMIGRATION),
        # California forbids sharing out of state and with federal agencies.
        "il-on-ca-stolen": (
            search(ca, il, stolen),
            SearchFlag.OUT_OF_STATE | SearchFlag.FORBIDDEN_SHARING,
        ),
        "fed-on-ca-stolen": (
            search(ca, fed, stolen),
            SearchFlag.OUT_OF_STATE | SearchFlag.FEDERAL | SearchFlag.FORBIDDEN_SHARING,
        ),
        "fed-on-il-stolen": (search(il, fed, stolen), SearchFlag.FEDERAL),
        "unknown-state-on-ca": (search(ca, nowhere, stolen), 0),
    }
    changed = searches_apply_classification()
    assert changed == len(cases)  # every row gets its category
    for name, (row, flags) in cases.items():
        row.refresh_from_db()
        assert row.flags == flags, (name, _flag_names(row.flags), _flag_names(flags))
        assert row.category_id == row.reason.category_id, name
    # Running again changes nothing; limiting to a source or new ids works.
    assert searches_apply_classification() == 0
    Search.objects.update(flags=0)
    # Of California's three, the one from an agency of unknown state had no flags to restore.
    assert searches_apply_classification(source_agency_ids=[ca.pk]) == 2
    Search.objects.update(flags=0)
    # From "fed-on-ca-stolen" on: it and "fed-on-il-stolen" change, the last one has no flags.
    assert searches_apply_classification(min_search_id=cases["fed-on-ca-stolen"][0].pk) == 2
    assert searches_apply_classification(source_agency_ids=[]) == 0


def test_reflag_follows_a_law_change():
    StateLawProfile.objects.all().delete()
    law = StateLawProfileFactory(state="WA", forbidden_uses=[])
    wa = AgencyFactory(name="Seattle WA PD", state="WA")
    row = SearchFactory(source_agency=wa, reason=ReasonFactory(text="abortion"))
    reasons_classify_pending()
    searches_apply_classification()
    row.refresh_from_db()
    assert row.flags == SearchFlag.REPRODUCTIVE_CARE
    law.forbidden_uses = ["reproductive_care"]
    law.save()
    assert searches_reflag(states=["OR"]) == 0
    assert searches_reflag(states=["WA"]) == 1
    row.refresh_from_db()
    assert row.flags == SearchFlag.REPRODUCTIVE_CARE | SearchFlag.FORBIDDEN_USE


def test_statutes_for_names_the_profiles_behind_the_flags():
    StateLawProfile.objects.all().delete()
    il_law = StateLawProfileFactory(state="IL", forbidden_uses=["immigration"])
    ca_law = StateLawProfileFactory(
        state="CA", forbidden_uses=[], forbids_out_of_state_sharing=True
    )
    il = AgencyFactory(name="Joliet IL PD", state="IL")
    ca = AgencyFactory(name="Berkeley CA PD", state="CA")
    assert statutes_for(source_agency=ca, searching_agency=il) == [ca_law, il_law]
    sharing = SearchFlag.OUT_OF_STATE | SearchFlag.FORBIDDEN_SHARING
    assert statutes_for(source_agency=ca, searching_agency=il, flags=sharing) == [ca_law]
    use = SearchFlag.IMMIGRATION | SearchFlag.FORBIDDEN_USE | SearchFlag.OUT_OF_STATE
    assert statutes_for(source_agency=ca, searching_agency=il, flags=use) == [il_law]
    assert statutes_for(source_agency=il, searching_agency=il, flags=0) == []


def test_rule_change_bumps_version_audits_and_reclassifies_history(
    django_capture_on_commit_callbacks,
):
    source = AgencyFactory(name="Eugene OR PD", state="OR")
    row = SearchFactory(
        source_agency=source,
        reason=ReasonFactory(text="pattern scan"),
        searched_at=dt.datetime(2025, 6, 18, tzinfo=dt.UTC),
    )
    searches_reclassify()
    row.refresh_from_db()
    assert row.category.slug == "other"
    vague = ReasonCategory.objects.get(slug="vague")
    ReasonPattern.objects.create(category=vague, kind="words", pattern="pattern scan")
    before = RuleSet.objects.get().version
    with django_capture_on_commit_callbacks(execute=True):
        ruleset = search_rules_changed(obj=vague, action="change")
    assert ruleset.version == before + 1
    event = AuditEvent.objects.get(action="searches.rules_changed")
    assert event.changes["version"] == {"old": before, "new": before + 1}
    row.refresh_from_db()
    assert row.category.slug == "vague"
    assert row.flags == SearchFlag.VAGUE
    ruleset.refresh_from_db()
    assert ruleset.reclassified_version == ruleset.version
    # Safe to run twice: nothing stale, nothing changes.
    again = searches_reclassify()
    assert again["reasons_changed"] == 0 and again["searches_changed"] == 0


def test_methodology_lists_every_active_rule_with_examples_and_limits(client):
    from django.urls import reverse

    ReasonCategory.objects.filter(slug="kidnapping").update(is_active=False)
    body = client.get(reverse("portal:methodology")).content.decode()
    assert "How search reasons are classified" in body
    for category in ReasonCategory.objects.filter(is_active=True):
        assert f'id="rule-{category.slug}"' in body, category.slug
        assert f"priority {category.priority}" in body
    assert 'id="rule-kidnapping"' not in body
    assert "<code>notice</code>" not in body  # limits are prose, patterns are code
    assert "<code>ICE ERO</code>" in body
    assert '<code>^$</code> <span class="pattern-kind">(Regular expression)</span>' in body
    assert "never inside notice, police, justice" in body  # a category's known limits
    assert "<q>ICE+ERO</q>" in body  # examples
    assert "Department of Human Services" in body


# --- issue 9: real reasons that were misread -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("flee", "traffic"),
        ("Flee Elude", "traffic"),
        ("narc", "narcotics"),
        ("Narco", "narcotics"),
        ("Wanter person", "warrant"),
        ("Warratn", "warrant"),
        ("wrrant", "warrant"),
        ("warrantservice", "warrant"),
        ("DWLSR", "traffic"),
        ("investagtion", "vague"),
        ("BOL", "vague"),
        ("FELONY PROEPRTY CRIME", "theft-fraud"),
        ("Felony Peron Crime", "assault"),
        ("UUVwwwwwww", "stolen-vehicle"),
    ],
)
def test_misspellings_and_abbreviations_seen_in_real_audits(text, category):
    assert reason_classify(text).category_slug == category


def test_specific_beats_vague_words():
    result = reason_classify("Suspect stole credit card and was seen leaving in a red Toyota")
    assert result.category_slug == "theft-fraud"
    assert result.flags == 0
    assert result.matched == ("theft-fraud", "vague")
    assert reason_classify("police assist - stolen vehicle").category_slug == "stolen-vehicle"
    assert reason_classify("suspect").flags == SearchFlag.VAGUE


def test_specific_beats_vague_whatever_the_priorities_say():
    # A clerk moving the vague bucket to the top must not hide named offenses.
    ReasonCategory.objects.filter(slug="vague").update(priority=1)
    search_rules_changed()
    assert reason_classify("investigation of a burglary").category_slug == "burglary"
    assert reason_classify("investigation").category_slug == "vague"
    result = reason_classify("suspect at the protest")
    assert (result.category_slug, result.flags) == ("protest", SearchFlag.PROTEST)


@pytest.mark.parametrize(
    "text",
    [
        "removal proceedings",
        "subject in removal proceedings",
        "deportee",
        "deportable alien",
        "removal order",
        "ICE detainer",
        "immigration hold",
        "illegal reentry",
    ],
)
def test_immigration_phrasings(text):
    result = reason_classify(text)
    assert (result.category_slug, result.flags) == ("immigration", SearchFlag.IMMIGRATION)


@pytest.mark.parametrize("text", ["snow removal complaint", "removal of abandoned vehicle"])
def test_removal_alone_is_not_immigration(text):
    assert not reason_classify(text).flags & SearchFlag.IMMIGRATION


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("PC 459", "burglary"),
        ("459PC", "burglary"),
        ("§459", "burglary"),
        ("459", "burglary"),
        ("459 suspect vehicle", "burglary"),
        ("211", "robbery"),
        ("187 PC", "homicide"),
        ("245(a)(1) PC", "assault"),
        ("273.5 PC", "assault"),
        ("243(e)(1) PC", "assault"),
        ("10851 VC", "stolen-vehicle"),
        ("H&S 11377", "narcotics"),
        ("11378 HS", "narcotics"),
        ("23152(a) VC", "traffic"),
        ("VC 20001", "traffic"),
        ("29800 PC", "weapons"),
        ("530.5 PC", "theft-fraud"),
        ("F.S. 812.014", "theft-fraud"),
        ("810.02 FS", "burglary"),
        ("TX PC 31.03", "theft-fraud"),
        ("22.02 PC", "assault"),
    ],
)
def test_statute_numbers_map_to_their_offense_family(text, category):
    result = reason_classify(text)
    assert (result.category_slug, result.flags) == (category, 0)


@pytest.mark.parametrize(
    "text", ["245", "484", "#594", "810.02", "31.03", "case 459", "11350", "459-22"]
)
def test_bare_section_numbers_without_a_code_word_stay_case_numbers(text):
    assert reason_classify(text).category_slug == "case-number-only"


@pytest.mark.parametrize(
    ("text", "category", "flags"),
    [
        ("[plate]", "vague", SearchFlag.VAGUE),
        ("[name] [dob]", "vague", SearchFlag.VAGUE),
        ("call [phone] or [email]", "vague", SearchFlag.VAGUE),
        ("stolen vehicle [plate]", "stolen-vehicle", 0),
        ("[plate] stolen", "stolen-vehicle", 0),
        ("warrant [name]", "warrant", 0),
        ("ICE [name]", "immigration", SearchFlag.IMMIGRATION),
        ("case 25-1234 [plate]", "case-number-only", SearchFlag.CASE_NUMBER_ONLY),
    ],
)
def test_scrubber_markers_carry_no_information(text, category, flags):
    result = reason_classify(text)
    assert (result.category_slug, result.flags) == (category, flags)
