"""DRF translation for the scheduling API: input validation and output shapes, no decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import validate_time_zone
from interviews import zones
from interviews.models import AvailabilityWindow, InterviewRequest, Question, RequestRole
from sevenstep.framework import Domain, Level
from sevenstep.serializers import StrictInputSerializer

ZONED_HELP = (
    "ISO 8601. Without a UTC offset it is a wall-clock time in `time_zone` (default: the "
    "profile's time zone); a time the clocks skip or repeat at a DST change is refused."
)


@extend_schema_field(OpenApiTypes.DATETIME)
class ZonedDateTimeField(serializers.Field):
    """An ISO 8601 date-time that may lack an offset; the serializer places it in a zone."""

    default_error_messages = {
        "invalid": "Enter a date and time in ISO 8601, e.g. 2030-03-28T18:00 or "
        "2030-03-28T18:00+02:00."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", ZONED_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            value = parse_datetime(data.strip())
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class ZonedInput(StrictInputSerializer):
    """Input with wall-clock times: validate() turns them into UTC using the request's zone.

    The default zone comes from context["time_zone"] (the user's profile).
    """

    zoned_fields: tuple[str, ...] = ()
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_time_zone],
        help_text="IANA zone for times given without an offset; default: the profile's.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        zone_name = attrs.get("time_zone") or self.context["time_zone"]
        attrs["time_zone"] = zone_name
        errors: dict[str, list[str]] = {}
        for name in self.zoned_fields:
            if name in attrs:
                try:
                    attrs[name] = zones.to_utc(attrs[name], zone_name)
                except zones.ZoneError as exc:
                    errors[name] = [str(exc)]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ZonedOutput(serializers.Serializer):
    """Output that shows each time in UTC and as a wall-clock time in context["time_zone"]."""

    def local(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return zones.local(value, self.context["time_zone"]).isoformat()


# --- questions -------------------------------------------------------------------------


class QuestionOutput(serializers.ModelSerializer):
    """A question as anyone sees it: never the interviewer guide."""

    class Meta:
        model = Question
        fields = ["id", "slug", "title", "domain", "level", "prompt"]


class QuestionFilter(StrictInputSerializer):
    domain = serializers.ChoiceField(choices=Domain.choices, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


# --- availability ------------------------------------------------------------------------


class AvailabilityInput(ZonedInput):
    zoned_fields = ("starts_at", "ends_at")
    starts_at = ZonedDateTimeField()
    ends_at = ZonedDateTimeField()


class AvailabilityOutput(ZonedOutput, serializers.ModelSerializer):
    starts_at_local = serializers.SerializerMethodField()
    ends_at_local = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField()

    class Meta:
        model = AvailabilityWindow
        fields = [
            "id",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "time_zone",
            "created_at",
        ]

    def get_starts_at_local(self, window: AvailabilityWindow) -> str | None:
        return self.local(window.starts_at)

    def get_ends_at_local(self, window: AvailabilityWindow) -> str | None:
        return self.local(window.ends_at)

    def get_time_zone(self, window: AvailabilityWindow) -> str:
        return str(self.context["time_zone"])


class AvailabilityFilter(StrictInputSerializer):
    past = serializers.BooleanField(
        required=False, default=False, help_text="Include windows that have ended."
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


# --- interview requests ----------------------------------------------------------------


class RequestInput(StrictInputSerializer):
    role = serializers.ChoiceField(
        choices=RequestRole.choices,
        help_text="candidate, interviewer, or swap (two back-to-back interviews, roles reversed).",
    )
    level = serializers.ChoiceField(
        choices=Level.choices, required=False, help_text="Default: the profile's target level."
    )
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices),
        max_length=len(Domain.choices),
        required=False,
        help_text="Default: the profile's focus domains; empty means any.",
    )
    max_per_week = serializers.IntegerField(min_value=1, max_value=14, required=False, default=2)


class RequestOutput(serializers.ModelSerializer):
    class Meta:
        model = InterviewRequest
        fields = [
            "id",
            "role",
            "level",
            "domains",
            "max_per_week",
            "status",
            "created_at",
            "updated_at",
            "withdrawn_at",
        ]
