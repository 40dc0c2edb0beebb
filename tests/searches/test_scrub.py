"""Scrubbing reasons: the default patterns on a table of real-looking reasons, names masked for
review, the import path, re-scrubbing history when a pattern changes (merges, classification,
rollups) and clerks' redactions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from core.imports import import_job_create, import_job_run
from core.models import AuditEvent, ImportJob
from core.services import ServiceError
from searches.models import (
    Reason,
    ReasonCategory,
    ScrubPattern,
    Search,
    SearchFlag,
    SearchRollup,
)
from searches.normalize import reason_key, reason_text
from searches.scrub import (
    DEFAULT_PATTERNS,
    default_scrubber,
    find_names,
    mask_names,
    scrubber_build,
)
from searches.selectors.rules import reason_classify
from searches.services.reclassification import searches_reclassify
from searches.services.rollups import rollups_rebuild_all, rollups_refresh
from searches.services.scrubbing import (
    reason_name_redact,
    reason_name_release,
    reason_redact,
    reasons_rescrub,
    scrubber_current,
)
from tests.factories import AgencyFactory, CityFactory, ClerkFactory
from tests.searches.factories import ReasonFactory, SearchFactory

# (reason as typed, reason as stored). The first rows are real reasons of the Eugene OR audit
# (CC0) that carry plates; the rest are invented in the shapes officers type.
SCRUBBED = [
    ("419DHN", "[plate]"),
    ("589hpm", "[plate]"),
    (
        "Other image search from alerts page associated with Alert: INVESTIGATION 391NCQ - "
        "2025-06-18T19:17:43.792Z",
        "Other image search from alerts page associated with Alert: INVESTIGATION [plate] - "
        "2025-06-18T19:17:43.792Z",
    ),
    (
        "Other image search from alerts page associated with Alert: Stolen Plate 211PHL - "
        "2025-08-19T18:56:29.281Z",
        "Other image search from alerts page associated with Alert: Stolen Plate [plate] - "
        "2025-08-19T18:56:29.281Z",
    ),
    (
        "Other image search from alerts page associated with Alert: Stolen Vehicle 41HP587 - "
        "2025-08-22T18:07:15.907Z",
        "Other image search from alerts page associated with Alert: Stolen Vehicle [plate] - "
        "2025-08-22T18:07:15.907Z",
    ),
    (
        "Other image search from alerts page associated with Alert: Stolen Vehicle E287021 - "
        "2025-08-01T13:05:47.234Z",
        "Other image search from alerts page associated with Alert: Stolen Vehicle [plate] - "
        "2025-08-01T13:05:47.234Z",
    ),
    (
        "Other image search from alerts page associated with Alert: Stolen Vehicle MIMSY - "
        "2025-08-22T04:59:53.198Z",
        "Other image search from alerts page associated with Alert: Stolen Vehicle [plate] - "
        "2025-08-22T04:59:53.198Z",
    ),
    ("Stolen Vehicle ZKB670", "Stolen Vehicle [plate]"),
    ("CA 7ABC123 stolen", "[plate] stolen"),
    ("TX-ABC1234", "[plate]"),
    ("stolen veh OR 589HPM", "stolen veh [plate]"),
    ("plate 8XYZ123", "plate [plate]"),
    ("tag# ABC123", "tag# [plate]"),
    ("lp abc123 ATL", "lp [plate] ATL"),
    ("lic 8XYZ123", "lic [plate]"),
    ("license plate ABC 1234 stolen", "license plate [plate] stolen"),
    ("suspect veh ABC-1234", "suspect veh [plate]"),
    ("7ABC123", "[plate]"),
    ("case #25-1234 plate ABC 1234", "case #25-1234 plate [plate]"),
    ("DOB 01/02/1990 warrant", "[dob] warrant"),
    ("dob: 1-2-90", "[dob]"),
    ("missing juvenile D.O.B. 2011-04-09", "missing juvenile [dob]"),
    ("call RP 541-555-0134", "call RP [phone]"),
    ("(541) 555-0134", "[phone]"),
    ("ph 555-0134 callback", "[phone] callback"),
    ("+1 541.555.0134", "[phone]"),
    ("tip from jane.doe@example.com", "tip from [email]"),
]
# Reasons that must come out exactly as typed: case numbers, statutes, roads, common tokens.
UNCHANGED = [
    "25-12345",
    "#2025-001234",
    "case 123",
    "incident 25-004411",
    "CR2025-0012",
    "CR25-0012",
    "dr 25-1234",
    "2508068",
    "Investigation, 2510494",
    "satg burg 251402",
    "I5 nb",
    "HWY99",
    "HWY101 pursuit",
    "10851",
    "PC459",
    "459PC",
    "VC10851",
    "10851VC",
    "245PC",
    "HS11350 possession",
    "ORS811",
    "AB1234",
    "2nd degree",
    "1st",
    "4x4 truck",
    "F150",
    "911 call",
    "K9",
    "COVID19",
    "ST2",
    "More Like This: ST2",
    "going 100MPH",
    "JAN2025 burglaries",
    "test123",
    "stolen plates",
    "tag 25-12345",
    "stolen 2019 Honda",
    "Feld9ony Person Crime",
    "Unit 1234",
    "in 2025",
    "",
]


@pytest.mark.parametrize(("typed", "stored"), SCRUBBED)
def test_private_tokens_become_markers(typed, stored):
    result = default_scrubber().scrub(typed)
    assert result.text == stored
    assert result.changed
    # Markers match no pattern: scrubbing twice changes nothing more.
    assert default_scrubber().scrub(result.text).text == stored


@pytest.mark.parametrize("typed", UNCHANGED)
def test_case_numbers_statutes_and_common_tokens_stay(typed):
    result = default_scrubber().scrub(typed)
    assert result.text == typed
    assert not result.changed


def test_what_was_found_is_counted_by_kind():
    found = default_scrubber().scrub("ATL 7ABC123 and plate 8XYZ123, call 541-555-0134").found
    assert found == {"plate": 2, "phone": 1}


@pytest.mark.django_db
def test_the_migrated_patterns_are_the_defaults_and_case_numbers_still_classify():
    assert ScrubPattern.objects.filter(is_active=True).count() == len(DEFAULT_PATTERNS)
    current = scrubber_current()
    for typed, stored in SCRUBBED:
        assert current.scrub(typed).text == stored
    # The case-number-only rule still sees case numbers, the marker alone says nothing.
    for typed in ("25-12345", "#2025-001234", "case 123", "incident 25-004411"):
        assert reason_classify(reason_text(typed, scrubber=current)).flag_names == [
            "case_number_only"
        ]
    assert (
        "case_number_only"
        not in reason_classify(reason_text("589HPM", scrubber=current)).flag_names
    )


def test_a_hit_group_replaces_only_itself_and_a_bad_regex_is_skipped():
    from searches.scrub import PatternSpec

    scrubber = scrubber_build(
        [
            PatternSpec("other", r"badge (?P<hit>\d{3,5})", "Badge numbers", "[badge]"),
            PatternSpec("other", r"(unclosed", "broken"),
        ]
    )
    assert scrubber.scrub("officer badge 4471 ATL").text == "officer badge [badge] ATL"
    assert len(scrubber.rules) == 1


# --- names ----------------------------------------------------------------------------------

NAMED = [
    ("warrant John Smith", "warrant [name]"),
    ("ATL for Maria Garcia", "ATL for [name]"),
    ("WARRANT JOHN A SMITH", "WARRANT [name]"),
    ("Smith, John warrant", "[name] warrant"),
    ("locate missing juvenile emily johnson", "locate missing juvenile [name]"),
]
NOT_NAMED = [
    "Missing Person",
    "Wanted Person",
    "Taylor",  # one word could be anything: not flagged
    "Felony Person Crime",
    "Property Crime - Warrant",
    "investigation linn co",
    "Crime Tip Review",
    "Welfare Check",
    "will check May warrant",
    "Stolen Vehicle",
]


@pytest.mark.parametrize(("typed", "masked"), NAMED)
def test_names_are_found_and_masked(typed, masked):
    assert find_names(typed)
    assert mask_names(typed) == masked


@pytest.mark.parametrize("typed", NOT_NAMED)
def test_words_that_are_not_names_are_not_flagged(typed):
    assert find_names(typed) == []
    assert mask_names(typed) == ""


# --- the import path ------------------------------------------------------------------------

PORTAL_CSV = (
    "id,userId,searchDate,networkCount,reason,offenseType\n"
    "s-1,***,2026-05-01T10:00:00.000Z,3,stolen veh 7ABC123,\n"
    "s-2,***,2026-05-01T11:00:00.000Z,3,stolen veh 8XYZ123,\n"
    "s-3,***,2026-05-02T10:00:00.000Z,1,warrant John Smith DOB 01/02/1990,\n"
    "s-4,***,2026-05-02T12:00:00.000Z,1,call RP 541-555-0134 re 25-12345,\n"
    "s-5,***,2026-05-03T12:00:00.000Z,1,25-12345,\n"
)


@pytest.fixture
def city():
    return CityFactory(name="Scrubtown", state="OR", slug="scrubtown-or")


@pytest.fixture
def source(city):
    return AgencyFactory(name="Scrubtown OR PD", state="OR", home_city=city)


def _import(csv_text: str, *, city, agency="Scrubtown OR PD") -> ImportJob:
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=ContentFile(csv_text.encode(), name="audit.csv"),
        original_name="audit.csv",
        city=city,
        options={"agency": agency},
        run=False,
    )
    job = import_job_run(job=job)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    return job


@pytest.mark.django_db
def test_an_import_stores_scrubbed_reasons_keyed_on_the_scrubbed_text(client, city, source):
    job = _import(PORTAL_CSV, city=city)
    assert (job.rows_read, job.rows_created) == (5, 5)
    texts = dict(Reason.objects.values_list("text", "held_text"))
    # Two plates, one reason: they were keyed after scrubbing.
    assert texts == {
        "stolen veh [plate]": "",
        "warrant [name] [dob]": "warrant John Smith [dob]",
        "call RP [phone] re 25-12345": "",
        "25-12345": "",
    }
    stolen = Reason.objects.get(text="stolen veh [plate]")
    assert stolen.key == reason_key("stolen veh [plate]")
    assert stolen.searches.count() == 2
    named = Reason.objects.get(held_text__startswith="warrant")
    assert named.name_review == Reason.NameReview.PENDING
    assert named.key == reason_key("warrant John Smith [dob]")
    assert Search.objects.get(external_id="s-5").reason.flags  # still case number only

    body = client.get(reverse("api:search-list") + "?format=csv")
    text = b"".join(body.streaming_content).decode()
    assert "warrant [name] [dob]" in text and "stolen veh [plate]" in text
    for secret in ("7ABC123", "8XYZ123", "John", "Smith", "1990", "541-555"):
        assert secret not in text
    page = client.get(reverse("searches:explorer") + f"?source_agency={source.slug}")
    assert "warrant [name] [dob]" in page.content.decode()
    assert "Smith" not in page.content.decode()
    assert client.get(reverse("api:search-list") + "?reason=smith").json()["results"] == []

    # The same file again: every row a duplicate, no new reason (same scrubbed keys).
    again = _import(PORTAL_CSV, city=city)
    assert (again.rows_created, again.rows_unchanged) == (0, 5)
    assert Reason.objects.count() == 4


# --- re-scrubbing history -------------------------------------------------------------------


def _rollup_rows() -> list[tuple]:
    return sorted(
        SearchRollup.objects.values_list(
            "source_agency_id", "searching_agency_id", "month", "category_id", "flags", "searches"
        )
    )


@pytest.mark.django_db
def test_a_new_pattern_rescrubs_history_merges_reasons_and_keeps_rollups_right(
    admin_client, source, django_capture_on_commit_callbacks
):
    # Stored before this pattern existed: two badge numbers, and the text they scrub to.
    old_a = ReasonFactory(text="officer badge 4471 ICE")
    old_b = ReasonFactory(text="officer badge 5150 ICE")
    kept = ReasonFactory(text="officer badge [badge] ICE")
    for reason, n in ((old_a, 2), (old_b, 1), (kept, 1)):
        SearchFactory.create_batch(n, source_agency=source, reason=reason)
    searches_reclassify(full=True)
    rollups_refresh(source_agency_ids=[source.pk])
    immigration = Reason.objects.get(pk=kept.pk).category

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:searches_scrubpattern_add"),
            {
                "kind": "other",
                "pattern": r"badge (?P<hit>\d{3,5})",
                "marker": "[badge]",
                "position": "5",
                "is_active": "on",
                "note": "Badge numbers",
            },
        )
    assert response.status_code == 302
    # The task ran (eagerly) on commit: both merged into the reason they now equal.
    assert not Reason.objects.filter(pk__in=[old_a.pk, old_b.pk]).exists()
    kept.refresh_from_db()
    assert kept.searches.count() == 4
    assert Search.objects.filter(category=immigration).count() == 4
    assert AuditEvent.objects.filter(action="searches.scrub_patterns_changed").exists()
    rescrubbed = AuditEvent.objects.get(action="searches.reasons_rescrubbed")
    assert rescrubbed.changes["reasons_merged"] == 2
    assert "4471" not in str(rescrubbed.changes)
    before = _rollup_rows()
    rollups_rebuild_all()
    assert _rollup_rows() == before
    assert sum(row[-1] for row in before) == 4
    assert reasons_rescrub() == {"reasons_changed": 0, "reasons_merged": 0}


@pytest.mark.django_db
def test_rescrub_reclassifies_a_reason_whose_text_changed(source):
    immigration = ReasonCategory.objects.get(slug="immigration")
    # Stored unscrubbed and (as if by older rules) classified as immigration.
    reason = ReasonFactory(text="589HPM", category=immigration, flags=SearchFlag.IMMIGRATION)
    SearchFactory.create_batch(3, source_agency=source, reason=reason)
    rollups_refresh(source_agency_ids=[source.pk])
    summary = reasons_rescrub()
    assert summary["found_plate"] == 1
    reason.refresh_from_db()
    assert reason.text == "[plate]" and reason.key == reason_key("[plate]")
    expected = reason_classify("[plate]")
    assert (reason.category_id, reason.flags) == (expected.category_id, expected.flags)
    assert set(Search.objects.values_list("category_id", "flags")) == {
        (expected.category_id, expected.flags)
    }
    before = _rollup_rows()
    assert all(row[3] != immigration.pk for row in before)
    rollups_rebuild_all()
    assert _rollup_rows() == before


# --- clerks ---------------------------------------------------------------------------------


@pytest.fixture
def clerk_of(city):
    return ClerkFactory(username="clerk.scrub", city=city)


@pytest.mark.django_db
def test_a_clerk_releases_or_redacts_a_masked_name(client, city, source, clerk_of):
    _import(
        "id,userId,searchDate,networkCount,reason\n"
        "a-1,***,2026-05-01T10:00:00.000Z,1,ATL for Maria Garcia\n"
        "a-2,***,2026-05-01T11:00:00.000Z,1,warrant John Smith\n"
        "a-3,***,2026-05-01T12:00:00.000Z,1,warrant [name]\n",
        city=city,
    )
    client.force_login(clerk_of)
    pending = Reason.objects.filter(name_review=Reason.NameReview.PENDING).order_by("pk")
    assert [r.text for r in pending] == ["ATL for [name]", "warrant [name]"]
    maria, john = pending
    url = reverse("admin:searches_reasonreview_changelist")
    listing = client.get(url + "?name_review=pending").content.decode()
    assert "Maria Garcia" in listing  # the clerk sees what waits for review

    client.post(url, {"action": "release_names", "_selected_action": [maria.pk]})
    maria.refresh_from_db()
    assert (maria.text, maria.held_text, maria.name_review) == (
        "ATL for Maria Garcia",
        "",
        "released",
    )
    client.post(url, {"action": "redact_names", "_selected_action": [john.pk]})
    assert not Reason.objects.filter(pk=john.pk).exists()  # merged into the equal reason
    merged = Reason.objects.get(text="warrant [name]")
    assert merged.searches.count() == 2
    assert "John" not in str(list(Reason.objects.values_list("text", "held_text", "key")))
    events = AuditEvent.objects.filter(action__startswith="searches.reason_name_")
    assert events.count() == 2
    assert all("Garcia" not in str(e.changes) + e.object_repr for e in events)


@pytest.mark.django_db
def test_a_clerk_redacts_by_hand_only_in_their_cities(client, city, source, clerk_of):
    mine = ReasonFactory(text="stolen bike Zebulon said so")
    SearchFactory(source_agency=source, reason=mine)
    elsewhere = ReasonFactory(text="stolen bike Octavia said so")
    other = AgencyFactory(name="Elsewhere OR PD", home_city=CityFactory(slug="elsewhere-or"))
    SearchFactory(source_agency=other, reason=elsewhere)

    client.force_login(clerk_of)
    url = reverse("admin:searches_reasonreview_redact", args=[mine.pk])
    response = client.post(url, {"fragment": "zebulon"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.text == "stolen bike [redacted] said so"
    event = AuditEvent.objects.get(action="searches.reason_redacted")
    assert event.actor == clerk_of and "ebulon" not in str(event.changes) + event.object_repr
    # Another city's reason: not even visible to this clerk.
    assert (
        client.get(reverse("admin:searches_reasonreview_redact", args=[elsewhere.pk])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        reason_redact(actor=clerk_of, reason=elsewhere, fragment="Octavia")
    with pytest.raises(ServiceError):
        reason_redact(actor=clerk_of, reason=mine, fragment="not in it")
    with pytest.raises(ServiceError):
        reason_name_release(actor=clerk_of, reason=mine)
    with pytest.raises(ServiceError):
        reason_name_redact(actor=clerk_of, reason=mine)


@pytest.mark.django_db
def test_the_try_view_and_the_pattern_form(admin_client):
    response = admin_client.get(
        reverse("admin:searches_scrubpattern_try") + "?reason=stolen+plate+8XYZ123"
    )
    assert "stolen plate [plate]" in response.content.decode()
    bad = admin_client.post(
        reverse("admin:searches_scrubpattern_add"),
        {"kind": "plate", "pattern": "(unclosed", "position": "1", "is_active": "on"},
    )
    assert "Not a valid regular expression" in bad.content.decode()
    empty = admin_client.post(
        reverse("admin:searches_scrubpattern_add"),
        {"kind": "plate", "pattern": "x*", "position": "1", "is_active": "on"},
    )
    assert "matches empty text" in empty.content.decode()


@pytest.mark.django_db
def test_editing_and_deleting_a_scrub_pattern_in_the_admin_is_recorded_each_time(admin_client):
    added = admin_client.post(
        reverse("admin:searches_scrubpattern_add"),
        {"kind": "other", "pattern": r"unit (?P<hit>\d{3})", "marker": "[unit]", "position": "7",
         "is_active": "on", "note": "Unit numbers"},
    )  # fmt: skip
    assert added.status_code == 302
    pattern = ScrubPattern.objects.get(note="Unit numbers")
    deleted = admin_client.post(
        reverse("admin:searches_scrubpattern_delete", args=[pattern.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert not ScrubPattern.objects.filter(pk=pattern.pk).exists()
    events = AuditEvent.objects.filter(action="searches.scrub_patterns_changed").order_by("pk")
    assert [e.changes["operation"] for e in events] == ["add", "delete"]
    assert events[0].changes["object"] == f"scrubpattern:{pattern.pk}"
