"""Public serializers for searches, search statistics, reason categories and import jobs.

Only public-record facts: no plate, officer name, user id or searcher hash (they are never
stored, or never leave the selectors), and for imports no file, path, uploader or row excerpt.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.serializers import AgencyBriefSerializer, enum_field
from core.models import City, ImportJob
from searches.filters import FLAG_CHOICES
from searches.models import FLAG_NAMES, ReasonCategory, ReasonPattern, Search
from searches.selectors.stats import flag_names

FLAGS_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "enum": list(FLAG_NAMES)},
    "description": "Flags, by name: "
    + ", ".join(f"`{name}`" for name in FLAG_NAMES)
    + ". See /methodology/ for what each means.",
}


@extend_schema_field(FLAGS_SCHEMA)
class FlagsField(serializers.Field):
    """A flag bit mask as the list of its public names, e.g. ``["immigration", "vague"]``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> list[str]:
        return flag_names(value or 0)


CategoryKindField = enum_field("ReasonCategoryKindEnum", ReasonCategory.Kind.choices)
PatternKindField = enum_field("ReasonPatternKindEnum", ReasonPattern.Kind.choices)
ImportKindField = enum_field("ImportKindEnum", ImportJob.Kind.choices)
ImportStatusField = enum_field("ImportStatusEnum", ImportJob.Status.choices)
FlagField = enum_field("SearchFlagEnum", FLAG_CHOICES)

SEARCH_EXAMPLE = {
    "id": 48213,
    "searched_at": "2026-06-14T16:02:11Z",
    "source_agency": {
        "slug": "prairie-junction-il-pd",
        "name": "Prairie Junction IL PD",
        "kind": "police",
        "state": "IL",
    },
    "searching_agency": {
        "slug": "bramblewick-tx-pd",
        "name": "Bramblewick TX PD",
        "kind": "police",
        "state": "TX",
    },
    "reason": "ICE WARRANT",
    "offense_type": "",
    "category": "immigration",
    "category_name": "Immigration",
    "flags": ["immigration", "forbidden_use", "out_of_state"],
    "case_number_present": False,
    "networks_searched": 1204,
    "devices_searched": 48211,
    "time_frame_start": "2026-05-15T00:00:00Z",
    "time_frame_end": "2026-06-14T16:00:00Z",
    "search_type": "search",
    "moderation": "",
    "external_id": "c4b7e0de-93a1",
}


@extend_schema_serializer(
    examples=[OpenApiExample("An immigration search", value=SEARCH_EXAMPLE, response_only=True)]
)
class SearchSerializer(serializers.ModelSerializer):
    source_agency = AgencyBriefSerializer(
        read_only=True, help_text=_("Whose audit the search comes from: whose cameras it searched.")
    )
    searching_agency = AgencyBriefSerializer(
        read_only=True, help_text=_("The agency whose user ran the search.")
    )
    reason = serializers.CharField(
        source="reason.text", read_only=True, help_text=_("The reason as the searcher typed it.")
    )
    offense_type = serializers.CharField(
        source="reason.offense_text",
        read_only=True,
        help_text=_("Offense type(s) as written, where the audit has them."),
    )
    category: serializers.SlugRelatedField[ReasonCategory] = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the reason category; null until classified."),
    )
    category_name = serializers.CharField(
        source="category.name", read_only=True, default="", help_text=_("The category's name.")
    )
    flags = FlagsField()

    class Meta:
        model = Search
        fields = [
            "id",
            "searched_at",
            "source_agency",
            "searching_agency",
            "reason",
            "offense_type",
            "category",
            "category_name",
            "flags",
            "case_number_present",
            "networks_searched",
            "devices_searched",
            "time_frame_start",
            "time_frame_end",
            "search_type",
            "moderation",
            "external_id",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "group_by=month,category",
            value={
                "month": "2026-06",
                "category": "vague",
                "category_name": "Vague reason",
                "searches": 1834,
                "devices_total": 52117330,
                "devices_max": 83345,
                "networks_total": 1530044,
            },
            response_only=True,
        ),
        OpenApiExample(
            "group_by=state,flag",
            value={
                "state": "IL",
                "flag": "immigration",
                "searches": 41,
                "devices_total": 901200,
                "devices_max": 48211,
                "networks_total": 20511,
            },
            response_only=True,
        ),
    ]
)
class SearchStatsRowSerializer(serializers.Serializer):
    """One group of searches. Only the keys named in ``group_by`` (and their ``*_name``) appear."""

    month = serializers.CharField(required=False, help_text=_("YYYY-MM (UTC)."))
    category = serializers.CharField(
        required=False, allow_null=True, help_text=_("Reason category slug; null: unclassified.")
    )
    category_name = serializers.CharField(required=False)
    flag = FlagField(
        # Not read-only: a read-only field is always present, and this key only comes with
        # group_by=flag.
        read_only=False,
        required=False,
        allow_null=True,
        help_text=_("One flag; a search with several counts under each, null: no flag."),
    )
    source_agency = serializers.CharField(required=False, help_text=_("Audited agency slug."))
    source_agency_name = serializers.CharField(required=False)
    searching_agency = serializers.CharField(required=False, help_text=_("Searching agency slug."))
    searching_agency_name = serializers.CharField(required=False)
    state = serializers.CharField(
        required=False, help_text=_("State of the audited agency (two letters).")
    )
    searches = serializers.IntegerField()
    devices_total = serializers.IntegerField(help_text=_("Sum of devices searched."))
    devices_max = serializers.IntegerField(
        allow_null=True, help_text=_("Most devices any one search reached.")
    )
    networks_total = serializers.IntegerField(help_text=_("Sum of networks searched."))
    blank_reason = serializers.IntegerField(
        help_text=_(
            "Searches of the group whose reason was blank, whichever category they are counted "
            "in: a blank reason with a mapped offense type counts in that offense family, so "
            "category `blank` holds only blank reasons without one. Summed over the groups, "
            "this is the pages' “gave no reason at all” figure (the `blank` flag)."
        )
    )


class StatsErrorSerializer(serializers.Serializer):
    # Invalid filters answer {filter: [messages]} without a detail.
    detail = serializers.CharField(required=False)
    allowed = serializers.ListField(child=serializers.CharField(), required=False)


class ReasonPatternSerializer(serializers.ModelSerializer):
    kind = PatternKindField()
    flags = FlagsField(help_text=_("Flags this pattern adds whatever the category."))

    class Meta:
        model = ReasonPattern
        fields = ["position", "kind", "pattern", "flags", "note"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The immigration category",
            value={
                "slug": "immigration",
                "name": "Immigration",
                "kind": "concern",
                "description": "Reasons that name immigration enforcement or its agencies.",
                "priority": 10,
                "flags": ["immigration"],
                "examples": ["ICE WARRANT", "ICE+ERO", "illegal immigration"],
                "limits": "“ice” inside other words (notice, police) is not matched.",
                "patterns": [
                    {
                        "position": 1,
                        "kind": "words",
                        "pattern": "ice",
                        "flags": [],
                        "note": "word boundaries only",
                    }
                ],
            },
            response_only=True,
        )
    ]
)
class ReasonCategorySerializer(serializers.ModelSerializer):
    kind = CategoryKindField()
    flags = FlagsField(help_text=_("Flags every search in this category carries."))
    examples = serializers.SerializerMethodField(help_text=_("Example reasons, one per item."))
    patterns = ReasonPatternSerializer(many=True, read_only=True)

    class Meta:
        model = ReasonCategory
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "priority",
            "flags",
            "examples",
            "limits",
            "patterns",
        ]
        read_only_fields = fields

    def get_examples(self, obj: ReasonCategory) -> list[str]:
        return [line.strip() for line in obj.examples.splitlines() if line.strip()]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A search audit import",
            value={
                "id": 412,
                "kind": "audit",
                "status": "succeeded",
                "city": "prairie-junction-il",
                "source_agency": "Prairie Junction IL PD",
                "rows_read": 20412,
                "rows_new": 20100,
                "rows_duplicate": 310,
                "rows_updated": 0,
                "rows_rejected": 2,
                "created_at": "2026-11-02T09:14:03Z",
                "started_at": "2026-11-02T09:14:04Z",
                "finished_at": "2026-11-02T09:14:19Z",
            },
            response_only=True,
        )
    ]
)
class ImportJobSummarySerializer(serializers.ModelSerializer):
    """What an import did, never what it read."""

    kind = ImportKindField()
    status = ImportStatusField()
    city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    source_agency = serializers.SerializerMethodField(
        help_text=_("For search audits: the agency whose audit the file is, as given.")
    )
    rows_new = serializers.IntegerField(source="rows_created", read_only=True)
    rows_duplicate = serializers.IntegerField(
        source="rows_unchanged",
        read_only=True,
        help_text=_("Rows already imported (the same search from an earlier or the same file)."),
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "city",
            "source_agency",
            "rows_read",
            "rows_new",
            "rows_duplicate",
            "rows_updated",
            "rows_rejected",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_source_agency(self, obj: ImportJob) -> str:
        return str((obj.options or {}).get("agency") or "")[:255]
