"""OpenAPI generation: every operation documents the error shape for the errors it can return."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular import openapi
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]  # a field named like .fields
        child=serializers.ListField(child=serializers.CharField())
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found",
    "405": "Method not allowed",
    "409": "Conflicts with the current state",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Too many requests",
    "503": "A backing service is unavailable",
}


class AutoSchema(openapi.AutoSchema):
    """Add the error responses an endpoint can produce, all in the one error shape."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "404", "405", "503"]
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["413", "415"]
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            codes += ["409", "403"]  # 403: a cookie-authenticated write without a CSRF token
        if not self._allows_anonymous():
            codes += ["401", "403"]
        codes.append("429")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = _DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _allows_anonymous(self) -> bool:
        permissions = getattr(self.view, "permission_classes", [])
        return any(permission is AllowAny for permission in permissions)
