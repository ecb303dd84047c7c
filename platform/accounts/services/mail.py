"""Account emails, in plain text and HTML, and queueing them once the change commits."""

from __future__ import annotations

import functools
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def mail_send(*, to: str, template: str, subject: str, context: dict[str, Any]) -> None:
    """Render accounts/email/<template>.txt and .html and send them as one message."""
    text = render_to_string(f"accounts/email/{template}.txt", context)
    html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue a job once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(functools.partial(task.delay, *args))
