"""Scoring fixtures: interviews at each point of their life, and complete submissions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from interviews.models import Interview, InterviewStatus
from tests.factories import InterviewFactory, QuestionFactory, UserFactory


def person(**fields: Any) -> Any:
    """Return a user who never logs in with a password (hashing one costs 0.1 s)."""
    return UserFactory(password=None, **fields)


def held_interview(
    interviewer: Any, candidate: Any, *, ended_ago: timedelta = timedelta(minutes=10), **extra: Any
) -> Interview:
    """Return a completed 45-minute interview that ended a while ago (seats never overlap)."""
    start = timezone.now() - ended_ago - timedelta(minutes=45)
    fields: dict[str, Any] = {
        "starts_at": start,
        "ends_at": start + timedelta(minutes=45),
        "status": InterviewStatus.COMPLETED,
        "started_at": start,
        "ended_at": start + timedelta(minutes=45),
    }
    fields.update(extra)
    return InterviewFactory(interviewer=interviewer, candidate=candidate, **fields)


def scorecard_body(**overrides: Any) -> dict[str, Any]:
    """Return a complete scorecard: every step scored 3 with evidence."""
    body: dict[str, Any] = {
        "rubric_version": 1,
        "steps": [
            {"step": step, "score": 3, "evidence": f"Covered step {step} with a clear plan."}
            for step in range(1, 8)
        ],
        "pitfalls": ["no_online_metric"],
        "recommendation": "hire",
        "pass_level": "mid",
        "communication_score": 3,
        "summary": "Solid structure; needs an online metric.",
    }
    body.update(overrides)
    return body


FEEDBACK = {
    "usefulness": 4,
    "specificity": 3,
    "preparedness": 5,
    "comment": "Concrete pointers on evaluation.",
    "self_assessment": {"1": 3, "5": 2},
}


@pytest.fixture
def interview(interviewer, candidate) -> Interview:
    return held_interview(interviewer, candidate)


@pytest.fixture
def live_interview(interviewer, candidate) -> Interview:
    start = timezone.now() - timedelta(minutes=20)
    return InterviewFactory(
        interviewer=interviewer,
        candidate=candidate,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        status=InterviewStatus.LIVE,
        started_at=start,
    )


def given_scorecard(
    interviewer: Any,
    candidate: Any,
    scores: Sequence[int | None],
    *,
    days_ago: float,
    pitfalls: tuple[str, ...] = (),
    question: Any = None,
    minutes_on_step: list[float | None] | None = None,
    communication: int | None = None,
) -> Any:
    """Store a submitted scorecard for an interview that ended days_ago (released after 48 h).

    scores: seven entries, None meaning "not reached". minutes_on_step: if given, the
    interview's timeline enters each step with a number and stays that many minutes.
    communication: the cross-cutting section's score, if the interviewer gave one.
    """
    from interviews.models import Question, TimelineEvent

    end = timezone.now() - timedelta(days=days_ago)
    start = end - timedelta(minutes=45)
    interview = Interview.objects.create(
        interviewer=interviewer,
        candidate=candidate,
        # A transactional test before this one may have flushed the bank the migrations fill.
        question=question or Question.objects.order_by("pk").first() or QuestionFactory(),
        starts_at=start,
        ends_at=end,
        status=InterviewStatus.COMPLETED,
        started_at=start,
        ended_at=end,
    )
    if minutes_on_step is not None:
        at = start
        events = [TimelineEvent(interview=interview, kind="started", at=at)]
        for step, minutes in enumerate(minutes_on_step, start=1):
            if minutes is None:
                continue
            events.append(TimelineEvent(interview=interview, kind="step_entered", step=step, at=at))
            at += timedelta(minutes=minutes)
        events.append(TimelineEvent(interview=interview, kind="ended", at=at))
        TimelineEvent.objects.bulk_create(events)
    return scorecard_submitted(
        interview,
        scores,
        submitted_at=end + timedelta(hours=1),
        pitfalls=pitfalls,
        communication=communication,
    )


def scorecard_submitted(
    interview: Interview,
    scores: Sequence[int | None],
    *,
    submitted_at: Any,
    pitfalls: tuple[str, ...] = (),
    communication: int | None = None,
) -> Any:
    """Store the interviewer's submitted scorecard for an interview (None: "not reached")."""
    from scoring.models import Rubric, Scorecard, StepScore

    rubric = Rubric.objects.current()
    assert rubric is not None, "the migrations seed a rubric"
    card = Scorecard.objects.create(
        interview=interview,
        rubric=rubric,
        interviewer_id=interview.interviewer_id,
        candidate_id=interview.candidate_id,
        recommendation="hire",
        pitfalls=list(pitfalls),
        communication_score=communication,
    )
    StepScore.objects.bulk_create(
        StepScore(
            scorecard=card,
            step=step,
            score=score,
            not_reached=score is None,
            evidence="" if score is None else f"Step {step} scored {score}.",
        )
        for step, score in enumerate(scores, start=1)
    )
    Scorecard.objects.filter(pk=card.pk).update(status="submitted", submitted_at=submitted_at)
    return card


def given_feedback(scorecard: Any, self_assessment: dict[str, int]) -> Any:
    """Store the candidate's submitted feedback on a scorecard's interview, scoring themselves."""
    from scoring.models import InterviewerFeedback

    return InterviewerFeedback.objects.create(
        interview_id=scorecard.interview_id,
        candidate_id=scorecard.candidate_id,
        interviewer_id=scorecard.interviewer_id,
        usefulness=4,
        specificity=4,
        preparedness=4,
        self_assessment=self_assessment,
        status="submitted",
        submitted_at=scorecard.submitted_at or timezone.now(),
    )
