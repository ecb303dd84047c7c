"""Reads for the scheduling API and the matching service."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from interviews.models import (
    Interview,
    InterviewStatus,
    Question,
    ReliabilityEvent,
    ReliabilityKind,
)
from interviews.models.sessions import ACTIVE_STATUSES


def question_list(*, domain: str | None = None, level: str | None = None) -> QuerySet[Question]:
    """Active questions, optionally of one domain and level; callers never expose the guide."""
    questions = Question.objects.filter(is_active=True).defer("guide").order_by("title")
    if domain:
        questions = questions.filter(domain=domain)
    if level:
        questions = questions.filter(level=level)
    return questions


def interviews_of(*, user: User, when: str | None = None) -> QuerySet[Interview]:
    """The user's interviews: upcoming soonest first, past most recent first."""
    now = timezone.now()
    mine = Interview.objects.filter(Q(interviewer=user) | Q(candidate=user)).select_related(
        "question", "interviewer__profile", "candidate__profile"
    )
    upcoming = Q(status__in=ACTIVE_STATUSES, ends_at__gt=now)
    if when == "upcoming":
        return mine.filter(upcoming).order_by("starts_at", "pk")
    if when == "past":
        return mine.exclude(upcoming).order_by("-starts_at", "-pk")
    return mine.order_by("-starts_at", "-pk")


def interview_for_viewer(*, user: User, pk: int) -> Interview:
    """Return the interview if the user takes part in it or is staff; 404 for everyone else.

    A 404 rather than a 403 so outsiders cannot probe which interview ids exist.
    """
    interview = (
        Interview.objects.select_related("question", "interviewer__profile", "candidate__profile")
        .filter(pk=pk)
        .first()
    )
    if interview is None or not (interview.is_participant(user.pk) or user.is_staff):
        raise Http404
    return interview


def guide_visible(*, interview: Interview, user: User, now: datetime | None = None) -> bool:
    """The guide is for the interviewer alone, from its release time on."""
    if interview.interviewer_id != user.pk:
        return False
    released = interview.guide_released_at
    return released is None or released <= (now or timezone.now())


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
        scores[mark["user_id"]] -= RELIABILITY_PENALTY[mark["kind"]] * mark["n"]
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
