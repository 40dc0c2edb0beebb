"""The public tables of a bulk data snapshot: what each holds and where its rows come from.

Every table but the change log is read through an API list (its selector, visibility rules and
serializer, via ``exports.sources``), so a file holds the rows and columns the API serves and
nothing the API keeps back: no searcher hash, held reason text, email, address or IP hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import AgencyBriefSerializer
from datasets.columns import Column, row_values, serializer_columns, values_plan
from exports.sources import export_view
from searches.api.serializers import SearchStatsRowSerializer
from searches.selectors.stats import stats_grouped
from watch.models import ChangeEvent

# Rows fetched per database round trip.
CHUNK_ROWS = 5000

# Columns whose serializer field carries no translated description of its own.
DESCRIPTIONS: Mapping[str, Promise] = {
    "latitude": _("Latitude in degrees (WGS 84)."),
    "longitude": _("Longitude in degrees (WGS 84)."),
    "page_url": _("The object's page on this portal."),
    "examples": _("Example reasons, one per item."),
    "patterns": _("The category's patterns (JSON list)."),
    "documents": _("Documents attached to the item (JSON list)."),
    "source_agency": _("Audited agency: slug."),
    "hearing": _("Id of the hearing."),
    "item": _("Id of the agenda item."),
    "city": _("Slug of the city."),
    "comments_open": _("Whether comments are open now."),
    "signatures_by_zip": _("Confirmed signatures per ZIP code, most first (ZIP: count)."),
    "hearing_page_url": _("The hearing's page on this portal."),
    "month": _("Month, YYYY-MM (UTC)."),
    "id": _("The row's id on this portal (the same as in the API)."),
    "category_name": _("The category's name."),
    "source_agency_name": _("Audited agency: name."),
    "searching_agency_name": _("Searching agency: name."),
    "searches": _("Number of searches."),
    "support_count": _("Published comments in support."),
    "oppose_count": _("Published comments in opposition."),
    "neutral_count": _("Published neutral comments."),
}


class ChangeEventRowSerializer(serializers.ModelSerializer):
    """A change log row: every field is public (``watch.models``); the dedupe key is internal."""

    city: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text=_("Slug of the city.")
    )
    agency = AgencyBriefSerializer(read_only=True, allow_null=True, help_text=_("Agency"))
    other_agency = AgencyBriefSerializer(
        read_only=True, allow_null=True, help_text=_("The sharing partner, for sharing changes.")
    )
    topic = serializers.CharField(read_only=True, help_text=_("What a subscriber picks."))

    class Meta:
        model = ChangeEvent
        fields = [
            "id",
            "kind",
            "topic",
            "occurred_on",
            "recorded_at",
            "city",
            "agency",
            "other_agency",
            "out_of_state",
            "federal",
            "forbidden",
            "data",
        ]
        read_only_fields = fields


@dataclass(frozen=True)
class Table:
    name: str
    title: Promise
    description: Promise
    # The API list whose ``count`` equals the table's rows: route name and query.
    api_kind: str | None = None
    api_query: str = ""
    exclude: Sequence[str] = ()
    # Tables not read through an API list viewset.
    serializer: Callable[[], serializers.Serializer] | None = None
    rows: Callable[[], Iterator[Mapping[str, Any]]] | None = field(default=None, compare=False)

    def columns(self) -> list[Column]:
        """The table's typed, described columns (no row is read)."""
        if self.serializer is not None:
            found = self.serializer()
        else:
            assert self.api_kind is not None
            found = export_view(kind=self.api_kind, query=self.api_query).get_serializer()
        return serializer_columns(found, exclude=self.exclude, descriptions=DESCRIPTIONS)

    def open(self, *, fast: bool = True) -> tuple[list[Column], Iterator[tuple[Any, ...]]]:
        """The columns and the typed rows, read lazily in chunks (on PostgreSQL through a
        server-side cursor). ``fast`` reads plain tables with ``values_list`` (see
        ``values_plan``); without it every row goes through the API's serializer."""
        columns = self.columns()
        if self.rows is not None:
            return columns, (row_values(columns, row) for row in self.rows())
        assert self.api_kind is not None
        view = export_view(kind=self.api_kind, query=self.api_query)
        queryset = view.filter_queryset(view.get_queryset())
        plan = values_plan(columns) if fast else None
        if plan is None:
            rows = view.export_rows(queryset)
            return columns, (row_values(columns, row) for row in rows)
        lookups, converters = plan
        values = queryset.values_list(*lookups).iterator(chunk_size=CHUNK_ROWS)
        return columns, (
            tuple(convert(v) for convert, v in zip(converters, row, strict=True)) for row in values
        )


def _stats(group_by: list[str]) -> Callable[[], Iterator[Mapping[str, Any]]]:
    def rows() -> Iterator[Mapping[str, Any]]:
        yield from stats_grouped(filters=QueryDict(""), group_by=group_by)

    return rows


def _stats_serializer(group_by: list[str]) -> Callable[[], serializers.Serializer]:
    keep = {c for name in group_by for c in (name, f"{name}_name")} | {
        "searches",
        "devices_total",
        "devices_max",
        "networks_total",
        "blank_reason",
    }

    def build() -> serializers.Serializer:
        serializer = SearchStatsRowSerializer()
        names: list[str] = list(serializer.fields)  # the stubs type iteration as fields
        for name in names:
            if name not in keep:
                serializer.fields.pop(name)
        return serializer

    return build


def _changes() -> Iterator[Mapping[str, Any]]:
    serializer = ChangeEventRowSerializer()
    queryset = ChangeEvent.objects.select_related("city", "agency", "other_agency").order_by("pk")
    for event in queryset.iterator(chunk_size=2000):
        yield serializer.to_representation(event)


MONTHLY = ["month", "source_agency", "searching_agency", "category"]
FLAGS = ["month", "source_agency", "flag"]

TABLES: tuple[Table, ...] = (
    Table("cities", _("Cities"), _("Cities with ALPR cameras on record."), "city"),
    Table(
        "agencies",
        _("Agencies"),
        _("Agencies and organizations that own ALPR cameras or may search them."),
        "agency",
    ),
    Table(
        "cameras",
        _("Cameras"),
        _(
            "ALPR cameras with location, direction, vendor, owner and status. Rows whose "
            "source is osm come from OpenStreetMap (ODbL)."
        ),
        "camera",
    ),
    Table(
        "sharing_agreements",
        _("Sharing agreements"),
        _(
            "Who may search whose cameras, with their history: first seen, last seen and "
            "ended, from the dated sources."
        ),
        "sharing-agreement",
    ),
    Table(
        "transparency_snapshots",
        _("Transparency snapshots"),
        _("What agencies' transparency pages said on each capture date."),
        "snapshot",
    ),
    Table(
        "state_laws",
        _("State laws"),
        _("What each state's law says about ALPR use, sharing and retention."),
        "state-law",
    ),
    Table(
        "searches",
        _("Searches"),
        _(
            "One row per audited search, with the reason as published (scrubbed of plates and "
            "names). Never a plate, officer name, user id or searcher hash."
        ),
        "search",
    ),
    Table(
        "search_stats_monthly",
        _("Search statistics by month"),
        _("Searches per month, audited agency, searching agency and reason category."),
        "search-stats",
        api_query="group_by=" + ",".join(MONTHLY),
        serializer=_stats_serializer(MONTHLY),
        rows=_stats(MONTHLY),
    ),
    Table(
        "search_stats_flags",
        _("Search statistics by flag"),
        _(
            "Searches per month, audited agency and flag; a search with several flags counts "
            "once under each."
        ),
        "search-stats",
        api_query="group_by=" + ",".join(FLAGS),
        serializer=_stats_serializer(FLAGS),
        rows=_stats(FLAGS),
    ),
    Table(
        "reason_categories",
        _("Reason categories"),
        _("The rules that classify stated reasons."),
        "reason-category",
    ),
    Table(
        "imports", _("Imports"), _("Public summaries of the import jobs behind the data."), "import"
    ),
    Table("hearings", _("Hearings"), _("Council and committee hearings on ALPR."), "hearing"),
    Table(
        "agenda_items",
        _("Agenda items"),
        _("Agenda items of hearings, with outcomes and comment counts."),
        "agenda-item",
    ),
    Table(
        "comments",
        _("Published comments"),
        _("Published public comments: the name as given, never contact details."),
        "comment",
    ),
    Table(
        "petitions",
        _("Petitions"),
        _("Published petitions with their signature counts (no signer names)."),
        "petition",
        exclude=("recent_public_names",),
    ),
    Table(
        "changes",
        _("Change log"),
        _("What changed in the network, one row per fact."),
        serializer=ChangeEventRowSerializer,
        rows=_changes,
    ),
)


def table_get(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)
