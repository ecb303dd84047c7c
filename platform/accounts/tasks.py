"""Account jobs: thin shells around accounts.services."""

from __future__ import annotations

from celery import shared_task

from accounts import services
from sevenstep.jobs import Job


@shared_task(base=Job, name="accounts.registration_attempt_notify")
def registration_attempt_notify(user_id: int) -> None:
    """Email an account's owner that someone tried to register with their address."""
    services.registration_attempt_notify(user_id=user_id)


@shared_task(base=Job, name="accounts.email_verification_send")
def email_verification_send(address_id: int) -> None:
    """Email the verification link for an address."""
    services.email_verification_send(address_id=address_id)


@shared_task(base=Job, name="accounts.password_reset_send")
def password_reset_send(email: str) -> None:
    """Email a password reset link, if an account has this address."""
    services.password_reset_send(email=email)


@shared_task(base=Job, name="accounts.login_burst_notify")
def login_burst_notify(user_id: int) -> None:
    """Email an account's owner that its logins are paused after many failures."""
    services.login_burst_notify(user_id=user_id)
