"""Matching runs: load the open requests (selectors.matching), plan the pairs
(services.pairing), book them.

Only one run works at a time: a PostgreSQL advisory lock (released by the database if the
worker dies), or a cache lock with a time-out on SQLite. A run is keyed: a retried or duplicated
run with the same key does nothing twice, and a run that crashed half-way resumes without
booking anyone again, because requests already booked by it are left out.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from interviews.models import (
    Interview,
    InterviewSource,
    MatchRun,
    MatchRunStatus,
    Question,
)
from interviews.selectors.matching import (
    LEVEL_INDEX,
    LoadedProblem,
    domain_bits,
    problem_load,
    question_history,
    question_refs,
)
from interviews.services import pairing
from interviews.services.booking import interview_book, swap_book
from sevenstep.errors import Conflict
from sevenstep.jobs import enqueue_on_commit
from sevenstep.locks import exclusive

log = logging.getLogger(__name__)

LOCK_NAME = "interviews:matching-run"
CACHE_LOCK_SECONDS = 15 * 60


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
