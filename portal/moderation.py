"""The clerks' daily moderation digest: what waits for them across the hearings (comments) and
petitions apps, and the city's transparency pages gone stale (cameras), one email per clerk and
city per day."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.selectors import StalePage, page_sources_stale
from core.models import CityClerk
from hearings.models import Comment
from hearings.outbox import email_queue
from petitions.models import Petition


def moderation_digest_send(*, now: dt.datetime | None = None) -> int:
    """Email each city's clerks how many comments and petitions wait for them and which of the
    city's transparency pages have not changed within their expected interval; one email per
    clerk per day however often it runs. Returns how many emails were queued."""
    now = now or timezone.now()
    stale_pages: dict[int, list[StalePage]] = {}
    for page in page_sources_stale(now=now):
        if page.source.agency.home_city_id is not None:
            stale_pages.setdefault(page.source.agency.home_city_id, []).append(page)
    pending_comments = dict(
        Comment.objects.filter(status=Comment.Status.PENDING)
        .values_list("item__hearing__city")
        .annotate(n=Count("pk"))
        .values_list("item__hearing__city", "n")
    )
    pending_petitions = dict(
        Petition.objects.filter(status=Petition.Status.PENDING)
        .values_list("city")
        .annotate(n=Count("pk"))
        .values_list("city", "n")
    )
    city_ids = {c for c, n in {**pending_comments, **pending_petitions}.items() if n}
    city_ids |= set(stale_pages)
    if not city_ids:
        return 0
    queued = 0
    memberships = (
        CityClerk.objects.filter(city_id__in=city_ids, user__is_active=True)
        .exclude(Q(user__email="") | Q(user__email__isnull=True))
        .select_related("user", "city")
        .order_by("city_id", "user_id")
    )
    for membership in memberships:
        city = membership.city
        comments = pending_comments.get(city.pk, 0)
        petitions = pending_petitions.get(city.pk, 0)
        if comments or petitions:
            subject = _("%(city)s: items waiting for moderation") % {"city": city}
        else:
            subject = _("%(city)s: transparency pages gone stale") % {"city": city}
        stale = [
            {
                "agency": page.source.agency.name,
                "since": timezone.localdate(page.since),
                "days": page.source.expected_interval_days,
                "url": settings.PORTAL_SITE_URL
                + reverse("admin:cameras_pagesource_change", args=[page.source.pk]),
            }
            for page in stale_pages.get(city.pk, [])
        ]
        email_queue(
            key=f"digest:{now:%Y-%m-%d}:{city.pk}:{membership.user_id}",
            to=membership.user.email,
            subject=subject,
            template="hearings/email/moderation_digest",
            context={
                "city": city,
                "user": membership.user,
                "comments": comments,
                "petitions": petitions,
                "stale_pages": stale,
                "admin_comments_url": settings.PORTAL_SITE_URL
                + reverse("admin:hearings_comment_changelist")
                + "?status__exact=pending",
            },
            city=city,
        )
        queued += 1
    return queued
