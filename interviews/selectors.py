"""Reads for the scheduling API and the matching service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
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
    InterviewStatus,
    MatchRun,
    MatchRunStatus,
    Question,
    QueueStatus,
    ReliabilityEvent,
    ReliabilityKind,
    RequestRole,
    RequestStatus,
    Seat,
)
from interviews.models.sessions import ACTIVE_STATUSES, room_opens_at
from sevenstep.framework import INTERVIEW_MINUTES, LEVEL_ORDER


def question_list(*, domain: str | None = None, level: str | None = None) -> QuerySet[Question]:
    """Active questions, optionally of one domain and level; callers never expose the guide."""
    questions = Question.objects.filter(is_active=True).defer("guide").order_by("title")
    if domain:
        questions = questions.filter(domain=domain)
    if level:
        questions = questions.filter(level=level)
    return questions


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


# --- which questions a person has seen ------------------------------------------------------
#
# The one definition of "seen" that matching, booking and the reports' recommendations share:
# a person has seen a question when they are or were on it in any role, in any interview that
# happened, is happening or is still to happen (a no-show counts: whoever came saw the prompt or
# the guide). A cancelled interview showed its candidate nothing that is not public (the prompt
# is in the question bank; the guide never reaches a candidate), so it never counts for them. It
# counts for its interviewer when it was cancelled after their guide had opened: they may have
# read it. A cancelled interview is never saved again, so its updated_at is when it was
# cancelled.
SEEN_STATUSES = (
    InterviewStatus.SCHEDULED,
    InterviewStatus.LIVE,
    InterviewStatus.COMPLETED,
    InterviewStatus.NO_SHOW,
)
TAKING_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.LIVE)


def seen_interviews(*, role: InterviewRole) -> QuerySet[Interview]:
    """Interviews whose question the participant in this role has seen or will see."""
    seen = Q(status__in=SEEN_STATUSES)
    if role == InterviewRole.INTERVIEWER:
        seen |= Q(status=InterviewStatus.CANCELLED) & (
            Q(guide_released_at__isnull=True) | Q(guide_released_at__lte=F("updated_at"))
        )
    return Interview.objects.filter(seen)


@dataclass
class QuestionExposure:
    """What one person has had to do with each question, as question ids."""

    seen: set[int] = field(default_factory=set)  # in any role: never theirs as a candidate
    taking: set[int] = field(default_factory=set)  # booked as candidate: never to interview on
    done: set[int] = field(default_factory=set)  # completed as candidate: they know it well


def question_exposure(
    *, user_ids: Iterable[int], excluding: Iterable[int] = ()
) -> dict[int, QuestionExposure]:
    """Per user, the questions seen, booked to take and done (leaving out some interviews)."""
    ids = list(user_ids)
    skip = list(excluding)
    exposure = defaultdict(QuestionExposure, {user_id: QuestionExposure() for user_id in ids})
    for role, who in (
        (InterviewRole.CANDIDATE, "candidate_id"),
        (InterviewRole.INTERVIEWER, "interviewer_id"),
    ):
        rows = (
            seen_interviews(role=role)
            .filter(**{f"{who}__in": ids})
            .exclude(pk__in=skip)
            .values_list(who, "question_id", "status")
        )
        for user_id, question_id, status in rows:
            mine = exposure[user_id]
            mine.seen.add(question_id)
            if role == InterviewRole.CANDIDATE and status in TAKING_STATUSES:
                mine.taking.add(question_id)
            elif role == InterviewRole.CANDIDATE and status == InterviewStatus.COMPLETED:
                mine.done.add(question_id)
    return exposure


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


RELIABILITY_WINDOW = timedelta(days=90)
RELIABILITY_PENALTY = {
    ReliabilityKind.NO_SHOW: 0.35,
    ReliabilityKind.LATE_CANCELLATION: 0.15,
    ReliabilityKind.LATE_RESCHEDULE: 0.05,
}


def reliability_of(*, user_ids: Iterable[int], now: datetime | None = None) -> dict[int, float]:
    """Reliability in [0, 1] per user: 1 minus the recent marks against them."""
    since = (now or timezone.now()) - RELIABILITY_WINDOW
    scores = dict.fromkeys(user_ids, 1.0)
    marks = (
        ReliabilityEvent.objects.filter(user_id__in=list(scores), at__gte=since)
        .values("user_id", "kind")
        .annotate(n=Count("pk"))
    )
    for mark in marks:
        scores[mark["user_id"]] -= RELIABILITY_PENALTY[mark["kind"]] * mark["n"]
    return {user_id: max(0.0, score) for user_id, score in scores.items()}


def ledger_of(*, user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """The reciprocity ledger per user: (interviews given, interviews received), completed only."""
    ids = list(user_ids)
    done = Interview.objects.filter(status=InterviewStatus.COMPLETED)
    given = dict(
        done.filter(interviewer_id__in=ids)
        .values_list("interviewer_id")
        .annotate(n=Count("pk"))
        .values_list("interviewer_id", "n")
    )
    received = dict(
        done.filter(candidate_id__in=ids)
        .values_list("candidate_id")
        .annotate(n=Count("pk"))
        .values_list("candidate_id", "n")
    )
    return {user_id: (given.get(user_id, 0), received.get(user_id, 0)) for user_id in ids}


# --- why an open request has not been paired ----------------------------------------------

INTERVIEW_LENGTH = timedelta(minutes=INTERVIEW_MINUTES)
# Who can meet whom in one interview: a swap-seeker meets anyone, the others their opposite.
PARTNER_ROLES = {
    "candidate": {"interviewer", "swap"},
    "interviewer": {"candidate", "swap"},
    "swap": {"candidate", "interviewer", "swap"},
}
WANT = {
    "candidate": "to interview you",
    "interviewer": "to be interviewed by you",
    "swap": "to pair with you",
}


@dataclass(frozen=True)
class RequestMatching:
    """What the matching runs did with an open request, and what would help if nothing."""

    last_run_at: datetime | None
    next_run_at: datetime | None
    unserved_reason: str | None = None
    unserved_help: str | None = None


def request_matching(*, request: InterviewRequest, now: datetime | None = None) -> RequestMatching:
    """Say when runs last considered the open request and, if the last booked nothing, why.

    The last run is the latest finished one since the request was last changed (an older run
    saw another request). The reason is read from the data the run used: the person's free
    windows in the horizon, their weekly cap, and who else was free then.
    """
    if request.status != RequestStatus.OPEN:
        return RequestMatching(last_run_at=None, next_run_at=None)
    now = now or timezone.now()
    period = settings.CELERY_BEAT_SCHEDULE["interviews-matching"]["schedule"]
    next_run_at = datetime.fromtimestamp((now.timestamp() // period + 1) * period, tz=now.tzinfo)
    last = (
        MatchRun.objects.filter(status=MatchRunStatus.DONE, finished_at__gte=request.updated_at)
        .order_by("-finished_at")
        .first()
    )
    if last is None:
        return RequestMatching(last_run_at=None, next_run_at=next_run_at)
    served = Interview.objects.filter(
        Q(interviewer_id=request.user_id) | Q(candidate_id=request.user_id), match_run=last
    ).exists()
    result = RequestMatching(last_run_at=last.finished_at, next_run_at=next_run_at)
    if served:
        return result
    reason, help_text = _unserved(request, now)
    return replace(result, unserved_reason=reason, unserved_help=help_text)


def _unserved(request: InterviewRequest, now: datetime) -> tuple[str, str]:
    earliest = now + timedelta(minutes=settings.SCHEDULING_MATCH_LEAD_MINUTES)
    end = earliest + timedelta(days=settings.SCHEDULING_MATCH_HORIZON_DAYS)
    mine = [
        (max(start, earliest), min(stop, end))
        for start, stop in AvailabilityWindow.objects.filter(
            user_id=request.user_id, ends_at__gt=earliest, starts_at__lt=end
        ).values_list("starts_at", "ends_at")
    ]
    mine = [(start, stop) for start, stop in mine if stop - start >= INTERVIEW_LENGTH]
    if not mine:
        return (
            "no_windows",
            "You have no free time of 45 minutes or more in the next "
            f"{settings.SCHEDULING_MATCH_HORIZON_DAYS} days that matching can use (it books from "
            f"{settings.SCHEDULING_MATCH_LEAD_MINUTES // 60} hours ahead): publish wider windows.",
        )
    if _week_full(request, mine):
        return (
            "week_full",
            f"You already have {request.max_per_week} interview(s) within 7 days of every "
            "window you are free in: raise the weekly number, or add time in another week.",
        )
    overlapping = Q()
    for start, stop in mine:
        overlapping |= Q(
            starts_at__lt=stop - INTERVIEW_LENGTH, ends_at__gt=start + INTERVIEW_LENGTH
        )
    free_then = {
        user_id
        for user_id, start, stop in AvailabilityWindow.objects.filter(overlapping)
        .exclude(user_id=request.user_id)
        .values_list("user_id", "starts_at", "ends_at")
        if any(min(stop, b) - max(start, a) >= INTERVIEW_LENGTH for a, b in mine)
    }
    others = InterviewRequest.objects.filter(
        status=RequestStatus.OPEN, user__is_active=True, user_id__in=free_then
    ).values_list("user_id", "role", "level")
    level = LEVEL_ORDER.index(request.level)
    near = [role for _, role, their in others if abs(LEVEL_ORDER.index(their) - level) <= 2]
    fitting = [role for role in near if role in PARTNER_ROLES[request.role]]
    if fitting:
        return (
            "outmatched",
            f"{len(fitting)} people free when you are could pair with you, but the last run "
            "paired them with others or found no question new to you both: wider windows or "
            "the swap role give it more choices.",
        )
    if near:
        switch = sorted(
            role for role in PARTNER_ROLES if any(n in PARTNER_ROLES[role] for n in near)
        )
        return (
            "another_role",
            f"Nobody free when you are wants {WANT[request.role]}; {len(near)} people free "
            f"then want another role. Choosing {' or '.join(switch)} would let you pair.",
        )
    return (
        "no_partner",
        "Nobody else near your level is free when you are: wider windows help (weekday "
        "evenings and weekend afternoons are the busiest).",
    )


def _week_full(request: InterviewRequest, windows: list[tuple[datetime, datetime]]) -> bool:
    """Whether no start in any free window leaves room under the weekly cap (pairing's rule)."""
    from interviews.services import pairing

    origin = windows[0][0]
    starts = Interview.objects.filter(
        Q(interviewer_id=request.user_id) | Q(candidate_id=request.user_id),
        status__in=(*ACTIVE_STATUSES, InterviewStatus.COMPLETED),
        starts_at__gt=origin - timedelta(days=7),
    ).values_list("starts_at", flat=True)
    person = pairing.Seeker(
        request_id=request.pk,
        user_id=request.user_id,
        role=pairing.ROLE_CODES[request.role],
        level=0,
        domains=0,
        free=0,
        priority=0.0,
        max_per_week=request.max_per_week,
        booked=[int((at - origin) // pairing.CELL) for at in starts],
    )
    for start, stop in windows:
        first = int((start - origin) // pairing.CELL)
        last = int((stop - INTERVIEW_LENGTH - origin) // pairing.CELL)
        if any(person.left_over(cell, cell) >= 1 for cell in range(first, last + 1)):
            return False
    return True


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


# Which role, switched to, would pair someone waiting as the key with the people who block them.
_SWITCH_TO = {
    RequestRole.CANDIDATE: RequestRole.INTERVIEWER,
    RequestRole.INTERVIEWER: RequestRole.CANDIDATE,
}


@dataclass(frozen=True)
class InstantQueue:
    counts: dict[str, int]
    suggested_role: str | None
    suggestion: str | None


def instant_queue(*, entry: InstantQueueEntry, now: datetime | None = None) -> InstantQueue:
    """How many others wait live in each role (counts only, never who), and a role to switch to.

    A switch is suggested only when everyone else waiting wants the same role as the user, so
    nobody there can pair with the user while a switch would pair them with all of them.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.SCHEDULING_INSTANT_STALE_SECONDS)
    rows = (
        InstantQueueEntry.objects.filter(status=QueueStatus.WAITING, last_seen_at__gte=stale_before)
        .exclude(user_id=entry.user_id)
        .values("role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {role: 0 for role in RequestRole.values}
    counts.update({row["role"]: row["n"] for row in rows})
    switch_to = _SWITCH_TO.get(entry.role)
    others = sum(counts.values())
    if switch_to is None or others == 0 or counts[entry.role] != others:
        return InstantQueue(counts, None, None)
    people = "1 person is" if others == 1 else f"{others} people are"
    reason = (
        f"{people} waiting as {RequestRole(entry.role).label.lower()} and nobody as "
        f"{RequestRole(switch_to).label.lower()}: switch to {RequestRole(switch_to).label.lower()} "
        "to be paired."
    )
    return InstantQueue(counts, switch_to, reason)
