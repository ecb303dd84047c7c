"""DRF authentication by a named, expiring API token: `Authorization: Token <secret>`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, api_token_digest


class ApiTokenAuthentication(TokenAuthentication):
    """Accept an unexpired, unrevoked token of an active user; `request.auth` is the ApiToken."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=api_token_digest(key), expires_at__gt=timezone.now())
            .first()
        )
        # One message for unknown, revoked and expired tokens: the answer tells nothing about
        # which secrets once existed.
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        return token.user, token
