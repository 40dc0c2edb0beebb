"""Invented narratives for the demo's Prairie Junction 2026 report: one published section and
one clerk's draft. Idempotent: a narrative with the same city, year and title is left alone."""

from __future__ import annotations

from typing import TextIO

from core.models import City
from reports.models import ReportNarrative, Section
from reports.services import narrative_save

MAIN_CITY = "prairie-junction-il"
YEAR = 2026

NARRATIVES = (
    (
        Section.INTRODUCTION,
        ReportNarrative.Status.PUBLISHED,
        "A word from the City Clerk",
        "The Surveillance Technology Ordinance asks the city to report every year on each "
        "surveillance technology it uses. This report covers the license plate readers owned by "
        "the police department and by private owners in the city.\n\n"
        "The figures below come from the department's search audits, its transparency page and "
        "the sharing records the city obtained; each figure links to its source.",
    ),
    (
        Section.SHARING,
        ReportNarrative.Status.DRAFT,
        "Out-of-state sharing under review",
        "Draft for the council's December meeting: the department is reviewing every "
        "out-of-state agreement against the state law cited above. A list of the agreements "
        "ended so far will be added before publication.",
    ),
)


def demo_reports_build(*, stdout: TextIO | None = None) -> int:
    """Load the demo narratives that are missing; returns how many were created."""
    city = City.objects.filter(slug=MAIN_CITY).first()
    if city is None:
        return 0
    created = 0
    for position, (section, status, title, body) in enumerate(NARRATIVES, start=1):
        if ReportNarrative.objects.filter(city=city, year=YEAR, title=title).exists():
            continue
        narrative_save(
            actor=None,
            narrative=ReportNarrative(
                city=city,
                year=YEAR,
                section=section,
                position=position,
                title=title,
                body=body,
                status=status,
            ),
        )
        created += 1
    if stdout is not None:
        stdout.write(f"  report narratives: {ReportNarrative.objects.count()} ({created} new)\n")
    return created
