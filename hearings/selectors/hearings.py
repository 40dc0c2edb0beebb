"""Reads of hearings and agendas for pages, feeds, calendars and the API.

Hearings and agendas are public record. Comments reach these reads only through
``hearings.selectors.comments``, which loads published comments and their public columns only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cameras.models import Camera
from core.models import Agency, City
from hearings.models import AgendaDocument, AgendaItem, Comment, Hearing
from searches.selectors.coverage import audited_agency_ids

UPCOMING_LIMIT = 5


def hearing_list(
    *,
    city: City | None = None,
    when: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Hearing]:
    """Hearings, soonest first for ``when="upcoming"`` and latest first otherwise, with their
    agenda size and published comment count."""
    qs = Hearing.objects.select_related("city").annotate(
        item_count=Count("items", distinct=True),
        comment_count=Count(
            "items__comments",
            filter=Q(items__comments__status=Comment.Status.PUBLISHED),
            distinct=True,
        ),
    )
    if city is not None:
        qs = qs.filter(city=city)
    if when == "upcoming":
        qs = qs.upcoming(now).order_by("starts_at", "pk")
    elif when == "past":
        qs = qs.past(now).order_by("-starts_at", "-pk")
    else:
        qs = qs.order_by("-starts_at", "-pk")
    return qs


def hearing_get(*, city_slug: str, slug: str) -> Hearing:
    """One hearing with its agenda, documents, related agencies and cameras; 404 if unknown."""
    items = AgendaItem.objects.order_by("position", "pk").prefetch_related(
        Prefetch("documents", queryset=AgendaDocument.objects.order_by("pk")),
        Prefetch("agencies", queryset=Agency.objects.only("pk", "name", "slug").order_by("name")),
        Prefetch(
            "cameras",
            queryset=Camera.objects.only("pk", "address", "latitude", "longitude", "status"),
        ),
    )
    hearing = (
        Hearing.objects.select_related("city")
        .prefetch_related(Prefetch("items", queryset=items))
        .filter(city__slug=city_slug, slug=slug)
        .first()
    )
    if hearing is None:
        raise Http404("No such hearing")
    return hearing


def hearing_mark_audited_agencies(*, hearing: Hearing) -> None:
    """Set ``has_audit`` on the agencies of a hearing from ``hearing_get``: only an audited
    agency's page has a section on the searches of its cameras to link to (one query)."""
    agencies = [agency for item in hearing.items.all() for agency in item.agencies.all()]
    audited = set(audited_agency_ids(agency_ids={agency.pk for agency in agencies}))
    for agency in agencies:
        # For the template; mypy knows only the attributes the model declares.
        agency.has_audit = agency.pk in audited  # type: ignore[attr-defined]


def city_for_hearings(*, city_slug: str) -> City:
    city = City.objects.filter(slug=city_slug).first()
    if city is None:
        raise Http404("No such city")
    return city


def city_hearings_summary(*, city: City, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the city page shows: the next hearings and those taking comments now."""
    now = now or timezone.now()
    upcoming = list(hearing_list(city=city, when="upcoming", now=now)[:UPCOMING_LIMIT])
    return {
        "city": city,
        "upcoming": upcoming,
        "open_now": [h for h in upcoming if h.comments_open(now)],
        "past_count": Hearing.objects.filter(city=city).past(now).count(),
        "now": now,
    }


def hearings_for_feed(*, city: City, limit: int = 50) -> QuerySet[Hearing]:
    """The city's most recently announced hearings, newest first (Atom feed)."""
    return Hearing.objects.select_related("city").filter(city=city).order_by("-created_at")[:limit]


def hearings_for_calendar(
    *, city: City | None = None, hearing: Hearing | None = None
) -> QuerySet[Hearing]:
    """A city's hearings (or one hearing) with their agenda titles, for a calendar file."""
    qs = Hearing.objects.select_related("city").prefetch_related(
        Prefetch("items", queryset=AgendaItem.objects.only("pk", "hearing_id", "position", "title"))
    )
    if hearing is not None:
        return qs.filter(pk=hearing.pk)
    return qs.filter(city=city).order_by("starts_at", "pk")


def _published(position: str) -> Count:
    return Count("comments", filter=Q(comments__status="published", comments__position=position))


def agenda_item_list() -> QuerySet[AgendaItem]:
    """Agenda items with their published comment tally, in meeting order."""
    qs = (
        AgendaItem.objects.select_related("hearing__city")
        .prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.only("pk", "slug")),
            Prefetch("cameras", queryset=Camera.objects.only("pk")),
            "documents",
        )
        .annotate(**{f"{p}_count": _published(p) for p in Comment.Position.values})
        .order_by("hearing__starts_at", "hearing_id", "position")
    )
    return qs


def upcoming_hearings(
    *, limit: int = UPCOMING_LIMIT, now: dt.datetime | None = None
) -> list[Hearing]:
    """The next hearings in every city, soonest first, as ``/hearings/`` lists them, each with
    ``first_item_id``: the agenda item whose comment form a link can open."""
    first_item = (
        AgendaItem.objects.filter(hearing=OuterRef("pk")).order_by("position", "pk").values("pk")
    )
    return list(
        hearing_list(when="upcoming", now=now).annotate(first_item_id=Subquery(first_item[:1]))[
            :limit
        ]
    )
