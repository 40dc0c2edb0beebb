"""Public alert pages, mounted at /subscribe/ (app "alerts"): subscribe, the pages emailed
links open (confirm, unsubscribe, manage), and newsroom webhooks.

An emailed link's GET names what it acts on and shows a button; only the POST acts (mail
servers' link scanners open links). The unsubscribe POST is the RFC 8058 one-click endpoint
mail providers call without a session or CSRF token, so it is exempt from CSRF: the signed
token in the URL is the authority, and unsubscribing is all it can do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts.forms import ManageLinkForm, SubscribeForm, SubscriptionChangeForm, WebhookForm
from alerts.models import Topic
from alerts.selectors import (
    SUBSCRIPTION_CONFIRM,
    UNSUBSCRIBE,
    manage_token,
    subscriber_from_link,
    subscriber_subscriptions,
    subscription_from_link,
    webhook_from_link,
)
from alerts.services import subscriptions as services
from alerts.services import webhooks as webhook_services
from core.services import ServiceError
from hearings.abuse import RateLimited, client_ip
from hearings.tokens import TokenInvalid

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RATE_LIMITED = _(
    "Too many attempts from your connection or email address in a short time. Please wait "
    "%(minutes)s minutes and try again."
)
BAD_LINK = _(
    "This link is not valid or has expired. Subscribe again from the alerts page to get a new one."
)


def _rate_limited(form, exc: RateLimited) -> None:
    form.add_error(None, RATE_LIMITED % {"minutes": max(1, round(exc.retry_after / 60))})


def _language(request: HttpRequest) -> str:
    return (get_language() or "en")[:2]


def _bad_link(request: HttpRequest, exc: Exception) -> HttpResponse:
    message = BAD_LINK if isinstance(exc, TokenInvalid) else str(exc)
    status = 400 if isinstance(exc, TokenInvalid) else 409
    return render(request, "alerts/link_invalid.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.honeypot_tripped:
            return redirect("alerts:subscribe-sent")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.subscription_request(
                    email=data["email"],
                    city=data["city"],
                    agency=data["agency"],
                    topics=data["topics"],
                    frequency=data["frequency"],
                    language=data["language"],
                    ip=client_ip(request),
                )
            except RateLimited as exc:
                _rate_limited(form, exc)
                status = 429
            except ServiceError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                return redirect("alerts:subscribe-sent")
        else:
            status = 400
    else:
        form = SubscribeForm(
            initial={
                "city": request.GET.get("city") or None,
                "agency": request.GET.get("agency") or None,
                "language": _language(request),
                "topics": Topic.values,
            }
        )
    return render(request, "alerts/subscribe.html", {"form": form}, status=status)


def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/subscribe_sent.html")


def _subscription_link(
    request: HttpRequest,
    token: str,
    *,
    purpose: str,
    act: Callable[..., tuple[Any, bool]],
    ask: str,
    done: str,
) -> HttpResponse:
    """An emailed subscription link: GET shows what the button will do (``ask``), only the POST
    acts (so mail scanners change nothing), then ``done`` says what it did."""
    try:
        if request.method != "POST":
            subscription = subscription_from_link(token=token, purpose=purpose)
            return render(request, ask, {"subscription": subscription})
        subscription, changed = act(token=token)
    except (TokenInvalid, ServiceError) as exc:
        return _bad_link(request, exc)
    return render(
        request,
        done,
        {
            "subscription": subscription,
            "changed": changed,
            "manage_token": manage_token(subscription.subscriber),
        },
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _subscription_link(
        request,
        token,
        purpose=SUBSCRIPTION_CONFIRM,
        act=services.subscription_confirm,
        ask="alerts/confirm.html",
        done="alerts/confirmed.html",
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _subscription_link(
        request,
        token,
        purpose=UNSUBSCRIBE,
        act=services.subscription_unsubscribe,
        ask="alerts/unsubscribe.html",
        done="alerts/unsubscribed.html",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = subscriber_from_link(token=token)
    except TokenInvalid as exc:
        return _bad_link(request, exc)
    status, error_for = 200, None
    notice: StrOrPromise = ""
    posted = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            subscription_id = int(request.POST.get("subscription", ""))
        except ValueError:
            subscription_id = 0
        posted = SubscriptionChangeForm(request.POST, prefix=f"s{subscription_id}")
        try:
            if action == "remove":
                if services.subscription_remove(
                    subscriber=subscriber, subscription_id=subscription_id
                ):
                    return render(request, "alerts/manage_empty.html")
                notice = _("The subscription was removed.")
                posted = None
            elif posted.is_valid():
                data = posted.cleaned_data
                services.subscription_update(
                    subscriber=subscriber,
                    subscription_id=subscription_id,
                    topics=data["topics"],
                    frequency=data["frequency"],
                    language=data["language"],
                )
                notice = _("Your changes were saved.")
                posted = None
            else:
                status, error_for = 400, subscription_id
        except ServiceError as exc:
            status, error_for = 409, subscription_id
            notice = str(exc)
    rows = []
    for subscription in subscriber_subscriptions(subscriber=subscriber):
        if posted is not None and subscription.pk == error_for:
            form = posted
        else:
            form = SubscriptionChangeForm(
                prefix=f"s{subscription.pk}",
                initial={
                    "topics": subscription.topics,
                    "frequency": subscription.frequency,
                    "language": subscription.language,
                },
            )
        rows.append((subscription, form))
    return render(
        request,
        "alerts/manage.html",
        {"rows": rows, "notice": notice, "failed": status != 200},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def manage_request(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ManageLinkForm(request.POST)
        if form.honeypot_tripped:
            return redirect("alerts:subscribe-sent")
        if form.is_valid():
            try:
                services.manage_link_send(
                    email=form.cleaned_data["email"],
                    language=_language(request),
                    ip=client_ip(request),
                )
            except RateLimited as exc:
                _rate_limited(form, exc)
                status = 429
            else:
                return redirect("alerts:subscribe-sent")
        else:
            status = 400
    else:
        form = ManageLinkForm()
    return render(request, "alerts/manage_request.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def webhook_register(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.honeypot_tripped:
            return redirect("alerts:subscribe-sent")
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhook, secret = webhook_services.webhook_register(
                    url=data["url"],
                    email=data["email"],
                    city=data["city"],
                    agency=data["agency"],
                    topics=data["topics"],
                    language=_language(request),
                    ip=client_ip(request),
                )
            except RateLimited as exc:
                _rate_limited(form, exc)
                status = 429
            except ServiceError as exc:
                form.add_error("url" if "address" in str(exc) else None, str(exc))
                status = 400
            else:
                # The secret is shown on this answer only: never stored in a page cache.
                return render(
                    request, "alerts/webhook_created.html", {"webhook": webhook, "secret": secret}
                )
        else:
            status = 400
    else:
        form = WebhookForm()
    return render(request, "alerts/webhook_register.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def webhook_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method != "POST":
            webhook = webhook_from_link(token=token)
            return render(request, "alerts/webhook_confirm.html", {"webhook": webhook})
        webhook, changed = webhook_services.webhook_confirm(token=token)
    except (TokenInvalid, ServiceError) as exc:
        return _bad_link(request, exc)
    return render(
        request, "alerts/webhook_confirmed.html", {"webhook": webhook, "changed": changed}
    )
