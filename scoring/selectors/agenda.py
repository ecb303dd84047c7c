"""What a user has to do next: the home page's reads, and where one interview's writing stands.

These answer the states that are not errors (nothing written yet, still sealed) with a plain
value, so the browser asks for a draft or a released submission only when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import DateTimeField, F, Manager, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from interviews.models import (
    Interview,
    InterviewRequest,
    InterviewRole,
    InterviewStatus,
    RequestStatus,
)
from interviews.selectors import interviews_of
from scoring.models import InterviewerFeedback, Scorecard, SubmissionStatus
from scoring.selectors.submissions import (
    deadline_hours,
    interview_for_participant,
    released_feedback,
    released_scorecards,
    submission_deadline,
)

# The home page shows the next few interviews; the full list is a page of its own.
UPCOMING_SHOWN = 5
NOT_STARTED = "not_started"


@dataclass(frozen=True)
class Due:
    """A scorecard (as the interviewer) or feedback (as the candidate) still to submit."""

    interview: Interview
    kind: str
    deadline_at: datetime
    started: bool


@dataclass(frozen=True)
class Agenda:
    upcoming: list[Interview]
    upcoming_count: int
    due: list[Due]
    open_request: InterviewRequest | None


@dataclass(frozen=True)
class SubmissionState:
    """Where one interview's scorecard and feedback stand, for one of its participants."""

    my_role: str
    kind: str
    deadline_at: datetime
    mine: str
    theirs_released: bool


def _status_of(model: type[Scorecard] | type[InterviewerFeedback]) -> Subquery:
    return Subquery(model.objects.filter(interview_id=OuterRef("pk")).values("status")[:1])


def agenda_of(*, user: User, now: datetime | None = None) -> Agenda:
    """Return the user's next interviews, what they still have to submit, and their open request."""
    now = now or timezone.now()
    upcoming = interviews_of(user=user, when="upcoming")
    cutoff = now - timedelta(hours=deadline_hours())
    # The deadline runs from the real end when there was one, else from the booked end.
    ended = Coalesce(F("ended_at"), F("ends_at"), output_field=DateTimeField())
    recent = (
        interviews_of(user=user)
        .filter(status=InterviewStatus.COMPLETED)
        .annotate(finished=ended)
        .filter(finished__gt=cutoff)
        .annotate(
            scorecard_status=_status_of(Scorecard), feedback_status=_status_of(InterviewerFeedback)
        )
        .filter(
            Q(interviewer=user, scorecard_status__isnull=True)
            | Q(interviewer=user, scorecard_status=SubmissionStatus.DRAFT)
            | Q(candidate=user, feedback_status__isnull=True)
            | Q(candidate=user, feedback_status=SubmissionStatus.DRAFT)
        )
        .order_by("finished", "pk")
    )
    due = []
    for interview in recent:
        as_interviewer = interview.interviewer_id == user.pk
        status = interview.scorecard_status if as_interviewer else interview.feedback_status
        due.append(
            Due(
                interview=interview,
                kind="scorecard" if as_interviewer else "feedback",
                deadline_at=submission_deadline(interview),
                started=status is not None,
            )
        )
    open_request = (
        InterviewRequest.objects.filter(user=user, status=RequestStatus.OPEN)
        .select_related("question")
        .first()
    )
    return Agenda(
        upcoming=list(upcoming[:UPCOMING_SHOWN]),
        upcoming_count=upcoming.count(),
        due=due,
        open_request=open_request,
    )


def submission_state(*, user_id: int, interview_id: int) -> SubmissionState:
    """Return whether the user's own submission exists and whether the other side's is readable."""
    interview, role = interview_for_participant(user_id=user_id, interview_id=interview_id)
    mine: Manager[Scorecard] | Manager[InterviewerFeedback]
    theirs: QuerySet[Scorecard] | QuerySet[InterviewerFeedback]
    if role == InterviewRole.INTERVIEWER:
        mine, theirs, kind = Scorecard.objects, released_feedback(), "scorecard"
    else:
        mine, theirs, kind = InterviewerFeedback.objects, released_scorecards(), "feedback"
    status = mine.filter(interview_id=interview.pk).values_list("status", flat=True).first()
    return SubmissionState(
        my_role=str(role),
        kind=kind,
        deadline_at=submission_deadline(interview),
        mine=status or NOT_STARTED,
        theirs_released=theirs.filter(interview_id=interview.pk).exists(),
    )
