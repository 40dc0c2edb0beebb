"""The public API's endpoints for cities, agencies and state laws (with their camera and sharing
counts, so they sit on top of the apps they count)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from cameras.selectors import agency_directory, city_list
from core.api.serializers import (
    AgencySerializer,
    CitySerializer,
    StateLawProfileSerializer,
)
from core.filters import AgencyFilter, CityFilter, StateLawProfileFilter
from core.models import AgencyAlias
from core.selectors import law_profile_list
from exports.schema import public_schema
from exports.viewsets import PublicReadOnlyViewSet


@public_schema(
    tag="cities",
    serializer=CitySerializer,
    list_description=_("Cities with ALPR cameras on record, with their active camera count."),
    retrieve_description=_("One city, by slug."),
)
class CityViewSet(PublicReadOnlyViewSet):
    serializer_class = CitySerializer
    filterset_class = CityFilter
    lookup_field = "slug"
    ordering_fields = ["name", "state", "population", "active_camera_count"]
    export_name = "cities"

    def get_queryset(self):
        return city_list()


@public_schema(
    tag="agencies",
    serializer=AgencySerializer,
    list_description=_(
        "Agencies and organizations that own ALPR cameras or may search them: police, "
        "sheriffs, state and federal agencies, universities, HOAs, businesses."
    ),
    retrieve_description=_("One agency, by slug."),
)
class AgencyViewSet(PublicReadOnlyViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_field = "slug"
    ordering_fields = [
        "name",
        "state",
        "kind",
        "camera_count",
        "sharing_out_count",
        "sharing_in_count",
    ]
    export_name = "agencies"

    def get_queryset(self):
        return agency_directory().prefetch_related(
            Prefetch("aliases", queryset=AgencyAlias.objects.order_by("name"))
        )


@public_schema(
    tag="state-laws",
    serializer=StateLawProfileSerializer,
    list_description=_(
        "What each state's law says about ALPR use, sharing and retention, with citations."
    ),
    retrieve_description=_("One state's law profile, by two-letter state code."),
)
class StateLawProfileViewSet(PublicReadOnlyViewSet):
    serializer_class = StateLawProfileSerializer
    filterset_class = StateLawProfileFilter
    lookup_field = "state"
    lookup_value_regex = "[A-Za-z]{2}"
    ordering_fields = ["state", "retention_limit_days", "effective_date", "last_reviewed"]
    export_name = "state-laws"

    def get_queryset(self):
        return law_profile_list()

    def get_object(self):
        # Codes are stored upper-case; /state-laws/il/ is the same page as /state-laws/IL/.
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()
