"""Password reset by email and password change.

Reset links carry allauth's token (Django's PasswordResetTokenGenerator, also keyed on the
account's addresses): it hashes the current password and last login, so it stops working as
soon as it is used, and it ends after PASSWORD_RESET_TIMEOUT seconds. No row is stored.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import url_str_to_user_pk, user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services.emails import mail_allowed, normalise_email
from accounts.services.mail import mail_send
from accounts.services.sessions import sessions_end
from sevenstep.errors import ApplicationError
from sevenstep.jobs import enqueue_on_commit

_INVALID_LINK = "This reset link is invalid, already used or expired; ask for a new one."


def _password_validate(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", code="validation_error", fields={field: exc.messages}
        ) from exc


def password_reset_request(*, email: str) -> None:
    """Queue a reset link for the address; the job finds out whether an account has it.

    The caller's answer and work are the same for known and unknown addresses: the lookup
    happens in the job, after the answer.
    """
    email = normalise_email(email)
    if mail_allowed(email=email):
        enqueue_on_commit("accounts.password_reset_send", email)


def password_reset_send(*, email: str) -> None:
    """Email a reset link to the active account with this address, if there is one."""
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    if user is None:
        return
    uid = user_pk_to_url_str(user)
    token = default_token_generator.make_token(user)
    mail_send(
        to=user.email,
        template="password_reset",
        subject="Reset your Sevenstep password",
        context={
            "url": f"{settings.SITE_URL}/reset-password/{uid}/{token}",
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, password: str) -> User:
    """Set a new password with a reset link's token; end every session and login token."""
    from accounts.services.users import login_failures_clear

    try:
        pk = url_str_to_user_pk(uid)
        user = User.objects.select_for_update().filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, OverflowError, ValidationError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise ApplicationError(_INVALID_LINK, code="invalid_link")
    _password_validate(password, user, "password")
    user.set_password(password)
    user.save(update_fields=["password"])
    sessions_end(user=user)
    # The owner proved they read the mailbox: a lock from someone guessing ends now.
    login_failures_clear(email=user.email)
    return user


@transaction.atomic
def password_change(
    *, user: User, current_password: str, new_password: str, keep_session: str | None
) -> None:
    """Change the password after checking the current one; end every other session."""
    if not user.check_password(current_password):
        raise ApplicationError(
            "The current password is incorrect.",
            code="invalid_credentials",
            fields={"current_password": ["The current password is incorrect."]},
        )
    _password_validate(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_end(user=user, keep=keep_session)
