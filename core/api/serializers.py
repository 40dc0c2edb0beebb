"""Public serializers for cities, agencies and state law profiles.

Only public-record fields: clerk contacts, internal notes and anything about users stay out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Agency, AgencyAlias, City, StateLawProfile
from core.states import STATE_CHOICES


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The absolute URL of the object's public page on the portal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", _("The object's page on this portal."))
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        url = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class BlankAsNullURLField(serializers.URLField):
    """A URL column that may be blank: served as null, never as ``""`` (not a URI)."""

    def __init__(self, **kwargs):
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    # The stubs give CharField's representation as ``str``; this field's point is to be null.
    def to_representation(self, value) -> str | None:  # type: ignore[override]
        return value or None


class PortalModelSerializer(serializers.ModelSerializer):
    """A model serializer whose URL columns serve a blank as null, as the schema says."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: BlankAsNullURLField,
    }


def _choices_description(choices) -> str:
    return "\n".join(f"* `{value}` - {label}" for value, label in choices)


def enum_field(component_name: str, choices) -> Callable[..., serializers.ChoiceField]:
    """A read-only choice field whose enum is one named schema component.

    Several models have a ``kind`` with different choices; naming each enum here keeps the
    schema free of generated names like ``Kind7feEnum``.
    """
    schema = {
        "type": "string",
        "enum": [value for value, _label in choices],
        "description": lazy(_choices_description, str)(choices),
    }

    @extend_schema_field(schema, component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("read_only", True)
            super().__init__(choices=choices, **kwargs)

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = f"{component_name}Field"
    return NamedChoiceField


AgencyKindField = enum_field("AgencyKindEnum", Agency.Kind.choices)


# Django's get_state_display() hashes every lazy label on each call (one translation per
# state per row); a dict built once costs one translation per row.
STATE_NAMES = dict(STATE_CHOICES)


class StateDisplayField(serializers.CharField):
    """The name of the object's ``state`` code, in the active language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "state")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", _("The state's name."))
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return str(STATE_NAMES.get(value, value))


class CitySerializer(PortalModelSerializer):
    page_url = PageURLField()
    state_name = StateDisplayField()
    latitude = serializers.FloatField(allow_null=True, read_only=True)
    longitude = serializers.FloatField(allow_null=True, read_only=True)
    active_camera_count = serializers.IntegerField(
        read_only=True, help_text=_("Cameras in the city whose status is active.")
    )

    class Meta:
        model = City
        fields = [
            "slug",
            "name",
            "state",
            "state_name",
            "population",
            "council_body",
            "website",
            "timezone",
            "latitude",
            "longitude",
            "active_camera_count",
            "page_url",
        ]
        read_only_fields = fields


class OptionalStateField(serializers.ChoiceField):
    """An agency's state, null for national agencies (a federal one has none), never ``""``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", _("Two-letter state code; null for a national agency."))
        super().__init__(choices=STATE_CHOICES, allow_null=True, **kwargs)

    # The stubs give ChoiceField's representation as ``str``; this field's point is to be null.
    def to_representation(self, value) -> str | None:  # type: ignore[override]
        return value or None


class AgencyBriefSerializer(serializers.ModelSerializer):
    """An agency as it appears inside another object (a camera's owner, a sharing partner)."""

    kind = AgencyKindField()
    state = OptionalStateField()

    class Meta:
        model = Agency
        fields = ["slug", "name", "kind", "state"]
        read_only_fields = fields


class AgencySerializer(PortalModelSerializer):
    page_url = PageURLField()
    kind = AgencyKindField()
    state = OptionalStateField()
    state_name = StateDisplayField()
    home_city: serializers.SlugRelatedField[City] = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the agency's home city; null when it has none."),
    )
    aliases: serializers.SlugRelatedField[AgencyAlias] = serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        read_only=True,
        help_text=_("Other spellings of the agency's name found in source files."),
    )
    camera_count = serializers.IntegerField(
        read_only=True, help_text=_("Active cameras the agency owns.")
    )
    sharing_out_count = serializers.IntegerField(
        read_only=True, help_text=_("Current agreements letting other agencies search its cameras.")
    )
    sharing_in_count = serializers.IntegerField(
        read_only=True, help_text=_("Current agreements letting it search other agencies' cameras.")
    )

    class Meta:
        model = Agency
        fields = [
            "slug",
            "name",
            "kind",
            "state",
            "state_name",
            "home_city",
            "aliases",
            "is_active",
            "website",
            "transparency_url",
            "camera_count",
            "sharing_out_count",
            "sharing_in_count",
            "page_url",
        ]
        read_only_fields = fields


class StateLawProfileSerializer(PortalModelSerializer):
    state_name = StateDisplayField()
    forbidden_uses = serializers.ListField(
        child=serializers.ChoiceField(choices=StateLawProfile.ForbiddenUse.choices),
        read_only=True,
        help_text=_("Uses of ALPR data the state forbids."),
    )

    class Meta:
        model = StateLawProfile
        fields = ["state", "state_name", *StateLawProfile.CONTENT_FIELDS[1:]]
        read_only_fields = fields


class ThrottledSerializer(serializers.Serializer):
    """The body of a 429 answer."""

    detail = serializers.CharField()
    retry_after_seconds = serializers.IntegerField(
        min_value=1, help_text=_("Seconds to wait before the next request.")
    )
