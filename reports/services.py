"""Writes of the reports app: the PDF of a report (rendered inline for small subjects, in the
background for large ones, stored once per version of its data) and the narratives' audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import Agency
from core.services import audit_record
from core.tasking import task_enqueue_on_commit
from reports.models import ReportNarrative, ReportPdf
from reports.pages import report_context
from reports.selectors import (
    Period,
    Report,
    Subject,
    period_for,
    report_build,
    report_stamp,
    subject_for_agency,
    subject_for_city,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Above this many searches in the period (or cameras), the PDF is rendered by a worker and the
# page says it is being prepared; below, the request renders it (a second or two).
# Part of every stored PDF's key: bump it when the PDF's templates or stylesheet change, so
# the renderings of the old layout are drawn again.
PDF_LAYOUT_VERSION = 1
# A pending PDF older than this is taken as lost (a worker died) and queued again.
STALLED_AFTER = dt.timedelta(minutes=30)


def background_over() -> int:
    """``REPORTS_PDF_BACKGROUND_OVER``: the size (searches plus cameras) from which a report's
    PDF is rendered in the background."""
    return settings.REPORTS_PDF_BACKGROUND_OVER


def pdf_key(*, subject: Subject, period: Period, language: str) -> str:
    """The stored PDF's identity: what it shows (the data and narratives stamp), for which
    period end and language."""
    stamp = report_stamp(subject=subject, year=period.year, language=language)
    what = f"{stamp}|{period.last}|{language}|{PDF_LAYOUT_VERSION}"
    return hashlib.sha256(what.encode()).hexdigest()


def report_pdf_request(*, subject: Subject, period: Period, size: int) -> ReportPdf:
    """The PDF of this version of the report: the stored one when there is one, else rendered
    now (``size`` under ``background_over()``) or queued for a worker (pending)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = pdf_key(subject=subject, period=period, language=language)
    pdf = ReportPdf.objects.filter(key=key).first()
    stalled = (
        pdf is not None
        and pdf.status == ReportPdf.Status.PENDING
        and pdf.created_at < timezone.now() - STALLED_AFTER
    )
    if pdf is not None and pdf.status != ReportPdf.Status.FAILED and not stalled:
        return pdf
    if pdf is None:
        try:
            with transaction.atomic():
                pdf = ReportPdf.objects.create(
                    key=key,
                    city=subject.city,
                    agency=subject.agency,
                    year=period.year,
                    language=language,
                )
        except IntegrityError:  # another request made it first
            return ReportPdf.objects.get(key=key)
    else:
        ReportPdf.objects.filter(pk=pdf.pk).update(
            status=ReportPdf.Status.PENDING, error="", created_at=timezone.now()
        )
    if size > background_over():
        task_enqueue_on_commit("reports.tasks.report_pdf_build", pdf.pk)
        pdf.status = ReportPdf.Status.PENDING
        return pdf
    return report_pdf_build(pdf_id=pdf.pk, today=period.last if not period.complete else None)


def report_pdf_build(*, pdf_id: int, today: dt.date | None = None) -> ReportPdf:
    """Render a stored PDF row's report (public content: published narratives only) and save
    the bytes. Safe to run twice: a ready row is left alone."""
    pdf = ReportPdf.objects.select_related("city", "agency").get(pk=pdf_id)
    if pdf.status == ReportPdf.Status.READY:
        return pdf
    started = time.monotonic()
    try:
        with translation.override(pdf.language):
            subject = (
                subject_for_city(city=pdf.city)
                if pdf.city is not None
                else subject_for_agency(agency=_agency(pdf.agency))
            )
            period = period_for(year=pdf.year, today=today or timezone.localdate())
            assert period is not None
            report = report_build(subject=subject, period=period, user=None)
            content, pages = report_pdf_bytes(report=report)
    except Exception as error:  # the row says it failed; the page offers to try again
        logger.exception("Report PDF %s failed", pdf_id)
        ReportPdf.objects.filter(pk=pdf_id).update(
            status=ReportPdf.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        pdf.refresh_from_db()
        return pdf
    pdf.content = content
    pdf.pages = pages
    pdf.seconds = round(time.monotonic() - started, 2)
    pdf.status = ReportPdf.Status.READY
    pdf.finished_at = timezone.now()
    pdf.save(update_fields=["content", "pages", "seconds", "status", "finished_at"])
    # The renderings of older versions of the same report are never asked for again.
    ReportPdf.objects.filter(
        city=pdf.city, agency=pdf.agency, year=pdf.year, language=pdf.language
    ).exclude(pk=pdf.pk).exclude(status=ReportPdf.Status.PENDING).delete()
    return pdf


def _agency(agency: Agency | None) -> Agency:
    assert agency is not None
    return agency


def report_pdf_bytes(*, report: Report) -> tuple[bytes, int]:
    """The report drawn by WeasyPrint from its print template and stylesheet: (bytes, pages)."""
    from weasyprint import CSS, HTML  # imported here: loading Pango costs start-up time

    html = render_to_string("reports/report_pdf.html", report_context(report, for_pdf=True))
    stylesheet = finders.find("reports/report.css")
    document = HTML(string=html, base_url=settings.PORTAL_SITE_URL).render(
        stylesheets=[CSS(filename=stylesheet)] if stylesheet else None
    )
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue(), len(document.pages)


def narrative_save(
    *,
    actor: User | None,
    narrative: ReportNarrative,
    changes: dict[str, Any] | None = None,
) -> ReportNarrative:
    """Save a narrative and write its audit row (``reportnarrative.create`` / ``.change``)."""
    created = narrative.pk is None
    with transaction.atomic():
        narrative.full_clean()
        narrative.save()
        audit_record(
            actor=actor,
            action=f"reportnarrative.{'create' if created else 'change'}",
            obj=narrative,
            city=narrative.home_city,
            changes=changes or {},
        )
    return narrative
