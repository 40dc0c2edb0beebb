"""Public API endpoints for search audits: searches (cursor-paginated, CSV), statistics from
the rollups, reason categories with their rules, and public summaries of import jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters as filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from core.api.conditional import ConditionalListMixin
from core.api.renderers import csv_stream, export_filename, filename_parts
from core.api.serializers import ThrottledSerializer
from core.csvstream import csv_download
from core.models import ImportJob
from exports.schema import public_schema
from exports.viewsets import PublicReadOnlyViewSet
from searches.api.serializers import (
    ImportJobSummarySerializer,
    ReasonCategorySerializer,
    SearchSerializer,
    SearchStatsRowSerializer,
    StatsErrorSerializer,
)
from searches.filters import SearchFilter, SearchRollupFilter
from searches.models import ReasonCategory, SearchRollup
from searches.selectors.coverage import import_job_list
from searches.selectors.explorer import search_list
from searches.selectors.rules import reason_category_list
from searches.selectors.stats import GROUP_BY_FIELDS, cached, stats_grouped, stats_version


class SearchCursorPagination(CursorPagination):
    """Newest first; a cursor holds the position, so deep pages cost what the first costs and
    no COUNT runs over millions of rows."""

    ordering = ("-searched_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@public_schema(
    tag="searches",
    serializer=SearchSerializer,
    list_description=_(
        "One row per ALPR search from the audits the portal holds: when, whose cameras, which "
        "agency searched, how many networks and devices it reached, and the reason as written, "
        "with its category and flags. Never a plate, officer name or user id. Pages are "
        "cursor-based (follow `next`); `?format=csv` streams every matching row."
    ),
    retrieve_description=_("One search, by id."),
)
class SearchViewSet(PublicReadOnlyViewSet):
    serializer_class = SearchSerializer
    filterset_class = SearchFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = SearchCursorPagination
    export_name = "searches"

    def get_queryset(self):
        return search_list()

    @staticmethod
    def export_filename_parts(params: QueryDict | Mapping[str, Any]) -> list[str]:
        """Whose cameras, who searched, when, then what: ``eugene-or-pd_2025-11-01_2025-11-30
        _immigration``. A lone date says which end it is (``from-``, ``to-``)."""
        dated = bool(params.get("date_from")) and bool(params.get("date_to"))
        return filename_parts(
            params,
            [
                ("source_agency", ""),
                ("city", "city"),
                ("source_state", "state"),
                ("searching_agency", "by"),
                ("searching_agency_name", "by-name"),
                ("searching_state", "by-state"),
                ("date_from", "" if dated else "from"),
                ("date_to", "" if dated else "to"),
                ("category", "category"),
                ("flag", ""),
                ("reason", "reason"),
                ("min_devices", "min-devices"),
            ],
        )


GROUP_BY_HELP = _(
    "Comma-separated dimensions to group by, any of: "
    + ", ".join(f"`{name}`" for name in GROUP_BY_FIELDS)
    + ". `state` is the audited agency's state. With `flag`, a search carrying several flags "
    "counts once under each. Without `group_by`, one row of totals."
)
MEASURES = ["searches", "devices_total", "devices_max", "networks_total", "blank_reason"]
LABEL_COLUMNS = {
    "category": ["category", "category_name"],
    "source_agency": ["source_agency", "source_agency_name"],
    "searching_agency": ["searching_agency", "searching_agency_name"],
}


def parse_group_by(raw_values: list[str]) -> list[str]:
    """Validated, de-duplicated group_by names; a 400 with the allowed names otherwise."""
    names: list[str] = []
    for raw in raw_values:
        for name in raw.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in GROUP_BY_FIELDS:
                raise ValidationError(
                    {
                        "detail": _("“%(name)s” is not a dimension to group by.")
                        % {"name": name[:40]},
                        "allowed": list(GROUP_BY_FIELDS),
                    }
                )
            if name not in names:
                names.append(name)
    return names


@extend_schema(
    tags=["search-stats"],
    description=_(
        "Searches counted from the monthly rollups (never by scanning searches), grouped by any "
        "of month, category, flag, audited agency, searching agency and state, with the same "
        "filters as /api/v1/searches/ (dates as whole months). `?format=csv` returns every row."
    ),
    parameters=[
        OpenApiParameter(
            "group_by",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            description=GROUP_BY_HELP,
            examples=[],
        ),
        OpenApiParameter(
            "format",
            str,
            OpenApiParameter.QUERY,
            enum=["json", "csv"],
            description=_("`json` (default, paginated) or `csv` (every row)."),
        ),
    ],
    responses={
        (200, "application/json"): OpenApiResponse(SearchStatsRowSerializer(many=True)),
        (200, "text/csv"): OpenApiTypes.STR,
        (400, "application/json"): OpenApiResponse(
            StatsErrorSerializer, description=_("An unknown group_by name or a bad filter.")
        ),
        (429, "application/json"): OpenApiResponse(ThrottledSerializer),
    },
)
class SearchStatsViewSet(ConditionalListMixin, viewsets.GenericViewSet):
    """Grouped sums of searches from the rollup tables."""

    serializer_class = SearchStatsRowSerializer
    filterset_class = SearchRollupFilter
    filter_backends = [DjangoFilterBackend]
    export_name = "search-stats"

    def get_queryset(self):
        return SearchRollup.objects.all()

    def list(self, request, *args, **kwargs):
        group_by = parse_group_by(request.query_params.getlist("group_by"))
        filterset = SearchRollupFilter(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        filters = sorted(
            (name, tuple(values))
            for name, values in request.query_params.lists()
            if name not in ("group_by", "format", "page", "page_size")
        )
        rows = cached(
            f"stats:{group_by}:{filters}",
            stats_version(),
            lambda: stats_grouped(filters=request.query_params, group_by=group_by),
        )
        if request.accepted_renderer.format == "csv":
            columns = [c for name in group_by for c in LABEL_COLUMNS.get(name, [name])]
            return csv_download(
                csv_stream(columns=[*columns, *MEASURES], rows=rows),
                filename=export_filename(self, "csv"),
            )
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(page)
        return Response(rows)


class ReasonCategoryFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ReasonCategory.Kind.choices, label=_("Kind"))

    class Meta:
        model = ReasonCategory
        fields = ["kind"]


@public_schema(
    tag="reason-categories",
    serializer=ReasonCategorySerializer,
    list_description=_(
        "The rules that classify stated reasons: each active category with its description, "
        "priority (lowest wins), flags, ordered patterns, examples and known limits."
    ),
    retrieve_description=_("One reason category, by slug."),
)
class ReasonCategoryViewSet(PublicReadOnlyViewSet):
    serializer_class = ReasonCategorySerializer
    filterset_class = ReasonCategoryFilter
    lookup_field = "slug"
    ordering_fields = ["priority", "name"]
    export_name = "reason-categories"

    def get_queryset(self):
        return reason_category_list()


class ImportJobFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ImportJob.Kind.choices, label=_("Kind"))
    status = filters.ChoiceFilter(choices=ImportJob.Status.choices, label=_("Status"))

    class Meta:
        model = ImportJob
        fields = ["kind", "status"]


@public_schema(
    tag="imports",
    serializer=ImportJobSummarySerializer,
    list_description=_(
        "What each import did: kind, status, rows read, new, duplicate and rejected, and when. "
        "Never the file, its rows, its name or who uploaded it."
    ),
    retrieve_description=_("One import job's summary, by id."),
)
class ImportJobViewSet(PublicReadOnlyViewSet):
    serializer_class = ImportJobSummarySerializer
    filterset_class = ImportJobFilter
    ordering_fields = ["created_at", "finished_at", "rows_read"]
    export_name = "imports"

    def get_queryset(self):
        return import_job_list().select_related("city")
