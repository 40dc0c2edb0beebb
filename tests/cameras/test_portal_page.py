"""Transparency pages in every layout: snapshot figures, directional sharing lists, status tags,
refused challenge pages, history in both orders, and every real sample page."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from cameras.importers.portal_page import NameResolver, looks_like_html, parse_page
from cameras.models import SharingAgreement, TransparencySnapshot
from core.imports import import_job_create, import_job_run
from core.models import Agency, ImportJob

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "transparency-pages"
KIND = ImportJob.Kind

pytestmark = pytest.mark.django_db


def run_page(source, *, kind=KIND.PORTAL_PAGE, name="", **options):
    file = ContentFile(source, name=name or "page.txt") if isinstance(source, bytes) else source
    if isinstance(file, str):
        file = PAGES / file
    job = import_job_create(kind=kind, file=file, original_name=name, options=options, run=False)
    return import_job_run(job=job)


def agreements():
    return {
        (a.owner.name, a.recipient.name): (a.first_seen, a.last_seen, a.ended_on)
        for a in SharingAgreement.objects.select_related("owner", "recipient")
    }


def errors(job):
    return [e.message for e in job.row_errors.order_by("line", "pk")]


def balanced(job):
    return job.rows_read == (
        job.rows_created + job.rows_updated + job.rows_unchanged + job.rows_rejected
    )


def parse(name):
    text = (PAGES / name).read_text(encoding="utf-8")
    return parse_page(text, is_html=looks_like_html(text), resolver=NameResolver())


# --- parsing each layout ----------------------------------------------------------------------


def test_legacy_page_reads_one_comma_joined_line_per_list():
    page = parse("legacy_one_line.txt")

    assert page.agency == "Maple Grove CA PD"
    assert page.updated_on == dt.date(2026, 3, 29)
    assert page.values["retention_days"] == 30
    assert page.values["total_cameras"] == 31
    assert "lpr_cameras" not in page.values
    assert (page.values["vehicles_detected_30d"], page.values["hotlist_hits_30d"]) == (
        774_365,
        3_238,
    )
    assert page.values["searches_30d"] == 332
    assert page.values["hotlists"] == "California SVS, NCMEC Amber Alert"
    assert page.values["hotlist_policy"] == (
        "Hotlist alerts are required to be human verified prior to action."
    )
    granted, sharing = page.lists
    assert granted.side == "owner"
    assert [i.name for i in granted.items] == [
        "Alder CA PD",
        "Birch County CA SO",
        "University of California, Berkeley PD",
        "Cedar CA PD",
    ]
    assert [i.inactive for i in granted.items] == [False, False, False, True]
    assert [i.name for i in granted.skipped] == ["Deactivated Users"]
    assert sharing.side == "recipient"
    assert [i.name for i in sharing.items] == ["Alder CA PD", "Elm CA PD"]


def test_june_layout_skips_descriptions_and_reads_renamed_headings():
    page = parse("l1_june.txt")

    assert page.agency == "Spruce WA PD"
    assert page.values["retention_days"] == 21
    assert page.values["lpr_cameras"] == 19  # "Number of ALPR cameras"
    assert "total_cameras" not in page.values
    assert page.values["whats_not_detected"] == "Facial recognition, People, Gender, Race"
    assert page.values["prohibited_uses"] == "Civil immigration enforcement; personal use."
    assert page.values["hotlists"] == "Missing Persons; AMBER Alerts; Stolen Vehicles"
    assert page.values["hotlist_policy"] == "All hotlist hits are verified by an officer."
    assert page.values["vehicles_detected_30d"] == 625_139
    granted, receiving = page.lists
    assert [(i.name, i.federal, i.inactive) for i in granted.items] == [
        ("Auburn WA PD", False, False),
        ("US Marshals Service", True, False),
        ("Renton WA PD", False, True),
        ("Tukwila WA PD", False, False),
    ]
    assert [i.name for i in receiving.items] == ["Auburn WA PD", "Kent WA PD"]
    assert [i.name for i in receiving.skipped] == ["deactivated"]


def test_agency_heading_starts_the_list_and_split_names_are_rejoined():
    page = parse("l1_agency_heading.txt")

    (granted,) = page.lists
    assert granted.heading == "External agencies who have access"
    assert granted.side == "owner"
    assert [i.name for i in granted.items] == [
        "Alameda CA PD",
        "University of California, Berkeley",
        "Walnut Creek CA PD",
    ]
    assert (page.values["retention_days"], page.values["total_cameras"]) == (60, 58)


def test_fall_layout_with_widgets_keeps_figures_and_lists_apart():
    page = parse("l2_widgets.txt")

    assert page.values["retention_days"] == 1095
    assert (page.values["total_cameras"], page.values["lpr_cameras"]) == (224, 55)
    assert page.values["searches_30d"] == 1_490
    assert page.values["hotlist_hits_30d"] == 7_023
    assert "vehicles_detected_30d" not in page.values  # not shown: unknown, not zero
    assert page.values["prohibited_uses"] == "• Immigration enforcement\n• Personal use"
    granted, receiving = page.lists
    assert [(i.name, i.inactive) for i in granted.items] == [
        ("Montgomery County Constable, Precinct 3 (TX)", False),
        ("Montgomery County Constable, Precinct 4 (TX)", False),
        ("Nixon TX PD", True),
        ("Salado TX PD", True),
        ("Waco TX PD", True),
        ("Wylie TX PD", False),
    ]
    # The list stops at the next section: no "Policy & Trust" or "Motor Vehicle Theft" partner.
    assert [i.name for i in receiving.items] == ["Addison TX PD", "Wylie TX PD"]
    assert [i.name for i in receiving.skipped] == ["Deactivated Users"]


def test_saved_html_reads_the_full_value_of_each_access_table_cell():
    page = parse("access_table.html")

    assert page.agency == "Oak Harbor WA PD"
    assert page.updated_on == dt.date(2026, 8, 7)
    assert page.url == "https://transparency.example.org/oak-harbor-wa-pd"
    assert page.values == {"retention_days": 30, "total_cameras": 5, "searches_30d": 28}
    granted, receiving = page.lists
    assert [(i.name, i.federal) for i in granted.items] == [
        ("Anacortes WA PD", False),
        ("Island County Sheriff's Office (WA)", False),
        ("Naval Air Station Whidbey Island", True),
    ]
    assert [i.name for i in receiving.items] == ["Anacortes WA PD"]


# --- importing --------------------------------------------------------------------------------


def test_one_job_makes_the_dated_snapshot_and_both_directions():
    job = run_page("l1_june.txt")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    snapshot = TransparencySnapshot.objects.get(agency__name="Spruce WA PD")
    assert snapshot.captured_on == dt.date(2026, 6, 27)
    assert (snapshot.retention_days, snapshot.lpr_cameras, snapshot.total_cameras) == (21, 19, None)
    assert (snapshot.searches_30d, snapshot.hotlist_hits_30d) == (242, 195)
    assert snapshot.external_organizations_count == 4
    day = dt.date(2026, 6, 27)
    assert agreements() == {
        ("Spruce WA PD", "Auburn WA PD"): (day, day, None),
        ("Spruce WA PD", "US Marshals Service"): (day, day, None),
        ("Spruce WA PD", "Renton WA PD"): (day, day, None),
        ("Spruce WA PD", "Tukwila WA PD"): (day, day, None),
        ("Auburn WA PD", "Spruce WA PD"): (day, day, None),
        ("Kent WA PD", "Spruce WA PD"): (day, day, None),
    }
    assert Agency.objects.get(name="US Marshals Service").kind == Agency.Kind.FEDERAL
    assert Agency.objects.get(name="Renton WA PD").is_active is False
    # 1 snapshot + 6 agreements + 1 skipped placeholder, each accounted for.
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (8, 7, 1)
    assert errors(job) == ["skipped: “deactivated” names no organization"]
    assert balanced(job)


def test_date_option_overrides_the_page_date_and_reimport_changes_nothing():
    first = run_page("access_table.html", date="2026-08-10")
    before = agreements()
    again = run_page("access_table.html", date="2026-08-10")

    assert TransparencySnapshot.objects.get().captured_on == dt.date(2026, 8, 10)
    assert TransparencySnapshot.objects.get().portal_url.endswith("/oak-harbor-wa-pd")
    assert first.rows_created == 5
    assert (again.rows_created, again.rows_updated, again.rows_removed) == (0, 0, 0)
    assert again.rows_unchanged == again.rows_read == 5
    assert agreements() == before


@pytest.mark.parametrize("name", ["cloudflare_1015.txt", "cloudflare_challenge.html"])
@pytest.mark.parametrize("kind", [KIND.PORTAL_PAGE, KIND.SHARING, KIND.PORTAL_METRICS])
def test_challenge_pages_are_refused_and_nothing_is_written(name, kind):
    run_page("l1_june.txt")
    before = agreements()

    job = run_page(name, kind=kind, agency="Spruce WA PD")

    assert job.status == ImportJob.Status.FAILED
    assert "Cloudflare rate-limit or bot-challenge page" in job.error
    assert agreements() == before  # not read as "shares with nobody"
    assert TransparencySnapshot.objects.count() == 1


def test_page_without_sharing_section_keeps_existing_agreements():
    SharingAgreement.objects.create(
        owner=Agency.objects.create(
            name="Birch Falls MA PD", normalized_name="ma:birch falls pd", slug="birch-falls-ma-pd"
        ),
        recipient=Agency.objects.create(
            name="Salem MA PD", normalized_name="ma:salem pd", slug="salem-ma-pd"
        ),
        first_seen=dt.date(2026, 1, 1),
        last_seen=dt.date(2026, 1, 1),
    )

    job = run_page("no_sharing.txt")

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.rows_removed == 0
    assert SharingAgreement.objects.get().ended_on is None
    snapshot = TransparencySnapshot.objects.get()
    assert (snapshot.vehicles_detected_30d, snapshot.searches_30d) == (445_253, 460)
    assert snapshot.hotlist_hits_30d is None and snapshot.hotlists == ""
    assert snapshot.external_organizations_count is None


AUG, SEP = dt.date(2026, 8, 3), dt.date(2026, 9, 24)
HISTORY = {
    ("Pine Lake GA PD", "Atlanta GA PD"): (AUG, SEP, None),
    ("Pine Lake GA PD", "Camden County GA SO"): (AUG, AUG, SEP),
    ("Pine Lake GA PD", "Decatur GA PD"): (AUG, SEP, None),
    ("Atlanta GA PD", "Pine Lake GA PD"): (AUG, SEP, None),
    ("Quincy FL PD", "Pine Lake GA PD"): (AUG, AUG, SEP),
    ("Macon GA PD", "Pine Lake GA PD"): (AUG, SEP, None),
    ("Tallahassee FL PD", "Pine Lake GA PD"): (SEP, SEP, None),
}


def test_older_then_newer_page_dates_every_agreement():
    run_page("history_older.txt")
    newer = run_page("history_newer.txt")

    assert agreements() == HISTORY
    assert newer.rows_removed == 2
    assert list(
        TransparencySnapshot.objects.order_by("captured_on").values_list("total_cameras", flat=True)
    ) == [6, 7]


def test_newer_then_older_page_gives_the_same_history():
    run_page("history_newer.txt")
    older = run_page("history_older.txt")

    # Nothing seen on the later date ends, last_seen never moves back, and what only the older
    # page listed ended by the newer one.
    assert agreements() == HISTORY
    assert older.rows_removed == 2
    for name in ("history_newer.txt", "history_older.txt"):
        again = run_page(name)
        assert (again.rows_created, again.rows_updated, again.rows_removed) == (0, 0, 0)
    assert agreements() == HISTORY


def test_import_sharing_and_metrics_hand_a_page_to_the_page_importer():
    sharing = run_page("l2_widgets.txt", kind=KIND.SHARING)
    metrics = run_page("legacy_one_line.txt", kind=KIND.PORTAL_METRICS)

    assert sharing.status == metrics.status == ImportJob.Status.SUCCEEDED
    cedar = TransparencySnapshot.objects.get(agency__name="Cedar Springs TX PD")
    assert (cedar.captured_on, cedar.retention_days) == (dt.date(2026, 9, 12), 1095)
    assert ("Cedar Springs TX PD", "Montgomery County Constable, Precinct 3 (TX)") in agreements()
    assert ("Elm CA PD", "Maple Grove CA PD") in agreements()
    assert ("Maple Grove CA PD", "University of California, Berkeley PD") in agreements()


def test_command_imports_a_page_and_fails_on_a_challenge_page(capsys):
    call_command("import_portal_page", str(PAGES / "l1_agency_heading.txt"), "--date", "2026-06-30")

    assert "read 4, created 4" in capsys.readouterr().out
    assert TransparencySnapshot.objects.get().captured_on == dt.date(2026, 6, 30)
    with pytest.raises(CommandError, match="Cloudflare"):
        call_command("import_portal_page", str(PAGES / "cloudflare_1015.txt"))


def test_partial_page_ends_nothing():
    run_page("history_older.txt")
    job = run_page("history_newer.txt", partial=True)

    assert job.rows_removed == 0
    assert agreements()[("Pine Lake GA PD", "Camden County GA SO")][2] is None


# --- the real sample pages --------------------------------------------------------------------

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared sample data not present")
NAME_LINE = re.compile(
    r"^(Sharing Network Data With|Receiving Network Data From|External agencies)"
)


def real_pages():
    if not REAL.is_dir():
        return []
    files = sorted(REAL.glob("*/page.txt")) + sorted(REAL.glob("*/history/*.txt"))
    return files + sorted(REAL.glob("sm-alpr/*/*.*"))


@needs_real
@pytest.mark.parametrize("path", real_pages(), ids=lambda p: str(p.relative_to(REAL)))
def test_every_real_page_imports_with_each_item_accounted_for(path):
    job = run_page(ContentFile(path.read_bytes(), name=path.name))

    if "cloudflare" in path.name:
        assert job.status == ImportJob.Status.FAILED and "Cloudflare" in job.error
        assert not TransparencySnapshot.objects.exists()
        return
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert balanced(job)
    assert TransparencySnapshot.objects.count() == 1
    text = path.read_text(encoding="utf-8")
    page = parse_page(text, is_html=looks_like_html(text))
    listed = sum(len(lst.items) + len(lst.skipped) for lst in page.lists)
    assert job.rows_read == 1 + listed


# Items as displayed (README) -> organizations after rejoining the names Flock split.
REAL_LISTS = {
    "antioch-ca-pd/page.txt": [("owner", 237, 0), ("recipient", 256, 0)],
    "cranbury-nj-pd/page.txt": [("owner", 63, 0)],
    "herrin-il-pd/page.txt": [("owner", 1303, 0)],
    "kent-wa-pd/page.txt": [("owner", 14, 0)],
    "lovejoy-ga-pd/history/2026-08-03_d33641ec.txt": [("owner", 305, 0), ("recipient", 844, 2)],
    "lovejoy-ga-pd/page.txt": [("owner", 303, 0), ("recipient", 795, 2)],
    "lowell-ma-pd/page.txt": [],
    "lowell-mi-pd/page.txt": [("owner", 210, 0), ("recipient", 207, 1)],
    "ovilla-tx-pd/page.txt": [("owner", 506, 0), ("recipient", 502, 2)],
    "palm-springs-ca-pd/page.txt": [("owner", 26, 0)],
    "piedmont-ca-pd/page.txt": [("owner", 154, 0)],
    "st-pauls-nc-pd/page.txt": [("owner", 211, 0)],
    "st-peters-mo-pd/page.txt": [("owner", 215, 0)],
    "stanwood-wa-pd/page.txt": [],
    "winston-or-pd/page.txt": [("owner", 23, 0), ("recipient", 14, 0)],
    "yelm-wa-pd/page.txt": [("owner", 88, 0), ("recipient", 347, 0)],
    "sm-alpr/palo-alto-ca-pd/2026-03-29.html": [("owner", 76, 0)],
    "sm-alpr/alameda-county-ca-so/2026-04-28.html": [],
}


@needs_real
@pytest.mark.parametrize(("name", "expected"), REAL_LISTS.items(), ids=list(REAL_LISTS))
def test_real_page_lists_match_an_independent_count(name, expected):
    text = (REAL / name).read_text(encoding="utf-8")
    page = parse_page(text, is_html=looks_like_html(text))

    assert [(lst.side, len(lst.items), len(lst.skipped)) for lst in page.lists] == expected
    if not name.endswith(".html") and "sm-alpr" not in name:
        # Independently: the lines between a list's sentence and the next blank line or heading.
        lines = text.splitlines()
        counted = []
        for index, line in enumerate(lines):
            if NAME_LINE.match(line):
                body = []
                for item in lines[index + 4 :]:
                    if not item.strip() or item in ("Policy & Trust", "Community Impact"):
                        break
                    body.append(item)
                counted.append(len(body))
        joined = [sum(", " in i.name for i in lst.items) for lst in page.lists]
        found = [len(lst.items) + len(lst.skipped) for lst in page.lists]
        assert [f + j for f, j in zip(found, joined, strict=True)] == counted


@needs_real
def test_real_lovejoy_history_in_both_orders():
    older = REAL / "lovejoy-ga-pd/history/2026-08-03_d33641ec.txt"
    newer = REAL / "lovejoy-ga-pd/page.txt"

    def state():
        return {
            (a.owner.name, a.recipient.name): (a.last_seen, a.ended_on)
            for a in SharingAgreement.objects.select_related("owner", "recipient")
        }

    run_page(ContentFile(older.read_bytes(), name="older.txt"))
    job = run_page(ContentFile(newer.read_bytes(), name="newer.txt"))
    forward = state()
    sharing_ended = {k for k, (_l, e) in forward.items() if e and k[0] == "Lovejoy GA PD"}
    receiving_ended = {k for k, (_l, e) in forward.items() if e and k[1] == "Lovejoy GA PD"}
    assert {k[1] for k in sharing_ended} == {"Camden County GA SO", "Emory University Campus PD GA"}
    # The README's 52 removed names include "Leon County FL SO", renamed "Leon County Sheriffs
    # Office (FL)": one agency under both spellings, so its agreement goes on.
    assert len(receiving_ended) == 51
    assert forward[("Leon County FL SO", "Lovejoy GA PD")] == (dt.date(2026, 9, 24), None)
    assert job.rows_removed == 53

    SharingAgreement.objects.all().delete()
    TransparencySnapshot.objects.all().delete()
    run_page(ContentFile(newer.read_bytes(), name="newer.txt"))
    run_page(ContentFile(older.read_bytes(), name="older.txt"))
    assert state() == forward


def test_california_sharing_ban_cites_its_subsection():
    from core.lawdata import PROFILES

    california = next(p for p in PROFILES if p["state"] == "CA")
    assert "§ 1798.90.55(b)" in california["statute_citation"]
    assert "(§ 1798.90.55(b))" in california["summary"]
