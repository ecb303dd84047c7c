"""Reads for the scheduling API and the matching service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from interviews.models import (
    Interview,
    InterviewRole,
    InterviewStatus,
    Question,
    ReliabilityEvent,
    ReliabilityKind,
)
from interviews.models.sessions import ACTIVE_STATUSES, room_opens_at


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


# --- which questions a person has seen ------------------------------------------------------
#
# The one definition of "seen" that matching, booking and the reports' recommendations share:
# a person has seen a question when they are or were on it in any role, in any interview that
# happened, is happening or is still to happen (a no-show counts: whoever came saw the prompt or
# the guide). A cancelled interview showed its candidate nothing that is not public (the prompt
# is in the question bank; the guide never reaches a candidate), so it never counts for them. It
# counts for its interviewer when it was cancelled after their guide had opened: they may have
# read it. A cancelled interview is never saved again, so its updated_at is when it was
# cancelled.
SEEN_STATUSES = (
    InterviewStatus.SCHEDULED,
    InterviewStatus.LIVE,
    InterviewStatus.COMPLETED,
    InterviewStatus.NO_SHOW,
)
TAKING_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.LIVE)


def seen_interviews(*, role: InterviewRole) -> QuerySet[Interview]:
    """Interviews whose question the participant in this role has seen or will see."""
    seen = Q(status__in=SEEN_STATUSES)
    if role == InterviewRole.INTERVIEWER:
        seen |= Q(status=InterviewStatus.CANCELLED) & (
            Q(guide_released_at__isnull=True) | Q(guide_released_at__lte=F("updated_at"))
        )
    return Interview.objects.filter(seen)


@dataclass
class QuestionExposure:
    """What one person has had to do with each question, as question ids."""

    seen: set[int] = field(default_factory=set)  # in any role: never theirs as a candidate
    taking: set[int] = field(default_factory=set)  # booked as candidate: never to interview on
    done: set[int] = field(default_factory=set)  # completed as candidate: they know it well


def question_exposure(
    *, user_ids: Iterable[int], excluding: Iterable[int] = ()
) -> dict[int, QuestionExposure]:
    """Per user, the questions seen, booked to take and done (leaving out some interviews)."""
    ids = list(user_ids)
    skip = list(excluding)
    exposure = defaultdict(QuestionExposure, {user_id: QuestionExposure() for user_id in ids})
    for role, who in (
        (InterviewRole.CANDIDATE, "candidate_id"),
        (InterviewRole.INTERVIEWER, "interviewer_id"),
    ):
        rows = (
            seen_interviews(role=role)
            .filter(**{f"{who}__in": ids})
            .exclude(pk__in=skip)
            .values_list(who, "question_id", "status")
        )
        for user_id, question_id, status in rows:
            mine = exposure[user_id]
            mine.seen.add(question_id)
            if role == InterviewRole.CANDIDATE and status in TAKING_STATUSES:
                mine.taking.add(question_id)
            elif role == InterviewRole.CANDIDATE and status == InterviewStatus.COMPLETED:
                mine.done.add(question_id)
    return exposure


# --- the interviewer guide ------------------------------------------------------------------


def guide_preparation_opens_at(*, starts_at: datetime) -> datetime:
    """When the interviewer's preparation view of the guide opens (the room opens later)."""
    preparation = starts_at - timedelta(hours=settings.SCHEDULING_GUIDE_PREPARATION_HOURS)
    return min(preparation, room_opens_at(starts_at))


def second_half_of(*, interview: Interview) -> int | None:
    """Return the id of the later half of the interview's swap while it can still happen."""
    if interview.swap_group is None:
        return None
    return (
        # Created in their booked order: the id stays in that order when the second half moves.
        Interview.objects.filter(
            swap_group=interview.swap_group, pk__gt=interview.pk, status__in=ACTIVE_STATUSES
        )
        .values_list("pk", flat=True)
        .first()
    )


def guide_available_at(*, interview: Interview, user: User) -> datetime | None:
    """When this user may read the interview's guide; None if never.

    The guide is the interviewer's alone. It opens with the room; before that, for
    SCHEDULING_GUIDE_PREPARATION_HOURS, as a preparation view, but never to an interviewer who
    is also booked as the candidate on the same question: reading it would spoil their own turn.
    """
    if interview.interviewer_id != user.pk:
        return None
    opens = interview.room_opens_at
    taking = (
        seen_interviews(role=InterviewRole.CANDIDATE)
        .filter(candidate_id=user.pk, question_id=interview.question_id, status__in=TAKING_STATUSES)
        .exists()
    )
    if taking:
        return opens
    return min(opens, guide_preparation_opens_at(starts_at=interview.starts_at))


def guide_visible(*, interview: Interview, user: User, now: datetime | None = None) -> bool:
    """Tell whether this user may read the interview's guide now."""
    opens = guide_available_at(interview=interview, user=user)
    return opens is not None and opens <= (now or timezone.now())


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
