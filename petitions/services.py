"""Writes for petitions and signatures: start, confirm, review, sign, confirm, withdraw, close,
deliver and respond.

Every function here is the one way its change happens (views, admin, API and tasks call it),
checks the clerk's city where a clerk acts, writes an AuditEvent and queues its emails through
the outbox, whose idempotent keys make a retried request or task never email twice.

Signer counts: ``Petition.signature_count`` changes only on a signature's unconfirmed ->
confirmed or confirmed -> withdrawn transition, decided under a row lock on the signature and
applied with ``F()`` in the same transaction, so concurrent confirmations count once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import require_city_manager
from core.audit import audit_change, audit_diff
from core.models import City
from core.services import ServiceError, audit_record
from core.slugs import unique_slug
from core.tasking import task_enqueue_on_commit
from hearings.abuse import email_normalize, ip_hash, rate_limit_check, rate_limit_hit
from hearings.models import CityEngagementSettings, Hearing
from hearings.outbox import EmailLink, email_queue
from hearings.tokens import link_actor, mailbox_tag
from petitions.models import Petition, Signature
from petitions.selectors import (
    PETITION_CONFIRM,
    SIGNATURE_CONFIRM,
    SIGNATURE_WITHDRAW,
    petition_from_link,
    signature_from_link,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import StrOrPromise

# Percentages of the goal whose crossing is emailed to the petition's creator.
MILESTONE_PERCENTS = (10, 25, 50, 75, 100)
# Petitions one mailbox may start per day, unless HEARINGS_RATE_LIMITS names its own.
START_EMAIL_LIMIT = (3, 24 * 60 * 60)
# Slugs the petitions URLconf uses for its own pages.
RESERVED_SLUGS = frozenset({"start", "started", "city", "signatures", "confirm"})
Statuses = Petition.Status
NOT_YOUR_PETITIONS = _("You do not manage this city's petitions.")


# --- helpers ---------------------------------------------------------------------------------


def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().select_related("city").get(pk=petition.pk)


def _clean_zip(zip_code: str) -> str:
    digits = (zip_code or "").strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        raise ServiceError(_("Enter a five-digit ZIP code."))
    return digits


def _petition_email(
    petition: Petition, *, key: str, subject: StrOrPromise, template: str, **context: object
) -> None:
    email_queue(
        key=f"petition-{petition.pk}-{key}",
        to=petition.creator_email,
        subject=subject,
        template=f"petitions/email/{template}",
        context={"petition": petition, "petition_url": petition.get_absolute_url(), **context},
        city=petition.city,
    )


def _signature_links(signature: Signature) -> dict[str, EmailLink]:
    extra = mailbox_tag(signature.email_normalized)
    return {
        "confirm_url": EmailLink(
            url_name="petitions:signature-confirm",
            purpose=SIGNATURE_CONFIRM,
            pk=signature.pk,
            extra=extra,
        ),
        "withdraw_url": EmailLink(
            url_name="petitions:signature-withdraw",
            purpose=SIGNATURE_WITHDRAW,
            pk=signature.pk,
            extra=extra,
        ),
    }


def _signature_email(
    signature: Signature, *, key: str, subject: StrOrPromise, template: str
) -> None:
    petition = signature.petition
    email_queue(
        key=f"signature-{signature.pk}-{key}",
        to=signature.email,
        subject=subject,
        template=f"petitions/email/{template}",
        context={
            "petition": petition,
            "petition_url": petition.get_absolute_url(),
            "signature": signature,
            **_signature_links(signature),
        },
        city=petition.city,
        # A repeat attempt is the signer asking for the link again.
        resend=True,
    )


def _check_milestones(petition_id: int) -> list[int]:
    """Email the creator when the count crosses a milestone; returns the percentages marked.

    Runs after the count's ``F()`` update, whose row lock on the petition serializes this
    read-modify-write of ``milestones_sent`` between concurrent confirmations.
    """
    petition = Petition.objects.select_for_update().select_related("city").get(pk=petition_id)
    sent = set(petition.milestones_sent)
    due = [
        percent
        for percent in MILESTONE_PERCENTS
        if percent not in sent
        and petition.signature_count * 100 >= percent * petition.signature_goal
    ]
    if not due:
        return []
    petition.milestones_sent = sorted(sent | set(due))
    petition.save(update_fields=["milestones_sent", "updated_at"])
    # One email for the highest milestone reached: a lowered goal can cross several at once.
    top = max(due)
    _petition_email(
        petition,
        key=f"milestone-{top}",
        subject=(
            _("Your petition reached its goal")
            if top >= 100
            else _("Your petition reached %(percent)s%% of its goal") % {"percent": top}
        ),
        template="milestone",
        percent=top,
    )
    return due


# --- starting and reviewing a petition -------------------------------------------------------


@transaction.atomic
def petition_start(
    *,
    city: City,
    title: str,
    action: str,
    background: str,
    target_body: str,
    creator_name: str,
    creator_email: str,
    ip: str,
) -> Petition:
    """Start a petition. It waits for its creator to confirm their email, then for a clerk's
    review; a repeat of the same title by the same email re-sends the link instead."""
    normalized = email_normalize(creator_email)
    hashed = ip_hash(ip)
    rate_limit_check(scope="petition_start_ip", key=hashed)
    limit, window = settings.HEARINGS_RATE_LIMITS.get("petition_start_email", START_EMAIL_LIMIT)
    rate_limit_hit(scope="petition_start_email", key=normalized, limit=limit, window=window)
    title = title.strip()
    existing = (
        Petition.objects.select_for_update()
        .filter(
            city=city,
            creator_email_normalized=normalized,
            title__iexact=title,
            status__in=[Statuses.UNCONFIRMED, Statuses.PENDING],
        )
        .first()
    )
    if existing is not None:
        if existing.status == Statuses.UNCONFIRMED:
            _send_creator_confirmation(existing, resend=True)
        return existing
    settings_ = CityEngagementSettings.objects.for_city(city)
    petition = Petition.objects.create(
        city=city,
        title=title,
        slug=unique_slug(
            title,
            scope=Petition.objects.all(),
            fallback="petition",
            max_length=150,
            reserved=RESERVED_SLUGS,
        ),
        action=action.strip(),
        background=background.strip(),
        target_body=target_body.strip() or str(city.council_body or _("City Council")),
        creator_name=creator_name.strip(),
        creator_email=creator_email.strip(),
        creator_email_normalized=normalized,
        ip_hash=hashed,
        signature_goal=settings_.petition_default_goal,
    )
    audit_record(
        action="petition.start",
        obj=petition,
        city=city,
        changes=audit_diff(
            before=None, after={"title": petition.title, "target_body": petition.target_body}
        ),
    )
    _send_creator_confirmation(petition, resend=False)
    return petition


def _send_creator_confirmation(petition: Petition, *, resend: bool) -> None:
    link = EmailLink(
        url_name="petitions:petition-confirm",
        purpose=PETITION_CONFIRM,
        pk=petition.pk,
        extra=mailbox_tag(petition.creator_email_normalized),
    )
    email_queue(
        key=f"petition-{petition.pk}-creator-confirm",
        to=petition.creator_email,
        subject=_("Confirm your petition: %(title)s") % {"title": petition.title},
        template="petitions/email/creator_confirm",
        context={
            "petition": petition,
            "confirm_url": link,
        },
        city=petition.city,
        resend=resend,
    )


@transaction.atomic
def petition_confirm_creator(
    *, token: str, actor: User | AnonymousUser | None = None
) -> tuple[Petition, bool]:
    """The creator followed their link: the petition enters the clerk's review queue.

    Idempotent; returns the petition and whether this call moved it. ``actor`` is the
    signed-in user, if any; staff are refused (``StaffLinkRefused``)."""
    actor = link_actor(actor)
    petition = petition_from_link(token=token, lock=True)
    if petition.status != Statuses.UNCONFIRMED:
        return petition, False
    petition.status = Statuses.PENDING
    petition.creator_confirmed_at = timezone.now()
    petition.save(update_fields=["status", "creator_confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="petition.confirm",
        obj=petition,
        city=petition.city,
        changes={"status": audit_change(Statuses.UNCONFIRMED, petition.status)},
    )
    return petition, True


@transaction.atomic
def petition_review(
    *,
    petition: Petition,
    actor: User | None,
    approve: bool,
    reason: str = "",
    ends_at: dt.datetime | None = None,
    goal: int | None = None,
) -> Petition:
    """A clerk publishes a pending petition (optionally with its end date and goal) or
    rejects it with a reason the creator is told."""
    require_city_manager(actor, petition.city, message=NOT_YOUR_PETITIONS)
    petition = _locked(petition)
    if petition.status != Statuses.PENDING:
        raise ServiceError(_("Only a petition pending review can be approved or rejected."))
    now = timezone.now()
    if approve:
        days = CityEngagementSettings.objects.for_city(petition.city).petition_default_days
        ends_at = ends_at or now + dt.timedelta(days=days)
        if ends_at <= now:
            raise ServiceError(_("The end date must be in the future."))
        if goal is not None and goal < 1:
            raise ServiceError(_("The signature goal must be at least 1."))
        petition.status = Statuses.OPEN
        petition.opens_at, petition.ends_at = now, ends_at
        petition.signature_goal = goal or petition.signature_goal
        changes = {
            "status": audit_change(Statuses.PENDING, Statuses.OPEN),
            "ends_at": audit_change(None, ends_at),
            "signature_goal": audit_change(None, petition.signature_goal),
        }
    else:
        reason = reason.strip()
        if not reason:
            raise ServiceError(_("Give the creator a reason for the rejection."))
        petition.status = Statuses.REJECTED
        petition.rejection_reason = reason
        changes = {
            "status": audit_change(Statuses.PENDING, Statuses.REJECTED),
            "rejection_reason": audit_change("", reason),
        }
    petition.reviewed_by, petition.reviewed_at = actor, now
    petition.save()
    audit_record(
        actor=actor,
        action="petition.approve" if approve else "petition.reject",
        obj=petition,
        city=petition.city,
        changes=changes,
    )
    if approve:
        _petition_email(
            petition, key="published", subject=_("Your petition is open"), template="published"
        )
    else:
        _petition_email(
            petition,
            key="rejected",
            subject=_("Your petition was not published"),
            template="rejected",
        )
    return petition


@transaction.atomic
def petition_update(
    *,
    petition: Petition,
    actor: User | None,
    ends_at: dt.datetime | None = None,
    goal: int | None = None,
) -> Petition:
    """A clerk moves a petition's end date or changes its goal; an end date in the past closes
    an open petition now."""
    require_city_manager(actor, petition.city, message=NOT_YOUR_PETITIONS)
    petition = _locked(petition)
    if petition.status not in {Statuses.PENDING, Statuses.OPEN}:
        raise ServiceError(_("Only a pending or open petition's end date and goal can change."))
    changes: dict[str, object] = {}
    if goal is not None and goal != petition.signature_goal:
        if goal < 1:
            raise ServiceError(_("The signature goal must be at least 1."))
        changes["signature_goal"] = {"old": petition.signature_goal, "new": goal}
        petition.signature_goal = goal
    if ends_at is not None and ends_at != petition.ends_at:
        if petition.opens_at and ends_at <= petition.opens_at:
            raise ServiceError(_("The end date must be after the petition opened."))
        changes["ends_at"] = {
            "old": petition.ends_at.isoformat() if petition.ends_at else None,
            "new": ends_at.isoformat(),
        }
        petition.ends_at = ends_at
    if not changes:
        return petition
    petition.save()
    audit_record(
        actor=actor, action="petition.update", obj=petition, city=petition.city, changes=changes
    )
    if petition.status == Statuses.OPEN:
        # A lowered goal may have been reached already.
        _check_milestones(petition.pk)
        assert petition.ends_at is not None  # an open petition has its window (DB constraint)
        if petition.ends_at <= timezone.now():
            _close(petition, now=timezone.now(), actor=actor)
    return petition


def _close(petition: Petition, *, now: dt.datetime, actor: User | None = None) -> None:
    old_status = petition.status
    petition.status = Statuses.CLOSED
    petition.closed_at = now
    petition.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="petition.close",
        obj=petition,
        city=petition.city,
        changes={
            "status": audit_change(old_status, petition.status),
            "signature_count": petition.signature_count,
        },
    )
    _petition_email(
        petition, key="closed", subject=_("Your petition has closed"), template="closed"
    )


def petitions_close_expired(*, now: dt.datetime | None = None) -> int:
    """Close open petitions whose end date has passed; returns how many closed. Safe to run
    twice or concurrently: each petition is re-checked under its row lock."""
    now = now or timezone.now()
    due = Petition.objects.filter(status=Statuses.OPEN, ends_at__lte=now).values_list(
        "pk", flat=True
    )
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            petition = (
                Petition.objects.select_for_update()
                .select_related("city")
                .filter(pk=pk, status=Statuses.OPEN, ends_at__lte=now)
                .first()
            )
            if petition is None:
                continue
            # The refreshed count goes into the audit row and the creator's email.
            _close(petition, now=now)
            closed += 1
    return closed


@transaction.atomic
def petition_mark_delivered(
    *, petition: Petition, hearing: Hearing, actor: User | None
) -> Petition:
    """Record the hearing where the petition was presented; an open petition stops signing."""
    require_city_manager(actor, petition.city, message=NOT_YOUR_PETITIONS)
    petition = _locked(petition)
    if hearing.city_id != petition.city_id:
        raise ServiceError(_("The hearing must be one of the petition's city."))
    now = timezone.now()
    old_status = petition.status
    if petition.status in {Statuses.OPEN, Statuses.CLOSED}:
        petition.closed_at = petition.closed_at or now
        petition.status = Statuses.DELIVERED
        petition.delivered_at = now
    elif petition.status not in {Statuses.DELIVERED, Statuses.RESPONDED}:
        raise ServiceError(_("Only a published petition can be delivered."))
    old = petition.hearing
    petition.hearing = hearing
    petition.save()
    audit_record(
        actor=actor,
        action="petition.deliver",
        obj=petition,
        city=petition.city,
        changes={
            "hearing": audit_change(old, hearing),
            "status": audit_change(old_status, petition.status),
        },
    )
    _petition_email(
        petition,
        key=f"delivered-{hearing.pk}",
        subject=_("Your petition was presented to the %(body)s") % {"body": hearing.body_label},
        template="delivered",
        hearing=hearing,
        hearing_url=hearing.get_absolute_url(),
    )
    return petition


@transaction.atomic
def petition_respond(*, petition: Petition, response: str, actor: User | None) -> Petition:
    """Record the body's official response; the creator and every confirmed signer are told
    once (a corrected response is published without emailing again)."""
    require_city_manager(actor, petition.city, message=NOT_YOUR_PETITIONS)
    petition = _locked(petition)
    response = response.strip()
    if not response:
        raise ServiceError(_("The response can't be empty."))
    if petition.status not in {
        Statuses.OPEN,
        Statuses.CLOSED,
        Statuses.DELIVERED,
        Statuses.RESPONDED,
    }:
        raise ServiceError(_("Only a published petition can receive a response."))
    now = timezone.now()
    first = petition.status != Statuses.RESPONDED
    changes = {
        "response": audit_change(petition.response, response),
        "status": audit_change(petition.status, Statuses.RESPONDED),
    }
    petition.closed_at = petition.closed_at or now
    petition.status = Statuses.RESPONDED
    petition.response = response
    petition.responded_at = petition.responded_at or now
    petition.save()
    audit_record(
        actor=actor, action="petition.respond", obj=petition, city=petition.city, changes=changes
    )
    if first:
        task_enqueue_on_commit("petitions.tasks.petition_response_notify", petition.pk)
    return petition


def petition_response_notify(*, petition_id: int) -> int:
    """Email the response to the creator and every confirmed signer; returns how many emails
    were queued. Idempotent per recipient, so a task run twice emails nobody twice."""
    petition = Petition.objects.select_related("city").get(pk=petition_id)
    if petition.status != Statuses.RESPONDED:
        return 0
    subject = _("The %(body)s responded to “%(title)s”") % {
        "body": petition.target_body,
        "title": petition.title,
    }
    _petition_email(petition, key="response", subject=subject, template="response")
    queued = 1
    signers = petition.signatures.confirmed().select_related("petition__city").order_by("pk")
    for signature in signers.iterator(chunk_size=500):
        email_queue(
            key=f"signature-{signature.pk}-response",
            to=signature.email,
            subject=subject,
            template="petitions/email/response",
            context={
                "petition": petition,
                "petition_url": petition.get_absolute_url(),
                "signature": signature,
            },
            city=petition.city,
        )
        queued += 1
    return queued


# --- signing -------------------------------------------------------------------------------


@transaction.atomic
def petition_sign(
    *,
    petition: Petition,
    name: str,
    email: str,
    zip_code: str,
    show_name: bool,
    comment: str,
    ip: str,
) -> Signature:
    """Sign an open petition; the signature counts once its signer follows the emailed link.

    A repeat attempt with the same (normalized) email never adds a row: an unconfirmed or
    withdrawn signature is updated and its link sent again; a confirmed one gets a reminder
    with its withdraw link. The caller shows the same "check your email" either way, so the
    form never reveals who signed.
    """
    if not petition.is_open or (petition.ends_at and petition.ends_at <= timezone.now()):
        raise ServiceError(_("This petition is not open for signatures."))
    normalized = email_normalize(email)
    hashed = ip_hash(ip)
    rate_limit_check(scope="petition_sign_ip", key=hashed)
    rate_limit_check(scope="petition_sign_email", key=normalized)
    details = {
        "name": name.strip(),
        "email": email.strip(),
        "zip_code": _clean_zip(zip_code),
        "show_name": bool(show_name),
        "public_comment": comment.strip() if show_name else "",
        "ip_hash": hashed,
    }
    signature = (
        Signature.objects.select_for_update()
        .filter(petition=petition, email_normalized=normalized)
        .first()
    )
    if signature is None:
        try:
            # A savepoint: a concurrent signer with the same mailbox may insert first.
            with transaction.atomic():
                signature = Signature.objects.create(
                    petition=petition, email_normalized=normalized, **details
                )
        except IntegrityError:
            signature = Signature.objects.select_for_update().get(
                petition=petition, email_normalized=normalized
            )
        else:
            signature.petition = petition
            audit_record(action="signature.create", obj=signature, city=petition.city, changes={})
            _signature_email(
                signature,
                key="confirm",
                subject=_confirm_subject(petition),
                template="signature_confirm",
            )
            return signature
    signature.petition = petition
    return _sign_again(signature, details)


def _confirm_subject(petition: Petition) -> str:
    return _("Confirm your signature: %(title)s") % {"title": petition.title}


def _sign_again(signature: Signature, details: dict) -> Signature:
    petition = signature.petition
    if signature.status == Signature.Status.CONFIRMED:
        _signature_email(
            signature,
            key="already",
            subject=_("You have already signed: %(title)s") % {"title": petition.title},
            template="signature_already",
        )
        return signature
    reactivated = signature.status == Signature.Status.WITHDRAWN
    for field, value in details.items():
        setattr(signature, field, value)
    signature.status = Signature.Status.UNCONFIRMED
    signature.confirmed_at = signature.withdrawn_at = None
    signature.save()
    if reactivated:
        audit_record(action="signature.reactivate", obj=signature, city=petition.city, changes={})
    _signature_email(
        signature, key="confirm", subject=_confirm_subject(petition), template="signature_confirm"
    )
    return signature


@transaction.atomic
def signature_confirm(
    *, token: str, actor: User | AnonymousUser | None = None
) -> tuple[Signature, bool]:
    """The signer followed their link: the signature counts. Idempotent and safe when two
    requests confirm at once; returns the signature and whether this call counted it.
    ``actor`` is the signed-in user, if any; staff are refused (``StaffLinkRefused``)."""
    actor = link_actor(actor)
    signature = signature_from_link(token=token, purpose=SIGNATURE_CONFIRM, lock=True)
    petition = signature.petition
    if signature.status == Signature.Status.CONFIRMED:
        return signature, False
    if signature.status == Signature.Status.WITHDRAWN:
        raise ServiceError(
            _("This signature was withdrawn. To sign again, use the form on the petition.")
        )
    # ends_at is None only before publishing, when the petition is not open either.
    if not petition.is_open or petition.ends_at is None or petition.ends_at <= timezone.now():
        raise ServiceError(_("This petition closed before the signature was confirmed."))
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = timezone.now()
    signature.save(update_fields=["status", "confirmed_at", "updated_at"])
    Petition.objects.filter(pk=petition.pk).update(signature_count=F("signature_count") + 1)
    audit_record(
        actor=actor, action="signature.confirm", obj=signature, city=petition.city, changes={}
    )
    _check_milestones(petition.pk)
    return signature, True


@transaction.atomic
def signature_withdraw(
    *, token: str, actor: User | AnonymousUser | None = None
) -> tuple[Signature, bool]:
    """The signer takes their signature back while the petition is open; their name and
    comment leave the public list. Idempotent; returns whether this call withdrew it.
    ``actor`` as for ``signature_confirm``."""
    actor = link_actor(actor)
    signature = signature_from_link(token=token, purpose=SIGNATURE_WITHDRAW, lock=True)
    petition = signature.petition
    if signature.status == Signature.Status.WITHDRAWN:
        return signature, False
    if not petition.is_open:
        raise ServiceError(
            _("This petition has closed; its signatures are now part of the record.")
        )
    counted = signature.status == Signature.Status.CONFIRMED
    signature.status = Signature.Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.confirmed_at = None
    signature.show_name = False
    signature.public_comment = ""
    signature.save()
    if counted:
        Petition.objects.filter(pk=petition.pk).update(signature_count=F("signature_count") - 1)
    audit_record(
        actor=actor,
        action="signature.withdraw",
        obj=signature,
        city=petition.city,
        changes={"counted": counted},
    )
    return signature, True


def petition_count_recompute(*, petitions: Iterable[Petition] | None = None) -> int:
    """Set each petition's ``signature_count`` to its confirmed rows (repair after bulk loads
    such as the demo); returns how many petitions changed."""
    changed = 0
    queryset = Petition.objects.all() if petitions is None else petitions
    for petition in queryset:
        actual = petition.signatures.confirmed().count()
        if actual != petition.signature_count:
            Petition.objects.filter(pk=petition.pk).update(signature_count=actual)
            changed += 1
    return changed
