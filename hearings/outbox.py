"""The outbox: every email the hearings app sends is a row first, then a Celery task.

Queueing renders the templates at once (so a later template change can't alter a queued email)
and is idempotent on ``key``; sending marks the row under a row lock, so two workers running
the same task send at most once.

Confirm and withdraw links act for the resident who holds them, and clerks read the outbox, so
a stored body never holds a usable token: each ``EmailLink`` renders as a random placeholder,
and the signed token replaces it only in the message handed to the mail server. Extra headers
(``List-Unsubscribe``) may name the context's links too, and get the same treatment.
"""

from __future__ import annotations

import datetime as dt
import secrets
import smtplib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.models import City
from core.tasking import task_enqueue_on_commit
from hearings.models import OutboundEmail
from hearings.tokens import token_make

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_ATTEMPTS = 5
# What a clerk sees where a resident's email carries a signed link.
PLACEHOLDER_PREFIX = "hidden-link-"


@dataclass(frozen=True, kw_only=True)
class EmailLink:
    """A signed link for an email context: ``url_name`` takes the token as ``token``."""

    url_name: str
    purpose: str
    pk: int
    extra: str = ""
    absolute: bool = False


class EmailDeliveryError(Exception):
    """Sending failed in a way that may pass on retry (SMTP or network trouble)."""


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"{template}.txt", context)
    try:
        html: str = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return text, html


def _with_placeholders(context: dict) -> tuple[dict, dict]:
    """The context with each ``EmailLink`` as a URL around a fresh placeholder, and the
    placeholder -> token recipe map. Placeholders are random, so text a resident or petition
    creator typed into an email can never name one."""
    rendered, links = {}, {}
    for name, value in context.items():
        if isinstance(value, EmailLink):
            placeholder = PLACEHOLDER_PREFIX + secrets.token_hex(12)
            links[placeholder] = {"purpose": value.purpose, "pk": value.pk, "extra": value.extra}
            url = reverse(value.url_name, kwargs={"token": placeholder})
            value = settings.PORTAL_SITE_URL + url if value.absolute else url
        rendered[name] = value
    return rendered, links


def _with_links(values: list[str], links: dict) -> list[str]:
    for placeholder, recipe in (links or {}).items():
        token = token_make(purpose=recipe["purpose"], pk=recipe["pk"], extra=recipe["extra"])
        values = [value.replace(placeholder, token) for value in values]
    return values


def email_bodies(email: OutboundEmail) -> tuple[str, str]:
    """The text and HTML bodies as sent: each placeholder replaced by a newly signed token."""
    text, html = _with_links([email.body_text, email.body_html], email.links)
    return text, html


def email_headers(email: OutboundEmail) -> dict[str, str]:
    """The extra headers as sent, their placeholders replaced by newly signed tokens."""
    names = list(email.headers or {})
    values = _with_links([email.headers[name] for name in names], email.links)
    return dict(zip(names, values, strict=True))


def _headers_rendered(headers: dict[str, str] | None, context: dict) -> dict[str, str]:
    """``headers`` with ``{name}`` replaced by the context's (placeholder) links; header
    values never hold line breaks (header injection)."""
    rendered = {}
    for name, value in (headers or {}).items():
        value = value.format_map(context)
        if any(char in name + value for char in "\r\n"):
            raise ValueError(f"email header {name!r} holds a line break")
        rendered[name] = value
    return rendered


@transaction.atomic
def email_queue(
    *,
    key: str,
    to: str,
    subject: StrOrPromise,
    template: str,
    context: dict,
    city: City | None = None,
    resend: bool = False,
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Queue one email; the same ``key`` again returns the existing row without sending twice,
    unless ``resend`` is set (a re-sent confirmation link), which re-renders and sends again.
    ``EmailLink`` values in ``context`` become signed links made at send time; ``headers``
    values may name them as ``{name}`` (``{"List-Unsubscribe": "<{unsubscribe_url}>"}``)."""
    context, links = _with_placeholders(context)
    extra_headers = _headers_rendered(headers, context)
    text, html = _render(template, {**context, "site_url": settings.PORTAL_SITE_URL})
    fields = {
        "to": to,
        "subject": str(subject)[:255],
        "body_text": text,
        "body_html": html,
        "links": links,
        "headers": extra_headers,
        "template": template,
        "city": city,
    }
    email, created = OutboundEmail.objects.get_or_create(key=key[:200], defaults=fields)
    if not created:
        if not resend:
            return email
        email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
        for name, value in fields.items():
            setattr(email, name, value)
        email.status, email.sent_at, email.attempts, email.last_error = (
            OutboundEmail.Status.QUEUED,
            None,
            0,
            "",
        )
        email.save()
    task_enqueue_on_commit("hearings.tasks.email_send", email.pk)
    return email


def email_deliver(*, outbound_id: int) -> bool:
    """Send one queued email unless it was sent already; True when this call sent it.

    Raises ``EmailDeliveryError`` on a failure worth retrying (the row records the attempt).
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if email is None or email.sent_at is not None:
            return False
        text, html = email_bodies(email)
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers=email_headers(email),
        )
        if html:
            message.attach_alternative(html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            email.last_error = str(exc)[:500]
            failed = email.attempts >= MAX_ATTEMPTS
            email.status = OutboundEmail.Status.FAILED if failed else OutboundEmail.Status.QUEUED
            email.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            error = exc
        else:
            email.sent_at = timezone.now()
            email.status = OutboundEmail.Status.SENT
            email.last_error = ""
            email.save(update_fields=["attempts", "last_error", "status", "sent_at", "updated_at"])
            return True
    raise EmailDeliveryError(str(error)) from error


def outbox_purge(*, now: dt.datetime | None = None) -> int:
    """Delete sent emails older than ``HEARINGS_OUTBOX_RETENTION_DAYS`` (they hold addresses)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.HEARINGS_OUTBOX_RETENTION_DAYS)
    deleted, _ = (
        OutboundEmail.objects.filter(created_at__lt=cutoff)
        .exclude(status=OutboundEmail.Status.QUEUED)
        .delete()
    )
    return deleted
