"""``/api/v1/records-requests/``: the public log of records requests."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.routers import BaseRouter

from records.api.serializers import RecordsRequestSerializer
from records.models import RecordsRequest
from records.selectors import RecordsRequestApiFilter, records_request_list


@extend_schema_view(
    list=extend_schema(
        tags=["records-requests"],
        description=_(
            "Public records requests for ALPR files and their status, newest first; filter by "
            "city and agency (slugs), status and kind. No requester contact data."
        ),
    ),
    retrieve=extend_schema(
        tags=["records-requests"], description=_("One public records request, by id.")
    ),
)
class RecordsRequestViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecordsRequestSerializer
    filterset_class = RecordsRequestApiFilter

    def get_queryset(self) -> QuerySet[RecordsRequest]:
        return records_request_list()


def register_records(router: BaseRouter) -> None:
    router.register("records-requests", RecordsRequestViewSet, basename="records-request")
