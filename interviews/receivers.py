"""Scheduling's reactions to account erasure: nothing personal stays bookable or published."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import user_erased
from interviews.models import (
    AvailabilityWindow,
    CalendarFeed,
    InstantQueueEntry,
    Interview,
    InterviewRequest,
    InterviewStatus,
    QueueStatus,
    RequestStatus,
)
from interviews.services.lifecycle import interview_cancel

ERASED_REASON = "The other participant deleted their account."


@receiver(user_erased)
def forget_scheduling(sender: Any, user: Any, **kwargs: Any) -> None:
    """Remove the erased user's availability and feed, close their request and queue entry."""
    AvailabilityWindow.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    InterviewRequest.objects.filter(user=user, status=RequestStatus.OPEN).update(
        status=RequestStatus.WITHDRAWN, withdrawn_at=timezone.now()
    )
    InstantQueueEntry.objects.filter(user=user, status=QueueStatus.WAITING).update(
        status=QueueStatus.LEFT
    )


@receiver(user_erased)
def cancel_upcoming_interviews(sender: Any, user: Any, **kwargs: Any) -> None:
    """Cancel what the erased user had not yet held, telling the partner as any cancel does."""
    upcoming = Interview.objects.filter(
        Q(interviewer=user) | Q(candidate=user), status=InterviewStatus.SCHEDULED
    ).order_by("starts_at")
    for interview in upcoming:
        interview.refresh_from_db()
        # Cancelling one half of a swap cancels the other half too.
        if interview.status == InterviewStatus.SCHEDULED:
            interview_cancel(interview=interview, user=user, reason=ERASED_REASON)
