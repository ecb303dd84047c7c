"""Scoring fixtures: interviews at each point of their life, and complete submissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from interviews.models import Interview, InterviewStatus
from tests.factories import InterviewFactory


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
def interview(interviewer, candidate) -> Interview:  # type: ignore[no-untyped-def]
    return held_interview(interviewer, candidate)


@pytest.fixture
def live_interview(interviewer, candidate) -> Interview:  # type: ignore[no-untyped-def]
    start = timezone.now() - timedelta(minutes=20)
    return InterviewFactory(
        interviewer=interviewer,
        candidate=candidate,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        status=InterviewStatus.LIVE,
        started_at=start,
    )
