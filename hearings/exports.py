"""The hearing record as CSV, for the public and for the clerk; every cell goes through
``csv_safe`` so a comment such as ``=HYPERLINK(...)`` stays text in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csvstream import CSV_CONTENT_TYPE, csv_lines
from hearings.selectors.comments import HearingRecord


def record_csv_rows(record: HearingRecord) -> Iterator[list]:
    hearing = record.hearing
    header = [
        _("Hearing"),
        _("Meeting date"),
        _("Agenda item"),
        _("Item title"),
        _("Position"),
        _("Comment id"),
        _("Submitted"),
        _("Name"),
        _("Resident"),
        _("Wants to speak"),
        _("Comment"),
    ]
    if record.clerk:
        header += [_("Status"), _("Rejection reason")]
    if record.include_addresses:
        header.append(_("Address or ZIP code"))
    yield header
    meeting = timezone.localtime(hearing.starts_at, hearing.tz).strftime("%Y-%m-%d %H:%M")
    for entry in record.items:
        for group in entry.groups:
            for c in group.comments:
                row = [
                    hearing.title,
                    meeting,
                    entry.item.position,
                    entry.item.title,
                    group.label,
                    c.pk,
                    timezone.localtime(c.created_at, hearing.tz).strftime("%Y-%m-%d %H:%M"),
                    c.name if record.include_names else "",
                    _("yes") if c.is_resident else _("no"),
                    _("yes") if c.wants_to_speak else _("no"),
                    c.text,
                ]
                if record.clerk:
                    row += [c.get_status_display(), c.rejection_reason]
                if record.include_addresses:
                    row.append(c.address_or_zip)
                yield row


def record_csv_response(record: HearingRecord, *, filename: str) -> HttpResponse:
    lines = csv_lines([str(cell) for cell in row] for row in record_csv_rows(record))
    response = HttpResponse("".join(lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
