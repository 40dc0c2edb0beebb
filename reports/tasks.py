"""Background work of the reports: thin tasks calling one service each."""

from celery import shared_task

from reports import services


@shared_task(ignore_result=True, acks_late=True, time_limit=30 * 60, soft_time_limit=25 * 60)
def report_pdf_build(pdf_id: int) -> str:
    """Render a large report's PDF (queued by ``report_pdf_request``)."""
    return services.report_pdf_build(pdf_id=pdf_id).status
