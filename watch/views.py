"""The changes pages (a city's, an agency's, the nation's) and their Atom feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.models import Agency, City
from core.pages import LIST_PAGE_SIZE, api_url, paginate
from core.selectors import agency_get
from watch.filters import ChangeEventFilter
from watch.models import ChangeEvent
from watch.selectors import FEED_ITEMS, change_list, change_summary, changes_present, text_diff

PAGE_FILTERS = ("topic", "kind")


@dataclass(frozen=True)
class Subject:
    """Whose changes a page or feed shows: a city, an agency, or the whole network (neither)."""

    city: City | None = None
    agency: Agency | None = None

    @property
    def name(self) -> str:
        if self.city is not None:
            return f"{self.city.name}, {self.city.state}"
        if self.agency is not None:
            return self.agency.name
        return _("the whole network")

    @property
    def page_url(self) -> str:
        if self.city is not None:
            return reverse("watch:city-changes", kwargs={"slug": self.city.slug})
        if self.agency is not None:
            return reverse("watch:agency-changes", kwargs={"slug": self.agency.slug})
        return reverse("watch:changes")

    @property
    def feed_url(self) -> str:
        return self.page_url + "feed/"

    @property
    def api_params(self) -> dict[str, str]:
        if self.city is not None:
            return {"city": self.city.slug}
        if self.agency is not None:
            return {"agency": self.agency.slug}
        return {}

    def events(self, filters=None):
        return change_list(city=self.city, agency=self.agency, filters=filters)


def _city(slug: str) -> City:
    city = City.objects.filter(slug=slug).first()
    if city is None:
        raise Http404(_("No such city."))
    return city


def _agency(slug: str) -> Agency:
    agency = agency_get(slug=slug)
    if agency is None:
        raise Http404(_("No such agency."))
    return agency


def _filter_form(request: HttpRequest) -> forms.Form:
    form = ChangeEventFilter(request.GET or None, queryset=ChangeEvent.objects.none()).form
    for name in list(form.fields):
        if name not in PAGE_FILTERS:
            form.fields.pop(name)
    form.fields["topic"].widget = forms.CheckboxSelectMultiple(choices=ChangeEvent.Topic.choices)
    form.fields["kind"].widget = forms.CheckboxSelectMultiple(choices=ChangeEvent.Kind.choices)
    form.order_fields(PAGE_FILTERS)
    return form


def _page_filters(request: HttpRequest) -> QueryDict:
    """The page's own filters (kind, topic) of the query; paging and the rest left out."""
    data = QueryDict(mutable=True)
    for name in PAGE_FILTERS:
        values = [v for v in request.GET.getlist(name) if v]
        if values:
            data.setlist(name, values)
    return data


def _filtered(request: HttpRequest, subject: Subject):
    """(the subject's changes narrowed by the page filters, whether the filters were valid)."""
    filterset = ChangeEventFilter(_page_filters(request), queryset=subject.events())
    if not filterset.is_valid():
        return subject.events().none(), False
    return filterset.qs, True


def _changes_page(request: HttpRequest, subject: Subject) -> HttpResponse:
    events, valid = _filtered(request, subject)
    page = paginate(request, events, per_page=LIST_PAGE_SIZE)
    changes_present(events=list(page.object_list))
    filters = _page_filters(request)
    api_params = [*subject.api_params.items(), *((k, v) for k, vs in filters.lists() for v in vs)]
    return render(
        request,
        "watch/changes.html",
        {
            "subject": subject,
            "page": page,
            "filter_form": _filter_form(request),
            "filtered": bool(filters),
            "feed_url": subject.feed_url + (f"?{filters.urlencode()}" if filters else ""),
            "api_links": [
                (_("Changes (JSON)"), api_url("change", api_params)),
                (_("Changes (CSV)"), api_url("change", [*api_params, ("format", "csv")])),
            ],
        },
        status=200 if valid else 400,
    )


def national_changes(request: HttpRequest) -> HttpResponse:
    return _changes_page(request, Subject())


def city_changes(request: HttpRequest, slug: str) -> HttpResponse:
    return _changes_page(request, Subject(city=_city(slug)))


def agency_changes(request: HttpRequest, slug: str) -> HttpResponse:
    return _changes_page(request, Subject(agency=_agency(slug)))


# --- feeds ------------------------------------------------------------------------------------


class ChangesFeed(Feed):
    """The newest changes of a subject as Atom; entries link to their place on its page."""

    feed_type = Atom1Feed
    subject_kind = ""

    def get_object(self, request: HttpRequest, slug: str = "") -> Subject:
        self.request = request
        if self.subject_kind == "city":
            return Subject(city=_city(slug))
        if self.subject_kind == "agency":
            return Subject(agency=_agency(slug))
        return Subject()

    def title(self, obj: Subject) -> str:
        return _("Changes: %(subject)s · ALPR Transparency Portal") % {"subject": obj.name}

    def link(self, obj: Subject) -> str:
        return obj.page_url

    def feed_url(self, obj: Subject) -> str:
        return obj.feed_url

    def subtitle(self, obj: Subject) -> str:
        return _(
            "Sharing partners added and removed, retention, policy and published figures "
            "changed, search audits imported, flagged searches, hearings and petitions."
        )

    def items(self, obj: Subject) -> list[ChangeEvent]:
        events, _valid = _filtered(self.request, obj)
        return list(events[:FEED_ITEMS])

    def item_title(self, item: ChangeEvent) -> str:
        return change_summary(item)

    def item_description(self, item: ChangeEvent) -> str:
        # Atom summaries are HTML: every text from the data is escaped here.
        data = item.data or {}
        lines = [escape(change_summary(item))]
        if isinstance(data.get("new"), str):
            diff = text_diff(old=str(data.get("old", "")), new=data["new"])
            removed = [p.text.strip() for p in diff if p.op == "delete"]
            added = [p.text.strip() for p in diff if p.op == "insert"]
            if removed:
                lines.append(escape(_("Removed: %s") % " … ".join(removed)))
            if added:
                lines.append(escape(_("Added: %s") % " … ".join(added)))
        return "<br>".join(lines)

    def item_link(self, item: ChangeEvent) -> str:
        if item.city_id is not None and item.city is not None:
            base = reverse("watch:city-changes", kwargs={"slug": item.city.slug})
        elif item.agency is not None:
            base = reverse("watch:agency-changes", kwargs={"slug": item.agency.slug})
        else:
            base = reverse("watch:changes")
        return f"{base}#change-{item.pk}"

    def item_guid(self, item: ChangeEvent) -> str:
        return f"urn:alpr-portal:change:{item.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: ChangeEvent) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(item.occurred_on, dt.time.min))

    def item_updateddate(self, item: ChangeEvent) -> dt.datetime:
        return item.recorded_at

    def item_categories(self, item: ChangeEvent) -> list[str]:
        return [str(item.get_kind_display())]


class NationalChangesFeed(ChangesFeed):
    pass


class CityChangesFeed(ChangesFeed):
    subject_kind = "city"


class AgencyChangesFeed(ChangesFeed):
    subject_kind = "agency"
