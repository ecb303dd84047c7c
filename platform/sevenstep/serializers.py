"""Serializer building blocks shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from sevenstep.fields import DateTimeField


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that rejects fields it does not know instead of ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(StrictInputSerializer, serializers.ModelSerializer):
    """A model serializer that rejects unknown fields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }


class PageQuery(StrictInputSerializer):
    """The query string of a list: its page and page size, nothing unknown."""

    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


def query(request: Any, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """Validate the query string with a strict serializer; bad or unknown params are a 400."""
    params = serializer_class(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)
