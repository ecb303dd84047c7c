"""Scheduling's reactions to account erasure: nothing personal stays bookable or published."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import user_erased
from interviews.models import (
    AvailabilityWindow,
    CalendarFeed,
    InstantQueueEntry,
    InterviewRequest,
    QueueStatus,
    RequestStatus,
)


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
