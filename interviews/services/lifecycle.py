"""Cancelling, rescheduling and reporting a no-show; Interview.transition applies each change.

The two interviews of a swap move together: cancelling or rescheduling one does the same to
the other, because they were booked as one back-to-back session. Only a cancellation may keep
the other half, when the person cancelling says so; that half then stands on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from interviews import selectors
from interviews.models import (
    AvailabilityWindow,
    Interview,
    InterviewStatus,
    NotificationKind,
    ReliabilityEvent,
    ReliabilityKind,
    Seat,
)
from interviews.services import matching, notifications
from interviews.services.booking import busy, guide_release_at, overlaps_refused
from sevenstep.errors import ApplicationError, Conflict

RESCHEDULE_MIN_LEAD = selectors.RESCHEDULE_LEAD
NO_SHOW_REPORT_WINDOW = timedelta(hours=24)  # after the end, reports are too late to be fair


@dataclass(frozen=True)
class NoShowOutcome:
    interviews: list[Interview]
    absent: User
    rematch: dict[str, object]


def _locked_group(interview: Interview) -> list[Interview]:
    """Lock the interview and its swap partner, in id order so two callers never deadlock."""
    rows = Interview.objects.select_for_update().order_by("pk")
    if interview.swap_group is None:
        return list(rows.filter(pk=interview.pk))
    return list(rows.filter(swap_group=interview.swap_group))


def not_participant() -> ApplicationError:
    return ApplicationError(
        "Only the interviewer or the candidate can do that.",
        code="not_a_participant",
        status_code=403,
    )


def _require_participant(interview: Interview, user: User) -> None:
    if not interview.is_participant(user.pk):
        raise not_participant()


def _is_late(starts_at: datetime, now: datetime) -> bool:
    return now > starts_at - timedelta(hours=settings.SCHEDULING_LATE_CANCEL_HOURS)


def _mark(user_id: int, interview: Interview, kind: ReliabilityKind, at: datetime) -> None:
    ReliabilityEvent.objects.get_or_create(
        user_id=user_id, interview=interview, kind=kind, defaults={"at": at}
    )


def interview_cancel(
    *, interview: Interview, user: User, reason: str, both: bool = True
) -> list[Interview]:
    """Cancel a scheduled interview (and, unless both is False, its swap partner).

    Late cancellations cost reliability.
    """
    _require_participant(interview, user)
    now = timezone.now()
    with transaction.atomic():
        group = _locked_group(interview)
        target = next(item for item in group if item.pk == interview.pk)
        # The target must be cancellable (transition raises otherwise); a swap partner that
        # already happened stays as it is.
        cancelled = [target] + [
            item
            for item in group
            if both and item != target and item.status == InterviewStatus.SCHEDULED
        ]
        if len(cancelled) < len(group):
            # A swap that loses a half is no swap: the half that stays is an interview of its
            # own (its own reminders; rescheduling it drags no cancelled partner along).
            Interview.objects.filter(pk__in=[item.pk for item in group]).update(swap_group=None)
            target.swap_group = None
        for item in cancelled:
            item.transition(InterviewStatus.CANCELLED, at=now)
            item.cancelled_by = user
            item.cancel_reason = reason
            item.sequence += 1
            item.save()
        cancelled.sort(key=lambda item: item.starts_at)
        Seat.objects.filter(interview__in=cancelled).update(active=False)
        if _is_late(cancelled[0].starts_at, now):
            _mark(user.pk, cancelled[0], ReliabilityKind.LATE_CANCELLATION, now)
        notifications.notify_on_commit(
            interview_ids=[item.pk for item in cancelled], kind=NotificationKind.CANCELLED
        )
    return cancelled


def interview_reschedule(
    *, interview: Interview, user: User, starts_at: datetime
) -> list[Interview]:
    """Move a scheduled interview (and its swap partner) to a time the partner is available."""
    _require_participant(interview, user)
    now = timezone.now()
    if starts_at < now + RESCHEDULE_MIN_LEAD:
        raise ApplicationError(
            "The new time must be at least an hour from now.",
            code="too_soon",
            fields={"starts_at": ["Pick a time at least an hour from now."]},
        )
    if starts_at > now + timedelta(weeks=settings.SCHEDULING_WEEKS_AHEAD):
        raise ApplicationError(
            f"The new time can be at most {settings.SCHEDULING_WEEKS_AHEAD} weeks ahead.",
            code="too_far_ahead",
            fields={"starts_at": ["Too far ahead."]},
        )
    with overlaps_refused(_BUSY), transaction.atomic():
        group = _locked_group(interview)
        for item in group:
            if item.status != InterviewStatus.SCHEDULED:
                raise Conflict(
                    "Only a scheduled interview can be rescheduled.", code="not_scheduled"
                )
        first = group[0]
        shift = starts_at - first.starts_at
        if shift == timedelta(0):
            raise Conflict("The interview is already at that time.", code="same_time")
        end = group[-1].ends_at + shift
        partner_id = first.partner_of(user.pk)
        _require_available(partner_id, starts_at, end)
        _refuse_overlaps([user.pk, partner_id], starts_at, end, exclude=group)
        refresh_seen_questions(group)
        for item in group:
            item.starts_at += shift
            item.ends_at += shift
            item.sequence += 1
            item.time_set_at = now
            if item.guide_released_at is not None and item.guide_released_at > now:
                item.guide_released_at = guide_release_at(starts_at=item.starts_at)
            item.save()
            Seat.objects.filter(interview=item, active=True).update(
                starts_at=item.starts_at, ends_at=item.ends_at
            )
        if _is_late(first.starts_at - shift, now):
            _mark(user.pk, first, ReliabilityKind.LATE_RESCHEDULE, now)
        notifications.notify_on_commit(
            interview_ids=[item.pk for item in group], kind=NotificationKind.RESCHEDULED
        )
    return group


def refresh_seen_questions(group: list[Interview]) -> None:
    """Give the group fresh questions if one breaks the question rule; Conflict if none is left.

    Bookings made before the rule (or by hand) can have a candidate on a question they have
    seen elsewhere; moving the interview is when the partners hear from us again, so the
    question is picked anew then, by the same picker as every other path.
    """
    others = [item.pk for item in group]
    people = {user_id for item in group for user_id in (item.interviewer_id, item.candidate_id)}
    exposure = selectors.question_exposure(user_ids=people, excluding=others)
    broken = any(
        item.question_id in exposure[item.candidate_id].seen
        or item.question_id in exposure[item.interviewer_id].taking
        for item in group
    ) or len({item.question_id for item in group}) < len(group)
    if not broken:
        return
    halves = [
        matching.Half(
            item.interviewer_id, item.candidate_id, item.question.level, [item.question.domain]
        )
        for item in group
    ]
    questions = matching.questions_pick(halves=halves, excluding=others)
    if questions is None:
        raise Conflict(
            "There is no question left that the candidate has not seen; cancel instead.",
            code="no_fresh_question",
        )
    for item, question in zip(group, questions, strict=True):
        item.question = question


def _require_available(user_id: int, starts_at: datetime, ends_at: datetime) -> None:
    covered = AvailabilityWindow.objects.filter(
        user_id=user_id, starts_at__lte=starts_at, ends_at__gte=ends_at
    ).exists()
    if not covered:
        raise Conflict(
            "Your partner has not published availability covering that time.",
            code="partner_unavailable",
            fields={"starts_at": ["Pick a time inside your partner's availability."]},
        )


def _refuse_overlaps(
    user_ids: list[int], starts_at: datetime, ends_at: datetime, *, exclude: list[Interview]
) -> None:
    clash = (
        Seat.objects.filter(
            Q(user_id__in=user_ids), active=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(interview__in=exclude)
        .exists()
    )
    if clash:
        raise busy(_BUSY)


_BUSY = "You or your partner already have an interview at that time."


def _was_present(interview: Interview, user_id: int) -> bool:
    """Say whether the server holds evidence the user came: a socket in the room, or an edit."""
    from interviews.live.models import DocumentUpdate

    seen = Seat.objects.filter(interview=interview, user_id=user_id, first_seen_at__isnull=False)
    edited = DocumentUpdate.objects.filter(document__interview=interview, author_id=user_id)
    return seen.exists() or edited.exists()


def interview_report_no_show(*, interview: Interview, user: User) -> NoShowOutcome:
    """Record that the other participant never came (unless the server saw them); re-match."""
    _require_participant(interview, user)
    now = timezone.now()
    grace = timedelta(minutes=settings.SCHEDULING_NO_SHOW_GRACE_MINUTES)
    with transaction.atomic():
        group = _locked_group(interview)
        current = next(item for item in group if item.pk == interview.pk)
        if now < current.starts_at + grace:
            raise Conflict(
                f"A no-show can be reported {grace.seconds // 60} minutes after the start.",
                code="too_early",
            )
        if now > current.ends_at + NO_SHOW_REPORT_WINDOW:
            raise Conflict("It is too late to report a no-show.", code="too_late")
        absent_id = current.partner_of(user.pk)
        if _was_present(current, absent_id):
            # Whoever the server saw in the room or editing the notes came; a report against
            # them must not cost them reliability.
            raise Conflict(
                "Your partner has been in the interview room, so this is not a no-show; "
                "cancel the interview instead if it cannot go ahead.",
                code="partner_was_present",
            )
        current.transition(InterviewStatus.NO_SHOW, at=now)
        current.absent_user_id = absent_id
        current.sequence += 1
        current.save()
        # The rest of the swap cannot happen without the absent partner.
        rest = [item for item in group if item.pk != current.pk]
        for item in rest:
            if item.status == InterviewStatus.SCHEDULED:
                item.transition(InterviewStatus.CANCELLED, at=now)
                item.cancelled_by = user
                item.cancel_reason = "The partner did not show up for the first half."
                item.sequence += 1
                item.save()
        Seat.objects.filter(interview__in=[current, *rest]).exclude(
            interview__status=InterviewStatus.COMPLETED
        ).update(active=False)
        _mark(absent_id, current, ReliabilityKind.NO_SHOW, now)
        notifications.notify_on_commit(interview_ids=[current.pk], kind=NotificationKind.NO_SHOW)
    absent = User.objects.get(pk=absent_id)
    role = "candidate" if current.candidate_id == user.pk else "interviewer"
    return NoShowOutcome(
        interviews=group,
        absent=absent,
        rematch={
            "instant_match": "/api/match/instant/",
            "role": role,
            "level": current.question.level,
            "domains": [current.question.domain],
        },
    )
