"""What waits for a clerk, for the admin's home page: comments and petitions to review, imports
that failed, audit sources whose last fetch failed and transparency pages gone stale, each
scoped to the clerk's cities the way its own admin list is (``scope_queryset``); superusers see
every city.

It composes several apps (hearings, imports, searches, cameras), so it lives with the project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cameras.models import PageFetch, PageSource
from cameras.selectors import page_sources_stale
from core.admin_scoping import scope_queryset
from core.models import ImportJob
from hearings.models import Comment
from petitions.models import Petition
from searches.models import AuditFetch, AuditSource

# Rows each block lists under its count; the count's link opens the full list.
ROWS_SHOWN = 5
# Failed imports older than this are history, not work.
FAILED_IMPORT_DAYS = 30


@dataclass(frozen=True)
class DashboardRow:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class DashboardBlock:
    key: str
    title: str
    count: int
    url: str
    empty: str
    rows: list[DashboardRow] = field(default_factory=list)


def _admin_url(model, view: str = "changelist", *, query: dict | None = None, pk=None) -> str:
    opts = model._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[pk] if pk is not None else []
    )
    return f"{url}?{urlencode(query)}" if query else url


def _can_view(user, model) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def _comments(user) -> DashboardBlock:
    pending = scope_queryset(
        Comment.objects.filter(status=Comment.Status.PENDING), user=user
    ).select_related("item__hearing")
    rows = [
        DashboardRow(
            label=Truncator(comment.text).chars(70),
            url=_admin_url(Comment, "change", pk=comment.pk),
            detail=Truncator(comment.item.hearing.title).chars(50)
            + (f" · {comment.get_held_reason_display()}" if comment.held_reason else ""),
        )
        for comment in pending.order_by("created_at", "pk")[:ROWS_SHOWN]
    ]
    return DashboardBlock(
        key="comments",
        title=_("Comments awaiting moderation"),
        count=pending.count(),
        url=_admin_url(Comment, query={"status__exact": Comment.Status.PENDING}),
        empty=_("No comment waits for you."),
        rows=rows,
    )


def _petitions(user) -> DashboardBlock:
    pending = scope_queryset(
        Petition.objects.filter(status=Petition.Status.PENDING), user=user
    ).select_related("city")
    rows = [
        DashboardRow(
            label=petition.title,
            url=_admin_url(Petition, "change", pk=petition.pk),
            detail=str(petition.city),
        )
        for petition in pending.order_by("created_at", "pk")[:ROWS_SHOWN]
    ]
    return DashboardBlock(
        key="petitions",
        title=_("Petitions to review"),
        count=pending.count(),
        url=_admin_url(Petition, query={"status__exact": Petition.Status.PENDING}),
        empty=_("No petition waits for review."),
        rows=rows,
    )


def _failed_imports(user, *, now: dt.datetime) -> DashboardBlock:
    since = now - dt.timedelta(days=FAILED_IMPORT_DAYS)
    failed = scope_queryset(
        ImportJob.objects.filter(status=ImportJob.Status.FAILED, created_at__gte=since),
        user=user,
        city_field="city",
        owner_field="created_by",
    ).select_related("city")
    rows = [
        DashboardRow(
            label=f"#{job.pk} {job.get_kind_display()}: {job.original_name or '—'}",
            url=_admin_url(ImportJob, "change", pk=job.pk),
            detail=Truncator(job.error).chars(90),
        )
        for job in failed.order_by("-created_at", "-pk")[:ROWS_SHOWN]
    ]
    return DashboardBlock(
        key="imports",
        title=_("Imports failed in the last %(days)d days") % {"days": FAILED_IMPORT_DAYS},
        count=failed.count(),
        url=_admin_url(ImportJob, query={"status__exact": ImportJob.Status.FAILED}),
        empty=_("No import failed."),
        rows=rows,
    )


def _failing_sources(user) -> DashboardBlock:
    latest = AuditFetch.objects.filter(source=OuterRef("pk")).order_by("-started_at", "-pk")
    failing = (
        scope_queryset(
            AuditSource.objects.filter(is_active=True), user=user, city_field="agency__home_city"
        )
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_error=Subquery(latest.values("error")[:1]),
        )
        .filter(last_status=AuditFetch.Status.FAILED)
        .select_related("agency")
    )
    rows = [
        DashboardRow(
            label=str(source.agency),
            url=_admin_url(AuditSource, "change", pk=source.pk),
            detail=Truncator(source.last_error).chars(90),
        )
        for source in failing.order_by("agency__name", "pk")[:ROWS_SHOWN]
    ]
    return DashboardBlock(
        key="sources",
        title=_("Audit sources whose last fetch failed"),
        count=failing.count(),
        url=_admin_url(AuditFetch, query={"status__exact": AuditFetch.Status.FAILED}),
        empty=_("Every active audit source fetched without error."),
        rows=rows,
    )


def _stale_pages(user, *, now: dt.datetime) -> DashboardBlock:
    stale = page_sources_stale(user=user, now=now)
    rows = []
    for page in stale[:ROWS_SHOWN]:
        since = date_format(timezone.localtime(page.since), "DATE_FORMAT")
        detail = _("unchanged since %(date)s") % {"date": since}
        if page.last_status:
            status = PageFetch.Status(page.last_status).label
            detail += f" · {status}" + (
                f": {Truncator(page.last_reason).chars(70)}" if page.last_reason else ""
            )
        rows.append(
            DashboardRow(
                label=str(page.source.agency),
                url=_admin_url(PageSource, "change", pk=page.source.pk),
                detail=detail,
            )
        )
    return DashboardBlock(
        key="pages",
        title=_("Transparency pages not updated within their expected interval"),
        count=len(stale),
        url=_admin_url(PageSource, query={"is_active__exact": 1}),
        empty=_("Every active transparency page changed within its expected interval."),
        rows=rows,
    )


def clerk_dashboard(*, user, now: dt.datetime | None = None) -> list[DashboardBlock]:
    """The blocks of work waiting for ``user`` in their cities, those they may view only."""
    now = now or timezone.now()
    blocks = []
    if _can_view(user, Comment):
        blocks.append(_comments(user))
    if _can_view(user, Petition):
        blocks.append(_petitions(user))
    if _can_view(user, ImportJob):
        blocks.append(_failed_imports(user, now=now))
    if _can_view(user, AuditSource):
        blocks.append(_failing_sources(user))
    if _can_view(user, PageSource):
        blocks.append(_stale_pages(user, now=now))
    return blocks
