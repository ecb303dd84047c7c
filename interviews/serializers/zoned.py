"""Times in a time zone: the zoned field, the input that reads `time_zone`, local times out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework import serializers

from accounts.models import validate_time_zone
from interviews import zones
from sevenstep.fields import DateTimeField
from sevenstep.serializers import StrictInputSerializer

ZONED_HELP = (
    "ISO 8601. Without a UTC offset it is a wall-clock time in `time_zone` (default: the "
    "profile's time zone); a time the clocks skip or repeat at a DST change is refused."
)


class ZonedDateTimeField(DateTimeField):
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
        return super().to_internal_value(data.strip())

    def enforce_timezone(self, value: datetime) -> datetime:
        # Kept as written: ZonedInput reads a naive time in the request's zone.
        self.check_range(value)
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
    """Output of something with starts_at/ends_at: UTC plus wall-clock times in the viewer's zone.

    The zone is context["time_zone"] (the viewer's profile).
    """

    starts_at_local = serializers.SerializerMethodField()
    ends_at_local = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField()

    def local(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return zones.local(value, self.context["time_zone"]).isoformat()

    def get_starts_at_local(self, instance: Any) -> str | None:
        return self.local(instance.starts_at)

    def get_ends_at_local(self, instance: Any) -> str | None:
        return self.local(instance.ends_at)

    def get_time_zone(self, instance: Any) -> str:
        return str(self.context["time_zone"])
