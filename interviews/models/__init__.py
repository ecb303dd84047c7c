"""Interviews data: the question bank, scheduling, interview sessions and the live room.

Split by area so each stays small; import models from here.
"""

from interviews.models.questions import Question
from interviews.models.sessions import (
    Interview,
    InterviewRole,
    InterviewStatus,
    Seat,
    TimelineEvent,
    TimelineKind,
)

__all__ = [
    "Interview",
    "InterviewRole",
    "InterviewStatus",
    "Question",
    "Seat",
    "TimelineEvent",
    "TimelineKind",
]
