"""Public petition pages: lists, start, detail with the sign form, and the pages emailed links
open (confirm a petition, confirm or withdraw a signature): each names what it acts on and
acts only when its button is pressed (a POST).

Views parse input, call one service or selector and render; a rate limit answers HTTP 429 with
the form and a friendly message, a tripped honeypot answers exactly like a success.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.csvstream import csv_download, csv_lines
from core.models import City
from core.pages import breakdown, paginate
from core.services import ServiceError
from hearings.abuse import RateLimited, client_ip
from hearings.tokens import StaffLinkRefused, TokenInvalid, link_actor
from petitions import services as services
from petitions.forms import PetitionStartForm, SignatureForm
from petitions.models import Petition
from petitions.selectors import (
    SIGNATURE_CONFIRM,
    SIGNATURE_WITHDRAW,
    petition_cities,
    petition_from_link,
    petition_get_public,
    petition_list,
    petition_public_signers,
    petition_zip_counts,
    signature_for_link_page,
)

PAGE_SIZE = 25

RATE_LIMITED = _(
    "Too many attempts from your connection or email address in a short time. Please wait "
    "%(minutes)s minutes and try again."
)
BAD_LINK = _(
    "This link is not valid or has expired. Links in our emails work for two weeks; sign "
    "again from the petition's page to get a new one."
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _minutes(exc: RateLimited) -> int:
    return max(1, round(exc.retry_after / 60))


def _rate_limited(form, exc: RateLimited) -> None:
    form.add_error(None, RATE_LIMITED % {"minutes": _minutes(exc)})


# --- Lists ---------------------------------------------------------------------------------


def petition_index(request: HttpRequest) -> HttpResponse:
    page = paginate(request, petition_list(), per_page=PAGE_SIZE)
    return render(
        request,
        "petitions/petition_list.html",
        {"page": page, "city": None, "cities": petition_cities()},
    )


def petition_city(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=city_slug)
    page = paginate(request, petition_list(city=city), per_page=PAGE_SIZE)
    return render(request, "petitions/petition_list.html", {"page": page, "city": city})


# --- Starting a petition -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def petition_start(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = PetitionStartForm(request.POST)
        if form.honeypot_tripped:
            return redirect("petitions:petition-started")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.petition_start(
                    city=data["city"],
                    title=data["title"],
                    action=data["action"],
                    background=data["background"],
                    target_body=data["target_body"],
                    creator_name=data["creator_name"],
                    creator_email=data["creator_email"],
                    ip=client_ip(request),
                )
            except RateLimited as exc:
                _rate_limited(form, exc)
                status = 429
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("petitions:petition-started")
    else:
        initial_city = City.objects.filter(slug=request.GET.get("city", "")).first()
        form = PetitionStartForm(initial={"city": initial_city})
    return render(request, "petitions/petition_start.html", {"form": form}, status=status)


def petition_started(request: HttpRequest) -> HttpResponse:
    return render(request, "petitions/petition_started.html")


def _link_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The page for an emailed link that cannot act: bad or expired, staff, or too late."""
    message: StrOrPromise
    if isinstance(exc, TokenInvalid):
        message, status = BAD_LINK, 400
    elif isinstance(exc, StaffLinkRefused):
        message, status = str(exc), 403
    else:
        message, status = str(exc), 409
    return render(request, "petitions/link_invalid.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
def petition_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # A GET names the petition and shows a button; only the POST confirms (link scanners in
    # mail servers open links and must not act for people).
    try:
        link_actor(request.user)
        if request.method != "POST":
            petition = petition_from_link(token=token)
            return render(request, "petitions/petition_confirm.html", {"petition": petition})
        petition, changed = services.petition_confirm_creator(token=token, actor=request.user)
    except (TokenInvalid, ServiceError) as exc:
        return _link_refused(request, exc)
    return render(
        request, "petitions/petition_confirmed.html", {"petition": petition, "changed": changed}
    )


# --- A petition and signing it -------------------------------------------------------------


def _public_petition(slug: str) -> Petition:
    try:
        return petition_get_public(slug=slug)
    except Petition.DoesNotExist as exc:
        raise Http404(_("No published petition has this address.")) from exc


def _detail(request: HttpRequest, petition: Petition, form: SignatureForm, *, status=200):
    zip_counts = petition_zip_counts(petition=petition)
    zip_table = breakdown(
        str(_("Signatures by ZIP code")), zip_counts, label_heading=str(_("ZIP code"))
    )
    return render(
        request,
        "petitions/petition_detail.html",
        {
            "petition": petition,
            "form": form,
            "zip_table": zip_table,
            "signers": petition_public_signers(petition=petition),
            "zip_csv_url": reverse("petitions:petition-zip-csv", kwargs={"slug": petition.slug}),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def petition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    petition = _public_petition(slug)
    if request.method != "POST":
        return _detail(request, petition, SignatureForm())
    form = SignatureForm(request.POST)
    if form.honeypot_tripped:
        return redirect("petitions:petition-signed", slug=petition.slug)
    if not form.is_valid():
        return _detail(request, petition, form, status=400)
    data = form.cleaned_data
    try:
        services.petition_sign(
            petition=petition,
            name=data["name"],
            email=data["email"],
            zip_code=data["zip_code"],
            show_name=data["show_name"],
            comment=data["comment"],
            ip=client_ip(request),
        )
    except RateLimited as exc:
        _rate_limited(form, exc)
        return _detail(request, petition, form, status=429)
    except ServiceError as exc:
        form.add_error(None, str(exc))
        return _detail(request, petition, form, status=409)
    return redirect("petitions:petition-signed", slug=petition.slug)


def petition_signed(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/signature_sent.html", {"petition": _public_petition(slug)})


def _signature_link(
    request: HttpRequest, token: str, *, purpose: str, action, ask: str, done: str
) -> HttpResponse:
    """An emailed signature link: a GET names the signature (masked) and shows a button, only
    the POST acts, as link scanners in mail servers open links and must not act for people."""
    try:
        link_actor(request.user)
        if request.method != "POST":
            linked = signature_for_link_page(token=token, purpose=purpose)
            return render(
                request,
                ask,
                {"token": token, "signature": linked, "petition": linked.petition},
            )
        signature, changed = action(token=token, actor=request.user)
    except (TokenInvalid, ServiceError) as exc:
        return _link_refused(request, exc)
    petition = Petition.objects.select_related("city").get(pk=signature.petition_id)
    return render(request, done, {"petition": petition, "changed": changed, "signature": signature})


@require_http_methods(["GET", "POST"])
def signature_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _signature_link(
        request,
        token,
        purpose=SIGNATURE_CONFIRM,
        action=services.signature_confirm,
        ask="petitions/signature_confirm.html",
        done="petitions/signature_confirmed.html",
    )


@require_http_methods(["GET", "POST"])
def signature_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    return _signature_link(
        request,
        token,
        purpose=SIGNATURE_WITHDRAW,
        action=services.signature_withdraw,
        ask="petitions/signature_withdraw.html",
        done="petitions/signature_withdrawn.html",
    )


def petition_zip_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The public download: confirmed signatures per ZIP code, never names or emails."""
    petition = _public_petition(slug)
    rows = [("zip_code", "signatures"), *petition_zip_counts(petition=petition)]
    return csv_download(csv_lines(rows), filename=f"petition-{petition.slug}-signatures-by-zip.csv")
