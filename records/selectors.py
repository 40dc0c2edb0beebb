"""Reads of records requests: the public log (confirmed or clerk-logged requests only, never the
requester's email), one public request, and the requests an emailed link acts on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City
from hearings.tokens import TokenInvalid, mailbox_tag, token_make, token_read
from records.models import RecordsRequest
from searches.services.scrubbing import scrubber_current

RECORDS_CONFIRM = "records-request-confirm"
RECORDS_MANAGE = "records-request-manage"


class RecordsRequestFilter(django_filters.FilterSet):
    city = django_filters.ModelChoiceFilter(
        label=_("City"),
        queryset=City.objects.order_by("name", "state"),
        to_field_name="slug",
        empty_label=_("All cities"),
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"),
        queryset=Agency.objects.filter(records_requests__isnull=False).distinct().order_by("name"),
        to_field_name="slug",
        empty_label=_("All agencies"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RecordsRequest.Status.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("What was asked for"),
        choices=RecordsRequest.Kind.choices,
        empty_label=_("Anything"),
    )

    class Meta:
        model = RecordsRequest
        fields = ["city", "agency", "status", "kind"]


class RecordsRequestApiFilter(RecordsRequestFilter):
    """The API's filters: slugs as text, as everywhere else in the API, so an unknown city or
    agency finds nothing instead of failing (the page's select boxes list only known ones)."""

    city = django_filters.CharFilter(field_name="city__slug", label=_("City (slug)"))
    agency = django_filters.CharFilter(field_name="agency__slug", label=_("Agency (slug)"))


def records_request_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[RecordsRequest]:
    """The public log, newest first, with django-filter's city, agency, status and kind."""
    qs = RecordsRequest.objects.public().select_related("city", "agency", "import_job")
    return RecordsRequestFilter(filters, queryset=qs).qs if filters else qs


def records_request_get(*, pk: int) -> RecordsRequest | None:
    """One public request, or None (unconfirmed requests are not public)."""
    return (
        RecordsRequest.objects.public()
        .select_related("city", "agency", "import_job")
        .filter(pk=pk)
        .first()
    )


def public_text(text: str) -> str:
    """Free text as the public sees it: licence plates and the like masked."""
    return scrubber_current().scrub(text).text if text else ""


def request_mailbox_tag(records_request: RecordsRequest) -> str:
    """What ties a request's emailed links to the mailbox they were sent to."""
    return mailbox_tag(records_request.email_normalized)


def records_request_from_link(*, token: str, purpose: str) -> RecordsRequest:
    """The request an emailed link was made for; raises ``TokenInvalid``."""
    pk = token_read(purpose=purpose, token=token)
    records_request = (
        RecordsRequest.objects.select_related("city", "agency", "import_job").filter(pk=pk).first()
    )
    if records_request is None or not records_request.email_normalized:
        raise TokenInvalid("no such request")
    token_read(purpose=purpose, token=token, extra=request_mailbox_tag(records_request))
    return records_request


def manage_token(records_request: RecordsRequest) -> str:
    """A fresh manage token for the page a confirmed requester lands on."""
    return token_make(
        purpose=RECORDS_MANAGE, pk=records_request.pk, extra=request_mailbox_tag(records_request)
    )
