"""Reads with rules attached: who may see which submission, and when (blind release)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from interviews.models import Interview, InterviewRole
from scoring.models import InterviewerFeedback, Rubric, Scorecard, SubmissionStatus
from sevenstep.errors import ApplicationError


def deadline_hours() -> int:
    return int(settings.SCORECARD_DEADLINE_HOURS)


def submission_deadline(interview: Interview) -> datetime:
    """Return when scorecard and feedback close (and blind release ends) for an interview."""
    end = interview.ended_at or interview.ends_at
    return end + timedelta(hours=deadline_hours())


def rubric_current() -> Rubric:
    rubric = (
        Rubric.objects.prefetch_related("sections__criteria", "pitfalls").order_by("-version")
    ).first()
    if rubric is None:
        raise Http404("No rubric has been published.")
    return rubric


def rubric_get(*, version: int) -> Rubric:
    rubric = (
        Rubric.objects.prefetch_related("sections__criteria", "pitfalls")
        .filter(version=version)
        .first()
    )
    if rubric is None:
        raise Http404(f"There is no rubric version {version}.")
    return rubric


def interview_for_participant(*, user_id: int, interview_id: int) -> tuple[Interview, str]:
    """Return the interview and the user's role in it; everyone else gets a 404."""
    interview = (
        Interview.objects.select_related("question", "interviewer__profile", "candidate__profile")
        .filter(pk=interview_id)
        .first()
    )
    role = interview.role_of(user_id) if interview is not None else None
    if interview is None or role is None:
        raise Http404("No such interview.")
    return interview, role


def _not_released(interview: Interview, what: str) -> ApplicationError:
    deadline = submission_deadline(interview)
    return ApplicationError(
        f"The {what} stays hidden until you have submitted yours or the deadline "
        f"({deadline.isoformat()}) has passed.",
        code="not_released_yet",
        status_code=403,
    )


def released_condition(
    other_side: type[Scorecard] | type[InterviewerFeedback], now: datetime | None, prefix: str = ""
) -> Q:
    """Say "submitted, and the other side submitted too or the deadline passed" as a filter.

    prefix reaches the submission from another model (e.g. "scorecard__" from step scores).
    """
    cutoff = (now or timezone.now()) - timedelta(hours=deadline_hours())
    other_submitted = other_side.objects.filter(
        interview_id=OuterRef(f"{prefix}interview_id"), status=SubmissionStatus.SUBMITTED
    )
    # The cheap time test first: most scorecards are old, and then the subquery never runs.
    # Q | Exists is a Q at run time (Exists is a conditional expression).
    return Q(**{f"{prefix}status": SubmissionStatus.SUBMITTED}) & cast(
        Q,
        Q(**{f"{prefix}interview__ended_at__lte": cutoff})
        | Q(
            **{
                f"{prefix}interview__ended_at__isnull": True,
                f"{prefix}interview__ends_at__lte": cutoff,
            }
        )
        | Exists(other_submitted),
    )


def _released(
    rows: QuerySet[Any],
    other_side: type[Scorecard] | type[InterviewerFeedback],
    now: datetime | None,
) -> Any:
    return rows.filter(released_condition(other_side, now))


def released_scorecards(*, now: datetime | None = None) -> QuerySet[Scorecard]:
    """Submitted scorecards the candidate may see: feedback submitted or the deadline passed."""
    return _released(Scorecard.objects.all(), InterviewerFeedback, now)


def released_feedback(*, now: datetime | None = None) -> QuerySet[InterviewerFeedback]:
    """Submitted feedback the interviewer may see: scorecard submitted or the deadline passed."""
    return _released(InterviewerFeedback.objects.all(), Scorecard, now)


def _scorecards_with_details() -> QuerySet[Scorecard]:
    return Scorecard.objects.select_related(
        "rubric",
        "interview__question",
        "interviewer__profile",
        "candidate__profile",
    ).prefetch_related("steps", "rubric__sections")


def scorecard_for_reader(*, user_id: int, interview_id: int) -> Scorecard:
    """Return the scorecard: always to its interviewer, to the candidate once released."""
    interview, role = interview_for_participant(user_id=user_id, interview_id=interview_id)
    if role == InterviewRole.CANDIDATE:
        scorecard = _scorecards_with_details().filter(
            pk__in=released_scorecards().filter(interview_id=interview.pk).values("pk")
        )
        found = scorecard.first()
        if found is None:
            raise _not_released(interview, "scorecard")
        return found
    found = _scorecards_with_details().filter(interview_id=interview.pk).first()
    if found is None:
        raise ApplicationError(
            "No scorecard has been started for this interview yet.",
            code="scorecard_not_started",
            status_code=404,
        )
    return found


class ReplayScoresState(models.TextChoices):
    SHOWN = "shown"
    NOT_SUBMITTED = "not_submitted", "Not submitted"  # the interviewer's own view
    HIDDEN = "hidden"  # the candidate's, until released


def replay_scores(*, user_id: int, interview_id: int) -> dict[str, Any]:
    """Return the step scores a participant may see beside the replay, and why not otherwise.

    The same rules as the scorecard itself: the interviewer sees their scorecard once
    submitted; the candidate once it is released, and is never told whether it was submitted
    before then (the deadline says when it will be released at the latest).
    """
    interview, role = interview_for_participant(user_id=user_id, interview_id=interview_id)
    cards = Scorecard.objects.filter(interview_id=interview.pk)
    if role == InterviewRole.CANDIDATE:
        cards = released_scorecards().filter(interview_id=interview.pk)
    else:
        cards = cards.filter(status=SubmissionStatus.SUBMITTED)
    card = cards.prefetch_related("steps").first()
    if card is not None:
        state, released_by = ReplayScoresState.SHOWN, None
    elif role == InterviewRole.CANDIDATE:
        state, released_by = ReplayScoresState.HIDDEN, submission_deadline(interview)
    else:
        state, released_by = ReplayScoresState.NOT_SUBMITTED, None
    steps = card.steps.all() if card is not None else []
    return {"interview": interview.pk, "state": state, "released_by": released_by, "steps": steps}


def feedback_for_reader(*, user_id: int, interview_id: int) -> InterviewerFeedback:
    """Return the feedback: always to its author, to the interviewer once released."""
    interview, role = interview_for_participant(user_id=user_id, interview_id=interview_id)
    base = InterviewerFeedback.objects.select_related("interview")
    if role == InterviewRole.INTERVIEWER:
        found = base.filter(
            pk__in=released_feedback().filter(interview_id=interview.pk).values("pk")
        ).first()
        if found is None:
            raise _not_released(interview, "feedback")
        return found
    found = base.filter(interview_id=interview.pk).first()
    if found is None:
        raise ApplicationError(
            "No feedback has been started for this interview yet.",
            code="feedback_not_started",
            status_code=404,
        )
    return found


def scorecards_received(*, user_id: int) -> QuerySet[Scorecard]:
    """Released scorecards the user received as a candidate, newest first."""
    return (
        _scorecards_with_details()
        .filter(pk__in=released_scorecards().filter(candidate_id=user_id).values("pk"))
        .order_by("-submitted_at", "-pk")
    )
