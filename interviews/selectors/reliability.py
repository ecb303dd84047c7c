"""A person's record: reliability from the marks against them, and the reciprocity ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from interviews.models import (
    Interview,
    InterviewStatus,
    ReliabilityEvent,
    ReliabilityKind,
)

RELIABILITY_WINDOW = timedelta(days=90)
RELIABILITY_PENALTY = {
    ReliabilityKind.NO_SHOW: 0.35,
    ReliabilityKind.LATE_CANCELLATION: 0.15,
    ReliabilityKind.LATE_RESCHEDULE: 0.05,
}


def reliability_of(*, user_ids: Iterable[int], now: datetime | None = None) -> dict[int, float]:
    """Reliability in [0, 1] per user: 1 minus the recent marks against them."""
    since = (now or timezone.now()) - RELIABILITY_WINDOW
    scores = dict.fromkeys(user_ids, 1.0)
    marks = (
        ReliabilityEvent.objects.filter(user_id__in=list(scores), at__gte=since)
        .values("user_id", "kind")
        .annotate(n=Count("pk"))
    )
    for mark in marks:
        scores[mark["user_id"]] -= RELIABILITY_PENALTY[ReliabilityKind(mark["kind"])] * mark["n"]
    return {user_id: max(0.0, score) for user_id, score in scores.items()}


def ledger_of(*, user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """The reciprocity ledger per user: (interviews given, interviews received), completed only."""
    ids = list(user_ids)
    done = Interview.objects.filter(status=InterviewStatus.COMPLETED)
    given = dict(
        done.filter(interviewer_id__in=ids)
        .values_list("interviewer_id")
        .annotate(n=Count("pk"))
        .values_list("interviewer_id", "n")
    )
    received = dict(
        done.filter(candidate_id__in=ids)
        .values_list("candidate_id")
        .annotate(n=Count("pk"))
        .values_list("candidate_id", "n")
    )
    return {user_id: (given.get(user_id, 0), received.get(user_id, 0)) for user_id in ids}
