"""Writes to hearings and their agendas, each checking the clerk's city and writing an audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_city_manager
from core.audit import audit_diff, audit_value
from core.models import City
from core.services import ServiceError, audit_record
from core.slugs import unique_slug
from hearings.models import AgendaItem, CityEngagementSettings, Hearing

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from cameras.models import Camera
    from core.models import Agency

# Hearings' services pass ``system=True`` to the city check: ``actor=None`` is the system itself
# (demo data, management commands).
HEARING_FIELDS = (
    "body_kind",
    "body_name",
    "title",
    "starts_at",
    "location",
    "status",
    "minutes_url",
    "comment_opens_at",
    "comment_closes_at",
    "window_extended",
)


def hearing_window_default(*, city: City, starts_at: dt.datetime) -> dt.datetime:
    """When comments close by default: the city's close hours before the meeting."""
    hours = CityEngagementSettings.objects.for_city(city).comment_close_hours
    return starts_at - dt.timedelta(hours=hours)


def _snapshot(hearing: Hearing) -> dict[str, Any]:
    """The audited values of a hearing's editable fields."""
    values: dict[str, Any] = {}
    for name in HEARING_FIELDS:
        field = Hearing._meta.get_field(name)
        assert isinstance(field, models.Field)  # HEARING_FIELDS are the hearing's own columns
        values[name] = audit_value(hearing, field)
    return values


def _check_window(hearing: Hearing) -> None:
    hearing_window_check(
        starts_at=hearing.starts_at,
        opens_at=hearing.comment_opens_at,
        closes_at=hearing.comment_closes_at,
        extended=hearing.window_extended,
    )


def hearing_window_check(
    *, starts_at: dt.datetime, opens_at: dt.datetime, closes_at: dt.datetime, extended: bool
) -> None:
    """Raise ``ServiceError`` unless comments open before they close and close by the start
    of the meeting (later only when the clerk extended the window)."""
    if timezone.is_naive(starts_at):
        raise ServiceError(_("The start time needs a time zone."))
    if opens_at >= closes_at:
        raise ServiceError(_("Comments must open before they close."))
    if closes_at > starts_at and not extended:
        raise ServiceError(
            _(
                "Comments must close by the start of the meeting; tick “comment window "
                "extended” to keep them open longer."
            )
        )


@transaction.atomic
def hearing_create(
    *,
    actor: User | None,
    city: City,
    title: str,
    starts_at: dt.datetime,
    body_kind: str = Hearing.Body.COUNCIL,
    body_name: str = "",
    location: str = "",
    status: str = Hearing.Status.SCHEDULED,
    minutes_url: str = "",
    comment_opens_at: dt.datetime | None = None,
    comment_closes_at: dt.datetime | None = None,
    window_extended: bool = False,
) -> Hearing:
    """Schedule a hearing; comments open now and close the city's default hours before it
    unless given."""
    require_city_manager(actor, city, system=True)
    closes = comment_closes_at or hearing_window_default(city=city, starts_at=starts_at)
    opens = comment_opens_at or min(timezone.now(), closes - dt.timedelta(hours=1))
    hearing = Hearing(
        city=city,
        title=title.strip(),
        slug=unique_slug(
            f"{starts_at:%Y-%m-%d} {title}",
            scope=Hearing.objects.filter(city=city),
            fallback="hearing",
            max_length=200,
        ),
        starts_at=starts_at,
        body_kind=body_kind,
        body_name=body_name.strip(),
        location=location.strip(),
        status=status,
        minutes_url=minutes_url,
        comment_opens_at=opens,
        comment_closes_at=closes,
        window_extended=window_extended,
    )
    _check_window(hearing)
    hearing.save()
    audit_record(
        actor=actor,
        action="hearing.create",
        obj=hearing,
        city=city,
        changes=audit_diff(before=None, after=_snapshot(hearing)),
    )
    return hearing


@transaction.atomic
def hearing_update(*, hearing: Hearing, actor: User | None, **fields: Any) -> Hearing:
    """Change a hearing's fields (``HEARING_FIELDS``); a new start time moves a default comment
    close time with it."""
    unknown = set(fields) - set(HEARING_FIELDS)
    if unknown:
        raise ServiceError(f"unknown hearing fields: {sorted(unknown)}")
    hearing = Hearing.objects.select_for_update().select_related("city").get(pk=hearing.pk)
    require_city_manager(actor, hearing.city, system=True)
    before = _snapshot(hearing)
    old_default = hearing_window_default(city=hearing.city, starts_at=hearing.starts_at)
    for name, value in fields.items():
        setattr(hearing, name, value.strip() if isinstance(value, str) else value)
    if (
        "starts_at" in fields
        and "comment_closes_at" not in fields
        and hearing.comment_closes_at == old_default
    ):
        hearing.comment_closes_at = hearing_window_default(
            city=hearing.city, starts_at=hearing.starts_at
        )
    _check_window(hearing)
    hearing.save()
    after = _snapshot(hearing)
    changes = audit_diff(before=before, after=after)
    if changes:
        audit_record(
            actor=actor, action="hearing.update", obj=hearing, city=hearing.city, changes=changes
        )
    return hearing


@transaction.atomic
def agenda_item_set_outcome(
    *, item: AgendaItem, actor: User | None, outcome: str, note: str = ""
) -> AgendaItem:
    """Record what the body decided on an agenda item."""
    item = AgendaItem.objects.select_for_update().select_related("hearing__city").get(pk=item.pk)
    require_city_manager(actor, item.hearing.city, system=True)
    if outcome not in AgendaItem.Outcome.values:
        raise ServiceError(_("Unknown outcome."))
    before = {"outcome": item.outcome, "note": item.outcome_note}
    item.outcome, item.outcome_note = outcome, note.strip()
    item.save(update_fields=["outcome", "outcome_note"])
    audit_record(
        actor=actor,
        action="agenda_item.outcome",
        obj=item,
        city=item.hearing.city,
        changes=audit_diff(before=before, after={"outcome": outcome, "note": item.outcome_note}),
    )
    return item


@transaction.atomic
def agenda_item_add(
    *,
    hearing: Hearing,
    actor: User | None,
    title: str,
    description: str = "",
    position: int | None = None,
    agencies: Iterable[Agency] = (),
    cameras: Iterable[Camera] = (),
    documents: Iterable[tuple[str, str]] = (),
) -> AgendaItem:
    """Add an item to a hearing's agenda (at the end unless ``position`` is given), with its
    related agencies and cameras and (title, url) documents."""
    require_city_manager(actor, hearing.city, system=True)
    if position is None:
        last = hearing.items.order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 1
    elif hearing.items.filter(position=position).exists():
        raise ServiceError(_("Another agenda item already has that position."))
    item = AgendaItem.objects.create(
        hearing=hearing, position=position, title=title.strip(), description=description.strip()
    )
    item.agencies.set(agencies)
    item.cameras.set(cameras)
    for doc_title, url in documents:
        item.documents.create(title=doc_title, url=url)
    audit_record(
        actor=actor,
        action="agenda_item.create",
        obj=item,
        city=hearing.city,
        changes=audit_diff(
            before=None,
            after={"hearing": hearing.pk, "position": position, "title": item.title},
        ),
    )
    return item
