"""Celery shells around the scheduling services: take ids, call one service."""

from __future__ import annotations

import smtplib

from celery import shared_task

from interviews.services import notifications

# Only a mail server that is briefly away is worth retrying; a bad message never gets better.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError)


@shared_task(
    name="interviews.notify",
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def interview_notify(interview_ids: list[int], kind: str) -> int:
    """Email both participants about a booking, cancellation, reschedule or no-show."""
    return notifications.notification_send(interview_ids=interview_ids, kind=kind)


@shared_task(name="interviews.send_due_reminders")
def send_due_reminders() -> int:
    """Send the 24-hour and 15-minute reminders that are due (beat, every minute)."""
    return notifications.reminders_send_due()
