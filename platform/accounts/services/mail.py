"""Account emails, in plain text and HTML."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def mail_send(*, to: str, template: str, subject: str, context: dict[str, Any]) -> None:
    """Render accounts/email/<template>.txt and .html and send them as one message."""
    text = render_to_string(f"accounts/email/{template}.txt", context)
    html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
