"""Email addresses: verification by a signed link, resending it, and changing the address.

allauth's EmailAddress holds each address and whether its owner proved it; the signed key is
allauth's EmailConfirmationHMAC (no row per link: the key names the address, signed with
SECRET_KEY, and ends after ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS; once the address is verified
the key finds nothing, so it works once). A new address for an account is added unverified and
becomes the login email only when its link is followed.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from rest_framework.exceptions import Throttled

from accounts.models import User
from accounts.services import limits
from accounts.services.mail import mail_send
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.jobs import enqueue_on_commit


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_is_verified(*, user: User) -> bool:
    """Whether the user's login email is one they proved they receive mail at."""
    return EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()


def email_pending(*, user: User) -> str | None:
    """The new address waiting for its link to be followed, if any."""
    address = (
        EmailAddress.objects.filter(user=user, verified=False).exclude(email=user.email).first()
    )
    return address.email if address else None


def email_mark_verified(*, user: User) -> None:
    """Record the user's login email as verified (accounts an operator makes, not strangers)."""
    EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def email_address_add(*, user: User, email: str, primary: bool) -> EmailAddress:
    """Record an unverified address for the user and send its verification link on commit."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": False, "primary": primary}
    )
    enqueue_on_commit("accounts.email_verification_send", address.pk)
    return address


def email_verification_send(*, address_id: int) -> None:
    """Email the signed verification link for an address that is still unverified."""
    address = (
        EmailAddress.objects.select_related("user")
        .filter(pk=address_id, verified=False, user__is_active=True)
        .first()
    )
    if address is None:
        return
    key = EmailConfirmationHMAC(address).key
    changing = address.email != address.user.email
    mail_send(
        to=address.email,
        template="verify_email",
        subject="Confirm your email address for Sevenstep",
        context={
            "url": f"{settings.SITE_URL}/verify-email/{key}",
            "changing": changing,
            "days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
        },
    )


def email_verification_resend(*, user: User) -> str:
    """Send the pending address's link again, at most once per resend period; return it."""
    address = (
        EmailAddress.objects.filter(user=user, verified=False)
        .order_by("primary", "-pk")  # a pending change first, then the login email
        .first()
    )
    if address is None:
        raise Conflict("Your email address is already verified.", code="already_verified")
    period = settings.EMAIL_VERIFICATION_RESEND_SECONDS
    if not cache.add(f"email-verification-resend:{user.pk}", 1, timeout=period):
        raise Throttled(
            wait=period,
            detail="A verification email was sent moments ago; check your inbox or try again "
            "in a minute.",
            code="resend_too_soon",
        )
    enqueue_on_commit("accounts.email_verification_send", address.pk)
    return address.email


_INVALID_LINK = "This verification link is invalid, already used or expired; ask for a new one."


@transaction.atomic
def email_verify(*, key: str) -> User:
    """Mark the address the key names as verified; a new address becomes the login email."""
    confirmation = EmailConfirmationHMAC.from_key(key)
    if confirmation is None:
        raise ApplicationError(_INVALID_LINK, code="invalid_link")
    address = EmailAddress.objects.select_for_update().get(pk=confirmation.email_address.pk)
    user = User.objects.select_for_update().get(pk=address.user_id)
    if address.verified:
        raise ApplicationError(_INVALID_LINK, code="invalid_link")
    if not address.set_verified(commit=False):
        raise Conflict("Another account has already verified this address.", code="email_taken")
    address.primary = True
    EmailAddress.objects.filter(user=user).exclude(pk=address.pk).delete()
    address.save()
    if user.email != address.email:
        user.email = address.email
        try:
            with transaction.atomic():
                user.save(update_fields=["email"])
        except IntegrityError as exc:
            raise Conflict(
                "Another account uses this address; it cannot become your login email.",
                code="email_taken",
            ) from exc
    return user


def email_change(*, user: User, password: str, new_email: str) -> None:
    """Start changing the login email: the new address gets a link; nothing changes until then.

    A taken address is answered alike (its owner is told instead), so the form cannot be used
    to learn who has an account.
    """
    if not user.check_password(password):
        raise ApplicationError(
            "The password is incorrect.",
            code="invalid_credentials",
            fields={"password": ["The password is incorrect."]},
        )
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ApplicationError(
            "That is already your email address.",
            code="validation_error",
            fields={"email": ["That is already your email address."]},
        )
    with transaction.atomic():
        EmailAddress.objects.filter(user=user, verified=False).exclude(email=user.email).delete()
        owner = User.objects.filter(email=new_email).exclude(pk=user.pk).first()
        taken = EmailAddress.objects.filter(email=new_email, verified=True).exists()
        if owner is not None or taken:
            if owner is not None and owner.is_active and mail_allowed(email=new_email):
                enqueue_on_commit("accounts.registration_attempt_notify", owner.pk)
            return
        if mail_allowed(email=new_email):
            email_address_add(user=user, email=new_email, primary=False)
        else:
            EmailAddress.objects.create(user=user, email=new_email, verified=False)


def mail_allowed(*, email: str) -> bool:
    """Count one more account email to this address this hour; False past the limit."""
    count = limits.window_hit(scope="mail-per-email", ident=normalise_email(email), window=3600)
    return count <= settings.MAIL_PER_EMAIL_PER_HOUR
