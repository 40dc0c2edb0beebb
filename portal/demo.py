"""The demo data set: invented cities, agencies, cameras, sharing and transparency snapshots.

Everything here is fictional (place names, streets, people) except the names of national
federal agencies, and the site shows a "demo data" banner while it is loaded. The data is
planned first from a seeded ``random.Random`` (``demo_plan``, pure and deterministic) and then
written in one transaction with bulk inserts (``demo_build``). Agencies go through the same
name resolution as real imports so their normalized names match what imports would produce.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.demo import (
    ALDER_CITY,
    ALDER_PD,
    AS_OF,
    ASTER_CITY,
    ASTER_PD,
    DEMO_PASSWORD,
    DEMO_SOURCE,
    HARBOR_CITY,
    HARBOR_PD,
    MAIN_CITY,
    PRAIRIE_HOA,
    PRAIRIE_HOUSING,
    PRAIRIE_PD,
    PRAIRIE_SO,
    PRAIRIE_STORE,
    SEED,
)
from core.lawdata import profiles_create_missing
from core.models import Agency, City, CityClerk, StateLawProfile
from core.permissions import clerk_group
from core.services import agency_get_or_create, agency_resolver

# Real national bodies: their names are public facts, the sharing with them is invented.
FEDERAL = [
    "Homeland Security Investigations",
    "U.S. Border Patrol",
    "U.S. Marshals Service",
    "Drug Enforcement Administration",
    "Bureau of Alcohol, Tobacco, Firearms and Explosives",
]

TOWN_PREFIXES = [
    "Bramble", "Quill", "Thistle", "Marrow", "Wren", "Fennel", "Larch", "Heron", "Tansy",
    "Sorrel", "Yarrow", "Plover", "Bittern", "Osier", "Teasel", "Sedge", "Rowan", "Linden",
    "Clover", "Juniper", "Mallow", "Vetch", "Burdock", "Cress", "Lupine", "Nettle", "Sumac",
    "Gorse", "Tamarack", "Spindle",
]  # fmt: skip
TOWN_SUFFIXES = [
    "wick", "mere", "haven", "ford", "moor", "stead", "brook", "crest", "vale", "hollow",
    "field", "ridge", "port", "dale",
]  # fmt: skip
OUT_OF_STATE = [
    "IN", "WI", "MO", "IA", "MI", "OH", "KY", "TX", "GA", "FL", "TN", "AZ", "CO", "MN", "NE",
    "KS", "AL", "SC", "NC", "OK",
]  # fmt: skip
STREETS = {
    MAIN_CITY: [
        "Prairie Ave", "Junction Blvd", "Larkspur St", "Mill Creek Dr", "Canal St",
        "Rail Yard Rd", "Bluestem Pkwy", "Thornapple Ln", "Cottonwood Ave", "Heron Way",
        "Quarry Rd", "Meadowlark Dr", "Foundry Rd", "Bur Oak Ave", "Switchgrass Rd",
    ],
    HARBOR_CITY: [
        "Harbor Blvd", "Kelp St", "Seacliff Dr", "Pelican Way", "Breakwater Ave",
        "Tidepool Ln", "Lighthouse Rd", "Anchor St",
    ],
    ALDER_CITY: ["River Rd", "Alder St", "Millrace Ave", "Fir Ln", "Ferry St", "Mossy Rock Dr"],
    ASTER_CITY: ["Lakeshore Dr", "Aster Ave", "Birch Point Rd", "County Rd 12"],
}  # fmt: skip
DIRECT = SharingAgreement.Kind.DIRECT
STATEWIDE = SharingAgreement.Kind.STATEWIDE
NATIONAL = SharingAgreement.Kind.NATIONAL
CARDINALS = {"N": 0, "NE": 45, "E": 90, "SE": 135, "S": 180, "SW": 225, "W": 270, "NW": 315}


@dataclass(frozen=True)
class CitySpec:
    slug: str
    name: str
    state: str
    population: int
    latitude: Decimal
    longitude: Decimal
    timezone: str
    clerk_name: str
    council_body: str = "City Council"


@dataclass(frozen=True)
class AgencySpec:
    name: str
    kind: str
    state: str
    home_city: str | None = None
    transparency_url: str = ""


@dataclass(frozen=True)
class CameraSpec:
    source_id: str
    city: str
    owner: str
    latitude: Decimal
    longitude: Decimal
    directions: tuple[int, ...]
    direction_text: str
    vendor: str
    camera_type: str
    status: str
    address: str
    installed_on: dt.date | None = None
    planned_on: dt.date | None = None
    removed_on: dt.date | None = None
    last_verified: dt.date | None = None


@dataclass(frozen=True)
class SharingSpec:
    owner: str
    recipient: str
    kind: str
    first_seen: dt.date
    last_seen: dt.date
    ended_on: dt.date | None = None


@dataclass(frozen=True)
class SnapshotSpec:
    agency: str
    captured_on: dt.date
    values: dict[str, Any]


@dataclass
class DemoPlan:
    cities: list[CitySpec] = field(default_factory=list)
    agencies: list[AgencySpec] = field(default_factory=list)
    generated_agencies: list[str] = field(default_factory=list)
    cameras: list[CameraSpec] = field(default_factory=list)
    sharing: list[SharingSpec] = field(default_factory=list)
    snapshots: list[SnapshotSpec] = field(default_factory=list)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    created: bool


@dataclass(frozen=True)
class DemoResult:
    created: bool
    counts: dict[str, int]
    accounts: list[DemoAccount]


def _site(slug: str) -> str:
    return f"https://{slug}.example.org"


CITIES = [
    CitySpec(MAIN_CITY, "Prairie Junction", "IL", 151_400, Decimal("41.520000"),
             Decimal("-88.080000"), "America/Chicago", "Dana Whitfield"),
    CitySpec(HARBOR_CITY, "Harbor Vista", "CA", 88_300, Decimal("35.580000"),
             Decimal("-121.100000"), "America/Los_Angeles", "Luis Ortega-Reyes"),
    CitySpec(ALDER_CITY, "Alder Bend", "OR", 41_900, Decimal("44.300000"),
             Decimal("-123.200000"), "America/Los_Angeles", "Pat Lindqvist"),
    CitySpec(ASTER_CITY, "Lake Aster", "MN", 9_800, Decimal("45.120000"),
             Decimal("-93.900000"), "America/Chicago", "Robin Haugen", "City Council"),
]  # fmt: skip


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


class _Names:
    """Unique fictional agency names: '<Town> <ST> PD' and '<Name> County <ST> SO'."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng = rng
        self.taken = set(taken)

    def _unique(self, make) -> str:
        for _attempt in range(10_000):
            name = make()
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError("The demo ran out of fictional agency names.")

    def _town(self) -> str:
        return f"{self.rng.choice(TOWN_PREFIXES)}{self.rng.choice(TOWN_SUFFIXES)}"

    def police(self, state: str) -> str:
        return self._unique(lambda: f"{self._town()} {state} PD")

    def sheriff(self, state: str) -> str:
        def make() -> str:
            county = self.rng.choice(TOWN_PREFIXES) if self.rng.random() < 0.5 else self._town()
            return f"{county} County {state} SO"

        return self._unique(make)

    def any(self, state: str) -> str:
        return self.sheriff(state) if self.rng.random() < 0.2 else self.police(state)


def _direction(rng: random.Random) -> tuple[tuple[int, ...], str]:
    """Bearings as stored and as a source would publish them (degrees, pairs, ranges, points)."""
    roll = rng.random()
    if roll < 0.6:
        degrees = rng.randrange(0, 360, 5)
        return (degrees,), str(degrees)
    if roll < 0.75:
        point = rng.choice(list(CARDINALS))
        return (CARDINALS[point],), point
    if roll < 0.93:
        first = rng.randrange(0, 180, 5)
        return (first, first + 180), f"{first};{first + 180}"
    start = rng.randrange(0, 300, 5)
    end = start + rng.randrange(20, 60, 5)
    return ((start + end) // 2,), f"{start}-{end}"


def _address(rng: random.Random, city: str) -> str:
    streets = STREETS[city]
    if rng.random() < 0.6:
        first, second = rng.sample(streets, 2)
        return f"{first} & {second}"
    return f"{rng.randrange(100, 4000, 100)} block of {rng.choice(streets)}"


def _cameras(
    rng: random.Random,
    *,
    city: CitySpec,
    owner: str,
    prefix: str,
    active: int,
    planned: int = 0,
    removed: int = 0,
    spread: float = 0.05,
    vendors: tuple[tuple[str, float], ...] = (("Flock Safety", 1.0),),
    ramp_from: dt.date | None = None,
    first_installed: dt.date = dt.date(2023, 3, 1),
) -> list[CameraSpec]:
    """Cameras of one owner around a city; ``ramp_from`` spreads a quarter of the installs
    over the snapshot period so camera counts grow in the snapshots."""
    specs = []
    statuses = (
        [Camera.Status.ACTIVE] * active
        + [Camera.Status.PLANNED] * planned
        + [Camera.Status.REMOVED] * removed
    )
    labels, weights = zip(*vendors, strict=True)
    for number, status in enumerate(statuses, start=1):
        directions, direction_text = _direction(rng)
        installed = planned_on = removed_on = verified = None
        if status == Camera.Status.PLANNED:
            planned_on = _random_date(rng, AS_OF - dt.timedelta(days=120), AS_OF)
        else:
            late = ramp_from is not None and status == Camera.Status.ACTIVE and rng.random() < 0.25
            start = ramp_from if late and ramp_from is not None else first_installed
            end = AS_OF - dt.timedelta(days=20) if late else (ramp_from or AS_OF)
            if status == Camera.Status.REMOVED:
                # Removed cameras had a life before removal.
                end = min(end, AS_OF - dt.timedelta(days=300))
            installed = _random_date(rng, start, end)
            verified = _random_date(rng, AS_OF - dt.timedelta(days=90), AS_OF)
            if status == Camera.Status.REMOVED:
                removed_on = _random_date(rng, installed + dt.timedelta(days=200), AS_OF)
        specs.append(
            CameraSpec(
                source_id=f"{prefix}-{number:03d}",
                city=city.slug,
                owner=owner,
                latitude=_coordinate(float(city.latitude) + rng.uniform(-spread, spread)),
                longitude=_coordinate(float(city.longitude) + rng.uniform(-spread, spread) * 1.3),
                directions=directions,
                direction_text=direction_text,
                vendor=rng.choices(labels, weights)[0],
                camera_type=(Camera.Type.VIDEO if rng.random() < 0.04 else Camera.Type.ALPR),
                status=status,
                address=_address(rng, city.slug),
                installed_on=installed,
                planned_on=planned_on,
                removed_on=removed_on,
                last_verified=verified,
            )
        )
    return specs


def _share(
    rng: random.Random,
    owner: str,
    recipient: str,
    kind: str,
    *,
    ended_share: float = 0.0,
    since: dt.date = dt.date(2023, 3, 1),
) -> SharingSpec:
    first_seen = _random_date(rng, since, AS_OF - dt.timedelta(days=45))
    if rng.random() < ended_share:
        ended = _random_date(rng, first_seen + dt.timedelta(days=30), AS_OF - dt.timedelta(days=5))
        return SharingSpec(owner, recipient, kind, first_seen, ended, ended)
    return SharingSpec(owner, recipient, kind, first_seen, AS_OF)


POLICY = {
    "whats_detected": "License plates, vehicle make, type and color, and distinctive features.",
    "whats_not_detected": "Faces, people, gender or race; vehicle speed.",
    "hotlists": "NCIC stolen vehicles and wanted persons; state hotlist; AMBER and Silver alerts",
    "hotlist_policy": (
        "Custom hotlist entries need a case number and a supervisor's approval and expire "
        "after 30 days."
    ),
}
ACCEPTABLE_USE = (
    "Investigating crimes, locating stolen vehicles and wanted, missing or endangered persons."
)
PROHIBITED_USES = {
    "IL": (
        "Immigration enforcement; investigating people for seeking or providing reproductive "
        "health care; harassment or intimidation; personal use; monitoring lawful protest."
    ),
    "CA": (
        "Immigration enforcement; sharing with out-of-state or federal agencies; personal use; "
        "monitoring lawful protest."
    ),
    "OR": "Immigration enforcement; personal use; monitoring lawful protest.",
}
ACCESS_POLICY = {
    "before": "Sworn officers with a case number may search. Searches are audited monthly.",
    "after": (
        "Sworn officers with a case number and offense type may search; vague reasons are "
        "refused. Out-of-state agencies must sign a written declaration before access. "
        "Searches are audited monthly and published quarterly."
    ),
}


def _snapshots(
    rng: random.Random,
    *,
    agency: str,
    state: str,
    slug: str,
    months: list[dt.date],
    cameras: list[CameraSpec],
    sharing: list[SharingSpec],
    retention: tuple[int, int],
    searches: tuple[int, int],
) -> list[SnapshotSpec]:
    """One snapshot per date; retention and the access policy change once, halfway."""
    specs = []
    change = months[len(months) // 2]
    for captured in months:
        in_place = sum(
            1
            for c in cameras
            if c.owner == agency
            and c.installed_on is not None
            and c.installed_on <= captured
            and (c.removed_on is None or c.removed_on > captured)
        )
        recipients = sum(
            1
            for s in sharing
            if s.owner == agency
            and s.first_seen <= captured
            and (s.ended_on is None or s.ended_on > captured)
        )
        after = captured >= change
        specs.append(
            SnapshotSpec(
                agency=agency,
                captured_on=captured,
                values={
                    "portal_url": f"https://transparency.example.org/{slug}",
                    "retention_days": retention[1] if after else retention[0],
                    "total_cameras": in_place,
                    "lpr_cameras": in_place,
                    "vehicles_detected_30d": in_place * rng.randint(14_000, 21_000),
                    "searches_30d": rng.randint(*searches),
                    "hotlist_hits_30d": rng.randint(in_place, in_place * 3),
                    "external_organizations_count": recipients,
                    "acceptable_use": ACCEPTABLE_USE,
                    "prohibited_uses": PROHIBITED_USES[state],
                    "access_policy": ACCESS_POLICY["after" if after else "before"],
                    "source": DEMO_SOURCE,
                    **POLICY,
                },
            )
        )
    return specs


def demo_plan(seed: int = SEED) -> DemoPlan:
    """The whole demo data set as plain values; the same seed always gives the same plan."""
    rng = random.Random(seed)
    plan = DemoPlan(cities=list(CITIES))
    city = {c.slug: c for c in CITIES}

    plan.agencies = [
        AgencySpec(PRAIRIE_PD, Agency.Kind.POLICE, "IL", MAIN_CITY,
                   "https://transparency.example.org/prairie-junction-il-pd"),
        AgencySpec(PRAIRIE_SO, Agency.Kind.SHERIFF, "IL", MAIN_CITY),
        AgencySpec(PRAIRIE_HOA, Agency.Kind.HOA, "IL", MAIN_CITY),
        AgencySpec(PRAIRIE_STORE, Agency.Kind.BUSINESS, "IL", MAIN_CITY),
        AgencySpec(PRAIRIE_HOUSING, Agency.Kind.HOUSING, "IL", MAIN_CITY),
        AgencySpec("Illinois State Police", Agency.Kind.STATE, "IL"),
        AgencySpec(HARBOR_PD, Agency.Kind.POLICE, "CA", HARBOR_CITY,
                   "https://transparency.example.org/harbor-vista-ca-pd"),
        AgencySpec(ALDER_PD, Agency.Kind.POLICE, "OR", ALDER_CITY,
                   "https://transparency.example.org/alder-bend-or-pd"),
        AgencySpec(ASTER_PD, Agency.Kind.POLICE, "MN", ASTER_CITY),
        *(AgencySpec(name, Agency.Kind.FEDERAL, "") for name in FEDERAL),
    ]  # fmt: skip
    names = _Names(rng, {a.name for a in plan.agencies})

    # Cameras: the Illinois police network grows during the snapshot period.
    ramp_from = _months_back(AS_OF, 17)
    mostly_flock = (
        ("Flock Safety", 0.85),
        ("Motorola Solutions (Vigilant)", 0.1),
        ("Genetec", 0.05),
    )
    plan.cameras += _cameras(
        rng, city=city[MAIN_CITY], owner=PRAIRIE_PD, prefix="prairie-junction-pd",
        active=80, planned=4, removed=3, vendors=mostly_flock, ramp_from=ramp_from,
    )  # fmt: skip
    plan.cameras += _cameras(
        rng, city=city[MAIN_CITY], owner=PRAIRIE_HOA, prefix="willow-creek-hoa", active=6,
        spread=0.008, first_installed=dt.date(2024, 5, 1),
    )  # fmt: skip
    plan.cameras += _cameras(
        rng, city=city[MAIN_CITY], owner=PRAIRIE_STORE, prefix="big-box-1234", active=4,
        spread=0.004, first_installed=dt.date(2024, 9, 1),
    )  # fmt: skip
    plan.cameras += _cameras(
        rng, city=city[MAIN_CITY], owner=PRAIRIE_HOUSING, prefix="maple-terrace", active=2,
        spread=0.003, first_installed=dt.date(2025, 2, 1),
    )  # fmt: skip
    plan.cameras += _cameras(
        rng, city=city[HARBOR_CITY], owner=HARBOR_PD, prefix="harbor-vista-pd", active=24,
        removed=2, spread=0.04,
        vendors=(("Flock Safety", 0.6), ("Motorola Solutions (Vigilant)", 0.4)),
        ramp_from=_months_back(AS_OF, 15),
    )  # fmt: skip
    plan.cameras += _cameras(
        rng, city=city[ALDER_CITY], owner=ALDER_PD, prefix="alder-bend-pd", active=12,
        planned=3, spread=0.03, vendors=(("Flock Safety", 0.8), ("Genetec", 0.2)),
        ramp_from=_months_back(AS_OF, 9), first_installed=dt.date(2024, 6, 1),
    )  # fmt: skip
    plan.cameras += _cameras(
        rng, city=city[ASTER_CITY], owner=ASTER_PD, prefix="lake-aster-pd", active=0,
        planned=5, spread=0.02,
    )  # fmt: skip

    # Who can search Prairie Junction's cameras: hundreds of agencies, most by network kind.
    share = plan.sharing
    share.append(_share(rng, PRAIRIE_PD, "Illinois State Police", STATEWIDE))
    share.append(_share(rng, PRAIRIE_PD, PRAIRIE_SO, DIRECT))
    for _ in range(140):
        kind = STATEWIDE if rng.random() < 0.7 else DIRECT
        share.append(_share(rng, PRAIRIE_PD, names.any("IL"), kind, ended_share=0.03))
    for _ in range(170):
        kind = NATIONAL if rng.random() < 0.85 else DIRECT
        recipient = names.any(rng.choice(OUT_OF_STATE))
        share.append(_share(rng, PRAIRIE_PD, recipient, kind, ended_share=0.04))
    for number, federal in enumerate(FEDERAL):
        kind = DIRECT if number % 2 == 0 else NATIONAL
        share.append(_share(rng, PRAIRIE_PD, federal, kind, since=dt.date(2024, 6, 1)))
    # Whose cameras Prairie Junction can search.
    for _ in range(60):
        share.append(_share(rng, names.any("IL"), PRAIRIE_PD, STATEWIDE))
    for _ in range(25):
        owner = names.any(rng.choice(OUT_OF_STATE))
        share.append(_share(rng, owner, PRAIRIE_PD, NATIONAL))
    # Private cameras feeding the police network.
    for private in (PRAIRIE_HOA, PRAIRIE_STORE, PRAIRIE_HOUSING):
        share.append(_share(rng, private, PRAIRIE_PD, DIRECT, since=dt.date(2024, 10, 1)))
    share.append(_share(rng, PRAIRIE_HOA, PRAIRIE_SO, DIRECT, since=dt.date(2024, 10, 1)))
    for _ in range(12):
        share.append(_share(rng, PRAIRIE_STORE, names.any("IL"), DIRECT))

    # Harbor Vista shares inside California, and also with an Arizona agency and Border Patrol.
    for _ in range(9):
        share.append(_share(rng, HARBOR_PD, names.any("CA"), DIRECT))
    share.append(_share(rng, HARBOR_PD, names.police("AZ"), DIRECT, since=dt.date(2025, 1, 1)))
    share.append(_share(rng, HARBOR_PD, names.sheriff("NV"), DIRECT, since=dt.date(2025, 1, 1)))
    share.append(_share(rng, HARBOR_PD, "U.S. Border Patrol", DIRECT, since=dt.date(2025, 3, 1)))
    for _ in range(6):
        share.append(_share(rng, names.any("CA"), HARBOR_PD, DIRECT))

    # Alder Bend shares in Oregon and with one Washington and one Idaho agency.
    for _ in range(6):
        share.append(_share(rng, ALDER_PD, names.any("OR"), DIRECT, since=dt.date(2024, 7, 1)))
    share.append(_share(rng, ALDER_PD, names.police("WA"), DIRECT, since=dt.date(2024, 9, 1)))
    share.append(_share(rng, ALDER_PD, names.sheriff("ID"), DIRECT, since=dt.date(2025, 2, 1)))

    named = {s.owner for s in share} | {s.recipient for s in share}
    plan.generated_agencies = sorted(named - {a.name for a in plan.agencies})

    plan.snapshots += _snapshots(
        rng, agency=PRAIRIE_PD, state="IL", slug="prairie-junction-il-pd",
        months=[_months_back(AS_OF, back) for back in range(17, -1, -1)],
        cameras=plan.cameras, sharing=share, retention=(30, 14), searches=(350, 950),
    )  # fmt: skip
    plan.snapshots += _snapshots(
        rng, agency=HARBOR_PD, state="CA", slug="harbor-vista-ca-pd",
        months=[_months_back(AS_OF, back) for back in range(15, -1, -3)],
        cameras=plan.cameras, sharing=share, retention=(60, 30), searches=(90, 260),
    )  # fmt: skip
    plan.snapshots += _snapshots(
        rng, agency=ALDER_PD, state="OR", slug="alder-bend-or-pd",
        months=[_months_back(AS_OF, back) for back in range(9, -1, -3)],
        cameras=plan.cameras, sharing=share, retention=(30, 21), searches=(40, 140),
    )  # fmt: skip
    return plan


def demo_present() -> bool:
    """Whether the demo data set has been loaded (its cameras are its marker)."""
    return Camera.objects.filter(source=DEMO_SOURCE).exists()


def demo_counts() -> dict[str, int]:
    """Row counts of the tables the demo fills, for the command's report."""
    return {
        "cities": City.objects.count(),
        "agencies": Agency.objects.count(),
        "cameras": Camera.objects.count(),
        "sharing agreements": SharingAgreement.objects.count(),
        "transparency snapshots": TransparencySnapshot.objects.count(),
        "state law profiles": StateLawProfile.objects.count(),
    }


def _write(plan: DemoPlan) -> None:
    cities: dict[str, City] = {}
    for spec in plan.cities:
        cities[spec.slug], _ = City.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "state": spec.state,
                "population": spec.population,
                "latitude": spec.latitude,
                "longitude": spec.longitude,
                "timezone": spec.timezone,
                "council_body": spec.council_body,
                "clerk_name": spec.clerk_name,
                "clerk_email": f"clerk@{spec.slug}.example.org",
                "clerk_phone": "555-0100",
                "website": _site(spec.slug),
            },
        )

    agencies: dict[str, Agency] = {}
    for agency_spec in plan.agencies:
        agency, created = agency_get_or_create(
            name=agency_spec.name,
            kind=agency_spec.kind,
            state=agency_spec.state,
            home_city=cities.get(agency_spec.home_city) if agency_spec.home_city else None,
        )
        if created and agency_spec.transparency_url:
            agency.transparency_url = agency_spec.transparency_url
            agency.save(update_fields=["transparency_url", "updated_at"])
        agencies[agency_spec.name] = agency
    agencies.update(agency_resolver(names=plan.generated_agencies))

    Camera.objects.bulk_create(
        [
            Camera(
                city=cities[spec.city],
                owner=agencies[spec.owner],
                latitude=spec.latitude,
                longitude=spec.longitude,
                directions=list(spec.directions),
                direction_text=spec.direction_text,
                vendor=spec.vendor,
                camera_type=spec.camera_type,
                status=spec.status,
                installed_on=spec.installed_on,
                planned_on=spec.planned_on,
                removed_on=spec.removed_on,
                address=spec.address,
                source=DEMO_SOURCE,
                source_id=spec.source_id,
                last_verified=spec.last_verified,
            )
            for spec in plan.cameras
        ],
        batch_size=500,
    )

    # Two spellings may resolve to one agency; the first agreement of a (owner, recipient,
    # kind) wins, as the unique constraint would have it.
    agreements: dict[tuple[int, int, str], SharingAgreement] = {}
    for share in plan.sharing:
        owner, recipient = agencies[share.owner], agencies[share.recipient]
        if owner.pk == recipient.pk:
            continue
        agreements.setdefault(
            (owner.pk, recipient.pk, share.kind),
            SharingAgreement(
                owner=owner,
                recipient=recipient,
                kind=share.kind,
                first_seen=share.first_seen,
                last_seen=share.last_seen,
                ended_on=share.ended_on,
                source=DEMO_SOURCE,
            ),
        )
    SharingAgreement.objects.bulk_create(agreements.values(), batch_size=500, ignore_conflicts=True)
    TransparencySnapshot.objects.bulk_create(
        [
            TransparencySnapshot(
                agency=agencies[spec.agency], captured_on=spec.captured_on, **spec.values
            )
            for spec in plan.snapshots
        ],
        ignore_conflicts=True,
    )


def _accounts_ensure() -> list[DemoAccount]:
    """The demo superuser and clerks; existing accounts are left as they are."""
    user_model = get_user_model()
    accounts = []
    admin, created = user_model.objects.get_or_create(
        username="admin",
        defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    accounts.append(DemoAccount("admin", "superuser", created))
    group = clerk_group()
    for username, slug in (("clerk.prairie", MAIN_CITY), ("clerk.harbor", HARBOR_CITY)):
        clerk, created = user_model.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.org", "is_staff": True},
        )
        if created:
            clerk.set_password(DEMO_PASSWORD)
            clerk.save(update_fields=["password"])
            clerk.groups.add(group)
            CityClerk.objects.get_or_create(user=clerk, city=City.objects.get(slug=slug))
        accounts.append(DemoAccount(username, f"clerk of {slug}", created))
    return accounts


@transaction.atomic
def demo_build(*, accounts: bool) -> DemoResult:
    """Load the demo data set once; a second call changes nothing and reports it was there.

    ``accounts`` adds the demo superuser and clerks; callers pass False in production.
    """
    profiles_create_missing(model=StateLawProfile)
    present = demo_present()
    if not present:
        _write(demo_plan())
    demo_accounts = _accounts_ensure() if accounts else []
    return DemoResult(created=not present, counts=demo_counts(), accounts=demo_accounts)
