"""Offense types: Flock's names in the default map, blank reasons counted alike by the API and
the pages, and unmapped types listed for clerks, whose mapping reclassifies history.

``portal_blank_reasons.csv`` imitates a real portal audit where most reasons are blank and the
offense type says what the search was for. By hand: 14 searches; 12 with a blank reason; of
those, 7 name a mapped offense type (b01-b05, b11, b14) and 5 do not (b06-b07 "Other", b08 none,
b12-b13 "Animal Offenses (cruelty/neglect)"), so the "Blank" category holds 5.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum
from django.urls import reverse

from core.models import Agency
from core.permissions import analyst_group
from searches.models import OffenseType, ReasonCategory, Search, SearchFlag, SearchMonthTotal
from searches.offense_data import OFFENSE_TYPES, WITHOUT_FAMILY
from searches.selectors.rules import offense_type_list
from searches.selectors.stats import source_stats, stats_grouped
from searches.services.reclassification import reason_rules_load
from tests.factories import UserFactory
from tests.searches.test_importers import SOURCE, counts, run_audit
from tests.searches.test_pages import text_of

REAL = Path(settings.BASE_DIR).parent / "shared" / "data"

pytestmark = pytest.mark.django_db

# The names issue 9 quotes, and the family each belongs to.
ISSUE_NAMES = {
    "Hit and Run/Car Accident": "traffic",
    "Motor Vehicle Theft/Stolen": "stolen-vehicle",
    "Weapons Offense (Guns/Shots Fired)": "weapons",
    "Sex Offenses": "sex-offense-trafficking",
    "Driving Under the Influence (DUI/DWI/OWI/OVI)": "traffic",
    "Criminal Motor Vehicle Offense (incl. Road Rage/Reckless)": "traffic",
}


@pytest.fixture
def analyst_client(client):
    user = UserFactory(username="analyst", is_staff=True)
    user.groups.add(analyst_group())
    client.force_login(user)
    return client


@pytest.fixture
def blank_audit():
    job = run_audit("portal_blank_reasons.csv")
    assert counts(job) == (14, 14, 0, 0)
    return Agency.objects.get(name=SOURCE)


def category_of(external_id: str) -> str:
    return Search.objects.get(external_id=external_id).category.slug


def real_offense_names() -> set[str]:
    """Every offense type in ../shared/data: audits' offenseType cells (split as the
    classifier splits them) and the "Top Offense Types" panels of transparency pages."""
    from searches.classifier import offense_names

    names: set[str] = set()
    for path in REAL.rglob("audit.csv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                names.update(offense_names(row.get("offenseType") or ""))
    for path in REAL.rglob("*.txt"):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        for i, line in enumerate(lines):
            if line != "Top Offense Types":
                continue
            # The heading, a one-line description, a blank line, then one name per line.
            body = lines[i + 1 : i + 40]
            start = next(j for j, x in enumerate(body) if x.startswith("Offense Types used"))
            for name in body[start + 2 :]:
                if not name:
                    break
                names.add(name)
    return names


# --- the default map ---------------------------------------------------------------------------


def test_the_issues_names_are_mapped_in_the_database_to_their_family():
    for name, slug in ISSUE_NAMES.items():
        assert OFFENSE_TYPES[name] == slug
        assert OffenseType.objects.get(name=name).family.slug == slug


def test_the_default_map_names_only_offense_families_and_no_name_twice():
    families = set(
        ReasonCategory.objects.filter(kind=ReasonCategory.Kind.OFFENSE).values_list(
            "slug", flat=True
        )
    )
    assert set(OFFENSE_TYPES.values()) <= families
    assert not set(OFFENSE_TYPES) & set(WITHOUT_FAMILY)
    folded = [name.casefold() for name in OFFENSE_TYPES]
    assert len(folded) == len(set(folded))
    assert not any(", " in name for name in OFFENSE_TYPES)  # audits join types with ", "


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data is not present")
def test_every_offense_type_in_the_real_data_is_mapped_or_knowingly_left_to_clerks():
    names = real_offense_names()
    assert len(names) >= 15  # audits and panels together (19 distinct today)
    assert names - set(OFFENSE_TYPES) <= set(WITHOUT_FAMILY), names - set(OFFENSE_TYPES)
    assert "Motor Vehicle Theft/Stolen" in names and "Traffic Infraction" in names


def test_an_existing_database_gets_the_new_names_from_the_rules_loader():
    OffenseType.objects.filter(name__in=ISSUE_NAMES).delete()
    OffenseType.objects.filter(name="Drugs/Narcotics").update(family=None)
    result = reason_rules_load()
    assert result.offense_types_created == len(ISSUE_NAMES)
    assert result.offense_types_mapped == 1
    assert OffenseType.objects.get(name="Drugs/Narcotics").family.slug == "narcotics"
    assert OffenseType.objects.get(name="Sex Offenses").family.slug == "sex-offense-trafficking"


# --- blank reasons: one count on the pages and in the API --------------------------------------


def test_a_blank_reason_takes_its_offense_family_and_keeps_the_blank_flag(blank_audit):
    assert [category_of(i) for i in ("b01", "b04", "b11", "b14")] == [
        "traffic",
        "missing-person",
        "traffic",
        "theft-fraud",
    ]
    assert [category_of(i) for i in ("b06", "b08", "b12")] == ["blank"] * 3
    blank = Search.objects.values_list("external_id", "flags")
    assert sorted(i for i, f in blank if f & SearchFlag.BLANK) == [
        f"b{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14)
    ]


def test_api_and_page_agree_on_blank_reasons(client, blank_audit):
    url = reverse("api:search-stats-list")
    params = {"source_agency": blank_audit.slug}
    rows = client.get(url, {**params, "group_by": "category"}).json()["results"]
    by_category = {r["category"]: (r["searches"], r["blank_reason"]) for r in rows}
    assert by_category["blank"] == (5, 5)
    assert by_category["traffic"] == (5, 4)  # b10 gave a reason
    assert by_category["stolen-vehicle"] == (1, 0)
    assert sum(r["blank_reason"] for r in rows) == 12
    flags = client.get(url, {**params, "group_by": "flag"}).json()["results"]
    assert {r["flag"]: r["searches"] for r in flags}["blank"] == 12
    total = client.get(url, params).json()["results"]
    assert total[0]["blank_reason"] == 12 and total[0]["searches"] == 14
    response = client.get(url, {**params, "group_by": "category", "format": "csv"})
    csv_text = b"".join(response.streaming_content).decode()
    assert csv_text.splitlines()[0].endswith(",networks_total,blank_reason")

    text = text_of(client.get(blank_audit.get_absolute_url()))
    assert "85.7% gave no reason at all (12)" in text
    assert "7 of them chose an offense type and are counted in its offense family" in text

    stats = source_stats(source_ids=[blank_audit.pk])
    assert stats.by_flag["blank"] == 12 and stats.blank_in_offense_families == 7
    grouped = stats_grouped(filters={}, group_by=["category"])
    assert sum(g["blank_reason"] for g in grouped) == stats.by_flag["blank"]


# --- unmapped offense types for clerks ---------------------------------------------------------


def test_unmapped_types_are_listed_first_with_their_searches(analyst_client, blank_audit):
    response = analyst_client.get(reverse("admin:searches_offensetype_changelist"))
    listed = [(o.name, o.family_id, o.n_searches) for o in response.context["cl"].result_list]
    assert listed[:3] == [
        ("Animal Offenses (cruelty/neglect)", None, 2),
        ("Other", None, 2),
        ("Property Recovery (Civil Enforcement)", None, 1),  # joined with Hit and Run
    ]
    assert all(family for _name, family, _n in listed[3:])
    counts_by_name = dict(offense_type_list().values_list("name", "n_searches"))
    assert counts_by_name["Traffic Infraction"] == 3
    assert counts_by_name["Hit and Run/Car Accident"] == 2
    assert counts_by_name["Sex Offenses"] == 0
    page = response.content.decode()
    assert "3 offense types have no offense family yet (5 searches carry them)" in page
    assert "2 reasons" in page  # Hit and Run/Car Accident: alone, and joined with another


def test_mapping_an_unmapped_type_moves_its_searches_and_rollups(
    analyst_client, blank_audit, django_capture_on_commit_callbacks
):
    animal = ReasonCategory.objects.create(
        slug="animal-cruelty", name="Animal cruelty", kind=ReasonCategory.Kind.OFFENSE, priority=455
    )
    offense = OffenseType.objects.get(name="Animal Offenses (cruelty/neglect)")

    def month_total(slug: str) -> int:
        rows = SearchMonthTotal.objects.filter(source_agency=blank_audit, category__slug=slug)
        return rows.aggregate(n=Sum("searches"))["n"] or 0

    assert (month_total("blank"), month_total("animal-cruelty")) == (5, 0)
    url = reverse("admin:searches_offensetype_changelist")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(offense.pk),
        "form-0-family": str(animal.pk),
        "_save": "Save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(url + "?mapped=no", data)
    assert response.status_code == 302
    assert [category_of(i) for i in ("b12", "b13")] == ["animal-cruelty"] * 2
    assert all(
        s.flags & SearchFlag.BLANK for s in Search.objects.filter(external_id__in=["b12", "b13"])
    )
    assert (month_total("blank"), month_total("animal-cruelty")) == (3, 2)
    stats = source_stats(source_ids=[blank_audit.pk])
    assert stats.by_flag["blank"] == 12  # the reasons were still blank
    assert stats.blank_in_offense_families == 9
