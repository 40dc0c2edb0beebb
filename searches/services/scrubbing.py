"""Scrubbing stored reasons: the current scrubber, re-scrubbing history, names under review and
clerks' redactions.

A reason's key is derived from its scrubbed text, so scrubbing a stored reason may make it equal
to another one: the two are merged (its searches re-pointed by one UPDATE, the emptied reason
deleted), then the reasons that changed are reclassified and their searches and the search
rollups follow (``searches.services.reclassification``). Re-scrubbing reads the distinct reasons
(a small dictionary next to the searches) in batches; every write is set-based.

Texts that were scrubbed cannot be restored: removing or narrowing a pattern changes only what is
imported from then on.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.utils.translation import gettext as _

from core.models import City
from core.services import ServiceError, audit_record
from core.tasking import task_enqueue_on_commit
from searches.models import Reason, ScrubPattern, Search
from searches.normalize import reason_key
from searches.scrub import (
    NAME_MARKER,
    PatternSpec,
    Scrubber,
    default_scrubber,
    mask_names,
    redact_fragment,
    scrubber_build,
)
from searches.services.reclassification import reasons_classify_pending, searches_apply_reasons

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

BATCH = 2000
Review = Reason.NameReview

# --- the current scrubber -------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[str, Scrubber] = {}


def scrubber_current() -> Scrubber:
    """The active scrub patterns compiled, recompiled only when a pattern was added, changed or
    deleted. With no pattern rows at all (a database not migrated yet) the defaults apply: a
    reason is never stored unscrubbed."""
    stamp = ScrubPattern.objects.aggregate(n=Count("pk"), at=Max("updated_at"), top=Max("pk"))
    key = (stamp["n"], stamp["at"], stamp["top"])
    with _cache_lock:
        cached = _cache.get("scrubber")
        if cached is not None and cached.version == key:
            return cached
    if not stamp["n"]:
        scrubber = dataclasses.replace(default_scrubber(), version=key)
    else:
        specs = [
            PatternSpec(kind=p.kind, pattern=p.pattern, note=p.note, marker=p.marker)
            for p in ScrubPattern.objects.filter(is_active=True).order_by("position", "pk")
        ]
        scrubber = scrubber_build(specs, version=key)
    with _cache_lock:
        _cache["scrubber"] = scrubber
    return scrubber


# --- rewriting reasons ----------------------------------------------------------------------


@dataclasses.dataclass
class Rewrite:
    """The new state of one reason."""

    pk: int
    text: str
    held_text: str
    name_review: str
    key: str


@dataclasses.dataclass
class RewriteResult:
    changed: list[int] = dataclasses.field(default_factory=list)  # rewritten in place
    targets: list[int] = dataclasses.field(default_factory=list)  # reasons others merged into
    merged: dict[int, int] = dataclasses.field(default_factory=dict)  # gone -> kept

    def extend(self, other: RewriteResult) -> None:
        self.changed.extend(other.changed)
        self.targets.extend(other.targets)
        self.merged.update(other.merged)


def _reasons_rewrite(rewrites: Sequence[Rewrite]) -> RewriteResult:
    """Write new texts and keys; a reason whose new key another reason holds is merged into it."""
    result = RewriteResult()
    if not rewrites:
        return result
    ids = {r.pk for r in rewrites}
    holders = dict(
        Reason.objects.filter(key__in={r.key for r in rewrites})
        .exclude(pk__in=ids)
        .values_list("key", "pk")
    )
    in_place: list[Reason] = []
    merges: dict[int, list[int]] = {}
    for r in rewrites:
        target = holders.get(r.key)
        if target is not None and target != r.pk:
            merges.setdefault(target, []).append(r.pk)
            result.merged[r.pk] = target
            continue
        holders[r.key] = r.pk
        in_place.append(
            Reason(
                pk=r.pk, text=r.text, held_text=r.held_text, name_review=r.name_review, key=r.key
            )
        )
    for target, sources in merges.items():
        Search.objects.filter(reason_id__in=sources).update(reason_id=target)
    if result.merged:
        Reason.objects.filter(pk__in=list(result.merged)).delete()
    Reason.objects.bulk_update(
        in_place, ["text", "held_text", "name_review", "key"], batch_size=BATCH
    )
    result.changed = [r.pk for r in in_place]
    result.targets = list(merges)
    return result


def _follow(result: RewriteResult) -> None:
    """Reclassify rewritten reasons; searches and rollups follow them and the merge targets."""
    if result.changed:
        reasons_classify_pending(reason_ids=result.changed)
    touched = [*result.changed, *result.targets]
    if touched:
        searches_apply_reasons(reason_ids=touched)


def _rewrite_for(
    *, base: str, review: str, offense: str, scrubber: Scrubber | None
) -> tuple[Rewrite, Counter]:
    """What a reason becomes after scrubbing (when given) and name detection."""
    found: Counter = Counter()
    if scrubber is not None:
        scrubbed = scrubber.scrub(base)
        base, found = scrubbed.text, scrubbed.found
    text, held = base, ""
    if review in (Review.NONE, Review.PENDING):  # a clerk's release or redaction stands
        masked = mask_names(base)
        review = Review.PENDING if masked else Review.NONE
        if masked:
            text, held = masked, base
    return Rewrite(0, text, held, review, reason_key(base, offense)), found


def _rewrite_reasons(
    queryset: QuerySet, *, scrubber: Scrubber | None
) -> tuple[RewriteResult, Counter]:
    fields = ("pk", "text", "held_text", "name_review", "offense_text", "key")
    result = RewriteResult()
    found: Counter = Counter()
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk).order_by("pk").values_list(*fields)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1][0]
        rewrites: list[Rewrite] = []
        for pk, text, held, review, offense, key in batch:
            rewrite, hits = _rewrite_for(
                base=held or text, review=review, offense=offense, scrubber=scrubber
            )
            found.update(hits)
            rewrite.pk = pk
            if (rewrite.text, rewrite.held_text, rewrite.name_review, rewrite.key) != (
                text, held, review, key,
            ):  # fmt: skip
                rewrites.append(rewrite)
        result.extend(_reasons_rewrite(rewrites))
    return result, found


@transaction.atomic
def reasons_rescrub(*, actor: User | None = None) -> dict[str, int]:
    """Scrub every stored reason with the current patterns and detect names in them again;
    merge reasons that became equal, reclassify, and move the rollup counts.

    Safe to run twice: a second run finds nothing to change. Returns counts for the log.
    """
    result, found = _rewrite_reasons(Reason.objects.all(), scrubber=scrubber_current())
    _follow(result)
    summary = {
        "reasons_changed": len(result.changed),
        "reasons_merged": len(result.merged),
        **{f"found_{kind}": n for kind, n in sorted(found.items())},
    }
    if result.changed or result.merged:
        audit_record(
            actor=actor,
            action="searches.reasons_rescrubbed",
            object_type="searches.reason",
            object_repr=_("%(n)s reasons re-scrubbed") % {"n": len(result.changed)},
            changes=summary,
        )
    return summary


def reasons_hold_names(*, reason_ids: Iterable[int]) -> int:
    """Mask the names found in these (new) reasons until a clerk reviews them; their keys stay.

    Called by the audit loader right after it inserts reasons, before anything reads them.
    Returns how many reasons were held.
    """
    ids = list(reason_ids)
    held: list[Reason] = []
    for start in range(0, len(ids), BATCH):
        rows = Reason.objects.filter(
            pk__in=ids[start : start + BATCH], name_review=Review.NONE
        ).values_list("pk", "text")
        for pk, text in rows:
            masked = mask_names(text)
            if masked:
                held.append(Reason(pk=pk, text=masked, held_text=text, name_review=Review.PENDING))
    Reason.objects.bulk_update(held, ["text", "held_text", "name_review"], batch_size=BATCH)
    return len(held)


# --- clerks ---------------------------------------------------------------------------------


def reasons_viewable(user: User | AnonymousUser | None) -> QuerySet[Reason]:
    """Reasons a user may review: all for superusers; for clerks, those of their cities' audits."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Reason.objects.none()
    if user.is_superuser:
        return Reason.objects.all()
    searches = Search.objects.filter(
        reason=OuterRef("pk"), source_agency__home_city__in=City.objects.get_viewable(user)
    )
    return Reason.objects.filter(Exists(searches))


def _check_scope(actor: User | None, reason: Reason) -> None:
    if not reasons_viewable(actor).filter(pk=reason.pk).exists():
        raise PermissionDenied(_("This reason is not in the audits of a city you manage."))


def _audit(
    *, actor: User | None, action: str, reason: Reason, result: RewriteResult, **changes: object
) -> None:
    kept = result.merged.get(reason.pk, reason.pk)
    # Never the text itself: the audit log must not keep what was redacted.
    audit_record(
        actor=actor,
        action=action,
        object_type="searches.reason",
        object_repr=_("reason #%(pk)s") % {"pk": reason.pk},
        changes={"reason": reason.pk, "kept_as": kept, **changes},
    )


def _rewrite_one(reason: Reason, *, text: str, held: str, review: str) -> RewriteResult:
    base = held or text
    result = _reasons_rewrite(
        [Rewrite(reason.pk, text, held, review, reason_key(base, reason.offense_text))]
    )
    _follow(result)
    return result


@transaction.atomic
def reason_redact(*, actor: User | None, reason: Reason, fragment: str) -> Reason:
    """Replace every occurrence of ``fragment`` in a reason by ``[redacted]`` (a clerk's hand
    redaction), merging it with an equal reason; audited without the fragment. Returns the
    reason that now holds its searches."""
    _check_scope(actor, reason)
    reason = Reason.objects.select_for_update().get(pk=reason.pk)
    base = redact_fragment(reason.base_text, fragment)
    if base == reason.base_text:
        raise ServiceError(_("The reason does not contain that text."))
    review: str
    if reason.name_review == Review.PENDING:
        masked = mask_names(base)
        text, held, review = (masked, base, Review.PENDING) if masked else (base, "", Review.NONE)
    else:
        text, held, review = base, "", reason.name_review
    result = _rewrite_one(reason, text=text, held=held, review=review)
    _audit(
        actor=actor,
        action="searches.reason_redacted",
        reason=reason,
        result=result,
        characters=len(reason.base_text) - len(base) + len("[redacted]"),
    )
    return Reason.objects.get(pk=result.merged.get(reason.pk, reason.pk))


@transaction.atomic
def reason_name_release(*, actor: User | None, reason: Reason) -> Reason:
    """A clerk finds that the masked words name no private person: show the reason in full."""
    _check_scope(actor, reason)
    reason = Reason.objects.select_for_update().get(pk=reason.pk)
    if reason.name_review != Review.PENDING:
        raise ServiceError(_("Only a reason whose name is under review can be released."))
    result = _rewrite_one(reason, text=reason.held_text, held="", review=Review.RELEASED)
    _audit(actor=actor, action="searches.reason_name_released", reason=reason, result=result)
    return Reason.objects.get(pk=reason.pk)


@transaction.atomic
def reason_name_redact(*, actor: User | None, reason: Reason) -> Reason:
    """A clerk confirms a person is named: keep the masked text for good (the name is gone) and
    merge it with an equal reason. Returns the reason that now holds its searches."""
    _check_scope(actor, reason)
    reason = Reason.objects.select_for_update().get(pk=reason.pk)
    if reason.name_review != Review.PENDING:
        raise ServiceError(_("Only a reason whose name is under review can be redacted."))
    masked = mask_names(reason.held_text) or reason.text
    result = _rewrite_one(reason, text=masked, held="", review=Review.REDACTED)
    _audit(
        actor=actor,
        action="searches.reason_name_redacted",
        reason=reason,
        result=result,
        names=masked.count(NAME_MARKER),
    )
    return Reason.objects.get(pk=result.merged.get(reason.pk, reason.pk))


@transaction.atomic
def scrub_patterns_changed(
    *, actor: User | None = None, obj: ScrubPattern | None = None, action: str = "change"
) -> None:
    """Record a change to the scrub patterns and queue the re-scrub of every stored reason."""
    changes: dict[str, object] = {"operation": action}
    if obj is not None:
        changes["object"] = f"scrubpattern:{obj.pk}"
        changes["kind"] = obj.kind
    audit_record(
        actor=actor,
        action="searches.scrub_patterns_changed",
        object_type="searches.scrubpattern",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes,
    )
    task_enqueue_on_commit("searches.tasks.reasons_rescrub")
