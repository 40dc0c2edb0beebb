"""Public comment: submit, confirm by email, withdraw, moderate, and the clerks' daily digest.

A comment counts only once its author follows the signed link emailed to them. Confirmed
comments wait for a clerk (pre-moderation) or are published at once (post-moderation), except
those held as duplicates or bursts, which always wait for a clerk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_city_manager
from core.audit import audit_diff
from core.services import ServiceError, audit_record
from hearings.abuse import (
    RateLimited,
    email_normalize,
    ip_hash,
    rate_limit_check,
)
from hearings.models import AgendaItem, CityEngagementSettings, Comment, Hearing
from hearings.outbox import EmailLink, email_queue
from hearings.selectors.comments import CONFIRM_PURPOSE, WITHDRAW_PURPOSE, comment_from_link
from hearings.tokens import link_actor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

MAX_NAME_LENGTH = 120
MAX_ADDRESS_LENGTH = 255


class CommentError(ServiceError):
    """A comment refused for a reason the commenter should see."""


class CommentWindowClosed(CommentError):
    """The hearing does not take comments now (not open yet, closed or cancelled)."""


def _fingerprint(text: str) -> str:
    # Form letters differ in case, spacing and punctuation; those don't make them distinct.
    squashed = re.sub(r"[\W_]+", " ", text.lower()).strip()
    return hashlib.sha256(squashed.encode()).hexdigest()


def _require_open(hearing: Hearing, now: dt.datetime | None = None) -> None:
    state = hearing.window_state(now)
    if state == "open":
        return
    if state == "not_open":
        raise CommentWindowClosed(_("Comments on this hearing are not open yet."))
    if state == "cancelled":
        raise CommentWindowClosed(_("This hearing was cancelled; it takes no comments."))
    raise CommentWindowClosed(_("The comment period for this hearing has closed."))


def comment_links(comment: Comment) -> dict[str, EmailLink]:
    """Absolute confirm and withdraw links for one comment's emails, signed when sent."""
    return {
        "confirm_url": EmailLink(
            url_name="hearings:comment-confirm",
            purpose=CONFIRM_PURPOSE,
            pk=comment.pk,
            absolute=True,
        ),
        "withdraw_url": EmailLink(
            url_name="hearings:comment-withdraw",
            purpose=WITHDRAW_PURPOSE,
            pk=comment.pk,
            absolute=True,
        ),
    }


def _email_context(comment: Comment) -> dict:
    hearing = comment.item.hearing
    return {
        "comment": comment,
        "item": comment.item,
        "hearing": hearing,
        "city": hearing.city,
        "closes_at": timezone.localtime(hearing.comment_closes_at, hearing.tz),
        "hearing_url": settings.PORTAL_SITE_URL + hearing.get_absolute_url(),
        **comment_links(comment),
    }


def _validated(
    *, name: str, email: str, address: str, position: str, text: str, max_length: int
) -> dict:
    name, email, address, text = name.strip(), email.strip(), address.strip(), text.strip()
    errors = {}
    if not name:
        errors["name"] = _("Please give your name.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Please shorten your name.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Please give a valid email address.")
    if not address:
        errors["address"] = _("Please give your ZIP code or street address.")
    elif len(address) > MAX_ADDRESS_LENGTH:
        errors["address"] = _("Please shorten the address.")
    if position not in Comment.Position.values:
        errors["position"] = _("Please choose support, oppose or neutral.")
    if not text:
        errors["text"] = _("Please write your comment.")
    elif len(text) > max_length:
        errors["text"] = _("Comments are limited to %(n)s characters.") % {"n": max_length}
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email, "address": address, "text": text}


def _held_reason(*, hearing: Hearing, fingerprint: str, ip_digest: str) -> str:
    """Why a new comment should wait for a clerk whatever the city's moderation mode."""
    since = timezone.now() - dt.timedelta(seconds=settings.HEARINGS_DUPLICATE_TEXT_WINDOW)
    same_text = Comment.objects.filter(
        item__hearing=hearing, text_fingerprint=fingerprint, created_at__gte=since
    ).count()
    if same_text + 1 >= settings.HEARINGS_DUPLICATE_TEXT_LIMIT:
        return Comment.Held.DUPLICATE
    try:
        rate_limit_check(scope="comment_burst", key=ip_digest)
    except RateLimited:
        return Comment.Held.BURST
    return Comment.Held.NONE


def _queue_confirmation(comment: Comment, *, resend: bool) -> None:
    email_queue(
        key=f"comment:{comment.pk}:confirm",
        to=comment.email,
        subject=_("Confirm your comment on “%(title)s”") % {"title": comment.item.hearing.title},
        template="hearings/email/comment_confirm",
        context=_email_context(comment),
        city=comment.item.hearing.city,
        resend=resend,
    )


def _queue_already_commented(comment: Comment) -> None:
    # One reminder per comment per day: enough to recover the withdraw link, not a mail cannon.
    email_queue(
        key=f"comment:{comment.pk}:already:{timezone.now():%Y-%m-%d}",
        to=comment.email,
        subject=_("You already commented on “%(title)s”") % {"title": comment.item.title},
        template="hearings/email/comment_already",
        context=_email_context(comment),
        city=comment.item.hearing.city,
    )


@transaction.atomic
def comment_submit(
    *,
    item: AgendaItem,
    name: str,
    email: str,
    address: str,
    position: str,
    text: str,
    wants_to_speak: bool,
    consent: bool,
    ip: str,
) -> Comment:
    """Record a comment and email its confirmation link.

    A repeat while the first is unconfirmed updates it and re-sends the link; a repeat after
    confirmation emails the author that they already commented (with the withdraw link). The
    caller shows the same "check your email" answer in every case, so the form never reveals
    whether an address has commented. Raises ``CommentWindowClosed``, ``CommentError``,
    ``ValidationError`` (field errors) or ``RateLimited``.
    """
    hearing = Hearing.objects.select_related("city").get(pk=item.hearing_id)
    _require_open(hearing)
    if not consent:
        raise CommentError(_("Your comment can only be received for the public record."))
    rules = CityEngagementSettings.objects.for_city(hearing.city)
    clean = _validated(
        name=name,
        email=email,
        address=address,
        position=position,
        text=text,
        max_length=rules.comment_max_length,
    )
    normalized = email_normalize(clean["email"])
    ip_digest = ip_hash(ip)
    rate_limit_check(scope="comment_ip", key=ip_digest)
    rate_limit_check(scope="comment_email", key=normalized)
    fingerprint = _fingerprint(clean["text"])
    values = {
        "name": clean["name"],
        "email": clean["email"],
        "address_or_zip": clean["address"],
        "is_resident": rules.is_resident(clean["address"]),
        "position": position,
        "text": clean["text"],
        "wants_to_speak": bool(wants_to_speak),
        "consent_public_record": True,
        "text_fingerprint": fingerprint,
        "ip_hash": ip_digest,
    }

    existing = (
        Comment.objects.select_for_update()
        .live()
        .filter(item=item, email_normalized=normalized)
        .first()
    )
    if existing is None:
        held = _held_reason(hearing=hearing, fingerprint=fingerprint, ip_digest=ip_digest)
        try:
            with transaction.atomic():
                comment = Comment.objects.create(
                    item=item, email_normalized=normalized, held_reason=held, **values
                )
        except IntegrityError:
            # The same person submitted twice at once; the other request's row wins.
            existing = Comment.objects.live().get(item=item, email_normalized=normalized)
        else:
            audit_record(
                action="comment.submit",
                obj=comment,
                city=hearing.city,
                changes=audit_diff(
                    before=None, after={"item": item.pk, "position": position, "held": held}
                ),
            )
            _queue_confirmation(comment, resend=False)
            return comment

    if existing.status == Comment.Status.UNCONFIRMED:
        for field, value in values.items():
            setattr(existing, field, value)
        existing.save()
        audit_record(
            action="comment.resubmit", obj=existing, city=hearing.city, changes={"item": item.pk}
        )
        _queue_confirmation(existing, resend=True)
    else:
        _queue_already_commented(existing)
    return existing


def _comment_for_token(*, purpose: str, token: str) -> Comment:
    comment = comment_from_link(token=token, purpose=purpose, lock=True)
    if comment is None:
        raise CommentError(_("This comment no longer exists."))
    return comment


@transaction.atomic
def comment_confirm(*, token: str, actor: User | AnonymousUser | None = None) -> Comment:
    """Confirm a comment from its emailed link; safe to repeat. ``actor`` is the signed-in
    user, if any (staff are refused). Raises ``TokenInvalid`` or ``StaffLinkRefused``."""
    actor = link_actor(actor)
    comment = _comment_for_token(purpose=CONFIRM_PURPOSE, token=token)
    if comment.status != Comment.Status.UNCONFIRMED:
        return comment
    hearing = comment.item.hearing
    _require_open(hearing)
    rules = CityEngagementSettings.objects.for_city(hearing.city)
    publish = not rules.premoderated and not comment.held_reason
    comment.status = Comment.Status.PUBLISHED if publish else Comment.Status.PENDING
    comment.confirmed_at = timezone.now()
    comment.save(update_fields=["status", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="comment.confirm",
        obj=comment,
        city=hearing.city,
        changes=audit_diff(
            before={"status": Comment.Status.UNCONFIRMED}, after={"status": comment.status}
        ),
    )
    return comment


@transaction.atomic
def comment_withdraw(*, token: str, actor: User | AnonymousUser | None = None) -> Comment:
    """Withdraw a comment from the link in its emails, until the comment window closes;
    ``actor`` as for ``comment_confirm``."""
    actor = link_actor(actor)
    comment = _comment_for_token(purpose=WITHDRAW_PURPOSE, token=token)
    if comment.status == Comment.Status.WITHDRAWN:
        return comment
    hearing = comment.item.hearing
    if hearing.window_state() != "open":
        raise CommentWindowClosed(
            _("The comment period has closed; your comment is part of the record.")
        )
    old = comment.status
    comment.status = Comment.Status.WITHDRAWN
    comment.withdrawn_at = timezone.now()
    comment.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor,
        action="comment.withdraw",
        obj=comment,
        city=hearing.city,
        changes=audit_diff(before={"status": old}, after={"status": comment.status}),
    )
    return comment


MODERATION_ACTIONS = ("approve", "reject")


@transaction.atomic
def comment_moderate(
    *, comment: Comment, actor: User | None, action: str, reason: str = ""
) -> Comment:
    """Approve (publish) or reject a confirmed comment as a clerk of its city; logged and the
    author is told by email. Rejecting needs a reason, which only the author and clerks see."""
    if action not in MODERATION_ACTIONS:
        raise CommentError(_("Unknown moderation action."))
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("item__hearing__city")
        .get(pk=comment.pk)
    )
    city = comment.item.hearing.city
    require_city_manager(actor, city)
    reason = reason.strip()[:500]
    old = comment.status
    if action == "approve":
        allowed, new = {Comment.Status.PENDING, Comment.Status.REJECTED}, Comment.Status.PUBLISHED
    else:
        allowed, new = {Comment.Status.PENDING, Comment.Status.PUBLISHED}, Comment.Status.REJECTED
        if not reason:
            raise CommentError(_("Please give a reason for rejecting the comment."))
    if old == new and (action == "approve" or reason == comment.rejection_reason):
        return comment
    if old not in allowed and old != new:
        raise CommentError(
            _("A comment that is “%(status)s” cannot be moderated.")
            % {"status": comment.get_status_display()}
        )
    comment.status = new
    comment.rejection_reason = reason if new == Comment.Status.REJECTED else ""
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    comment.save(
        update_fields=[
            "status",
            "rejection_reason",
            "moderated_by",
            "moderated_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=f"comment.{action}",
        obj=comment,
        city=city,
        changes={
            **audit_diff(before={"status": old}, after={"status": new}),
            **({"reason": reason} if reason else {}),
        },
    )
    email_queue(
        key=f"comment:{comment.pk}:{action}:{comment.moderated_at.isoformat()}",
        to=comment.email,
        subject=(
            _("Your comment was published") if action == "approve"
            else _("Your comment was not published")
        ),
        template=f"hearings/email/comment_{'published' if action == 'approve' else 'rejected'}",
        context=_email_context(comment),
        city=city,
    )  # fmt: skip
    return comment


@transaction.atomic
def comment_moderate_bulk(
    *, comments: Iterable[Comment], actor: User | None, action: str, reason: str = ""
) -> tuple[int, int]:
    """Moderate many comments; returns (moderated, skipped) where skipped ones were in a state
    that can't take this action (unconfirmed, withdrawn)."""
    done = skipped = 0
    for comment in comments:
        try:
            with transaction.atomic():
                comment_moderate(comment=comment, actor=actor, action=action, reason=reason)
        except CommentError:
            if action == "reject" and not reason.strip():
                raise
            skipped += 1
        else:
            done += 1
    return done, skipped
