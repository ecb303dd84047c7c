"""Matching runs: load the open requests, plan the pairs (services.pairing), book them.

Only one run works at a time: a PostgreSQL advisory lock (released by the database if the
worker dies), or a cache lock with a time-out on SQLite. A run is keyed: a retried or duplicated
run with the same key does nothing twice, and a run that crashed half-way resumes without
booking anyone again, because requests already booked by it are left out.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.selectors import email_verified
from interviews import selectors
from interviews.models import (
    AvailabilityWindow,
    Interview,
    InterviewRequest,
    InterviewSource,
    InterviewStatus,
    MatchRun,
    MatchRunStatus,
    Question,
    RequestStatus,
    Seat,
)
from interviews.services import pairing
from interviews.services.booking import interview_book, swap_book
from sevenstep.errors import Conflict
from sevenstep.framework import LEVEL_ORDER, Domain
from sevenstep.jobs import enqueue_on_commit
from sevenstep.locks import exclusive

log = logging.getLogger(__name__)

LOCK_NAME = "interviews:matching-run"
CACHE_LOCK_SECONDS = 15 * 60
REMATCH_WINDOW = timedelta(days=7)
DOMAIN_BITS = {domain: index for index, domain in enumerate(Domain.values)}
LEVEL_INDEX = {level: index for index, level in enumerate(LEVEL_ORDER)}
WEEK_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.LIVE, InterviewStatus.COMPLETED)


def run_key_for_tick(now: datetime, every: timedelta = timedelta(minutes=5)) -> str:
    """The key of the scheduled run for this beat tick: duplicate deliveries share it."""
    tick = int(now.timestamp() // every.total_seconds())
    return f"beat-{tick}"


def match_run_request(*, user: User) -> MatchRun:
    """Create an on-demand run and queue it once the caller commits; return the pending run."""
    run = MatchRun.objects.create(key=f"manual-{uuid.uuid4().hex}", requested_by=user)
    # Lost if the broker is down: the run stays pending, and the beat's next run matches anyway.
    enqueue_on_commit("interviews.match_run", run.pk)
    run.refresh_from_db()
    return run


def matching_run(*, key: str, requested_by: User | None = None) -> MatchRun:
    """Run matching once for this key; a busy lock leaves the run pending for a retry."""
    run, _ = MatchRun.objects.get_or_create(key=key, defaults={"requested_by": requested_by})
    if run.status == MatchRunStatus.DONE:
        return run
    with exclusive(LOCK_NAME, expires=CACHE_LOCK_SECONDS) as held:
        if not held:
            return run
        run.refresh_from_db()
        if run.status == MatchRunStatus.DONE:
            return run
        run.status = MatchRunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
        try:
            run.stats = _execute(run)
        except Exception:
            run.status = MatchRunStatus.FAILED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            raise
        run.status = MatchRunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "stats", "finished_at"])
    return run


def _execute(run: MatchRun) -> dict[str, object]:
    started = time.perf_counter()
    now = timezone.now()
    loaded = problem_load(now=now, skip_run=run)
    planning = time.perf_counter()
    plan = pairing.plan(loaded.problem)
    planned = time.perf_counter()
    booked = conflicts = 0
    for pair in plan.pairings:
        try:
            booked += len(_book(pair, loaded, run))
        except Conflict:
            # Someone took the slot since we loaded (an instant match, a reschedule).
            conflicts += 1
    return {
        "requests": len(loaded.problem.seekers),
        "pairings": len(plan.pairings) - conflicts,
        "interviews": booked,
        "conflicts": conflicts,
        "rounds": plan.rounds,
        "objective": round(plan.objective, 1),
        "seconds_loading": round(planning - started, 3),
        "seconds_planning": round(planned - planning, 3),
        "seconds_booking": round(time.perf_counter() - planned, 3),
    }


def _book(pair: pairing.Pairing, loaded: LoadedProblem, run: MatchRun) -> list[Interview]:
    starts_at = loaded.problem.origin + pairing.CELL * pair.start_cell
    questions = [loaded.questions[question_id] for question_id in pair.question_ids]
    if pair.swap:
        return swap_book(
            first_interviewer_id=pair.interviewer.user_id,
            first_candidate_id=pair.candidate.user_id,
            first_question=questions[0],
            second_question=questions[1],
            starts_at=starts_at,
            source=InterviewSource.MATCHED,
            match_run=run,
        )
    return [
        interview_book(
            interviewer_id=pair.interviewer.user_id,
            candidate_id=pair.candidate.user_id,
            question=questions[0],
            starts_at=starts_at,
            source=InterviewSource.MATCHED,
            match_run=run,
        )
    ]


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

    exposure = selectors.question_exposure(user_ids=user_ids, excluding=excluding or [])
    return QuestionHistory(
        questions=questions,
        seen={user_id: mask(mine.seen) for user_id, mine in exposure.items()},
        taking={user_id: mask(mine.taking) for user_id, mine in exposure.items()},
        done={user_id: mask(mine.done) for user_id, mine in exposure.items()},
    )


@dataclass(frozen=True)
class Half:
    """One interview to find a question for: who interviews whom, and what the candidate wants."""

    interviewer_id: int
    candidate_id: int
    level: str
    domains: list[str]


def questions_pick(
    *, halves: list[Half], excluding: list[int] | None = None
) -> list[Question] | None:
    """Pick a question per half with the planner's rule, or None if the bank has none left.

    For the paths that book one pair at a time (instant match, a reschedule that must change
    the question); the halves of a swap are picked in order, each seeing the one before.
    `excluding` leaves interviews out of the history (those being re-picked).
    """
    people = {user_id for half in halves for user_id in (half.interviewer_id, half.candidate_id)}
    history = question_history(user_ids=sorted(people), excluding=excluding)
    refs = question_refs(history.questions)
    seekers = {
        user_id: pairing.Seeker(
            request_id=0,
            user_id=user_id,
            role=pairing.ROLE_SWAP,
            level=0,
            domains=0,
            free=0,
            priority=0.0,
            max_per_week=0,
            seen=history.seen.get(user_id, 0),
            taking=history.taking.get(user_id, 0),
            done=history.done.get(user_id, 0),
        )
        for user_id in people
    }
    picked: list[Question] = []
    for half in halves:
        interviewer, candidate = seekers[half.interviewer_id], seekers[half.candidate_id]
        wish = replace(candidate, level=LEVEL_INDEX[half.level], domains=domain_bits(half.domains))
        chosen = pairing.choose_question(refs, interviewer, wish)
        if chosen is None:
            return None
        bit = 1 << chosen
        interviewer.seen |= bit
        candidate.seen |= bit
        candidate.taking |= bit
        picked.append(history.questions[chosen])
    return picked


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
        first, last = (
            max(_cell_ceil(origin, starts_at), 0),
            min(_cell_floor(origin, ends_at), cells),
        )
        if last > first:
            free[user_id] |= ((1 << (last - first)) - 1) << first
    busy = Seat.objects.filter(
        user_id__in=user_ids, active=True, ends_at__gt=origin, starts_at__lt=end
    ).values_list("user_id", "starts_at", "ends_at")
    for user_id, starts_at, ends_at in busy:
        first, last = (
            max(_cell_floor(origin, starts_at), 0),
            min(_cell_ceil(origin, ends_at), cells),
        )
        if last > first:
            free[user_id] &= ~(((1 << (last - first)) - 1) << first)

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
    reliability = selectors.reliability_of(user_ids=user_ids, now=now)
    ledger = selectors.ledger_of(user_ids=user_ids)

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
                wanted=bit.get(request.question_id, -1),
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
