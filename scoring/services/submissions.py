"""Writing scorecards and feedback: drafts autosave, then one submission that never changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from interviews.models import Interview, InterviewRole, InterviewStatus
from scoring.models import InterviewerFeedback, Scorecard, StepScore, SubmissionStatus
from scoring.models.submissions import Submission
from scoring.selectors import (
    interview_for_participant,
    released_scorecards,
    rubric_current,
    submission_deadline,
)
from scoring.services.reports import report_request
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.framework import Step

_STARTED = (InterviewStatus.LIVE, InterviewStatus.COMPLETED)

S = TypeVar("S", bound=Submission)


def _open_interview(*, user_id: int, interview_id: int, role: str, now: datetime) -> Interview:
    """Return the interview if this user, in this role, may still write about it."""
    interview, actual = interview_for_participant(user_id=user_id, interview_id=interview_id)
    if actual != role:
        what = "scorecard" if role == InterviewRole.INTERVIEWER else "feedback on the interviewer"
        raise ApplicationError(
            f"Only the {InterviewRole(role).label.lower()} writes the {what}.",
            code="wrong_role",
            status_code=403,
        )
    if interview.status not in _STARTED:
        raise Conflict(
            "You can write this once the interview has started.", code="interview_not_started"
        )
    if now >= submission_deadline(interview):
        raise Conflict(
            f"The deadline ({submission_deadline(interview).isoformat()}) has passed.",
            code="deadline_passed",
        )
    return interview


def submission_authorise(*, user_id: int, interview_id: int, role: str) -> None:
    """Raise unless this user, in this role, may write about the interview now.

    Called before the input is parsed, so nobody else learns anything from validation errors.
    """
    _open_interview(user_id=user_id, interview_id=interview_id, role=role, now=timezone.now())


def _check_moments(interview: Interview, steps: list[dict[str, Any]], now: datetime) -> None:
    start = interview.started_at or interview.starts_at
    end = interview.ended_at or now
    for index, step in enumerate(steps):
        for moment in step.get("moments", []):
            if not start <= moment["at"] <= end:
                raise ApplicationError(
                    "A moment must point inside the interview session.",
                    fields={f"steps.{index}.moments": ["Outside the interview session."]},
                )


def _draft_to_edit(model: type[S], interview: Interview, what: str, new: Callable[[], S]) -> S:
    """Lock and return the draft, creating it from new() if there is none; a submission is final."""
    row = model.objects.select_for_update().filter(interview=interview).first()
    if row is None:
        # Two first autosaves race here: both see no row, and a plain INSERT from each breaks
        # the one-per-interview constraint in the slower one (a 500). ON CONFLICT DO NOTHING
        # makes the slower insert wait for the faster transaction and then keep its row, which
        # both lock and update in turn: both saves succeed, one row results.
        model.objects.bulk_create([new()], ignore_conflicts=True)
        row = model.objects.select_for_update().get(interview=interview)
    if row.is_submitted:
        raise Conflict(f"The {what} was submitted and can no longer change.", code="immutable")
    return row


def _draft_to_submit(model: type[S], interview: Interview, what: str) -> S:
    """Lock and return the draft about to be submitted."""
    row = model.objects.select_for_update().filter(interview=interview).first()
    if row is None:
        raise Conflict(
            f"Save a draft {what} before submitting it.", code=f"{model.draft_code}_not_started"
        )
    if row.is_submitted:
        raise Conflict(f"The {what} was already submitted.", code="already_submitted")
    return row


def _submit(row: Submission, *, problems: dict[str, list[str]], now: datetime) -> None:
    """Freeze a complete draft and have the candidate's report rebuilt."""
    if problems:
        raise ApplicationError("It is not complete yet.", code="incomplete", fields=problems)
    row.status = SubmissionStatus.SUBMITTED
    row.submitted_at = now
    row.save()
    report_request(user_id=row.candidate_id)


@transaction.atomic
def scorecard_save_draft(
    *,
    user_id: int,
    interview_id: int,
    rubric_version: int,
    steps: list[dict[str, Any]],
    pitfalls: list[str],
    recommendation: str | None,
    pass_level: str | None,
    communication_score: int | None,
    summary: str,
) -> Scorecard:
    """Create or replace the interviewer's draft scorecard."""
    now = timezone.now()
    interview = _open_interview(
        user_id=user_id, interview_id=interview_id, role=InterviewRole.INTERVIEWER, now=now
    )
    scorecard = _draft_to_edit(
        Scorecard,
        interview,
        "scorecard",
        lambda: Scorecard(
            interview=interview,
            rubric=rubric_current(),
            interviewer_id=interview.interviewer_id,
            candidate_id=interview.candidate_id,
        ),
    )
    if rubric_version != scorecard.rubric.version:
        raise ApplicationError(
            f"This scorecard is written against rubric v{scorecard.rubric.version}.",
            code="wrong_rubric_version",
            fields={"rubric_version": [f"Expected {scorecard.rubric.version}."]},
        )
    allowed = {pitfall.tag for pitfall in scorecard.rubric.pitfalls.all()}
    unknown = sorted(set(pitfalls) - allowed)
    if unknown:
        raise ApplicationError(
            "Some pitfall tags are not in this rubric.",
            fields={"pitfalls": [f"Not in rubric v{rubric_version}: {', '.join(unknown)}."]},
        )
    _check_moments(interview, steps, now)
    scorecard.pitfalls = list(dict.fromkeys(pitfalls))
    scorecard.recommendation = recommendation
    scorecard.pass_level = pass_level
    scorecard.communication_score = communication_score
    scorecard.summary = summary
    scorecard.save()
    scorecard.steps.all().delete()
    StepScore.objects.bulk_create(
        StepScore(
            scorecard=scorecard,
            step=step["step"],
            score=None if step.get("not_reached") else step.get("score"),
            not_reached=step.get("not_reached", False),
            evidence=step.get("evidence", ""),
            moments=[
                {**moment, "at": moment["at"].isoformat()} for moment in step.get("moments", [])
            ],
        )
        for step in steps
    )
    return scorecard


def _incomplete_steps(scorecard: Scorecard) -> dict[str, list[str]]:
    by_step = {row.step: row for row in scorecard.steps.all()}
    problems: dict[str, list[str]] = {}
    for step in Step:
        row = by_step.get(step.value)
        if row is None or (row.score is None and not row.not_reached):
            problems[f"steps.{step.value}"] = ["Score this step or mark it not reached."]
        elif row.score is not None and not row.evidence.strip():
            problems[f"steps.{step.value}"] = ["Write the evidence behind this score."]
    if not problems and all(row.not_reached for row in by_step.values()):
        problems["steps"] = ["Score at least one step."]
    return problems


@transaction.atomic
def scorecard_submit(*, user_id: int, interview_id: int) -> Scorecard:
    """Submit the complete draft once, before the deadline; the candidate's report updates."""
    now = timezone.now()
    interview = _open_interview(
        user_id=user_id, interview_id=interview_id, role=InterviewRole.INTERVIEWER, now=now
    )
    scorecard = _draft_to_submit(Scorecard, interview, "scorecard")
    problems = _incomplete_steps(scorecard)
    if scorecard.recommendation is None:
        problems["recommendation"] = ["Choose an overall recommendation."]
    _submit(scorecard, problems=problems, now=now)
    return scorecard


@transaction.atomic
def feedback_save_draft(
    *,
    user_id: int,
    interview_id: int,
    usefulness: int | None,
    specificity: int | None,
    preparedness: int | None,
    comment: str,
    self_assessment: dict[str, int],
) -> InterviewerFeedback:
    """Create or replace the candidate's draft feedback on the interviewer."""
    now = timezone.now()
    interview = _open_interview(
        user_id=user_id, interview_id=interview_id, role=InterviewRole.CANDIDATE, now=now
    )
    feedback = _draft_to_edit(
        InterviewerFeedback,
        interview,
        "feedback",
        lambda: InterviewerFeedback(
            interview=interview,
            candidate_id=interview.candidate_id,
            interviewer_id=interview.interviewer_id,
        ),
    )
    feedback.usefulness = usefulness
    feedback.specificity = specificity
    feedback.preparedness = preparedness
    feedback.comment = comment
    feedback.self_assessment = self_assessment
    feedback.save()
    return feedback


@transaction.atomic
def feedback_submit(*, user_id: int, interview_id: int) -> InterviewerFeedback:
    """Submit the feedback once; it may release the scorecard, so the report updates too."""
    now = timezone.now()
    interview = _open_interview(
        user_id=user_id, interview_id=interview_id, role=InterviewRole.CANDIDATE, now=now
    )
    feedback = _draft_to_submit(InterviewerFeedback, interview, "feedback")
    # Only the interviewer's conduct: how useful and specific the scorecard was is asked once
    # it is released (feedback_rate_released), since blind release hides it until now.
    missing = {
        name: ["Rate this from 1 to 5."]
        for name in ("preparedness",)
        if getattr(feedback, name) is None
    }
    _submit(feedback, problems=missing, now=now)
    return feedback


def feedback_rating_authorise(*, user_id: int, interview_id: int) -> Interview:
    """Return the interview if this user is its candidate; raise before any input is parsed."""
    interview, role = interview_for_participant(user_id=user_id, interview_id=interview_id)
    if role != InterviewRole.CANDIDATE:
        raise ApplicationError(
            "Only the candidate rates the feedback they received.",
            code="wrong_role",
            status_code=403,
        )
    return interview


@transaction.atomic
def feedback_rate_released(
    *, user_id: int, interview_id: int, usefulness: int, specificity: int | None
) -> InterviewerFeedback:
    """Rate the released scorecard's usefulness (and specificity) once, after the feedback.

    Not bound to the submission deadline: the scorecard may be released only at it.
    """
    interview = feedback_rating_authorise(user_id=user_id, interview_id=interview_id)
    feedback = InterviewerFeedback.objects.select_for_update().filter(interview=interview).first()
    if feedback is None or not feedback.is_submitted:
        raise Conflict(
            "Submit your feedback on the interviewer first.", code="feedback_not_submitted"
        )
    if not released_scorecards().filter(interview=interview).exists():
        raise Conflict(
            "You can rate the feedback once the scorecard is released to you.",
            code="not_released_yet",
        )
    if feedback.usefulness is not None or feedback.specificity is not None:
        raise Conflict("You have already rated this feedback.", code="already_rated")
    # An update, not save(): the row is submitted, and the database lets only these two
    # columns go from empty to a value (migration 0007).
    InterviewerFeedback.objects.filter(pk=feedback.pk).update(
        usefulness=usefulness, specificity=specificity, updated_at=timezone.now()
    )
    feedback.refresh_from_db()
    return feedback
