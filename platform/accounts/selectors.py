"""Account reads other apps rely on."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User


def email_verified(user_field: str = "user") -> Exists:
    """An expression true for rows whose `user_field` has verified their login email.

    Matching (batch and instant) filters on it, so an address nobody proved to own can set up
    a profile and availability but never books a stranger.
    """
    prefix = f"{user_field}__" if user_field else ""
    return Exists(
        EmailAddress.objects.filter(
            user_id=OuterRef(f"{prefix}pk"),
            email=OuterRef(f"{prefix}email"),
            verified=True,
        )
    )


def api_tokens_live(*, user: User) -> QuerySet[ApiToken]:
    """The user's API tokens that have not expired, newest first."""
    return user.api_tokens.filter(expires_at__gt=timezone.now()).order_by("-created_at", "-pk")


def social_accounts_of(*, user: User) -> QuerySet[Any]:
    """The sign-in providers linked to the user, in the order they were linked."""
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.filter(user=user).order_by("pk")
