"""The report pages: the years of a city or agency, one year's printable report, its PDF and its
tables as CSV. Thin: the report is read by ``reports.selectors`` and rendered here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.selectors import city_get
from core.csvstream import CSV_CONTENT_TYPE
from core.selectors import agency_get
from reports.models import ReportPdf
from reports.pages import report_context
from reports.selectors import (
    Period,
    Subject,
    period_for,
    report_build,
    report_size,
    report_years,
    subject_for_agency,
    subject_for_city,
)
from reports.services import report_pdf_request
from reports.tables import report_tables, table_csv, tables_zip


def _subject(kind: str, slug: str) -> Subject:
    if kind == "city":
        city = city_get(slug=slug)
        if city is None:
            raise Http404(_("No such city."))
        return subject_for_city(city=city)
    agency = agency_get(slug=slug)
    if agency is None:
        raise Http404(_("No such agency."))
    return subject_for_agency(agency=agency)


def _period(year: int) -> Period:
    period = period_for(year=year, today=timezone.localdate()) if year >= 2000 else None
    if period is None:
        raise Http404(_("No report for this year."))
    return period


def report_index(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    subject = _subject(kind, slug)
    years = report_years(subject=subject, today=timezone.localdate())
    return render(
        request,
        "reports/index.html",
        {
            "subject": subject,
            "years": [(year, subject.url("report", year=year)) for year in years],
            "current_year": timezone.localdate().year,
        },
    )


def report_page(request: HttpRequest, slug: str, year: int, kind: str) -> HttpResponse:
    subject = _subject(kind, slug)
    report = report_build(subject=subject, period=_period(year), user=request.user)
    return render(request, "reports/report.html", report_context(report, for_pdf=False))


def report_pdf(request: HttpRequest, slug: str, year: int, kind: str) -> HttpResponse:
    subject = _subject(kind, slug)
    period = _period(year)
    pdf = report_pdf_request(
        subject=subject, period=period, size=report_size(subject=subject, period=period)
    )
    if pdf.status == ReportPdf.Status.READY:
        response = HttpResponse(bytes(pdf.content), content_type="application/pdf")
        name = f"{subject.slug}-surveillance-report-{year}-{pdf.language}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    # 202 and 503 are never stored by the page cache: the next visit asks again.
    return render(
        request,
        "reports/pdf_pending.html",
        {
            "subject": subject,
            "year": year,
            "pdf": pdf,
            "report_url": subject.url("report", year=year),
        },
        status=202 if pdf.status == ReportPdf.Status.PENDING else 503,
    )


def report_csv(request: HttpRequest, slug: str, year: int, table: str, kind: str) -> HttpResponse:
    subject = _subject(kind, slug)
    report = report_build(subject=subject, period=_period(year))
    found = next((t for t in report_tables(report) if t.key == table), None)
    if found is None:
        raise Http404(_("No such table."))
    response = HttpResponse(table_csv(found), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{subject.slug}-{year}-{found.key}.csv"'
    )
    return response


def report_zip(request: HttpRequest, slug: str, year: int, kind: str) -> HttpResponse:
    subject = _subject(kind, slug)
    report = report_build(subject=subject, period=_period(year))
    prefix = f"{subject.slug}-{year}"
    response = HttpResponse(
        tables_zip(report_tables(report), prefix=prefix), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{prefix}-tables.zip"'
    return response
