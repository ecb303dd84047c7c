"""Account reads other apps rely on."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef


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
