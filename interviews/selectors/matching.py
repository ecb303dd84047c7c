"""The matching run's reads: the open requests, free time, bookings and question history,
loaded into the planner's plain data (interviews.services.pairing)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from accounts.selectors import email_verified
from interviews.models import (
    AvailabilityWindow,
    Interview,
    InterviewRequest,
    InterviewStatus,
    MatchRun,
    Question,
    RequestStatus,
    Seat,
)
from interviews.selectors.questions import question_exposure
from interviews.selectors.reliability import ledger_of, reliability_of
from interviews.services import pairing
from sevenstep.framework import LEVEL_ORDER, Domain

REMATCH_WINDOW = timedelta(days=7)
DOMAIN_BITS = {domain: index for index, domain in enumerate(Domain.values)}
LEVEL_INDEX = {level: index for index, level in enumerate(LEVEL_ORDER)}
WEEK_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.LIVE, InterviewStatus.COMPLETED)


@dataclass
class QuestionHistory:
    """The active bank and, per user, its questions as bit masks (see pairing.Seeker)."""

    questions: list[Question]
    seen: dict[int, int]
    taking: dict[int, int]
    done: dict[int, int]


def question_history(*, user_ids: list[int], excluding: list[int] | None = None) -> QuestionHistory:
    """Return the active bank and each user's exposure to it (selectors.question_exposure)."""
    questions = list(Question.objects.filter(is_active=True).order_by("pk"))
    bit = {q.pk: index for index, q in enumerate(questions)}

    def mask(ids: set[int]) -> int:
        return sum(1 << bit[question_id] for question_id in ids if question_id in bit)

    exposure = question_exposure(user_ids=user_ids, excluding=excluding or [])
    return QuestionHistory(
        questions=questions,
        seen={user_id: mask(mine.seen) for user_id, mine in exposure.items()},
        taking={user_id: mask(mine.taking) for user_id, mine in exposure.items()},
        done={user_id: mask(mine.done) for user_id, mine in exposure.items()},
    )


def question_refs(questions: list[Question]) -> list[pairing.QuestionRef]:
    return [
        pairing.QuestionRef(id=q.pk, domain=DOMAIN_BITS[q.domain], level=LEVEL_INDEX[q.level])
        for q in questions
    ]


def domain_bits(domains: list[str]) -> int:
    return sum(1 << DOMAIN_BITS[d] for d in domains if d in DOMAIN_BITS)


@dataclass
class LoadedProblem:
    problem: pairing.Problem
    questions: dict[int, Question]


def _cell_floor(origin: datetime, at: datetime) -> int:
    return int((at - origin) // pairing.CELL)


def _cell_ceil(origin: datetime, at: datetime) -> int:
    return -int(-(at - origin) // pairing.CELL)


def _bits(first: int, last: int, cells: int) -> int:
    """The cells first..last-1 of the grid's 0..cells-1 as bits (none when the span is empty)."""
    first, last = max(first, 0), min(last, cells)
    return ((1 << (last - first)) - 1) << first if last > first else 0


def problem_load(*, now: datetime, skip_run: MatchRun | None = None) -> LoadedProblem:
    """Read everything the planner needs about the open requests into plain data."""
    earliest = now + timedelta(minutes=settings.SCHEDULING_MATCH_LEAD_MINUTES)
    # Cells start on the quarter hour so interviews start at :00, :15, :30 or :45.
    origin = earliest.replace(second=0, microsecond=0)
    origin += timedelta(minutes=-origin.minute % 15)
    if origin < earliest:
        origin += pairing.CELL
    horizon = timedelta(days=settings.SCHEDULING_MATCH_HORIZON_DAYS)
    end = origin + horizon
    cells = int(horizon // pairing.CELL)

    # Requests of users whose email is unverified wait, open, until it is verified.
    requests = list(
        InterviewRequest.objects.filter(status=RequestStatus.OPEN, user__is_active=True)
        .filter(email_verified("user"))
        .order_by("created_at", "pk")
    )
    if skip_run is not None:
        done = set(
            Interview.objects.filter(match_run=skip_run).values_list("interviewer_id", flat=True)
        ) | set(Interview.objects.filter(match_run=skip_run).values_list("candidate_id", flat=True))
        requests = [r for r in requests if r.user_id not in done]
    user_ids = [r.user_id for r in requests]

    free: dict[int, int] = defaultdict(int)
    windows = AvailabilityWindow.objects.filter(
        user_id__in=user_ids, ends_at__gt=origin, starts_at__lt=end
    ).values_list("user_id", "starts_at", "ends_at")
    for user_id, starts_at, ends_at in windows:
        # Free: only the cells the window covers whole.
        free[user_id] |= _bits(_cell_ceil(origin, starts_at), _cell_floor(origin, ends_at), cells)
    busy = Seat.objects.filter(
        user_id__in=user_ids, active=True, ends_at__gt=origin, starts_at__lt=end
    ).values_list("user_id", "starts_at", "ends_at")
    for user_id, starts_at, ends_at in busy:
        # Busy: every cell the seat touches.
        free[user_id] &= ~_bits(_cell_floor(origin, starts_at), _cell_ceil(origin, ends_at), cells)

    history = question_history(user_ids=user_ids)
    # Every interview of the person counts against the cap (scheduled, instant, manual), at
    # its start cell; those a week either side of the horizon share a window with it.
    booked: dict[int, list[int]] = defaultdict(list)
    week_span = Interview.objects.filter(
        status__in=WEEK_STATUSES,
        starts_at__gt=origin - timedelta(days=7),
        starts_at__lt=end + timedelta(days=7),
    )
    for who in ("interviewer_id", "candidate_id"):
        for user_id, starts_at in week_span.filter(**{f"{who}__in": user_ids}).values_list(
            who, "starts_at"
        ):
            booked[user_id].append(_cell_floor(origin, starts_at))

    no_repeat = now - timedelta(days=settings.SCHEDULING_NO_REPEAT_DAYS)
    recent = {
        pairing.pair_key(a, b)
        for a, b in Interview.objects.filter(starts_at__gte=no_repeat)
        .exclude(status=InterviewStatus.CANCELLED)
        .filter(interviewer_id__in=user_ids)
        .values_list("interviewer_id", "candidate_id")
    }
    rematch = set(
        Interview.objects.filter(
            status=InterviewStatus.NO_SHOW, updated_at__gte=now - REMATCH_WINDOW
        ).values_list("interviewer_id", "candidate_id", "absent_user_id")
    )
    wronged = {a if absent == b else b for a, b, absent in rematch if absent is not None}
    reliability = reliability_of(user_ids=user_ids, now=now)
    ledger = ledger_of(user_ids=user_ids)

    bit = {q.pk: index for index, q in enumerate(history.questions)}
    seekers = []
    for request in requests:
        given, received = ledger[request.user_id]
        waited = (now - request.created_at).total_seconds()
        seekers.append(
            pairing.Seeker(
                request_id=request.pk,
                user_id=request.user_id,
                role=pairing.ROLE_CODES[request.role],
                level=LEVEL_INDEX[request.level],
                domains=domain_bits(request.domains),
                free=free.get(request.user_id, 0),
                priority=pairing.priority(
                    reliability=reliability[request.user_id],
                    given=given,
                    received=received,
                    waited_days=waited / 86400,
                    rematch=request.user_id in wronged,
                ),
                max_per_week=request.max_per_week,
                booked=booked.get(request.user_id, []),
                seen=history.seen.get(request.user_id, 0),
                taking=history.taking.get(request.user_id, 0),
                done=history.done.get(request.user_id, 0),
                wanted=-1 if request.question_id is None else bit.get(request.question_id, -1),
                waited=waited,
            )
        )
    problem = pairing.Problem(
        seekers=seekers,
        questions=question_refs(history.questions),
        origin=origin,
        cells=cells,
        recent_pairs=recent,
        bucket_cells=max(1, settings.SCHEDULING_MATCH_BUCKET_MINUTES // 15),
    )
    return LoadedProblem(problem=problem, questions={q.pk: q for q in history.questions})
