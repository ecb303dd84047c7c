"""The addresses of an interview that emails, calendar entries and API answers give out."""

from __future__ import annotations

from django.conf import settings

from interviews.models import Interview


def room_url(interview: Interview) -> str:
    return f"{settings.SITE_URL}/interviews/{interview.pk}/room"


def detail_url(interview: Interview) -> str:
    return f"{settings.SITE_URL}/interviews/{interview.pk}"


def invite_url(interview: Interview) -> str:
    return f"{settings.SITE_URL}/api/interviews/{interview.pk}/invite.ics"
