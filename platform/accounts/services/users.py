"""Account use cases: registration, login limits, profile changes, API tokens, websocket tickets."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import Throttled

from accounts.models import ApiToken, Profile, User, api_token_digest
from accounts.services import limits
from accounts.services.emails import email_address_add, mail_allowed, normalise_email
from accounts.services.mail import mail_send
from accounts.signals import user_erased
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.jobs import enqueue_on_commit

_TICKET_SALT = "sevenstep.ws-ticket"


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str, **profile: Any) -> User | None:
    """Create a user with a profile, or tell the owner of a taken email that someone tried.

    The caller answers both cases alike, so registration cannot be used to learn who has an
    account; the owner learns of the attempt by email instead. The new account's address is
    unverified: a link is emailed, and until it is followed the user is not matched with
    anyone. Past MAIL_PER_EMAIL_PER_HOUR attempts for one address nothing happens (the answer
    is still the same), so nobody can flood a stranger's inbox through us. Returns the new user,
    or None.
    """
    email = normalise_email(email)
    candidate = User(email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", code="validation_error", fields={"password": exc.messages}
        ) from exc
    if not mail_allowed(email=email):
        make_password(password)
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
    except IntegrityError:
        # Hash anyway: a taken email should cost the server what a new one costs.
        make_password(password)
        owner = User.objects.filter(email=email, is_active=True).first()
        if owner is not None:
            enqueue_on_commit("accounts.registration_attempt_notify", owner.pk)
        return None
    profile_obj = Profile(user=user, display_name=display_name.strip(), **profile)
    profile_obj.full_clean(exclude=["user"])
    profile_obj.save()
    email_address_add(user=user, email=email, primary=True)
    return user


def registration_attempt_notify(*, user_id: int) -> None:
    """Tell an account's owner that someone tried to register with (or move to) their email."""
    owner = User.objects.filter(pk=user_id, is_active=True).first()
    if owner is None:
        return
    mail_send(
        to=owner.email,
        template="registration_attempt",
        subject="Someone tried to register with your email address",
        context={"login_url": f"{settings.SITE_URL}/login"},
    )


# --- failed logins per account and per address ---------------------------------------------

_ACCOUNT_SCOPE = "login-failures"
_ADDRESS_SCOPE = "login-failures-address"


def login_failures_check(*, email: str, address: str | None = None) -> None:
    """Refuse a login for an account, or from an address, that failed too often lately."""
    window = settings.LOGIN_ACCOUNT_WINDOW_SECONDS
    count, left = limits.window_count(
        scope=_ACCOUNT_SCOPE, ident=normalise_email(email), window=window
    )
    if count >= settings.LOGIN_ACCOUNT_FAILURES:
        raise Throttled(
            wait=left,
            detail="Too many failed logins for this account; try again later or reset the "
            "password.",
            code="login_locked",
        )
    if address is None:
        return
    count, left = limits.window_count(scope=_ADDRESS_SCOPE, ident=address, window=window)
    if count >= settings.LOGIN_ADDRESS_FAILURES:
        raise Throttled(
            wait=left,
            detail="Too many failed logins from your network; try again later.",
            code="login_address_locked",
        )


def login_failure_record(*, email: str, address: str | None = None) -> None:
    """Count a failed login against the account and the address; warn the owner at the limit."""
    window = settings.LOGIN_ACCOUNT_WINDOW_SECONDS
    email = normalise_email(email)
    count = limits.window_hit(scope=_ACCOUNT_SCOPE, ident=email, window=window)
    if address is not None:
        limits.window_hit(scope=_ADDRESS_SCOPE, ident=address, window=window)
    # Exactly at the limit, so one burst sends one email however long it goes on.
    if count == settings.LOGIN_ACCOUNT_FAILURES:
        owner = User.objects.filter(email=email, is_active=True).first()
        if owner is not None:
            enqueue_on_commit("accounts.login_burst_notify", owner.pk)


def login_failures_clear(*, email: str) -> None:
    limits.window_clear(
        scope=_ACCOUNT_SCOPE,
        ident=normalise_email(email),
        window=settings.LOGIN_ACCOUNT_WINDOW_SECONDS,
    )


def login_burst_notify(*, user_id: int) -> None:
    """Tell an account's owner that its logins are paused after many wrong passwords."""
    owner = User.objects.filter(pk=user_id, is_active=True).first()
    if owner is None:
        return
    mail_send(
        to=owner.email,
        template="login_burst",
        subject="Many failed logins to your Sevenstep account",
        context={
            "failures": settings.LOGIN_ACCOUNT_FAILURES,
            "minutes": settings.LOGIN_ACCOUNT_WINDOW_SECONDS // 60,
            "reset_url": f"{settings.SITE_URL}/forgot-password",
        },
    )


def profile_update(*, user: User, **changes: Any) -> Profile:
    """Apply validated changes to the user's profile."""
    profile = user.profile
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user"])
    profile.save()
    return profile


# --- API tokens ----------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str, days: int | None = None, from_login: bool = False
) -> tuple[ApiToken, str]:
    """Create a token that ends after `days` (the setting at most); return it with its secret."""
    max_days = settings.API_TOKEN_MAX_AGE_DAYS
    now = timezone.now()
    with transaction.atomic():
        # Lock the user's row: two parallel creations must not both pass the cap.
        User.objects.select_for_update().filter(pk=user.pk).first()
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
        held = ApiToken.objects.filter(user=user)
        excess = held.count() - settings.API_TOKENS_PER_USER + 1
        if excess > 0:
            oldest = held.filter(from_login=True).order_by("created_at")[:excess]
            if not from_login or len(oldest) < excess:
                raise Conflict(
                    f"You already hold {settings.API_TOKENS_PER_USER} API tokens; revoke one "
                    "first.",
                    code="too_many_tokens",
                )
            ApiToken.objects.filter(pk__in=[token.pk for token in oldest]).delete()
        secret = secrets.token_urlsafe(32)
        token = ApiToken(
            user=user,
            name=name,
            digest=api_token_digest(secret),
            prefix=secret[:8],
            from_login=from_login,
            expires_at=now + timedelta(days=min(days or max_days, max_days)),
        )
        token.full_clean(exclude=["user"])
        token.save()
    return token, secret


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens and the websocket tickets they hold."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApplicationError("No such token.", code="not_found", status_code=404)
    ws_tickets_end(user_id=user.pk)


def user_logout(*, user: User, token: object = None) -> None:
    """End the credentials of a logout: the token it was sent with, and every websocket ticket."""
    if isinstance(token, ApiToken):
        ApiToken.objects.filter(pk=token.pk).delete()
    ws_tickets_end(user_id=user.pk)


# --- websocket tickets -----------------------------------------------------------------------
#
# A ticket is signed, names its user, its issue time and a random id. It opens one socket: the
# first use records the id in the cache for the ticket's remaining life (`add` is atomic, so
# of two parallel uses one wins). A logout stores its time for the user; tickets issued before
# it are refused. Both records outlive every ticket they refuse, so they can expire.


def _ticket_ended_key(user_id: int) -> str:
    return f"ws-tickets-ended:{user_id}"


def ws_ticket_issue(*, user: User) -> str:
    """Sign a short-lived ticket a non-browser client passes as ?ticket= to open a websocket."""
    payload = {"uid": user.pk, "iat": time.time(), "jti": secrets.token_urlsafe(12)}
    return signing.TimestampSigner(salt=_TICKET_SALT).sign_object(payload)


def ws_ticket_redeem(ticket: str) -> int | None:
    """Use a ticket up: return the user id if it is valid, unexpired, unused and not logged out."""
    max_age = settings.WS_TICKET_MAX_AGE
    try:
        payload = signing.TimestampSigner(salt=_TICKET_SALT).unsign_object(ticket, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    uid, issued, jti = payload.get("uid"), payload.get("iat"), payload.get("jti")
    if not isinstance(uid, int) or not isinstance(issued, float) or not isinstance(jti, str):
        return None
    ended = cache.get(_ticket_ended_key(uid))
    if ended is not None and issued <= ended:
        return None
    left = max(1, int(issued + max_age - time.time()) + 2)
    if not cache.add(f"ws-ticket-used:{jti}", 1, timeout=left):
        return None
    return uid


def ws_tickets_end(*, user_id: int) -> None:
    """Refuse every ticket issued to the user until now."""
    cache.set(_ticket_ended_key(user_id), time.time(), timeout=settings.WS_TICKET_MAX_AGE + 5)


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
    from allauth.account.models import EmailAddress

    from accounts.services.sessions import sessions_end

    user_erased.send(sender=User, user=user)
    ApiToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    sessions_end(user=user)
    ws_tickets_end(user_id=user.pk)
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    Profile.objects.filter(user=user).update(
        display_name=ERASED_NAME, time_zone="UTC", focus_domains=[]
    )


def social_account_unlink(*, user: User, account_id: int) -> None:
    """Unlink a provider from the account, unless it is the only way left to log in."""
    from allauth.socialaccount.models import SocialAccount

    account = SocialAccount.objects.filter(user=user, pk=account_id).first()
    if account is None:
        raise ApplicationError("No such linked account.", code="not_found", status_code=404)
    others = SocialAccount.objects.filter(user=user).exclude(pk=account.pk).exists()
    if not user.has_usable_password() and not others:
        raise Conflict(
            "This is your only way to log in: set a password (Forgot password) before unlinking.",
            code="last_login_method",
        )
    account.delete()
