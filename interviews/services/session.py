"""The interview session: start it, move between framework steps, end it; who came.

Only the interviewer drives the session. Every change is applied through
`Interview.transition()` (status) under a row lock and recorded as a TimelineEvent in server
time, which scoring and reports use for time-on-step against the budget. Ending the first
half of a swap opens the second at once: either participant goes on to it (swap_continue).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from interviews.models import Interview, InterviewStatus, Seat, TimelineEvent, TimelineKind
from interviews.models.sessions import ACTIVE_STATUSES
from interviews.services import lifecycle
from interviews.services.booking import guide_release_at, overlaps_refused
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.framework import Step

FIRST_STEP = min(Step.values)
LAST_STEP = max(Step.values)


def _locked_for_interviewer(interview_id: int, user_id: int) -> Interview:
    try:
        interview = Interview.objects.select_for_update().get(pk=interview_id)
    except Interview.DoesNotExist as exc:
        raise ApplicationError("No such interview.", code="not_found", status_code=404) from exc
    if interview.interviewer_id != user_id:
        raise ApplicationError(
            "Only the interviewer runs the session.", code="not_interviewer", status_code=403
        )
    return interview


def _record(
    interview: Interview, kind: TimelineKind, at: datetime, user_id: int, step: int | None = None
) -> None:
    TimelineEvent.objects.create(interview=interview, kind=kind, step=step, at=at, actor_id=user_id)


def _require_live(interview: Interview) -> None:
    if interview.status != InterviewStatus.LIVE:
        raise Conflict("The interview is not running.", code="not_live")


def _require_step_change_allowed(interview: Interview, now: datetime) -> None:
    """Refuse a step change past the interview's caps (in total, and per minute).

    Every step change is a moment the replay carries, so the interviewer must not be able to
    make them without bound. The caller holds the row lock, so the counts cannot race.
    """
    counts = TimelineEvent.objects.filter(
        interview=interview, kind=TimelineKind.STEP_ENTERED
    ).aggregate(total=Count("pk"), recent=Count("pk", filter=Q(at__gt=now - timedelta(minutes=1))))
    # The start enters the first step; only the moves after it are changes.
    if counts["total"] - 1 >= settings.LIVE_MAX_STEP_CHANGES:
        raise Conflict(
            f"An interview can change step at most {settings.LIVE_MAX_STEP_CHANGES} times.",
            code="too_many_step_changes",
        )
    if counts["recent"] >= settings.LIVE_STEP_CHANGES_PER_MINUTE:
        raise ApplicationError(
            "Too many step changes in the last minute; wait a moment.",
            code="step_changes_too_fast",
            status_code=429,
        )


@transaction.atomic
def session_start(*, interview_id: int, user_id: int) -> Interview:
    """Start the interview at step 1, from the moment its room opens."""
    interview = _locked_for_interviewer(interview_id, user_id)
    now = timezone.now()
    if now < interview.room_opens_at:
        raise Conflict("The interview cannot start yet.", code="too_early")
    interview.transition(InterviewStatus.LIVE, at=now)
    interview.current_step = FIRST_STEP
    interview.save(update_fields=["status", "started_at", "current_step", "updated_at"])
    _record(interview, TimelineKind.STARTED, now, user_id)
    _record(interview, TimelineKind.STEP_ENTERED, now, user_id, step=FIRST_STEP)
    return interview


@transaction.atomic
def session_goto_step(*, interview_id: int, user_id: int, step: int) -> Interview:
    """Move the running interview to a framework step (staying put records nothing)."""
    if step not in Step.values:
        raise ApplicationError(
            f"The step must be between {FIRST_STEP} and {LAST_STEP}.", code="invalid_step"
        )
    interview = _locked_for_interviewer(interview_id, user_id)
    _require_live(interview)
    if interview.current_step == step:
        return interview
    now = timezone.now()
    _require_step_change_allowed(interview, now)
    interview.current_step = step
    interview.save(update_fields=["current_step", "updated_at"])
    _record(interview, TimelineKind.STEP_ENTERED, now, user_id, step=step)
    return interview


def session_next_step(*, interview_id: int, user_id: int) -> Interview:
    """Move the running interview to the step after the current one."""
    with transaction.atomic():
        interview = _locked_for_interviewer(interview_id, user_id)
        _require_live(interview)
        if (interview.current_step or FIRST_STEP) >= LAST_STEP:
            raise Conflict("This is the last step; end the interview instead.", code="last_step")
        return session_goto_step(
            interview_id=interview_id, user_id=user_id, step=(interview.current_step or 0) + 1
        )


@transaction.atomic
def session_end(*, interview_id: int, user_id: int) -> Interview:
    """End the interview; from now on its documents are read-only."""
    from interviews.live.models import LiveDocument

    interview = _locked_for_interviewer(interview_id, user_id)
    # Wait for document commits in flight: they take these locks, then check the status.
    list(LiveDocument.objects.select_for_update().filter(interview=interview).order_by("pk"))
    now = timezone.now()
    interview.transition(InterviewStatus.COMPLETED, at=now)
    interview.save(update_fields=["status", "ended_at", "current_step", "updated_at"])
    # An interview that ends early gives back the rest of its slot: both people may be paired
    # or booked again at once instead of waiting out the booked 45 minutes.
    Seat.objects.filter(interview=interview).update(active=False)
    _record(interview, TimelineKind.ENDED, now, user_id)
    _bring_second_half_forward(interview)
    return interview


def _second_half(interview: Interview) -> Interview | None:
    """Return the later half of the interview's swap while it can still happen, else None."""
    if interview.swap_group is None:
        return None
    return (
        Interview.objects.select_for_update()
        # The halves are created in their booked order, and the id keeps that order when
        # the second half moves to the first one's end (which can come before the first's
        # booked start: the room opens early).
        .filter(swap_group=interview.swap_group, pk__gt=interview.pk, status__in=ACTIVE_STATUSES)
        .select_related("question")
        .first()
    )


def _bring_second_half_forward(first: Interview) -> Interview | None:
    """Move a swap's second half to start when its first half ended, if the seats allow.

    Nobody should wait out the rest of a booked slot in a closed room: the second half's room
    opens as soon as the first half ends. Its start moves to the end of the first half, or to
    the first moment after it that neither person is booked elsewhere; if no such moment comes
    before its booked start, it stays where it is. A move that would break the question rule
    (a booking made elsewhere since) picks a fresh question first, like a reschedule.
    """
    second = _second_half(first)
    if second is None or first.ended_at is None:
        return second
    if second.status != InterviewStatus.SCHEDULED or second.starts_at <= first.ended_at:
        return second
    starts_at = _first_clear_start(second, first.ended_at)
    if starts_at is None:
        return second
    try:
        # A savepoint: a move refused (a seat taken meanwhile, no fresh question) must not undo
        # the end of the first half.
        with overlaps_refused(), transaction.atomic():
            lifecycle.refresh_seen_questions([second])
            shift = starts_at - second.starts_at
            second.starts_at += shift
            second.ends_at += shift
            second.sequence += 1
            second.time_set_at = timezone.now()
            opens = guide_release_at(starts_at=second.starts_at)
            if second.guide_released_at is None or second.guide_released_at > opens:
                second.guide_released_at = opens
            second.save()
            Seat.objects.filter(interview=second, active=True).update(
                starts_at=second.starts_at, ends_at=second.ends_at
            )
    except Conflict:
        second.refresh_from_db()
    return second


def _first_clear_start(second: Interview, earliest: datetime) -> datetime | None:
    """Return the earliest start from `earliest` on where both people's other seats are clear."""
    length = second.ends_at - second.starts_at
    people = (second.interviewer_id, second.candidate_id)
    starts_at = earliest
    # Each clash pushes the start past a seat; a person holds few seats in 45 minutes.
    while starts_at < second.starts_at:
        clash_ends = (
            Seat.objects.filter(
                user_id__in=people,
                active=True,
                starts_at__lt=starts_at + length,
                ends_at__gt=starts_at,
            )
            .exclude(interview=second)
            .aggregate(end=models.Max("ends_at"))["end"]
        )
        if clash_ends is None:
            return starts_at
        starts_at = clash_ends
    return None


@transaction.atomic
def swap_continue(*, interview_id: int, user_id: int) -> Interview:
    """Return the second half of the ended first half of a swap, open from the end on."""
    try:
        first = Interview.objects.select_for_update().get(pk=interview_id)
    except Interview.DoesNotExist as exc:
        raise ApplicationError("No such interview.", code="not_found", status_code=404) from exc
    if not first.is_participant(user_id):
        raise lifecycle.not_participant()
    if first.status != InterviewStatus.COMPLETED:
        raise Conflict(
            "The second half opens when this half has ended.", code="first_half_not_ended"
        )
    second = _bring_second_half_forward(first)
    if second is None:
        raise Conflict("This interview has no second half to go on to.", code="no_second_half")
    return second


def participant_seen(*, interview_id: int, user_id: int) -> None:
    """Record that a participant's socket joined the interview's open room.

    One UPDATE per connection: the first and last time the server saw them, the evidence a
    no-show report is checked against. A finished interview's read-only room proves nothing.
    """
    now = timezone.now()
    Seat.objects.filter(
        interview_id=interview_id, user_id=user_id, interview__status__in=ACTIVE_STATUSES
    ).update(
        first_seen_at=Coalesce("first_seen_at", models.Value(now, models.DateTimeField())),
        last_seen_at=now,
    )
