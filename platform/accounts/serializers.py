from __future__ import annotations

from rest_framework import serializers

from accounts.models import Profile, validate_domains, validate_time_zone
from sevenstep.framework import Domain, Level, TargetRole
from sevenstep.serializers import StrictInputSerializer


class ProfileOutput(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["display_name", "time_zone", "target_level", "target_role", "focus_domains"]


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
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


class RegisterInput(StrictInputSerializer, ProfileFieldsMixin):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    display_name = serializers.CharField(max_length=80)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("time_zone", "target_level", "target_role", "focus_domains"):
            self.fields[name].required = False


class LoginInput(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ProfileUpdateInput(StrictInputSerializer, ProfileFieldsMixin):
    display_name = serializers.CharField(max_length=80)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class TicketOutput(serializers.Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()


class CsrfOutput(serializers.Serializer):
    csrf_token = serializers.CharField()


class EraseInput(StrictInputSerializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
