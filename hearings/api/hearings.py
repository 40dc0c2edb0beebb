"""Public API for hearings, agenda items and published comments.

Comments are served from ``comment_public_list()``: published only, and the serializer has no
field for an email, address, IP hash or normalized email, so none can be asked for.
"""

from __future__ import annotations

import django_filters as filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from cameras.models import Camera
from core.api.serializers import PageURLField, PortalModelSerializer, enum_field
from core.models import Agency, City
from core.states import STATE_CHOICES
from exports.schema import public_schema
from exports.viewsets import PublicReadOnlyViewSet
from hearings.models import AgendaItem, Comment, Hearing
from hearings.selectors.comments import comment_public_list
from hearings.selectors.hearings import agenda_item_list, hearing_list

# --- Filters ---------------------------------------------------------------------------------


class HearingFilter(filters.FilterSet):
    city = filters.CharFilter(field_name="city__slug", label=_("City (slug)"))
    state = filters.ChoiceFilter(field_name="city__state", choices=STATE_CHOICES, label=_("State"))
    status = filters.MultipleChoiceFilter(
        distinct=False, choices=Hearing.Status.choices, label=_("Status")
    )
    body_kind = filters.MultipleChoiceFilter(
        distinct=False, choices=Hearing.Body.choices, label=_("Body")
    )
    starts_after = filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Meets on or after (UTC date)")
    )
    starts_before = filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Meets on or before (UTC date)")
    )
    comments_open = filters.BooleanFilter(
        method="filter_comments_open", label=_("Taking public comment now")
    )

    class Meta:
        model = Hearing
        fields = ["city", "state", "status", "body_kind"]

    def filter_comments_open(self, queryset, name, value):
        open_now = Hearing.objects.comment_open(timezone.now()).values("pk")
        return queryset.filter(pk__in=open_now) if value else queryset.exclude(pk__in=open_now)


class AgendaItemFilter(filters.FilterSet):
    city = filters.CharFilter(field_name="hearing__city__slug", label=_("City (slug)"))
    hearing = filters.NumberFilter(field_name="hearing_id", label=_("Hearing id"))
    status = filters.MultipleChoiceFilter(
        distinct=False,
        field_name="hearing__status",
        choices=Hearing.Status.choices,
        label=_("Hearing status"),
    )
    outcome = filters.MultipleChoiceFilter(
        distinct=False, choices=AgendaItem.Outcome.choices, label=_("Outcome")
    )
    agency = filters.CharFilter(field_name="agencies__slug", label=_("Related agency (slug)"))
    camera = filters.NumberFilter(field_name="cameras__id", label=_("Related camera id"))
    starts_after = filters.DateFilter(
        field_name="hearing__starts_at", lookup_expr="date__gte", label=_("Meets on or after")
    )
    starts_before = filters.DateFilter(
        field_name="hearing__starts_at", lookup_expr="date__lte", label=_("Meets on or before")
    )

    class Meta:
        model = AgendaItem
        fields = ["city", "hearing", "status", "outcome"]


class CommentFilter(filters.FilterSet):
    city = filters.CharFilter(field_name="item__hearing__city__slug", label=_("City (slug)"))
    hearing = filters.NumberFilter(field_name="item__hearing_id", label=_("Hearing id"))
    item = filters.NumberFilter(field_name="item_id", label=_("Agenda item id"))
    position = filters.MultipleChoiceFilter(
        distinct=False, choices=Comment.Position.choices, label=_("Position")
    )
    resident = filters.BooleanFilter(field_name="is_resident", label=_("Resident of the city"))
    wants_to_speak = filters.BooleanFilter(label=_("Wants to speak in person"))
    submitted_after = filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Submitted on or after")
    )
    submitted_before = filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Submitted on or before")
    )

    class Meta:
        model = Comment
        fields = ["city", "hearing", "item", "position", "wants_to_speak"]


# --- Serializers -----------------------------------------------------------------------------

HearingStatusField = enum_field("HearingStatusEnum", Hearing.Status.choices)
HearingBodyField = enum_field("HearingBodyEnum", Hearing.Body.choices)
OutcomeField = enum_field("AgendaOutcomeEnum", AgendaItem.Outcome.choices)
CommentPositionField = enum_field("CommentPositionEnum", Comment.Position.choices)


class HearingSerializer(PortalModelSerializer):
    city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("City slug.")
    )
    timezone = serializers.CharField(
        source="city.timezone", read_only=True, help_text=_("The city's time zone (IANA name).")
    )
    status = HearingStatusField()
    body_kind = HearingBodyField()
    comments_open = serializers.SerializerMethodField(
        help_text=_("Whether the hearing takes public comment right now.")
    )
    item_count = serializers.IntegerField(read_only=True, help_text=_("Agenda items."))
    comment_count = serializers.IntegerField(read_only=True, help_text=_("Published comments."))
    page_url = PageURLField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "city",
            "timezone",
            "body_kind",
            "body_name",
            "title",
            "slug",
            "starts_at",
            "location",
            "status",
            "minutes_url",
            "comment_opens_at",
            "comment_closes_at",
            "comments_open",
            "item_count",
            "comment_count",
            "page_url",
        ]
        read_only_fields = fields

    def get_comments_open(self, obj: Hearing) -> bool:
        return obj.comments_open()


class AgendaDocumentSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    url = serializers.URLField(read_only=True)


class AgendaItemSerializer(serializers.ModelSerializer):
    city = serializers.CharField(
        source="hearing.city.slug", read_only=True, help_text=_("City slug.")
    )
    outcome = OutcomeField()
    agencies: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text=_("Related agencies (slugs).")
    )
    cameras: serializers.PrimaryKeyRelatedField[Camera] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Related camera ids.")
    )
    documents = AgendaDocumentSerializer(many=True, read_only=True)
    support_count = serializers.IntegerField(read_only=True)
    oppose_count = serializers.IntegerField(read_only=True)
    neutral_count = serializers.IntegerField(read_only=True)
    page_url = PageURLField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "hearing",
            "city",
            "position",
            "title",
            "description",
            "outcome",
            "outcome_note",
            "agencies",
            "cameras",
            "documents",
            "support_count",
            "oppose_count",
            "neutral_count",
            "page_url",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "string", "format": "uri"})
class CommentURLField(PageURLField):
    def to_representation(self, value) -> str:
        url = f"{value.item.hearing.get_absolute_url()}#comment-{value.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CommentSerializer(serializers.ModelSerializer):
    """A published comment: the name as the commenter gave it, never their contact details."""

    hearing = serializers.IntegerField(source="item.hearing_id", read_only=True)
    city = serializers.CharField(source="item.hearing.city.slug", read_only=True)
    resident = serializers.BooleanField(
        source="is_resident",
        read_only=True,
        help_text=_("Whether the commenter lives in the city."),
    )
    position = CommentPositionField()
    submitted_at = serializers.DateTimeField(source="created_at", read_only=True)
    page_url = CommentURLField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "item",
            "hearing",
            "city",
            "name",
            "resident",
            "position",
            "wants_to_speak",
            "text",
            "submitted_at",
            "page_url",
        ]
        read_only_fields = fields


# --- Viewsets --------------------------------------------------------------------------------


@public_schema(
    tag="hearings",
    serializer=HearingSerializer,
    list_description=_(
        "Council, committee and privacy commission hearings on ALPR, with their comment window "
        "(times in UTC; `timezone` is the city's) and how many comments were published."
    ),
    retrieve_description=_("One hearing, by id."),
)
class HearingViewSet(PublicReadOnlyViewSet):
    serializer_class = HearingSerializer
    filterset_class = HearingFilter
    ordering_fields = ["starts_at", "created_at", "comment_closes_at", "comment_count"]
    export_name = "hearings"

    def get_queryset(self):
        return hearing_list().order_by("-starts_at", "-pk")


@public_schema(
    tag="hearings",
    serializer=AgendaItemSerializer,
    list_description=_(
        "Agenda items of hearings, with their outcome, related agencies, cameras and documents, "
        "and the published comments for and against."
    ),
    retrieve_description=_("One agenda item, by id."),
)
class AgendaItemViewSet(PublicReadOnlyViewSet):
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilter
    ordering_fields = ["position", "hearing__starts_at"]
    export_name = "agenda-items"

    def get_queryset(self):
        return agenda_item_list()


@public_schema(
    tag="hearings",
    serializer=CommentSerializer,
    list_description=_(
        "Published public comments on agenda items. Only the commenter's name as given, "
        "whether they live in the city, their position and text are public; contact details "
        "never are."
    ),
    retrieve_description=_("One published comment, by id."),
)
class CommentViewSet(PublicReadOnlyViewSet):
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created_at", "position"]
    export_name = "comments"

    def get_queryset(self):
        return comment_public_list()


def register_hearings(router: BaseRouter) -> None:
    router.register("hearings", HearingViewSet, basename="hearing")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("comments", CommentViewSet, basename="comment")
