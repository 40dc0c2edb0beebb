"""The annual surveillance report: its figures equal the API's for the same filters, drafts are
for the city's clerks only, the admin is scoped, the tables download as safe CSV, the SVG
charts carry their text, and the PDF renders."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera
from core.models import AuditEvent
from reports.models import ReportNarrative, ReportPdf, Section
from reports.selectors import period_for, report_build, subject_for_city
from reports.svg import MapPoint, bar_chart, line_chart, nice_ticks, point_map
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    ClerkFactory,
    SharingAgreementFactory,
    SuperuserFactory,
)
from tests.searches.factories import audit_scenario

pytestmark = pytest.mark.django_db

YEAR = 2026
TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def scenario():
    data = audit_scenario()
    city, pd = data["city"], data["pd"]
    for n in range(3):
        CameraFactory(
            city=city, owner=pd, status=Camera.Status.ACTIVE, installed_on=dt.date(2026, 2, 1 + n)
        )
    CameraFactory(
        city=city,
        owner=pd,
        status=Camera.Status.REMOVED,
        installed_on=dt.date(2024, 1, 1),
        removed_on=dt.date(2026, 6, 1),
    )
    SharingAgreementFactory(
        owner=pd, recipient=data["wisconsin"], first_seen=dt.date(2026, 3, 1), last_seen=TODAY
    )
    SharingAgreementFactory(
        owner=pd, recipient=data["hsi"], first_seen=dt.date(2025, 3, 1), last_seen=TODAY
    )
    SharingAgreementFactory(
        owner=pd,
        recipient=data["sheriff"],
        first_seen=dt.date(2024, 3, 1),
        last_seen=dt.date(2026, 4, 1),
        ended_on=dt.date(2026, 4, 1),
    )
    return data


def _report(city, user=None):
    return report_build(
        subject=subject_for_city(city=city), period=period_for(year=YEAR, today=TODAY), user=user
    )


def test_key_figures_equal_what_the_api_returns_for_the_same_filters(client, scenario):
    report = _report(scenario["city"])
    links = report.links

    def api(link):
        response = client.get(link)
        assert response.status_code == 200, link
        return response.json()

    monthly = {r["month"]: r["searches"] for r in api(links["searches_month"])["results"]}
    assert [(m.strftime("%Y-%m"), n) for m, n in report.searches.by_month if n] == sorted(
        monthly.items()
    )
    assert dict(monthly) == {"2026-03": 7, "2026-04": 8, "2026-05": 7}
    assert report.searches.total == api(links["searches_total"])["results"][0]["searches"] == 22
    flags = {r["flag"]: r["searches"] for r in api(links["searches_flag"])["results"]}
    assert report.searches.vague == flags["vague"] == 5
    assert round(report.searches.vague_share, 1) == 22.7  # 5 of 22
    assert report.searches.flagged == api(links["searches_flagged"])["results"][0]["searches"] == 4
    assert report.sharing.total == api(links["sharing"])["count"] == 2
    assert report.sharing.out_of_state == api(links["sharing_out_of_state"])["count"] == 1
    assert report.sharing.federal == api(links["sharing_federal"])["count"] == 1
    assert report.sharing.forbidden == api(links["sharing_forbidden"])["count"]
    assert (report.sharing.added_count, report.sharing.removed_count) == (1, 1)
    assert report.cameras.active == api(links["cameras"])["count"] == 3
    assert (len(report.cameras.installed), len(report.cameras.removed)) == (3, 1)
    # The flagged rows carry the statute their flag rests on.
    assert {row["law"].state for row in report.flagged_rows} == {"IL"}
    pd_gap = next(g for g in report.gaps if g.agency == scenario["pd"])
    assert [m.month for m in pd_gap.missing] == [1, 2, 6, 7, 8, 9, 10, 11]


def _narratives(city):
    published = ReportNarrative.objects.create(
        city=city,
        year=YEAR,
        section=Section.INTRODUCTION,
        title="Clerk foreword",
        body="Published text. Plate ABC1234 was typed here.",
        status=ReportNarrative.Status.PUBLISHED,
    )
    draft = ReportNarrative.objects.create(
        city=city, year=YEAR, section=Section.SHARING, title="Secret draft", body="Not yet."
    )
    return published, draft


def test_drafts_show_only_to_clerks_of_the_city(client, scenario):
    city = scenario["city"]
    _narratives(city)
    url = reverse("reports:city-report", kwargs={"slug": city.slug, "year": YEAR})

    public = client.get(url).content.decode()
    assert "Clerk foreword" in public and "Secret draft" not in public
    assert "ABC1234" not in public  # scrubbed like every public free text

    other = CityFactory(name="Elsewhere", state="IL", slug="elsewhere-il")
    client.force_login(ClerkFactory(city=other))
    assert "Secret draft" not in client.get(url).content.decode()

    client.force_login(ClerkFactory(city=city))
    clerk_page = client.get(url).content.decode()
    assert "Secret draft" in clerk_page and "Draft: clerks only" in clerk_page

    client.force_login(SuperuserFactory())
    assert "Secret draft" in client.get(url).content.decode()


def test_admin_scopes_narratives_to_the_clerks_cities_and_audits_changes(client, scenario):
    city = scenario["city"]
    _published, draft = _narratives(city)
    other = CityFactory(name="Elsewhere", state="IL", slug="elsewhere-il")
    foreign = ReportNarrative.objects.create(
        city=other, year=YEAR, title="Other city's", body="x", status="published"
    )
    client.force_login(ClerkFactory(city=city))
    listing = client.get(reverse("admin:reports_reportnarrative_changelist")).content.decode()
    assert "Secret draft" in listing and "Other city" not in listing
    foreign_url = reverse("admin:reports_reportnarrative_change", args=[foreign.pk])
    assert client.get(foreign_url).status_code in (302, 403, 404)
    response = client.post(
        foreign_url,
        {"city": other.pk, "year": YEAR, "section": "introduction", "position": 1,
         "title": "Hijacked", "body": "x", "status": "published"},
    )  # fmt: skip
    assert response.status_code in (302, 403, 404)
    foreign.refresh_from_db()
    assert foreign.title == "Other city's"
    # The city choice offers only the clerk's cities, so a new narrative cannot go elsewhere.
    add = client.post(
        reverse("admin:reports_reportnarrative_add"),
        {"city": other.pk, "year": YEAR, "section": "introduction", "position": 1,
         "title": "Sneaky", "body": "x", "status": "draft"},
    )  # fmt: skip
    assert add.status_code == 200 and not ReportNarrative.objects.filter(title="Sneaky").exists()
    change_url = reverse("admin:reports_reportnarrative_change", args=[draft.pk])
    response = client.post(
        change_url,
        {"city": city.pk, "year": YEAR, "section": "sharing", "position": 1,
         "title": "Secret draft", "body": "Now ready.", "status": "published"},
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="reportnarrative.change", object_id=str(draft.pk))
    assert event.city == city and event.changes["status"]["new"] == "published"


def test_csv_tables_and_zip_are_formula_safe(client, scenario):
    city = scenario["city"]
    base = {"slug": city.slug, "year": YEAR}
    url = reverse("reports:city-csv", kwargs={**base, "table": "searches-by-month"})
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[0] == ["Month", "Searches"] and ["2026-04", "8"] in rows
    largest = client.get(reverse("reports:city-csv", kwargs={**base, "table": "largest-searches"}))
    text = largest.content.decode()
    assert "'=HYPERLINK" in text or "=HYPERLINK" not in text
    assert "searcher_hash" not in text
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("reports:city-zip", kwargs=base)).content)
    )
    names = archive.namelist()
    assert f"{city.slug}-{YEAR}-searches-by-month.csv" in names and len(names) > 10
    missing = reverse("reports:city-csv", kwargs={**base, "table": "nope"})
    assert client.get(missing).status_code == 404


def test_index_lists_years_with_data_and_agency_report_renders(client, scenario):
    city, pd = scenario["city"], scenario["pd"]
    AgencyFactory(name="Unrelated PD")
    index = client.get(reverse("reports:city-index", kwargs={"slug": city.slug})).content.decode()
    assert f"/report/{YEAR}/" in index and "/report/2023/" not in index
    page = client.get(reverse("reports:agency-report", kwargs={"slug": pd.slug, "year": YEAR}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Year to date, through" in html or timezone.localdate().year > YEAR
    future = reverse("reports:city-report", kwargs={"slug": city.slug, "year": 2999})
    assert client.get(future).status_code == 404


def test_svg_charts_have_axis_labels_and_a_text_alternative():
    assert nice_ticks(2691) == [0, 1000, 2000, 3000] and nice_ticks(7) == [0, 2, 4, 6, 8]
    chart = bar_chart(
        labels=["Jan", "Feb"],
        values=[3, 1200],
        title="Searches <per month>",
        value_label="Searches",
        chart_id="c",
    )
    assert chart.svg.startswith("<svg") and 'role="img"' in chart.svg
    assert (
        "Searches &lt;per month&gt;" in chart.svg
        and ">1,200<" in chart.svg
        and ">Jan<" in chart.svg
    )
    assert chart.rows == [["Jan", 3], ["Feb", 1200]]
    lines = line_chart(
        labels=["a", "b", "c"],
        series=[("PD", [1, None, 3])],
        title="t",
        value_label="v",
        chart_id="l",
    )
    assert "<polyline" in lines.svg and lines.rows[1] == ["b", None]
    mapped = point_map(
        points=[MapPoint(41.5, -88.1, "Police"), MapPoint(41.6, -88.0, "HOA")],
        groups=["Police", "HOA"], title="Map", desc="2 cameras", chart_id="m",
    )  # fmt: skip
    assert mapped.svg.count("<circle") >= 1 and "km</text>" in mapped.svg


def test_pdf_renders_several_pages_and_is_stored_once(client, scenario):
    city = scenario["city"]
    url = reverse("reports:city-pdf", kwargs={"slug": city.slug, "year": YEAR})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = ReportPdf.objects.get()
    assert pdf.status == ReportPdf.Status.READY and pdf.pages >= 3
    client.get(url)
    assert ReportPdf.objects.count() == 1  # the same data version is served, not redrawn


def test_large_reports_render_the_pdf_in_the_background(client, scenario, settings, monkeypatch):
    settings.REPORTS_PDF_BACKGROUND_OVER = 1
    queued = []
    monkeypatch.setattr(
        "reports.services.task_enqueue_on_commit", lambda name, *args: queued.append((name, args))
    )
    city = scenario["city"]
    url = reverse("reports:city-pdf", kwargs={"slug": city.slug, "year": YEAR})
    response = client.get(url)
    assert response.status_code == 202
    assert "being prepared" in response.content.decode()
    pdf = ReportPdf.objects.get()
    assert queued == [("reports.tasks.report_pdf_build", (pdf.pk,))]
    assert pdf.status == ReportPdf.Status.PENDING
