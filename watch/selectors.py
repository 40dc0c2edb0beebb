"""Reads of the change log for its pages, feeds and API, and how one change reads in words."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cameras.models import TransparencySnapshot
from core.models import Agency, City
from searches.models import FLAG_LABELS
from watch.filters import ChangeEventFilter
from watch.models import ChangeEvent

K = ChangeEvent.Kind
TEXT_CHANGES = {K.POLICY_CHANGED}
FEED_ITEMS = 50


def change_list(
    *,
    city: City | None = None,
    agency: Agency | None = None,
    filters: Mapping[str, Any] | None = None,
) -> QuerySet[ChangeEvent]:
    """Changes newest first, of one city or agency (either side of a sharing change) or all,
    narrowed by the API and page filters."""
    qs = ChangeEvent.objects.select_related("city", "agency", "other_agency")
    if city is not None:
        qs = qs.for_city(city)
    if agency is not None:
        qs = qs.for_agency(agency)
    qs = qs.order_by("-occurred_on", "-id")
    return ChangeEventFilter(filters, queryset=qs).qs if filters else qs


@dataclass(frozen=True)
class DiffPart:
    """A run of words of a text diff: ``op`` is "equal", "insert" or "delete"."""

    op: str
    text: str


_TOKENS = re.compile(r"\S+|\s+")


def text_diff(*, old: str, new: str) -> list[DiffPart]:
    """A word-by-word diff of two texts (difflib), as runs a template escapes and marks up."""
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart("equal", "".join(after[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(before[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(after[b1:b2])))
    return parts


def field_label(name: str) -> str:
    """The snapshot field's name as the snapshot pages show it."""
    try:
        return str(getattr(TransparencySnapshot._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _number(value: Any) -> str:
    return intcomma(value) if isinstance(value, int) else str(value)


def _when(value: str) -> str:
    moment = parse_datetime(value or "")
    return date_format(moment, "DATE_FORMAT") if moment else ""


def change_summary(event: ChangeEvent) -> str:
    """One plain sentence saying what changed (for the pages, the feeds' titles and the API)."""
    data = event.data or {}
    kind = event.kind
    if kind == K.SHARING_ADDED:
        return _("%(owner)s began sharing its cameras with %(partner)s") % {
            "owner": data.get("owner", ""),
            "partner": data.get("partner", ""),
        }
    if kind == K.SHARING_REMOVED:
        return _("%(owner)s stopped sharing its cameras with %(partner)s") % {
            "owner": data.get("owner", ""),
            "partner": data.get("partner", ""),
        }
    if kind == K.RETENTION_CHANGED:
        return _("%(agency)s: retention changed from %(old)s to %(new)s days") % {
            "agency": data.get("agency", ""),
            "old": _number(data.get("old")),
            "new": _number(data.get("new")),
        }
    if kind in (K.CAMERAS_CHANGED, K.METRIC_CHANGED) and not isinstance(data.get("new"), str):
        return _("%(agency)s: %(field)s changed from %(old)s to %(new)s") % {
            "agency": data.get("agency", ""),
            "field": field_label(data.get("field", "")).lower(),
            "old": _number(data.get("old")),
            "new": _number(data.get("new")),
        }
    if kind in (K.POLICY_CHANGED, K.METRIC_CHANGED):
        return _("%(agency)s: the text of “%(field)s” changed") % {
            "agency": data.get("agency", ""),
            "field": field_label(data.get("field", "")),
        }
    if kind == K.AUDIT_IMPORTED:
        return _("Search audit of %(agency)s imported: %(added)s new searches of %(read)s read") % {
            "agency": data.get("agency") or _("an agency"),
            "added": _number(data.get("searches_added", 0)),
            "read": _number(data.get("searches_read", 0)),
        }
    if kind == K.FLAGGED_SEARCHES:
        counts = data.get("counts") or {}
        return _("%(agency)s: %(count)s new flagged searches (%(flags)s)") % {
            "agency": data.get("agency", ""),
            "count": _number(sum(counts.values())),
            "flags": ", ".join(
                f"{FLAG_LABELS.get(name, name)}: {_number(n)}" for name, n in sorted(counts.items())
            ),
        }
    if kind == K.HEARING_SCHEDULED:
        return _("Hearing scheduled for %(date)s: %(title)s") % {
            "date": _when(data.get("starts_at", "")),
            "title": data.get("title", ""),
        }
    if kind == K.PETITION_OPENED:
        return _("Petition opened: %(title)s") % {"title": data.get("title", "")}
    if kind == K.PETITION_CLOSED:
        return _("Petition closed: %(title)s") % {"title": data.get("title", "")}
    return str(event.get_kind_display())


def change_marks(event: ChangeEvent) -> list[tuple[str, str]]:
    """The marks of a change as (label, badge style), in the sharing pages' words."""
    marks = []
    if event.out_of_state:
        marks.append((_("Out of state"), "out-of-state"))
    if event.federal:
        marks.append((_("Federal"), "federal"))
    if event.forbidden:
        state = event.agency.state if event.agency else ""
        label = _("Forbidden by %(state)s law") % {"state": state} if state else ""
        marks.append((label or _("Forbidden by state law"), "forbidden"))
    return marks


def change_link(event: ChangeEvent) -> str:
    """Where a change is shown on the site: its hearing or petition, else its changes page."""
    url = (event.data or {}).get("url")
    if isinstance(url, str) and url.startswith("/"):
        return url
    return ""


def changes_present(*, events: list[ChangeEvent]) -> list[ChangeEvent]:
    """Attach what the pages show to each change: its sentence, marks, link and text diff."""
    for event in events:
        data = event.data or {}
        # Set for the templates; mypy knows only the attributes the model declares.
        event.summary = change_summary(event)  # type: ignore[attr-defined]
        event.marks = change_marks(event)  # type: ignore[attr-defined]
        event.link = change_link(event)  # type: ignore[attr-defined]
        previous = data.get("previous_on")
        event.previous_on = (  # type: ignore[attr-defined]
            dt.date.fromisoformat(previous) if isinstance(previous, str) else None
        )
        event.diff = (  # type: ignore[attr-defined]
            text_diff(old=str(data.get("old", "")), new=str(data.get("new", "")))
            if event.kind in TEXT_CHANGES or isinstance(data.get("new"), str)
            else []
        )
    return events
