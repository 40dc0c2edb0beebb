"""The text of a public records request for each kind of file the portal imports.

Letters are built in the active language from the agency, the state's records-law profile and a
date range. The audit letter asks for the columns the portal's audit importer reads (taken from
``searches.importers.layouts``), leaving out plates and free-text prompts, which it never reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from core.models import Agency, StateLawProfile
from records.models import RecordsRequest
from searches.importers.layouts import NETWORK_AUDIT_HEADER, PORTAL_AUDIT_HEADER, squash
from searches.importers.layouts import PRIVATE_COLUMNS as PRIVATE_AUDIT_COLUMNS

Kind = RecordsRequest.Kind

# A records-request sharing export as agencies produce it (see cameras/importers/sharing.py).
SHARING_EXPORT_HEADER = (
    "Page",
    "Organization Name",
    "Networks Shared With Me",
    "Networks I'm Sharing",
)


def audit_columns() -> list[str]:
    """The network-audit columns the importer reads, in the order agencies export them."""
    return [name for name in NETWORK_AUDIT_HEADER if squash(name) not in PRIVATE_AUDIT_COLUMNS]


@dataclass(frozen=True)
class Letter:
    kind: str
    title: str
    subject: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}\n"


def _day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _asks(kind: str, agency: str, start: str, end: str) -> list[str]:
    if kind == Kind.AUDIT:
        return [
            _(
                "The complete search audit log of %(agency)s's automated license plate reader "
                "(ALPR) system, including Flock Safety, for every search run between %(start)s "
                "and %(end)s, by the agency's users and, where the system records them, by "
                "other organizations searching the agency's cameras (the network audit)."
            )
            % {"agency": agency, "start": start, "end": end},
            _("Please include these columns, one row per search: %(columns)s.")
            % {"columns": ", ".join([*audit_columns(), "Offense Type"])},
            _(
                "If the system exports the transparency-portal audit instead, its columns "
                "(%(columns)s) are also fine. License plates and free-text prompts may be "
                "redacted; I do not need them."
            )
            % {"columns": ", ".join(PORTAL_AUDIT_HEADER)},
        ]
    if kind == Kind.SHARING:
        return [
            _(
                "The current lists of organizations that can search %(agency)s's ALPR cameras "
                "and of the organizations whose cameras %(agency)s can search, including "
                "statewide or nationwide lookups the agency has opted into, as of %(end)s, "
                "and any changes to those lists since %(start)s with their dates."
            )
            % {"agency": agency, "start": start, "end": end},
            _("An export with these columns is ideal: %(columns)s.")
            % {"columns": ", ".join(SHARING_EXPORT_HEADER)},
        ]
    if kind == Kind.PORTAL:
        return [
            _(
                "The settings of %(agency)s's ALPR transparency portal and the records behind "
                "it between %(start)s and %(end)s: the data retention period, the number of "
                "cameras, the hotlists in use, the number of searches and hotlist hits in each "
                "30-day period, and the ALPR usage policies with their adoption dates."
            )
            % {"agency": agency, "start": start, "end": end},
        ]
    if kind == Kind.HOTLISTS:
        return [
            _(
                "The hotlist records of %(agency)s's ALPR system between %(start)s and %(end)s: "
                "each hotlist's name and source (for example NCIC, a state list or a custom "
                "list), who may add entries, the number of entries, and the number of hits "
                "(alerts) per hotlist per month."
            )
            % {"agency": agency, "start": start, "end": end},
            _("Individual plates on the lists are not needed and may be redacted."),
        ]
    return [
        _(
            "Every contract, amendment, renewal, quote, order form, invoice, memorandum of "
            "understanding and data-sharing agreement between %(agency)s and Flock Safety (or "
            "any other ALPR vendor) in effect or signed between %(start)s and %(end)s."
        )
        % {"agency": agency, "start": start, "end": end},
    ]


def _law_paragraphs(law: StateLawProfile | None) -> list[str]:
    if law is None or not law.has_records_law:
        return [
            _(
                "I make this request under your state's public records law. (The portal has "
                "not yet profiled that law; please add its name and citation.)"
            )
        ]
    lines = [
        _("I make this request under the %(name)s, %(citation)s.")
        % {"name": law.records_law_name, "citation": law.records_law_citation}
    ]
    if law.records_deadline_days:
        unit = _("business days") if law.records_deadline_business_days else _("calendar days")
        lines.append(
            _("The law requires a response within %(days)s %(unit)s of receipt.")
            % {"days": law.records_deadline_days, "unit": unit}
        )
    if law.records_appeal_route:
        lines.append(
            _(
                "If any part of this request is denied, please cite the exemption for each "
                "withheld record and tell me how to appeal; I understand the appeal route is: "
                "%(route)s (%(citation)s)."
            )
            % {"route": _(law.records_appeal_route), "citation": law.records_appeal_citation}
        )
    return lines


def letter_build(
    *,
    kind: str,
    agency: Agency,
    law: StateLawProfile | None,
    start: dt.date,
    end: dt.date,
) -> Letter:
    """The full text of one request, in the active language."""
    name = agency.name
    start_text, end_text = _day(start), _day(end)
    title = str(Kind(kind).label)
    paragraphs = [
        _("To the public records officer of %(agency)s:") % {"agency": name},
        _("I request copies of the following public records:"),
        *[f"- {ask}" for ask in _asks(kind, name, start_text, end_text)],
        *_law_paragraphs(law),
        _(
            "Please send the records electronically, as CSV files (or XLSX) for any data "
            "table, as they are kept, rather than as printouts or scans. If only part of the "
            "records can be released, please send that part now and the rest when ready. If "
            "fees will exceed $25, please tell me before incurring them."
        ),
        _("Thank you."),
    ]
    subject = _("Public records request: %(what)s, %(agency)s") % {"what": title, "agency": name}
    return Letter(kind=kind, title=title, subject=subject, body="\n\n".join(paragraphs))


def letters_build(
    *, agency: Agency, law: StateLawProfile | None, start: dt.date, end: dt.date
) -> list[Letter]:
    """One letter per kind of request, in the order of ``RecordsRequest.Kind``."""
    return [
        letter_build(kind=kind, agency=agency, law=law, start=start, end=end)
        for kind in Kind.values
    ]
