from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import (
    ApiToken,
    Profile,
    validate_display_name,
    validate_domains,
    validate_time_zone,
)
from sevenstep.framework import Domain, Level, TargetRole
from sevenstep.serializers import StrictInputSerializer


class ProfileOutput(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["display_name", "time_zone", "target_level", "target_role", "focus_domains"]


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    email_verified = serializers.BooleanField(
        help_text="Whether the login email is verified; only verified accounts are matched."
    )
    pending_email = serializers.EmailField(
        allow_null=True, help_text="A new address waiting for its verification link."
    )
    is_staff = serializers.BooleanField()
    profile = ProfileOutput()


class ProfileFieldsMixin(serializers.Serializer):
    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])
    target_level = serializers.ChoiceField(choices=Level.choices)
    target_role = serializers.ChoiceField(choices=TargetRole.choices)
    focus_domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices),
        max_length=len(Domain.choices),
        validators=[validate_domains],
    )


def display_name_field() -> serializers.CharField:
    """Trimmed, 1 to 80 characters, nothing invisible or direction-changing."""
    return serializers.CharField(max_length=80, validators=[validate_display_name])


class RegisterInput(StrictInputSerializer, ProfileFieldsMixin):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    display_name = display_name_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("time_zone", "target_level", "target_role", "focus_domains"):
            self.fields[name].required = False


class LoginInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ProfileUpdateInput(StrictInputSerializer, ProfileFieldsMixin):
    display_name = display_name_field()


class RegisterOutput(serializers.Serializer):
    detail = serializers.CharField()


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenCreateInput(StrictInputSerializer):
    name = serializers.CharField(max_length=64, validators=[validate_display_name])
    expires_in_days = serializers.IntegerField(min_value=1, required=False)

    def validate_expires_in_days(self, value: int) -> int:
        from django.conf import settings

        if value > settings.API_TOKEN_MAX_AGE_DAYS:
            raise serializers.ValidationError(f"At most {settings.API_TOKEN_MAX_AGE_DAYS} days.")
        return value


class TokenSummaryOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at"]


class TokenCreatedOutput(TokenSummaryOutput):
    token = serializers.CharField(help_text="The secret: shown once, send as `Token <secret>`.")

    class Meta(TokenSummaryOutput.Meta):
        fields = [*TokenSummaryOutput.Meta.fields, "token"]


class TicketOutput(serializers.Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()


class CsrfOutput(serializers.Serializer):
    csrf_token = serializers.CharField()


class WhoamiOutput(serializers.Serializer):
    user = MeOutput(allow_null=True, help_text="null when nobody is logged in.")


class EraseInput(StrictInputSerializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class EmailVerifyInput(StrictInputSerializer):
    key = serializers.CharField(max_length=512)


class EmailSentOutput(serializers.Serializer):
    detail = serializers.CharField()
    email = serializers.EmailField()


class EmailChangeInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordResetInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInput(StrictInputSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeInput(StrictInputSerializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class SessionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    device = serializers.CharField(source="user_agent", help_text="The browser's User-Agent.")
    ip = serializers.CharField(help_text="The address as the server saw it.")
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="Whether this is the session asking.")


class SessionsEndedOutput(serializers.Serializer):
    ended = serializers.IntegerField()


class ProviderOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    login_url = serializers.CharField(
        help_text="POST here (a form with csrfmiddlewaretoken; process=connect to link)."
    )


class ProvidersOutput(serializers.Serializer):
    providers = ProviderOutput(many=True)


class SocialAccountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    uid = serializers.CharField()
    date_joined = serializers.DateTimeField()
