"""Invented demo hearings and comments for the demo cities (see ``portal/demo.py``).

Prairie Junction IL (pre-moderation) gets a past council hearing on a proposal to remove the
city's cameras, held with outcomes, and an upcoming committee hearing on renewing its sharing
agreement with the county, taking comments now; Harbor Vista CA (post-moderation) gets an
upcoming privacy commission hearing. Comments cover every state (unconfirmed, awaiting
moderation, held, published, rejected, withdrawn).

Deterministic and idempotent: a hearing whose slug exists is left alone with its comments.
Dates are relative to the day the demo is loaded (midnight UTC), so the open hearing is open
whenever the demo is built. Hearings and agendas go through the services (audited as the
system); comments are written directly so loading the demo sends no email. Every demo email
address is at example.org.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass, field
from typing import TextIO, TypedDict

from django.db import transaction
from django.utils import timezone

from cameras.models import Camera
from core.models import Agency, City
from hearings.abuse import email_normalize
from hearings.models import AgendaItem, CityEngagementSettings, Comment, Hearing
from hearings.services.hearings import agenda_item_add, hearing_create

MAIN_CITY = "prairie-junction-il"
HARBOR_CITY = "harbor-vista-ca"

S = Comment.Status
P = Comment.Position


@dataclass(frozen=True)
class CommentSpec:
    name: str
    position: str
    text: str
    status: str = S.PUBLISHED
    resident: bool = True
    speak: bool = False
    reason: str = ""
    held: str = ""


@dataclass(frozen=True)
class ItemSpec:
    title: str
    description: str
    outcome: str = AgendaItem.Outcome.PENDING
    outcome_note: str = ""
    agencies: tuple[str, ...] = ()
    cameras: int = 0
    documents: tuple[tuple[str, str], ...] = ()
    comments: tuple[CommentSpec, ...] = ()


@dataclass(frozen=True)
class HearingSpec:
    city: str
    slug: str
    title: str
    body_kind: str
    body_name: str
    days_from_today: int
    local_time: dt.time
    location: str
    status: str
    items: tuple[ItemSpec, ...] = field(default_factory=tuple)
    minutes_url: str = ""
    opens_days_before: int = 14


class EngagementDefaults(TypedDict):
    """A demo city's ``CityEngagementSettings`` values."""

    moderation_mode: str
    resident_zip_codes: str
    comment_max_length: int
    record_includes_names: bool
    record_includes_addresses: bool


SETTINGS: dict[str, EngagementDefaults] = {
    MAIN_CITY: {
        "moderation_mode": CityEngagementSettings.Moderation.PRE,
        "resident_zip_codes": "60490 60491 60492 60493",
        "comment_max_length": 3000,
        "record_includes_names": True,
        "record_includes_addresses": True,
    },
    HARBOR_CITY: {
        "moderation_mode": CityEngagementSettings.Moderation.POST,
        "resident_zip_codes": "93470 93471",
        "comment_max_length": 2000,
        "record_includes_names": True,
        "record_includes_addresses": False,
    },
}

REMOVAL = HearingSpec(
    city=MAIN_CITY,
    slug="proposal-to-remove-the-citys-license-plate-cameras",
    title="Proposal to remove the city's license plate reader cameras",
    body_kind=Hearing.Body.COUNCIL,
    body_name="City Council",
    days_from_today=-40,
    local_time=dt.time(19, 0),
    location="City Hall, Council Chambers, 100 Junction Blvd",
    status=Hearing.Status.HELD,
    minutes_url="https://prairie-junction-il.example.org/council/minutes/2026-10",
    items=(
        ItemSpec(
            title="Ordinance 2026-41: remove the cameras at the four city entrances",
            description=(
                "Residents petitioned the council to remove the license plate reader cameras "
                "at the city's four entrances. The police department asks to keep them."
            ),
            outcome=AgendaItem.Outcome.CAMERAS_REMOVED,
            outcome_note="Passed 5 to 4: the entrance cameras are to be taken down by January.",
            agencies=("Prairie Junction IL PD",),
            cameras=4,
            documents=(
                (
                    "Ordinance 2026-41 (draft)",
                    "https://prairie-junction-il.example.org/docs/ord-2026-41.pdf",
                ),
                (
                    "Police department memo",
                    "https://prairie-junction-il.example.org/docs/pd-memo.pdf",
                ),
            ),
            comments=(
                CommentSpec(
                    "Rosa Quintero",
                    P.SUPPORT,
                    "These cameras log every car that "
                    "enters the city, mine included, and the data is searched by "
                    "agencies in other states. Take them down.",
                    speak=True,
                ),
                CommentSpec(
                    "Marcus Whitaker",
                    P.OPPOSE,
                    "The cameras helped find a stolen "
                    "car on my street within a day. Please keep them.",
                ),
                CommentSpec(
                    "Keiko Lindgren",
                    P.SUPPORT,
                    "The audit showed searches with "
                    'reasons like "inv" and "test". That is not oversight.',
                ),
                CommentSpec(
                    "Owen Becker",
                    P.NEUTRAL,
                    "Keep them only if every search is published with its reason.",
                    resident=False,
                ),
                CommentSpec("Dana Okafor", P.SUPPORT, "I support removal.", status=S.WITHDRAWN),
                CommentSpec(
                    "Anonymous Coward",
                    P.OPPOSE,
                    "[insult removed by the clerk]",
                    status=S.REJECTED,
                    reason="Personal attack on a council member.",
                ),
            ),
        ),
        ItemSpec(
            title="Resolution 2026-17: leave the National Lookup network",
            description="Stop sharing camera data with every opted-in agency nationwide.",
            outcome=AgendaItem.Outcome.APPROVED,
            outcome_note="Adopted unanimously.",
            agencies=("Prairie Junction IL PD",),
            comments=(
                CommentSpec(
                    "Priya Patel",
                    P.SUPPORT,
                    "Nationwide sharing was never approved "
                    "by this council. Thank you for ending it.",
                ),
                CommentSpec("Hector Reyes", P.SUPPORT, "Good first step.", resident=False),
            ),
        ),
    ),
)

RENEWAL = HearingSpec(
    city=MAIN_CITY,
    slug="renewal-of-the-county-data-sharing-agreement",
    title="Renewal of the camera data sharing agreement with Kestrel County",
    body_kind=Hearing.Body.COMMITTEE,
    body_name="Public Safety Committee",
    days_from_today=9,
    local_time=dt.time(18, 30),
    location="City Hall, Room 204, 100 Junction Blvd",
    status=Hearing.Status.SCHEDULED,
    opens_days_before=12,
    items=(
        ItemSpec(
            title="Renew the ALPR data sharing agreement with the Kestrel County Sheriff",
            description=(
                "The agreement lets the sheriff's office search the city's license plate "
                "reader data and the city search the county's. Staff recommend a two-year "
                "renewal with quarterly audit reports."
            ),
            agencies=("Prairie Junction IL PD", "Kestrel County IL SO"),
            documents=(
                (
                    "Staff report",
                    "https://prairie-junction-il.example.org/docs/sharing-staff-report.pdf",
                ),
                (
                    "Draft agreement",
                    "https://prairie-junction-il.example.org/docs/sharing-agreement-2027.pdf",
                ),
            ),
            comments=(
                CommentSpec(
                    "Grace Haddad",
                    P.OPPOSE,
                    "Renew only with a ban on immigration "
                    "searches written into the agreement, as state law requires.",
                    speak=True,
                ),
                CommentSpec(
                    "Tomás Garcia",
                    P.SUPPORT,
                    "County deputies patrol our roads too; sharing with them makes sense.",
                ),
                CommentSpec(
                    "Imani Osei",
                    P.NEUTRAL,
                    "Please publish the quarterly audits on this portal.",
                    resident=False,
                ),
                CommentSpec(
                    "Leah Novak",
                    P.OPPOSE,
                    "Two years is too long without a review.",
                    status=S.PENDING,
                ),
                CommentSpec(
                    "Farid Iyer",
                    P.OPPOSE,
                    "Say no to mass surveillance!",
                    status=S.PENDING,
                    held=Comment.Held.DUPLICATE,
                ),
                CommentSpec("Sam Tran", P.SUPPORT, "I support the renewal.", status=S.UNCONFIRMED),
                CommentSpec(
                    "Jonas Vance",
                    P.OPPOSE,
                    "Buy my product at example dot com",
                    status=S.REJECTED,
                    reason="Advertising.",
                ),
                CommentSpec(
                    "Nadia Park",
                    P.NEUTRAL,
                    "Withdrawn after reading the audit.",
                    status=S.WITHDRAWN,
                ),
            ),
        ),
        ItemSpec(
            title="Annual report on camera searches and hotlist hits",
            description="The police department presents this year's figures.",
            agencies=("Prairie Junction IL PD",),
            cameras=3,
            comments=(
                CommentSpec(
                    "Elena Castillo",
                    P.NEUTRAL,
                    "Please break the searches down by reason and by requesting agency.",
                ),
            ),
        ),
    ),
)

HARBOR = HearingSpec(
    city=HARBOR_CITY,
    slug="review-of-out-of-state-camera-data-sharing",
    title="Review of camera data sharing with out-of-state agencies",
    body_kind=Hearing.Body.PRIVACY_COMMISSION,
    body_name="Privacy Advisory Commission",
    days_from_today=6,
    local_time=dt.time(17, 0),
    location="Harbor Vista Library, Community Room",
    status=Hearing.Status.SCHEDULED,
    items=(
        ItemSpec(
            title="Sharing with an Arizona agency and U.S. Border Patrol",
            description="California law limits sharing ALPR data outside the state.",
            agencies=("Harbor Vista CA PD",),
            comments=(
                CommentSpec("Carmen Morales", P.OPPOSE, "End the out-of-state sharing now."),
                CommentSpec(
                    "Ben Abbott",
                    P.NEUTRAL,
                    "What did the department's legal review say?",
                    resident=False,
                ),
            ),
        ),
    ),
)

HEARINGS = (REMOVAL, RENEWAL, HARBOR)


def _zip_for(city: str, resident: bool) -> str:
    return SETTINGS[city]["resident_zip_codes"].split()[0] if resident else "60601"


def _email(name: str) -> str:
    return f"{name.lower().replace(' ', '.').replace('á', 'a')}@example.org"


def _settings_ensure(city: City) -> None:
    CityEngagementSettings.objects.get_or_create(city=city, defaults=SETTINGS[city.slug])


def _build_hearing(spec: HearingSpec, city: City, today: dt.datetime) -> Hearing:
    zone = zoneinfo.ZoneInfo(city.timezone)
    day = (today + dt.timedelta(days=spec.days_from_today)).date()
    starts = dt.datetime.combine(day, spec.local_time, tzinfo=zone)
    hearing = hearing_create(
        actor=None,
        city=city,
        title=spec.title,
        starts_at=starts,
        body_kind=spec.body_kind,
        body_name=spec.body_name,
        location=spec.location,
        status=spec.status,
        minutes_url=spec.minutes_url,
        comment_opens_at=starts - dt.timedelta(days=spec.opens_days_before),
    )
    # Fixed slugs keep the demo's URLs stable (and the idempotency check simple).
    Hearing.objects.filter(pk=hearing.pk).update(slug=spec.slug)
    hearing.slug = spec.slug
    for item_spec in spec.items:
        agencies = list(Agency.objects.filter(name__in=item_spec.agencies))
        cameras = list(
            Camera.objects.filter(city=city).order_by("source_id", "pk")[: item_spec.cameras]
        )
        item = agenda_item_add(
            hearing=hearing,
            actor=None,
            title=item_spec.title,
            description=item_spec.description,
            agencies=agencies,
            cameras=cameras,
            documents=list(item_spec.documents),
        )
        if item_spec.outcome != AgendaItem.Outcome.PENDING:
            AgendaItem.objects.filter(pk=item.pk).update(
                outcome=item_spec.outcome, outcome_note=item_spec.outcome_note
            )
        _comments(item, item_spec.comments, city=city, opens=hearing.comment_opens_at)
    return hearing


def _comments(item: AgendaItem, specs, *, city: City, opens: dt.datetime) -> None:
    rows, times = [], []
    latest = timezone.now() - dt.timedelta(hours=1)
    for n, spec in enumerate(specs):
        created = min(opens + dt.timedelta(hours=2 + 7 * n), latest)
        times.append(created)
        confirmed = created + dt.timedelta(minutes=12) if spec.status != S.UNCONFIRMED else None
        email = _email(spec.name)
        rows.append(
            Comment(
                item=item,
                name=spec.name,
                email=email,
                email_normalized=email_normalize(email),
                address_or_zip=_zip_for(city.slug, spec.resident),
                is_resident=spec.resident,
                position=spec.position,
                text=spec.text,
                wants_to_speak=spec.speak,
                consent_public_record=True,
                status=spec.status,
                held_reason=spec.held,
                confirmed_at=confirmed,
                withdrawn_at=created + dt.timedelta(days=1) if spec.status == S.WITHDRAWN else None,
                moderated_at=(
                    created + dt.timedelta(hours=3)
                    if spec.status in {S.PUBLISHED, S.REJECTED}
                    else None
                ),
                rejection_reason=spec.reason,
                text_fingerprint=hashlib.sha256(spec.text.lower().encode()).hexdigest(),
            )
        )
    # auto_now_add stamps "now"; the demo wants a believable timeline.
    for row, created in zip(Comment.objects.bulk_create(rows), times, strict=True):
        Comment.objects.filter(pk=row.pk).update(created_at=created)


@transaction.atomic
def demo_hearings_build(*, stdout: TextIO | None = None) -> int:
    """Add the demo hearings that are missing; returns how many were created."""
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    created = 0
    for spec in HEARINGS:
        city = City.objects.filter(slug=spec.city).first()
        if city is None:
            continue
        _settings_ensure(city)
        if Hearing.objects.filter(city=city, slug=spec.slug).exists():
            continue
        _build_hearing(spec, city, today)
        created += 1
    if stdout is not None:
        stdout.write(f"  hearings: {created} created, {Hearing.objects.count()} in all\n")
    return created
