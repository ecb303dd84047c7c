"""Account jobs: thin shells around accounts.services."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(name="accounts.registration_attempt_notify", acks_late=True, max_retries=3)
def registration_attempt_notify(user_id: int) -> None:
    """Email an account's owner that someone tried to register with their address."""
    services.registration_attempt_notify(user_id=user_id)
