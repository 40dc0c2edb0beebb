"""Demo search audits: invented audit files imported through the real import path.

Two files are written in memory from a seeded ``random.Random`` and imported as audit jobs
(``core.imports.import_job_create`` + ``import_job_run``), exactly as a clerk's upload would
be, so the demo exercises the readers, the dedupe, the classification and the rollups:

* a records-request network audit of Prairie Junction IL PD (about 20,000 searches over eight
  months, by the PD and by a few hundred of the agencies its cameras are shared with), with
  officer names, plates and multi-line time frames that the importer must drop or parse;
* a transparency-portal audit CSV of Harbor Vista CA PD (its own searches over 30 days).

Everything in the files is fictional. The camera demo (``portal.demo``) must be loaded first:
the searching agencies are the agencies it shares Prairie Junction's cameras with. A second
call imports nothing: an agency whose audit is already there is skipped, and a re-import
would only count duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.core.files.base import ContentFile

from cameras.models import SharingAgreement
from core.demo import HARBOR_CITY, HARBOR_PD, MAIN_CITY, PRAIRIE_PD, SEED
from core.imports import import_job_create, import_job_run
from core.models import Agency, City, ImportJob
from core.services import agency_find
from searches.importers.layouts import NETWORK_AUDIT_HEADER, PORTAL_AUDIT_HEADER
from searches.models import Search

PRAIRIE_ROWS = 20_000
PRAIRIE_FIRST = dt.date(2026, 3, 1)
PRAIRIE_LAST = dt.date(2026, 10, 31)
# A week missing from the export, so the coverage section has a gap to show.
PRAIRIE_MISSING = (dt.date(2026, 7, 14), dt.date(2026, 7, 20))
HARBOR_ROWS = 1_500
HARBOR_FIRST = dt.date(2026, 10, 2)
HARBOR_LAST = dt.date(2026, 10, 31)
# Searching agencies of the Prairie audit besides the PD itself.
OUTSIDE_SEARCHERS = 260

FIRST_NAMES = [
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall",
    "Logan", "Morgan", "Parker", "Quinn", "Reese", "Rowan", "Sawyer", "Skyler", "Taylor",
]  # fmt: skip
LAST_NAMES = [
    "Abernathy", "Brightwater", "Castellano", "Dunmore", "Elwood", "Fairbanks", "Greenleaf",
    "Holloway", "Ingersoll", "Kettering", "Lockridge", "Merriweather", "Northcott", "Oakhurst",
    "Pembroke", "Ravensworth", "Stillwater", "Thornbury", "Underhill", "Wexford",
]  # fmt: skip
VAGUE = ["investigation", "inv", "Investigation", "INV", "investigative", "crime", "inv."]
OFFENSES = [
    "stolen vehicle", "Stolen Vehicle", "stolen plate", "warrant", "felony warrant",
    "missing person", "Missing juvenile", "AMBER alert", "robbery suspect vehicle",
    "armed robbery", "burglary", "residential burglary", "hit and run", "narcotics",
    "drug trafficking", "homicide", "shooting", "aggravated assault", "domestic battery",
    "retail theft", "catalytic converter theft", "fraud", "identity theft", "carjacking",
    "reckless driving", "fleeing and eluding", "sex offender registration",
]  # fmt: skip
IMMIGRATION = [
    "ICE", "ICE WARRANT", "ICE+ERO", "HSI", "HSI assist", "illegal immigration",
    "immigration violation", "ERO removal", "ICE detainer",
]  # fmt: skip
PROTEST = ["protest at city hall", "protester vehicle"]
SEARCH_TYPES = ["search", "search", "search", "lookup", "convoy", "freeform", "search - Mobile"]
PORTAL_OFFENSES = [
    "",
    "",
    "Wanted Person (Arrest Warrant/Fugitive)",
    "Motor Vehicle Theft",
    "Burglary/Breaking & Entering",
    "Robbery",
    "Missing Person",
    "Aggravated Assault, Simple Assault",
]


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(rng.choice(letters) for _ in range(3)) + f"{rng.randrange(1000, 9999)}"


def _stamp(when: dt.datetime) -> str:
    """Records-request time: ``11/14/2025, 09:53:36 AM UTC``."""
    return when.strftime("%m/%d/%Y, %I:%M:%S %p UTC")


def _moment(rng: random.Random, days: list[dt.date]) -> dt.datetime:
    day = rng.choice(days)
    # Searches cluster in the day shift, like real audits.
    hour = min(23, max(0, int(rng.gauss(14, 4.5))))
    return dt.datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=dt.UTC
    )


def _days(first: dt.date, last: dt.date, missing: tuple[dt.date, dt.date] | None) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        if missing is None or not (missing[0] <= day <= missing[1]):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _reason(rng: random.Random) -> tuple[str, str]:
    """(reason, case number) for an ordinary search: vague, blank, case-only or an offense."""
    roll = rng.random()
    case = f"26-{rng.randrange(1, 30000):05d}"
    if roll < 0.30:
        return rng.choice(VAGUE), ("" if rng.random() < 0.7 else "***")
    if roll < 0.36:
        return "", ""
    if roll < 0.48:
        return rng.choice([case, f"case# {case}", f"#{2026}-{rng.randrange(1, 9999):06d}"]), case
    offense = rng.choice(OFFENSES)
    if rng.random() < 0.35:
        return f"{offense} {case}", case
    return offense, (case if rng.random() < 0.5 else "")


def prairie_network_audit(*, searchers: list[Agency], seed: int = SEED) -> bytes:
    """The Prairie Junction PD network audit as a records-request CSV (UTF-8 with a BOM)."""
    rng = random.Random(seed + 31)
    days = _days(PRAIRIE_FIRST, PRAIRIE_LAST, PRAIRIE_MISSING)
    officers = {
        agency.pk: [
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 6))
        ]
        for agency in searchers
    }
    pd = searchers[0]
    pd_officers = [f"{first} {last}" for first in FIRST_NAMES[:8] for last in LAST_NAMES[:5]]
    far = [a for a in searchers[1:] if a.state and a.state != pd.state]
    federal = [a for a in searchers if a.kind == Agency.Kind.FEDERAL]
    in_state = [a for a in searchers[1:] if a.state == pd.state and a.kind != Agency.Kind.FEDERAL]

    rows: list[list[str]] = []

    def add(agency: Agency, officer: str, reason: str, case: str, *, wide: bool) -> None:
        when = _moment(rng, days)
        start = when - dt.timedelta(days=rng.choice([1, 3, 7, 14, 30]))
        if wide:
            networks = rng.randint(300, 1600)
            devices = networks * rng.randint(25, 60)
        else:
            networks = rng.randint(1, 4)
            devices = networks * rng.randint(40, 120)
        rows.append(
            [
                _uuid(rng),
                officer,
                agency.name,
                str(networks),
                str(devices),
                f"{_stamp(start)}\n{_stamp(when)}",
                _plate(rng),
                reason,
                case,
                "",
                _stamp(when),
                rng.choice(SEARCH_TYPES),
                "",
                "",
            ]
        )

    for number in range(PRAIRIE_ROWS):
        roll = rng.random()
        if roll < 0.45:
            agency, officer = pd, rng.choice(pd_officers)
        elif roll < 0.80 and in_state:
            agency = rng.choice(in_state)
            officer = rng.choice(officers[agency.pk])
        else:
            agency = rng.choice(far or searchers)
            officer = rng.choice(officers[agency.pk])
        reason, case = _reason(rng)
        add(agency, officer, reason, case, wide=agency is not pd and rng.random() < 0.6)
        if number % 500 == 250 and (far or federal):
            # A few dozen immigration searches, from out of state and federal agencies.
            agency = rng.choice(federal if federal and rng.random() < 0.4 else far or federal)
            add(agency, rng.choice(officers[agency.pk]), rng.choice(IMMIGRATION), "", wide=True)
    # One search for a woman who sought an abortion, reaching tens of thousands of cameras.
    texas = next((a for a in far if a.state == "TX"), far[0] if far else pd)
    rows.append(
        [
            _uuid(rng),
            rng.choice(officers.get(texas.pk, pd_officers)),
            texas.name,
            "6904",
            "83345",
            f"{_stamp(dt.datetime(2026, 5, 2, 8, 0, tzinfo=dt.UTC))}\n"
            f"{_stamp(dt.datetime(2026, 5, 9, 16, 41, 7, tzinfo=dt.UTC))}",
            _plate(rng),
            "had an abortion, family concerned for safety",
            "",
            "",
            _stamp(dt.datetime(2026, 5, 9, 16, 41, 7, tzinfo=dt.UTC)),
            "search",
            "",
            "",
        ]
    )
    for text in PROTEST:
        add(pd, rng.choice(pd_officers), text, "", wide=False)
    rows.sort(key=lambda r: r[10])
    return audit_csv(NETWORK_AUDIT_HEADER, rows, bom=True)


def harbor_portal_audit(*, seed: int = SEED) -> bytes:
    """Harbor Vista CA PD's public transparency-portal audit CSV (its own searches)."""
    rng = random.Random(seed + 37)
    days = _days(HARBOR_FIRST, HARBOR_LAST, None)
    rows = []
    for _ in range(HARBOR_ROWS):
        when = _moment(rng, days) + dt.timedelta(milliseconds=rng.randrange(1000))
        reason, _case = _reason(rng)
        rows.append(
            [
                _uuid(rng),
                "***",
                when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                str(rng.choice([1, 1, 2, 3, 12, 48, 310])),
                reason.replace(" ", "+") if rng.random() < 0.3 else reason,
                rng.choice(PORTAL_OFFENSES),
            ]
        )
    rows.sort(key=lambda r: r[2])
    return audit_csv(PORTAL_AUDIT_HEADER, rows)


def audit_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> bytes:
    """An audit file as agencies send it: UTF-8 (with a BOM when ``bom``), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def prairie_searchers(*, pd: Agency, seed: int = SEED) -> list[Agency]:
    """The PD first, then a seeded sample of the agencies its cameras are shared with."""
    recipients = sorted(
        {
            a.pk: a
            for a in Agency.objects.filter(
                pk__in=SharingAgreement.objects.filter(owner=pd).values("recipient_id")
            )
        }.values(),
        key=lambda a: a.name,
    )
    rng = random.Random(seed + 29)
    chosen = rng.sample(recipients, min(OUTSIDE_SEARCHERS, len(recipients)))
    # Every federal recipient searches, so the demo shows federal searches.
    chosen += [a for a in recipients if a.kind == Agency.Kind.FEDERAL and a not in chosen]
    return [pd, *sorted(chosen, key=lambda a: a.name)]


def _import(
    *,
    name: str,
    data: bytes,
    agency: str,
    layout: str,
    city: City | None,
    say: Callable[[str], Any],
) -> dict[str, Any]:
    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=ContentFile(data, name=name),
        original_name=name,
        city=city,
        options={"agency": agency, "format": layout},
        run=False,
    )
    job = import_job_run(job=job)
    summary = {
        "job": job.pk,
        "status": job.status,
        "read": job.rows_read,
        "new": job.rows_created,
        "duplicate": job.rows_unchanged,
        "rejected": job.rows_rejected,
    }
    say(
        f"  {agency}: {job.status}, read {job.rows_read}, new {job.rows_created}, "
        f"duplicate {job.rows_unchanged}, rejected {job.rows_rejected}"
        + (f" ({job.error})" if job.error else "")
    )
    return summary


def demo_searches_build(*, stdout: IO[str] | None = None) -> dict[str, Any]:
    """Import the demo audits of Prairie Junction IL PD and Harbor Vista CA PD once.

    Returns ``{agency name: import summary, or "already there" / "missing"}``; an agency whose
    audit is already loaded is skipped, so a second call changes nothing.
    """

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    results: dict[str, Any] = {}
    plans = (
        (PRAIRIE_PD, MAIN_CITY, "prairie-junction-network-audit.csv", "records-network"),
        (HARBOR_PD, HARBOR_CITY, "harbor-vista-portal-audit.csv", "portal"),
    )
    for name, city_slug, filename, layout in plans:
        agency = agency_find(name=name)
        if agency is None:
            results[name] = "missing"
            say(f"  {name}: not in the database; load the camera demo first")
            continue
        if Search.objects.filter(source_agency=agency).exists():
            results[name] = "already there"
            say(f"  {name}: audit already imported")
            continue
        if name == PRAIRIE_PD:
            data = prairie_network_audit(searchers=prairie_searchers(pd=agency))
        else:
            data = harbor_portal_audit()
        results[name] = _import(
            name=filename,
            data=data,
            agency=name,
            layout=layout,
            city=City.objects.filter(slug=city_slug).first(),
            say=say,
        )
    return results
