"""Invented demo petitions for the demo cities (see ``portal/demo.py``).

Deterministic (one seeded random generator) and idempotent: a petition whose slug exists is
left alone with its signatures. Rows are written directly, not through the services, so that
loading the demo sends no email; the counts are then recomputed from the confirmed rows.
Dates are relative to the day the demo is loaded, so the open petition is open whenever it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from core.models import City
from hearings.abuse import email_normalize
from hearings.models import Hearing
from petitions.models import Petition, Signature
from petitions.services import petition_count_recompute

SEED = 4242
MAIN_CITY = "prairie-junction-il"
HARBOR_CITY = "harbor-vista-ca"

FIRST_NAMES = [
    "Jordan", "Maya", "Luis", "Priya", "Sam", "Alexis", "Dana", "Kwame", "Mei", "Tomás",
    "Aisha", "Ben", "Carmen", "Devon", "Elena", "Farid", "Grace", "Hector", "Imani", "Jonas",
    "Keiko", "Leah", "Marcus", "Nadia", "Owen", "Paula", "Quinn", "Rosa", "Tariq", "Yara",
]  # fmt: skip
LAST_NAMES = [
    "Ellis", "Okafor", "Nguyen", "Patel", "Kowalski", "Garcia", "Brennan", "Haddad", "Lindgren",
    "Morales", "Novak", "Osei", "Park", "Quintero", "Reyes", "Schultz", "Tran", "Vance",
    "Whitaker", "Zhang", "Abbott", "Becker", "Castillo", "Dubois", "Fischer", "Iyer",
]  # fmt: skip
COMMENTS = [
    "Our data should stay in Illinois.",
    "I did not agree to be tracked by agencies in other states.",
    "Illinois law already forbids immigration searches; enforce it.",
    "Share less, audit more.",
    "I drive past these cameras every day on the way to work.",
    "",
    "",
]


@dataclass(frozen=True)
class SignerPlan:
    confirmed: int
    unconfirmed: int
    withdrawn: int
    # ZIP code -> weight; the weights set how the signatures spread across ZIP codes.
    zips: dict[str, int]
    public_share: float


@dataclass(frozen=True)
class PetitionPlan:
    city: str
    slug: str
    title: str
    action: str
    background: str
    creator_name: str
    status: str
    goal: int
    opened_days_ago: int | None
    runs_days: int
    signers: SignerPlan | None = None
    response: str = ""
    hearing_words: tuple[str, ...] = field(default_factory=tuple)


PLANS = [
    PetitionPlan(
        city=MAIN_CITY,
        slug="end-out-of-state-camera-data-sharing",
        title="End Prairie Junction's camera data sharing with out-of-state agencies",
        action=(
            "End every agreement that lets police agencies outside Illinois, and federal "
            "agencies, search the data of Prairie Junction's license plate reader cameras."
        ),
        background=(
            "The portal's sharing records show that hundreds of agencies in other states can "
            "search our city's cameras. Illinois law forbids using this data for immigration "
            "enforcement, yet the city cannot check how agencies elsewhere use it.\n\n"
            "Keeping the data in Illinois is the only way to make sure the law is followed."
        ),
        creator_name="Marisol Vega",
        status=Petition.Status.OPEN,
        goal=250,
        opened_days_ago=30,
        runs_days=90,
        signers=SignerPlan(
            confirmed=131,
            unconfirmed=4,
            withdrawn=3,
            zips={"60490": 9, "60491": 7, "60492": 5, "60493": 3, "60601": 1, "60431": 1},
            public_share=0.3,
        ),
    ),
    PetitionPlan(
        city=MAIN_CITY,
        slug="publish-monthly-alpr-search-audits",
        title="Publish the police department's camera search audits every month",
        action=(
            "Publish, every month, the audit log of searches run on the city's license plate "
            "reader cameras, with each search's stated reason."
        ),
        background=(
            "Audits from other cities showed searches with reasons such as 'ICE' and vague "
            "ones such as 'investigation'. Residents should be able to see why our cameras "
            "are searched."
        ),
        creator_name="Jordan Ellis",
        status=Petition.Status.RESPONDED,
        goal=100,
        # Closes before the demo's past hearing (about 40 days ago), where it is presented.
        opened_days_ago=140,
        runs_days=90,
        signers=SignerPlan(
            confirmed=118,
            unconfirmed=2,
            withdrawn=2,
            zips={"60490": 5, "60491": 4, "60492": 3, "60493": 1},
            public_share=0.25,
        ),
        response=(
            "The City Council thanks the 118 residents who signed. On the police chief's "
            "recommendation the Council directed the department to publish a monthly summary "
            "of camera searches, by stated reason, on the city website starting next quarter, "
            "and to report any search for immigration enforcement to the Council."
        ),
        hearing_words=("remov", "camera"),
    ),
    PetitionPlan(
        city=MAIN_CITY,
        slug="council-approval-for-new-cameras",
        title="Require a council vote before any new camera is installed",
        action="Require a public Council vote before any new license plate reader is installed.",
        background=(
            "Six cameras went up last year without a public hearing. A vote makes the decision "
            "public and lets residents speak first."
        ),
        creator_name="Priya Iyer",
        status=Petition.Status.PENDING,
        goal=100,
        opened_days_ago=None,
        runs_days=90,
    ),
    PetitionPlan(
        city=HARBOR_CITY,
        slug="remove-marina-plate-readers",
        title="Remove the plate readers at the Harbor Vista marina",
        action="Remove the two license plate readers installed at the marina parking lot.",
        background="The marina cameras record every visitor to the public beach.",
        creator_name="Luis Castillo",
        status=Petition.Status.OPEN,
        goal=150,
        opened_days_ago=12,
        runs_days=60,
        signers=SignerPlan(
            confirmed=23, unconfirmed=1, withdrawn=0, zips={"93470": 3, "93471": 1},
            public_share=0.4,
        ),
    ),
]  # fmt: skip


def _hearing_for(city: City, words: tuple[str, ...]) -> Hearing | None:
    """The demo hearing the petition was presented at: a held one whose title has the words."""
    hearings = Hearing.objects.filter(city=city).order_by("starts_at")
    for word in words:
        hearings = hearings.filter(title__icontains=word)
    return hearings.filter(status=Hearing.Status.HELD).first() or hearings.first()


def _signatures(
    rng: random.Random, petition: Petition, plan: SignerPlan, *, opened: dt.datetime, until
) -> list[Signature]:
    zips, weights = zip(*plan.zips.items(), strict=True)
    span = max(1, int((until - opened).total_seconds()))
    rows: list[Signature] = []
    statuses = (
        [Signature.Status.CONFIRMED] * plan.confirmed
        + [Signature.Status.UNCONFIRMED] * plan.unconfirmed
        + [Signature.Status.WITHDRAWN] * plan.withdrawn
    )
    for n, status in enumerate(statuses):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        email = f"signer{n}.{petition.slug[:12]}@example.org"
        at = opened + dt.timedelta(seconds=rng.randrange(span))
        shown = status == Signature.Status.CONFIRMED and rng.random() < plan.public_share
        rows.append(
            Signature(
                petition=petition,
                name=name,
                email=email,
                email_normalized=email_normalize(email),
                zip_code=rng.choices(zips, weights=weights)[0],
                show_name=shown,
                public_comment=rng.choice(COMMENTS) if shown else "",
                status=status,
                confirmed_at=at if status == Signature.Status.CONFIRMED else None,
                withdrawn_at=at if status == Signature.Status.WITHDRAWN else None,
            )
        )
    return rows


def _responded_at(plan: PetitionPlan, ends, hearing: Hearing | None) -> dt.datetime | None:
    if not plan.response or ends is None:
        return None
    # The body answers a week after the hearing it was presented at, or three after closing.
    if hearing is not None:
        return max(ends, hearing.starts_at) + dt.timedelta(days=7)
    return ends + dt.timedelta(days=21)


def _build_one(rng: random.Random, plan: PetitionPlan, city: City, now: dt.datetime) -> Petition:
    opened = now - dt.timedelta(days=plan.opened_days_ago) if plan.opened_days_ago else None
    ends = opened + dt.timedelta(days=plan.runs_days) if opened else None
    finished = plan.status in {Petition.Status.CLOSED, Petition.Status.RESPONDED}
    hearing = _hearing_for(city, plan.hearing_words) if plan.hearing_words else None
    petition = Petition.objects.create(
        city=city,
        slug=plan.slug,
        title=plan.title,
        action=plan.action,
        background=plan.background,
        target_body=city.council_body or "City Council",
        creator_name=plan.creator_name,
        creator_email=f"{plan.slug[:20]}.creator@example.org",
        creator_email_normalized=email_normalize(f"{plan.slug[:20]}.creator@example.org"),
        creator_confirmed_at=(opened or now) - dt.timedelta(days=2),
        status=plan.status,
        signature_goal=plan.goal,
        opens_at=opened,
        ends_at=ends,
        closed_at=ends if finished else None,
        hearing=hearing,
        delivered_at=hearing.starts_at if hearing else None,
        response=plan.response,
        responded_at=_responded_at(plan, ends, hearing),
    )
    if plan.signers is not None:
        assert opened is not None  # only published plans have signers
        until = min(now, ends) if ends else now
        Signature.objects.bulk_create(
            _signatures(rng, petition, plan.signers, opened=opened, until=until), batch_size=500
        )
    return petition


@transaction.atomic
def demo_petitions_build(*, stdout: TextIO | None = None) -> int:
    """Load the demo petitions that are missing; returns how many were created."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    cities = {c.slug: c for c in City.objects.filter(slug__in={p.city for p in PLANS})}
    created: list[Petition] = []
    for plan in PLANS:
        city = cities.get(plan.city)
        if city is None or Petition.objects.filter(slug=plan.slug).exists():
            continue
        # One generator per petition: the rows don't depend on which others exist already.
        rng = random.Random(f"{SEED}-{plan.slug}")
        created.append(_build_one(rng, plan, city, now))
    petition_count_recompute(petitions=created)
    if stdout is not None:
        stdout.write(
            f"  petitions: {Petition.objects.count()} ({len(created)} new), "
            f"signatures: {Signature.objects.count()}\n"
        )
    return len(created)
