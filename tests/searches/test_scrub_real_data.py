"""The real public audits in ``shared/data`` (Eugene OR, CC0, and the transparency-portal
audits of six agencies) imported through the real path: every plate-like token typed in a reason
is counted in the raw files independently of the scrubber, and none of them is left in any
table, on any searches page, in ``/api/v1/searches/`` (JSON, every page, and CSV) or in
``search-stats``. Names: no real reason names a person, and none is flagged.

Skipped when ``shared/data`` is absent (it is never copied into the project).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from core.imports import import_job_create, import_job_run
from core.models import Agency, ImportJob
from searches.models import Reason, Search
from tests.factories import AgencyFactory, CityFactory

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
EUGENE = DATA / "eugene-or" / "EPDSearchAuditLogs.csv"
PORTAL_AUDITS = sorted((DATA / "transparency-pages").glob("*/audit.csv"))

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not EUGENE.exists(), reason="shared/data is not present"),
]

# Independent of searches.scrub: any 4-8 character token mixing letters and digits, not part
# of a longer token or of an ISO timestamp, plus the plate Flock writes before " - <time>" in
# its alert texts (vanity plates have no digit). Then the tokens that are not plates.
MIXED = re.compile(r"(?<![\w.:-])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{4,8}(?![\w-])")
ALERT = re.compile(r"Alert: .* ([A-Za-z0-9]+) - \d{4}-\d{2}-\d{2}T")
NOT_PLATES = {"feld9ony"}  # "Feld9ony Person Crime": a typo of felony


def plate_tokens(reason: str) -> set[str]:
    tokens = {t for t in MIXED.findall(reason) if t.lower() not in NOT_PLATES}
    tokens.update(ALERT.findall(reason))
    return {t.upper() for t in tokens}


def _files() -> list[tuple[Path, str]]:
    """(file, source agency name) of every real audit."""
    return [(EUGENE, "Eugene OR PD")] + [
        (path, path.parent.name.replace("-", " ").title()) for path in PORTAL_AUDITS
    ]


def raw_reasons(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "reason" not in rows[0]:
        return []
    # The older layout (cameraCount) sends reasons form-encoded.
    encoded = "cameraCount" in (rows[0] if rows else {})
    return [unquote_plus(r["reason"]) if encoded else r["reason"] for r in rows]


@pytest.fixture
def imported():
    city = CityFactory(name="Eugene", state="OR", slug="eugene-or")
    jobs = {}
    for path, agency in _files():
        AgencyFactory(name=agency, home_city=city if path == EUGENE else None)
        job = import_job_create(
            kind=ImportJob.Kind.AUDIT,
            file=path,
            original_name=path.parent.name,
            city=city,
            options={"agency": agency},
            run=False,
        )
        jobs[path] = import_job_run(job=job)
    return {"city": city, "jobs": jobs}


def test_the_real_plates_are_counted_and_every_file_imports(imported):
    per_file = {}
    for path, job in imported["jobs"].items():
        reasons = raw_reasons(path)
        if reasons:  # files without a reason column carry no free text
            assert job.status == ImportJob.Status.SUCCEEDED, (path, job.error)
            assert job.rows_read == len(reasons) == job.rows_created + job.rows_unchanged
        tokens = Counter(t for reason in reasons for t in plate_tokens(reason))
        per_file[path.parent.name] = tokens
    eugene = per_file["eugene-or"]
    # Counted by hand in the file: 13 distinct plates in 18 searches.
    assert sorted(eugene) == sorted(
        ["419DHN", "589HPM", "391NCQ", "404PTK", "108HPH", "431QFC", "211PHL", "795ASV",
         "41HP587", "857PDN", "E287021", "MIMSY", "ZKB670"]
    )  # fmt: skip
    assert sum(eugene.values()) == 18
    assert all(not tokens for name, tokens in per_file.items() if name != "eugene-or")


def _all_plates() -> set[str]:
    return {t for path, _agency in _files() for r in raw_reasons(path) for t in plate_tokens(r)}


def _dump_tables() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("portal_", "searches_")):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                chunks.extend(" | ".join(map(str, row)) for row in cursor.fetchall())
    return "\n".join(chunks).upper()


def _leaks(text: str, plates: set[str]) -> list[str]:
    upper = text.upper()
    # Word-bounded: "MIMSY" must not be found inside some longer word of a page.
    return sorted(p for p in plates if re.search(rf"(?<![A-Z0-9]){p}(?![A-Z0-9])", upper))


def _body(response) -> str:
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def test_no_real_plate_is_left_anywhere(client, imported):
    plates = _all_plates()
    assert len(plates) == 13
    stored = " ".join(Reason.objects.values_list("text", flat=True))
    assert "[plate]" in stored
    assert _leaks(_dump_tables(), plates) == []

    # Every page of the JSON list, by its cursor links.
    url, seen = reverse("api:search-list") + "?page_size=1000", 0
    while url:
        page = client.get(url).json()
        assert _leaks(str(page["results"]), plates) == []
        seen += len(page["results"])
        url = page["next"]
    assert seen == Search.objects.count()
    urls = [
        reverse("api:search-list") + "?format=csv",
        reverse("api:search-list") + "?reason=stolen&format=csv",
        reverse("api:search-stats-list") + "?group_by=month,category,flag",
        reverse("api:search-stats-list") + "?group_by=source_agency,category&format=csv",
        reverse("searches:explorer"),
        reverse("searches:explorer") + "?reason=alert",
        reverse("searches:explorer") + "?reason=stolen&page=2",
        reverse("searches:national"),
        imported["city"].get_absolute_url(),
        Agency.objects.get(name="Eugene OR PD").get_absolute_url(),
    ]
    csv_text = ""
    for url in urls:
        text = _body(client.get(url))
        assert _leaks(text, plates) == [], url
        if "format=csv" in url and "reason=" not in url and "search-stats" not in url:
            csv_text = text
    assert csv_text.count("[plate]") == 18  # one per search that had one


def test_no_real_reason_is_flagged_as_naming_a_person(imported):
    distinct = Reason.objects.count()
    assert distinct > 150
    assert list(Reason.objects.exclude(name_review=Reason.NameReview.NONE)) == []
