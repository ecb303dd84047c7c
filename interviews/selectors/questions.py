"""Questions: the bank as anyone sees it, and the one definition of the questions a person saw."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

from interviews.models import (
    Interview,
    InterviewRole,
    InterviewStatus,
    Question,
)


def question_list(*, domain: str | None = None, level: str | None = None) -> QuerySet[Question]:
    """Active questions, optionally of one domain and level; callers never expose the guide."""
    questions = Question.objects.filter(is_active=True).defer("guide").order_by("title")
    if domain:
        questions = questions.filter(domain=domain)
    if level:
        questions = questions.filter(level=level)
    return questions


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
