"""Reads of comments. Public reads load published comments and only their public columns, so
an email, address or IP hash can't leak into a page, feed or API response by accident; the
clerk's record export is the one read that may load private columns, by the city's rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, QuerySet

from hearings.models import AgendaItem, CityEngagementSettings, Comment, Hearing
from hearings.tokens import token_read

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Token purposes: each signs with its own salt, so a confirm link can never withdraw.
CONFIRM_PURPOSE = "comment-confirm"
WITHDRAW_PURPOSE = "comment-withdraw"

PUBLIC_COMMENT_FIELDS = (
    "pk",
    "item_id",
    "name",
    "is_resident",
    "position",
    "text",
    "wants_to_speak",
    "confirmed_at",
    "created_at",
)
POSITIONS = [value for value, _label in Comment.Position.choices]
RECORD_STATUSES = (Comment.Status.PUBLISHED, Comment.Status.PENDING, Comment.Status.REJECTED)


def comment_from_link(*, token: str, purpose: str, lock: bool = False) -> Comment | None:
    """The comment an emailed link was made for (None once it is gone), locked for update when
    ``lock``; ``TokenInvalid`` for a forged or expired link. Confirm links expire, a withdraw
    link works until the comment window closes."""
    max_age = settings.HEARINGS_CONFIRM_MAX_AGE if purpose == CONFIRM_PURPOSE else None
    pk = token_read(purpose=purpose, token=token, max_age=max_age)
    rows = Comment.objects.select_related("item__hearing__city")
    return (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=pk).first()


def comment_public_list() -> QuerySet[Comment]:
    """Published comments with their public columns only."""
    return (
        Comment.objects.public()
        .select_related("item__hearing__city")
        .only(
            *PUBLIC_COMMENT_FIELDS,
            "item__position",
            "item__title",
            "item__hearing__slug",
            "item__hearing__title",
            "item__hearing__starts_at",
            "item__hearing__city__slug",
            "item__hearing__city__name",
            "item__hearing__city__state",
        )
        .order_by("item__hearing__starts_at", "item__position", "created_at", "pk")
    )


@dataclass
class Tally:
    support: int = 0
    oppose: int = 0
    neutral: int = 0

    @property
    def total(self) -> int:
        return self.support + self.oppose + self.neutral

    def share(self, position: str) -> int:
        """Whole percent of the total, for the bar widths."""
        return round(100 * getattr(self, position) / self.total) if self.total else 0

    def rows(self) -> list[tuple[str, StrOrPromise, int, int]]:
        labels = dict(Comment.Position.choices)
        return [(p, labels[p], getattr(self, p), self.share(p)) for p in POSITIONS]


def comment_tallies(*, items: list[AgendaItem]) -> dict[int, Tally]:
    """Published comments per position for each item, in one grouped query."""
    tallies = {item.pk: Tally() for item in items}
    rows = (
        Comment.objects.public()
        .filter(item__in=list(tallies))
        .values_list("item_id", "position")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item_id, position, n in rows:
        setattr(tallies[item_id], position, n)
    return tallies


@dataclass
class ItemComments:
    item: AgendaItem
    tally: Tally
    comments: list[Comment] = field(default_factory=list)


def hearing_public_comments(*, hearing: Hearing) -> list[ItemComments]:
    """Each agenda item of the hearing with its published comments and tally."""
    items = list(hearing.items.all())
    tallies = comment_tallies(items=items)
    grouped = {item.pk: ItemComments(item=item, tally=tallies[item.pk]) for item in items}
    comments = (
        Comment.objects.public()
        .filter(item__hearing=hearing)
        .only(*PUBLIC_COMMENT_FIELDS)
        .order_by("created_at", "pk")
    )
    for comment in comments:
        grouped[comment.item_id].comments.append(comment)
    return [grouped[item.pk] for item in items]


@dataclass
class RecordGroup:
    position: str
    label: StrOrPromise
    comments: list[Comment]

    @property
    def count(self) -> int:
        return len(self.comments)


@dataclass
class RecordItem:
    item: AgendaItem
    groups: list[RecordGroup]

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)


@dataclass
class HearingRecord:
    hearing: Hearing
    clerk: bool
    include_names: bool
    include_addresses: bool
    items: list[RecordItem]

    @property
    def count(self) -> int:
        return sum(i.count for i in self.items)


def hearing_record(*, hearing: Hearing, clerk: bool = False) -> HearingRecord:
    """The comments of a hearing for the official record, by agenda item and position.

    The public record holds published comments only, with public columns. The clerk's record
    also holds comments awaiting moderation and rejected ones (marked as such), with names and
    addresses as the city's settings say. Neither ever holds an email address or IP hash.
    """
    rules = CityEngagementSettings.objects.for_city(hearing.city)
    include_names = rules.record_includes_names or not clerk
    include_addresses = clerk and rules.record_includes_addresses
    if clerk:
        fields = [*PUBLIC_COMMENT_FIELDS, "status", "rejection_reason", "moderated_at"]
        if include_addresses:
            fields.append("address_or_zip")
        qs = Comment.objects.filter(item__hearing=hearing, status__in=RECORD_STATUSES)
    else:
        fields = list(PUBLIC_COMMENT_FIELDS)
        qs = Comment.objects.public().filter(item__hearing=hearing)
    by_item: dict[int, dict[str, list[Comment]]] = {}
    for comment in qs.only(*fields).order_by("created_at", "pk"):
        by_item.setdefault(comment.item_id, {}).setdefault(comment.position, []).append(comment)
    labels = dict(Comment.Position.choices)
    items = [
        RecordItem(
            item=item,
            groups=[
                RecordGroup(
                    position=p, label=labels[p], comments=by_item.get(item.pk, {}).get(p, [])
                )
                for p in POSITIONS
            ],
        )
        for item in hearing.items.order_by("position", "pk")
    ]
    return HearingRecord(
        hearing=hearing,
        clerk=clerk,
        include_names=include_names,
        include_addresses=include_addresses,
        items=items,
    )
