"""Platform-wide reactions to account erasure that belong to no single app."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import user_erased


@receiver(user_erased)
def cancel_upcoming_interviews(sender: Any, user: Any, **kwargs: Any) -> None:
    """Free the partner of every interview the erased user had not yet held."""
    from interviews.models import Interview, InterviewStatus, Seat

    upcoming = Interview.objects.select_for_update().filter(
        Q(interviewer=user) | Q(candidate=user), status=InterviewStatus.SCHEDULED
    )
    now = timezone.now()
    for interview in upcoming:
        interview.transition(InterviewStatus.CANCELLED, at=now)
        interview.cancel_reason = "The other participant deleted their account."
        interview.cancelled_by = user
        interview.save()
        Seat.objects.filter(interview=interview).update(active=False)
