"""Interviews data: the question bank, scheduling, interview sessions and the live room.

Split by area so each stays small; import models from here.
"""

from interviews.models.questions import Question
from interviews.models.scheduling import (
    AvailabilityWindow,
    CalendarFeed,
    InstantQueueEntry,
    InterviewRequest,
    MatchRun,
    MatchRunStatus,
    Notification,
    NotificationKind,
    QueueStatus,
    ReliabilityEvent,
    ReliabilityKind,
    RequestRole,
    RequestStatus,
)
from interviews.models.sessions import (
    Interview,
    InterviewRole,
    InterviewSource,
    InterviewStatus,
    Seat,
    TimelineEvent,
    TimelineKind,
    room_opens_at,
)

__all__ = [
    "AvailabilityWindow",
    "CalendarFeed",
    "InstantQueueEntry",
    "Interview",
    "InterviewRequest",
    "InterviewRole",
    "InterviewSource",
    "InterviewStatus",
    "MatchRun",
    "MatchRunStatus",
    "Notification",
    "NotificationKind",
    "Question",
    "QueueStatus",
    "ReliabilityEvent",
    "ReliabilityKind",
    "RequestRole",
    "RequestStatus",
    "Seat",
    "TimelineEvent",
    "TimelineKind",
    "room_opens_at",
]
