"""``/api/v1/compare/``: the comparison page's figures as JSON (or CSV), for cities, agencies or
a state's cities. Every value is public: counts, rates and published figures."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from compare.downloads import csv_filename, csv_response, requested_measures
from compare.selectors import (
    MAX_SUBJECTS,
    MONTHS_WINDOW,
    CompareError,
    measures_row,
    state_city_measures,
)
from core.api.serializers import ThrottledSerializer, enum_field
from core.states import STATE_CHOICES

STATE_CODES = frozenset(code for code, _name in STATE_CHOICES)

KindField = enum_field("CompareKindEnum", [("city", _("City")), ("agency", _("Agency"))])


class CompareRowSerializer(serializers.Serializer):
    """One city's (or agency's) figures, as the comparison page shows them."""

    kind = KindField()
    slug = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField(help_text=_("Two-letter state code; empty when unknown."))
    population = serializers.IntegerField(allow_null=True, help_text=_("Null when unknown."))
    active_cameras = serializers.IntegerField()
    cameras_per_10k = serializers.FloatField(
        allow_null=True, help_text=_("Active cameras per 10,000 residents; null without one.")
    )
    retention_days = serializers.IntegerField(
        allow_null=True,
        help_text=_("Longest retention in the latest transparency snapshots of its agencies."),
    )
    retention_agency = serializers.CharField(help_text=_("The agency with that retention."))
    snapshot_date = serializers.DateField(allow_null=True)
    sharing_agreements = serializers.IntegerField(
        help_text=_("Current sharing agreements letting other agencies search its cameras.")
    )
    out_of_state = serializers.IntegerField()
    out_of_state_percent = serializers.FloatField(allow_null=True)
    federal = serializers.IntegerField()
    federal_percent = serializers.FloatField(allow_null=True)
    search_months = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The latest months with searches (YYYY-MM) that searches_per_month covers."),
    )
    searches_in_months = serializers.IntegerField()
    searches_per_month = serializers.FloatField(allow_null=True)
    searches_total = serializers.IntegerField(help_text=_("Every search in its audits."))
    vague_reason = serializers.IntegerField()
    blank_reason = serializers.IntegerField()
    vague_or_blank_percent = serializers.FloatField(allow_null=True)
    flagged = serializers.IntegerField(
        help_text=_(
            "Searches with a concern or state-law flag (immigration, reproductive care, "
            "protest, a use or sharing forbidden by state law), each counted once."
        )
    )
    flagged_per_10k = serializers.FloatField(allow_null=True)
    hotlist_hits_30d = serializers.IntegerField(allow_null=True)
    hearings = serializers.IntegerField(allow_null=True, help_text=_("Null for an agency."))
    public_comments = serializers.IntegerField(allow_null=True)
    petition_signatures = serializers.IntegerField(allow_null=True)


class CompareResponseSerializer(serializers.Serializer):
    kind = KindField()
    months_window = serializers.IntegerField()
    count = serializers.IntegerField()
    results = CompareRowSerializer(many=True)


def _with_max(text: Any) -> Any:
    """``text`` with the cap filled in, translated when the schema is rendered."""
    return lazy(lambda: str(text) % {"max": MAX_SUBJECTS}, str)()


SLUGS_HELP = _with_max(_("Comma-separated slugs (or the parameter repeated), at most %(max)d."))


@extend_schema(
    tags=["compare"],
    description=_with_max(
        _(
            "Cities (or agencies) side by side: retention, cameras per 10,000 residents, sharing, "
            "searches per month, vague or blank reasons, flagged searches per 10,000, hotlist hits "
            "and public participation, each the figure its own page shows. Give exactly one of "
            "`cities`, `agencies` or `state` (every city of that state). `?format=csv` returns the "
            "same rows as CSV. An unknown slug, more than %(max)d, none, or more than one of the "
            "three parameters is a 400 whose `detail` says which."
        )
    ),
    parameters=[
        OpenApiParameter(
            "cities", OpenApiTypes.STR, OpenApiParameter.QUERY, description=SLUGS_HELP
        ),
        OpenApiParameter(
            "agencies", OpenApiTypes.STR, OpenApiParameter.QUERY, description=SLUGS_HELP
        ),
        OpenApiParameter(
            "state",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            description=_("A two-letter state code: every city of that state."),
        ),
        OpenApiParameter(
            "format",
            str,
            OpenApiParameter.QUERY,
            enum=["json", "csv"],
            description=_("`json` (default) or `csv`."),
        ),
    ],
    responses={
        (200, "application/json"): OpenApiResponse(CompareResponseSerializer),
        (200, "text/csv"): OpenApiTypes.STR,
        (429, "application/json"): OpenApiResponse(ThrottledSerializer),
    },
)
class CompareViewSet(viewsets.ViewSet):
    """Figures of cities or agencies side by side."""

    def list(self, request, *args, **kwargs):
        params = request.query_params
        state = params.get("state", "").strip().upper()
        try:
            if state:
                if params.get("cities") or params.get("agencies"):
                    raise CompareError(_("Give a state, or cities or agencies, not both."))
                if state not in STATE_CODES:
                    raise CompareError(
                        _("“%(state)s” is not a two-letter state code.") % {"state": state[:10]}
                    )
                kind, measures = "city", state_city_measures(state=state)
            else:
                kind, measures = requested_measures(params)
        except CompareError as error:
            raise ValidationError({"detail": str(error)}) from error
        if request.accepted_renderer.format == "csv":
            name = f"compare-{state.lower()}.csv" if state else csv_filename(kind, measures)
            return csv_response(measures, filename=name)
        rows = [measures_row(m) for m in measures]
        return Response(
            {
                "kind": kind,
                "months_window": MONTHS_WINDOW,
                "count": len(rows),
                "results": CompareRowSerializer(rows, many=True).data,
            }
        )


def register_compare(router: BaseRouter) -> None:
    router.register("compare", CompareViewSet, basename="compare")
