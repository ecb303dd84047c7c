"""Interviews: a person's interviews, when the guide opens, shared free times for a reschedule."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from interviews.models import (
    AvailabilityWindow,
    InstantQueueEntry,
    Interview,
    InterviewRequest,
    InterviewRole,
    InterviewSource,
    Seat,
)
from interviews.models.sessions import ACTIVE_STATUSES, room_opens_at
from interviews.selectors.questions import TAKING_STATUSES, seen_interviews


def interviews_of(*, user: User, when: str | None = None) -> QuerySet[Interview]:
    """The user's interviews: upcoming soonest first, past most recent first."""
    now = timezone.now()
    mine = Interview.objects.filter(Q(interviewer=user) | Q(candidate=user)).select_related(
        "question", "interviewer__profile", "candidate__profile"
    )
    upcoming = Q(status__in=ACTIVE_STATUSES, ends_at__gt=now)
    if when == "upcoming":
        return mine.filter(upcoming).order_by("starts_at", "pk")
    if when == "past":
        return mine.exclude(upcoming).order_by("-starts_at", "-pk")
    return mine.order_by("-starts_at", "-pk")


def interview_for_viewer(*, user: User, pk: int) -> Interview:
    """Return the interview if the user takes part in it or is staff; 404 for everyone else.

    A 404 rather than a 403 so outsiders cannot probe which interview ids exist.
    """
    interview = (
        Interview.objects.select_related("question", "interviewer__profile", "candidate__profile")
        .filter(pk=pk)
        .first()
    )
    if interview is None or not (interview.is_participant(user.pk) or user.is_staff):
        raise Http404
    return interview


# --- the interviewer guide ------------------------------------------------------------------


def guide_preparation_opens_at(*, starts_at: datetime) -> datetime:
    """When the interviewer's preparation view of the guide opens (the room opens later)."""
    preparation = starts_at - timedelta(hours=settings.SCHEDULING_GUIDE_PREPARATION_HOURS)
    return min(preparation, room_opens_at(starts_at))


def second_half_of(*, interview: Interview) -> int | None:
    """Return the id of the later half of the interview's swap while it can still happen."""
    if interview.swap_group is None:
        return None
    return (
        # Created in their booked order: the id stays in that order when the second half moves.
        Interview.objects.filter(
            swap_group=interview.swap_group, pk__gt=interview.pk, status__in=ACTIVE_STATUSES
        )
        .values_list("pk", flat=True)
        .first()
    )


def asked_for_a_swap(*, interview: Interview, user_id: int) -> bool:
    """Whether the user asked for a swap and was paired for this one interview instead.

    A swap-seeker meets someone who wants one role (or has room for one interview in the
    week) in a single interview; they must hear that it is one, not find out at the end.
    """
    if interview.swap_group is not None or not interview.is_participant(user_id):
        return False
    if interview.source == InterviewSource.INSTANT:
        return InstantQueueEntry.objects.filter(
            interview=interview, user_id=user_id, role="swap"
        ).exists()
    if interview.source != InterviewSource.MATCHED:
        return False
    booked = interview.created_at or timezone.now()
    return (
        InterviewRequest.objects.filter(user_id=user_id, role="swap", created_at__lte=booked)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=booked))
        .exists()
    )


def guide_available_at(*, interview: Interview, user: User) -> datetime | None:
    """When this user may read the interview's guide; None if never.

    The guide is the interviewer's alone. It opens with the room; before that, for
    SCHEDULING_GUIDE_PREPARATION_HOURS, as a preparation view, but never to an interviewer who
    is also booked as the candidate on the same question: reading it would spoil their own turn.
    """
    if interview.interviewer_id != user.pk:
        return None
    opens = interview.room_opens_at
    taking = (
        seen_interviews(role=InterviewRole.CANDIDATE)
        .filter(candidate_id=user.pk, question_id=interview.question_id, status__in=TAKING_STATUSES)
        .exists()
    )
    if taking:
        return opens
    return min(opens, guide_preparation_opens_at(starts_at=interview.starts_at))


def guide_visible(*, interview: Interview, user: User, now: datetime | None = None) -> bool:
    """Tell whether this user may read the interview's guide now."""
    opens = guide_available_at(interview=interview, user=user)
    return opens is not None and opens <= (now or timezone.now())


# --- when both people of an interview are free, for a reschedule ----------------------------

RESCHEDULE_LEAD = timedelta(hours=1)  # a reschedule's earliest start (services.lifecycle)
MAX_FREE_TIMES = 50


def shared_free_times(
    *, interview: Interview, now: datetime | None = None
) -> list[tuple[datetime, datetime, datetime]]:
    """Return (from, until, latest start) where both are free for the interview (or swap).

    Both have published availability there and neither holds another booking; each stretch
    lies inside one window of each, so any start that leaves room for the interview's length
    is one the reschedule accepts. From an hour ahead up to SCHEDULING_WEEKS_AHEAD weeks.
    """
    now = now or timezone.now()
    group = (
        list(Interview.objects.filter(swap_group=interview.swap_group))
        if interview.swap_group is not None
        else [interview]
    )
    length = max(item.ends_at for item in group) - min(item.starts_at for item in group)
    earliest = now + RESCHEDULE_LEAD
    latest = now + timedelta(weeks=settings.SCHEDULING_WEEKS_AHEAD) + length
    people = (interview.interviewer_id, interview.candidate_id)
    windows: dict[int, list[tuple[datetime, datetime]]] = {user_id: [] for user_id in people}
    for user_id, start, stop in (
        AvailabilityWindow.objects.filter(
            user_id__in=people, ends_at__gt=earliest, starts_at__lt=latest
        )
        .order_by("starts_at")
        .values_list("user_id", "starts_at", "ends_at")
    ):
        windows[user_id].append((max(start, earliest), min(stop, latest)))
    both = [
        (max(a0, b0), min(a1, b1))
        for a0, a1 in windows[people[0]]
        for b0, b1 in windows[people[1]]
        if max(a0, b0) < min(a1, b1)
    ]
    busy = list(
        Seat.objects.filter(
            user_id__in=people, active=True, ends_at__gt=earliest, starts_at__lt=latest
        )
        .exclude(interview__in=group)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )
    free: list[tuple[datetime, datetime]] = []
    for start, stop in sorted(both):
        for taken_from, taken_to in busy:
            if taken_to <= start or taken_from >= stop:
                continue
            if taken_from - start >= length:
                free.append((start, taken_from))
            start = max(start, taken_to)
        if stop - start >= length:
            free.append((start, stop))
    return [(start, stop, stop - length) for start, stop in free[:MAX_FREE_TIMES]]
