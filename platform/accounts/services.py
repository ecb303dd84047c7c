"""Account use cases: registration, profile changes, websocket tickets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Profile, User
from accounts.signals import user_erased
from sevenstep.errors import ApplicationError

_TICKET_SALT = "sevenstep.ws-ticket"


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str, **profile: Any) -> User:
    """Create a user with a profile; the message never reveals whether the email is taken."""
    email = email.strip().lower()
    candidate = User(email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", code="validation_error", fields={"password": exc.messages}
        ) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
    except IntegrityError as exc:
        raise ApplicationError(
            "An account could not be created with these details. If you already have one, "
            "log in instead.",
            code="registration_failed",
        ) from exc
    profile_obj = Profile(user=user, display_name=display_name.strip(), **profile)
    profile_obj.full_clean(exclude=["user"])
    profile_obj.save()
    return user


def profile_update(*, user: User, **changes: Any) -> Profile:
    """Apply validated changes to the user's profile."""
    profile = user.profile
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user"])
    profile.save()
    return profile


def ws_ticket_issue(*, user: User) -> str:
    """Sign a short-lived ticket a non-browser client passes as ?ticket= to open a websocket."""
    return signing.TimestampSigner(salt=_TICKET_SALT).sign_object({"uid": user.pk})


def ws_ticket_user_id(ticket: str) -> int | None:
    """Return the user id a valid, unexpired ticket was issued for."""
    try:
        payload = signing.TimestampSigner(salt=_TICKET_SALT).unsign_object(
            ticket, max_age=settings.WS_TICKET_MAX_AGE
        )
    except signing.BadSignature:
        return None
    uid = payload.get("uid") if isinstance(payload, dict) else None
    return uid if isinstance(uid, int) else None


ERASED_NAME = "Deleted user"


@transaction.atomic
def user_erase(*, user: User, password: str) -> None:
    """Delete a user's personal data; keep their past interviews consistent for the partner.

    The row stays (interviews and scorecards point at it) but carries nothing personal: the
    email becomes a placeholder, the password unusable, the profile anonymous. Changing the
    password hash also invalidates every session; tokens are deleted.
    """
    if not user.check_password(password):
        raise ApplicationError(
            "The password is incorrect.",
            code="invalid_credentials",
            fields={"password": ["The password is incorrect."]},
        )
    from rest_framework.authtoken.models import Token

    user_erased.send(sender=User, user=user)
    Token.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    Profile.objects.filter(user=user).update(
        display_name=ERASED_NAME, time_zone="UTC", focus_domains=[]
    )
