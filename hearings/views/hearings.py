"""Public hearing pages: lists, the hearing with its comment forms, the confirm and withdraw
pages, calendars, the Atom feed and the public record. Views read through selectors and write
through services; none of them ever renders an email, address or IP."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.pages import paginate
from hearings import ical
from hearings.abuse import RateLimited, client_ip
from hearings.exports import record_csv_response
from hearings.forms.comments import CommentForm
from hearings.models import CityEngagementSettings, Comment, Hearing
from hearings.selectors.comments import (
    CONFIRM_PURPOSE,
    WITHDRAW_PURPOSE,
    comment_from_link,
    hearing_public_comments,
    hearing_record,
)
from hearings.selectors.hearings import (
    city_for_hearings,
    hearing_get,
    hearing_list,
    hearing_mark_audited_agencies,
    hearings_for_calendar,
    hearings_for_feed,
)
from hearings.services.comments import (
    CommentError,
    comment_confirm,
    comment_submit,
    comment_withdraw,
)
from hearings.tokens import StaffLinkRefused, TokenInvalid, link_actor

PAST_PAGE_SIZE = 20


def _lists(request: HttpRequest, *, city=None) -> dict:
    now = timezone.now()
    past = hearing_list(city=city, when="past", now=now)
    return {
        "upcoming": list(hearing_list(city=city, when="upcoming", now=now)),
        "past_page": paginate(request, past, per_page=PAST_PAGE_SIZE),
        "now": now,
    }


def hearing_index(request: HttpRequest) -> HttpResponse:
    return render(request, "hearings/hearing_list.html", _lists(request))


def city_hearings(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = city_for_hearings(city_slug=city_slug)
    return render(
        request, "hearings/hearing_list.html", {"city": city, **_lists(request, city=city)}
    )


def _comment_forms(hearing: Hearing, rules: CityEngagementSettings, bound=None) -> dict:
    """One unbound form per agenda item, or the bound one for the item that was posted."""
    forms = {}
    for item in hearing.items.all():
        if bound is not None and bound.prefix == f"item-{item.pk}":
            forms[item.pk] = bound
        else:
            forms[item.pk] = CommentForm(prefix=f"item-{item.pk}", rules=rules)
    return forms


@require_http_methods(["GET", "POST"])
def hearing_detail(request: HttpRequest, city_slug: str, slug: str) -> HttpResponse:
    hearing = hearing_get(city_slug=city_slug, slug=slug)
    rules = CityEngagementSettings.objects.for_city(hearing.city)
    bound, item, status = None, None, 200
    if request.method == "POST":
        item = next((i for i in hearing.items.all() if str(i.pk) == request.POST.get("item")), None)
        if item is None:
            raise Http404("No such agenda item")
        bound = CommentForm(request.POST, prefix=f"item-{item.pk}", rules=rules)
        if bound.is_valid() and bound.honeypot_tripped:
            # Answer a bot exactly like a person, but keep nothing.
            return redirect("hearings:comment-sent", city_slug=city_slug, slug=slug)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                comment_submit(
                    item=item,
                    name=data["name"],
                    email=data["email"],
                    address=data["address"],
                    position=data["position"],
                    text=data["text"],
                    wants_to_speak=data["wants_to_speak"],
                    consent=data["consent"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    bound.add_error(field if field in bound.fields else None, errors)
                status = 400
            except RateLimited as exc:
                minutes = max(1, (exc.retry_after + 59) // 60)
                bound.add_error(
                    None,
                    _("Too many comments from here just now; please try again in %(n)s minutes.")
                    % {"n": minutes},
                )
                status = 429
            except CommentError as exc:
                bound.add_error(None, str(exc))
                status = 400
            else:
                return redirect("hearings:comment-sent", city_slug=city_slug, slug=slug)
        else:
            status = 400
    now = timezone.now()
    hearing_mark_audited_agencies(hearing=hearing)
    entries = hearing_public_comments(hearing=hearing)
    forms = _comment_forms(hearing, rules, bound)
    for entry in entries:
        # The item's form, for the template only (the selector knows nothing of forms).
        entry.form = forms[entry.item.pk]  # type: ignore[attr-defined]
    context = {
        "hearing": hearing,
        "city": hearing.city,
        "rules": rules,
        "window": hearing.window_state(now),
        "entries": entries,
    }
    return render(request, "hearings/hearing_detail.html", context, status=status)


def comment_sent(request: HttpRequest, city_slug: str, slug: str) -> HttpResponse:
    hearing = hearing_get(city_slug=city_slug, slug=slug)
    return render(request, "hearings/comment_sent.html", {"hearing": hearing})


def _token_page(
    request: HttpRequest, *, token: str, purpose: str, action, template: str
) -> HttpResponse:
    """GET names the comment and shows a button, POST acts: mail scanners that open links must
    not act for people. Staff are refused on both, before they press anything."""
    context: dict = {"token": token, "done": False, "error": ""}
    status = 200
    try:
        link_actor(request.user)
        comment = comment_from_link(token=token, purpose=purpose)
        if comment is None:
            raise CommentError(_("This comment no longer exists."))
        if request.method == "POST":
            comment = action(token=token, actor=request.user)
            context["done"] = True
    except TokenInvalid:
        context["error"], status = _("This link is not valid or has expired."), 400
    except StaffLinkRefused as exc:
        context["error"], status = str(exc), 403
    except CommentError as exc:  # includes a closed comment window
        context["error"], status = str(exc), 400
    else:
        context.update(comment=comment, item=comment.item, hearing=comment.item.hearing)
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def comment_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(
        request,
        token=token,
        purpose=CONFIRM_PURPOSE,
        action=comment_confirm,
        template="hearings/comment_confirm.html",
    )


@require_http_methods(["GET", "POST"])
def comment_withdraw_view(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(
        request,
        token=token,
        purpose=WITHDRAW_PURPOSE,
        action=comment_withdraw,
        template="hearings/comment_withdraw.html",
    )


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def hearing_ics(request: HttpRequest, city_slug: str, slug: str) -> HttpResponse:
    hearing = hearing_get(city_slug=city_slug, slug=slug)
    body = ical.calendar_build(hearings_for_calendar(hearing=hearing), name=hearing.title)
    return _ics_response(body, f"{hearing.slug}.ics")


def city_ics(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = city_for_hearings(city_slug=city_slug)
    name = _("Hearings in %(city)s") % {"city": city}
    body = ical.calendar_build(hearings_for_calendar(city=city), name=name)
    return _ics_response(body, f"{city.slug}-hearings.ics")


class CityHearingsFeed(Feed):
    """Atom feed of hearings as the city announces them."""

    feed_type = Atom1Feed

    def get_object(self, request, city_slug: str):
        return city_for_hearings(city_slug=city_slug)

    def title(self, city) -> str:
        return _("Hearings in %(city)s") % {"city": city}

    def subtitle(self, city) -> str:
        return _("New council and committee hearings on license plate readers in %(city)s.") % {
            "city": city
        }

    def link(self, city) -> str:
        return reverse("hearings:city-hearings", kwargs={"city_slug": city.slug})

    def items(self, city):
        return hearings_for_feed(city=city)

    def item_title(self, hearing: Hearing) -> str:
        return hearing.title

    def item_description(self, hearing: Hearing) -> str:
        starts = timezone.localtime(hearing.starts_at, hearing.tz)
        return _("%(body)s, %(when)s, %(where)s. Status: %(status)s.") % {
            "body": hearing.body_label,
            "when": starts.strftime("%Y-%m-%d %H:%M %Z"),
            "where": hearing.location or _("location to be announced"),
            "status": hearing.get_status_display(),
        }

    def item_pubdate(self, hearing: Hearing):
        return hearing.created_at

    def item_updateddate(self, hearing: Hearing):
        return hearing.updated_at


def hearing_record_public(request: HttpRequest, city_slug: str, slug: str) -> HttpResponse:
    """The public record: published comments only, no private data; HTML packet or CSV."""
    hearing = hearing_get(city_slug=city_slug, slug=slug)
    record = hearing_record(hearing=hearing, clerk=False)
    if request.GET.get("format") == "csv":
        return record_csv_response(record, filename=f"{hearing.slug}-public-record.csv")
    return render(request, "hearings/record.html", record_context(record))


def record_context(record) -> dict:
    hearing = record.hearing
    return {
        "record": record,
        "hearing": hearing,
        "starts_at": timezone.localtime(hearing.starts_at, hearing.tz),
        "generated_at": timezone.localtime(timezone.now(), hearing.tz),
        "statuses": dict(Comment.Status.choices),
    }
