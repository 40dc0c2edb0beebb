"""The rules admin: clerks view, analysts edit, every edit is audited and reclassifies history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.permissions import analyst_group
from searches.models import (
    OffenseType,
    Reason,
    ReasonCategory,
    ReasonPattern,
    RuleSet,
    SearchFlag,
)
from tests.factories import AgencyFactory, UserFactory
from tests.searches.factories import ReasonFactory, SearchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client):
    user = UserFactory(username="analyst", is_staff=True)
    user.groups.add(analyst_group())
    client.force_login(user)
    return client


def _category_post(category: ReasonCategory, **overrides) -> dict:
    """The change form's POST data for a category and its existing patterns."""
    data = {
        "name": category.name,
        "slug": category.slug,
        "kind": category.kind,
        "priority": category.priority,
        "description": category.description,
        "examples": category.examples,
        "limits": category.limits,
        "is_active": "on" if category.is_active else "",
        "flags": [str(int(b)) for b in SearchFlag if category.flags & b],
    }
    patterns = list(category.patterns.order_by("position", "pk"))
    prefix = "patterns"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(patterns)),
            f"{prefix}-INITIAL_FORMS": str(len(patterns)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for i, p in enumerate(patterns):
        data.update(
            {
                f"{prefix}-{i}-id": str(p.pk),
                f"{prefix}-{i}-category": str(category.pk),
                f"{prefix}-{i}-position": str(p.position),
                f"{prefix}-{i}-kind": p.kind,
                f"{prefix}-{i}-pattern": p.pattern,
                f"{prefix}-{i}-note": p.note,
                f"{prefix}-{i}-flags": [str(int(b)) for b in SearchFlag if p.flags & b],
            }
        )
    data.update(overrides)
    return data


def _add_pattern(data: dict, *, pattern: str, kind: str = "words", flags=()) -> dict:
    i = int(data["patterns-TOTAL_FORMS"])
    data.update(
        {
            "patterns-TOTAL_FORMS": str(i + 1),
            f"patterns-{i}-position": "999",
            f"patterns-{i}-kind": kind,
            f"patterns-{i}-pattern": pattern,
            f"patterns-{i}-note": "",
            f"patterns-{i}-flags": [str(int(f)) for f in flags],
        }
    )
    return data


def test_clerk_views_rules_but_cannot_change_them(clerk_client):
    vague = ReasonCategory.objects.get(slug="vague")
    listing = clerk_client.get(reverse("admin:searches_reasoncategory_changelist"))
    assert listing.status_code == 200
    assert "Immigration" in listing.content.decode()
    assert "Try a reason" in listing.content.decode()
    page = clerk_client.get(reverse("admin:searches_reasoncategory_change", args=[vague.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in body  # read-only view
    before = RuleSet.objects.get().version
    response = clerk_client.post(
        reverse("admin:searches_reasoncategory_change", args=[vague.pk]),
        _category_post(vague, priority="1"),
    )
    assert response.status_code == 403
    vague.refresh_from_db()
    assert vague.priority == 500
    assert RuleSet.objects.get().version == before


def test_analyst_adds_a_pattern_and_history_is_reclassified(
    analyst_client, django_capture_on_commit_callbacks
):
    agency = AgencyFactory(name="Eugene OR PD", state="OR")
    search = SearchFactory(source_agency=agency, reason=ReasonFactory(text="pattern of scans"))
    vague = ReasonCategory.objects.get(slug="vague")
    before = RuleSet.objects.get().version
    data = _add_pattern(_category_post(vague), pattern="pattern of scans")
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(
            reverse("admin:searches_reasoncategory_change", args=[vague.pk]), data
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert vague.patterns.filter(pattern="pattern of scans").exists()
    ruleset = RuleSet.objects.get()
    assert ruleset.version == before + 1
    assert ruleset.reclassified_version == ruleset.version
    search.refresh_from_db()
    assert search.category == vague
    assert search.flags == SearchFlag.VAGUE
    assert AuditEvent.objects.filter(action="searches.rules_changed").exists()
    assert AuditEvent.objects.filter(action="reasonpattern.create").exists()


def test_flags_are_checkboxes_stored_as_a_bitmask(analyst_client):
    protest = ReasonCategory.objects.get(slug="protest")
    page = analyst_client.get(reverse("admin:searches_reasoncategory_change", args=[protest.pk]))
    body = page.content.decode()
    assert '<input type="checkbox" name="flags" value="4" id="id_flags_2" checked>' in body
    assert '<input type="checkbox" name="flags" value="8" id="id_flags_3">' in body
    data = _category_post(protest, flags=[str(int(SearchFlag.PROTEST)), str(int(SearchFlag.VAGUE))])
    response = analyst_client.post(
        reverse("admin:searches_reasoncategory_change", args=[protest.pk]), data
    )
    assert response.status_code == 302
    protest.refresh_from_db()
    assert protest.flags == SearchFlag.PROTEST | SearchFlag.VAGUE


def test_invalid_patterns_are_refused(analyst_client):
    vague = ReasonCategory.objects.get(slug="vague")
    before = RuleSet.objects.get().version
    for kind, pattern, message in [
        ("regex", "([unclosed", "Not a valid regular expression"),
        ("words", "+++", "Letters or digits needed"),
    ]:
        data = _add_pattern(_category_post(vague), pattern=pattern, kind=kind)
        response = analyst_client.post(
            reverse("admin:searches_reasoncategory_change", args=[vague.pk]), data
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert RuleSet.objects.get().version == before


def test_deleting_a_category_bumps_the_version(analyst_client):
    category = ReasonCategory.objects.create(name="Scratch", slug="scratch", priority=900)
    before = RuleSet.objects.get().version
    response = analyst_client.post(
        reverse("admin:searches_reasoncategory_delete", args=[category.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ReasonCategory.objects.filter(slug="scratch").exists()
    assert RuleSet.objects.get().version == before + 1
    event = AuditEvent.objects.filter(action="searches.rules_changed").latest("pk")
    assert event.changes["operation"] == "delete"


def test_try_a_reason_shows_the_classification(clerk_client):
    url = reverse("admin:searches_reasoncategory_try")
    body = clerk_client.get(url, {"reason": "ICE+ERO", "offense_type": "Cattle Rustling"})
    text = body.content.decode()
    assert body.status_code == 200
    assert "<code>ice ero</code>" in text
    assert "<strong>Immigration</strong>" in text
    assert "Cattle Rustling" in text  # not mapped yet
    assert not OffenseType.objects.filter(name="Cattle Rustling").exists()  # nothing saved
    notice = clerk_client.get(url, {"reason": "notice"}).content.decode()
    assert "<strong>Other (unclassified)</strong>" in notice


def test_category_list_counts_reasons_and_searches(analyst_client):
    from searches.services.reclassification import searches_reclassify
    from searches.services.rollups import rollups_rebuild_all

    agency = AgencyFactory(name="Joliet IL PD")
    for _n in range(3):
        SearchFactory(source_agency=agency, reason=ReasonFactory(text="inv"))
    SearchFactory(source_agency=agency, reason=ReasonFactory(text="investigation"))
    searches_reclassify()
    rollups_rebuild_all()
    response = analyst_client.get(
        reverse("admin:searches_reasoncategory_changelist"), {"q": "vague", "kind": "other"}
    )
    rows = response.context["cl"].result_list
    vague = next(r for r in rows if r.slug == "vague")
    assert (vague.n_reasons, vague.n_searches) == (2, 4)


def test_offense_types_filter_unmapped_and_map_inline(
    analyst_client, django_capture_on_commit_callbacks
):
    unknown = OffenseType.objects.create(name="Cattle Rustling")
    url = reverse("admin:searches_offensetype_changelist")
    listing = analyst_client.get(url, {"mapped": "no"})
    names = [o.name for o in listing.context["cl"].result_list]
    assert names == ["Cattle Rustling"]
    theft = ReasonCategory.objects.get(slug="theft-fraud")
    reason = ReasonFactory(text="inv", offense_text="Cattle Rustling")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(unknown.pk),
        "form-0-family": str(theft.pk),
        "_save": "Save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(url + "?mapped=no", data)
    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.family == theft
    reason.refresh_from_db()
    assert reason.category == theft
    assert reason.flags == SearchFlag.VAGUE


def test_reasons_are_read_only_with_search_counts(clerk_client, django_assert_max_num_queries):
    agency = AgencyFactory(name="Joliet IL PD")
    reason = ReasonFactory(text="stolen vehicle")
    for _n in range(3):
        SearchFactory(source_agency=agency, reason=reason)
    for n in range(30):
        ReasonFactory(text=f"inv {n}")
    url = reverse("admin:searches_reason_changelist")
    with django_assert_max_num_queries(15):
        response = clerk_client.get(url, {"q": "stolen"})
    rows = list(response.context["cl"].result_list)
    assert [(r.text, r.n_searches) for r in rows] == [("stolen vehicle", 3)]
    assert clerk_client.get(reverse("admin:searches_reason_add")).status_code == 403
    page = clerk_client.get(reverse("admin:searches_reason_change", args=[reason.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert Reason.objects.count() == 31
    assert ReasonPattern.objects.exists()
