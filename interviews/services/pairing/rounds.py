"""A run: rounds of buckets in time order, each booking taken out of what later ones can use."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from interviews.services.pairing.bucket import Bucket, bucket_words, masks, orient
from interviews.services.pairing.model import (
    INTERVIEW_CELLS,
    MAX_BUCKET_CELLS,
    ROLE_INTERVIEWER,
    ROLE_SWAP,
    SWAP_CELLS,
    Pairing,
    Plan,
    Problem,
    Seeker,
    pair_key,
)
from interviews.services.pairing.questions import choose_question
from interviews.services.pairing.solve import SOLVERS, Solver


def plan(problem: Problem, *, method: str = "optimal") -> Plan:
    """Pair the open requests; method="greedy" is the first-come baseline the benchmark uses."""
    if not 1 <= problem.bucket_cells <= MAX_BUCKET_CELLS:
        raise ValueError(f"bucket_cells must be 1..{MAX_BUCKET_CELLS}")
    solver = SOLVERS[method]
    seekers = [replace(s, booked=list(s.booked)) for s in problem.seekers]
    recent = set(problem.recent_pairs)
    pairings: list[Pairing] = []
    rounds = 0
    for _ in range(problem.max_rounds):
        found = _round(problem, seekers, recent, solver)
        if not found:
            break
        rounds += 1
        for pairing in found:
            _apply(problem, pairing)
            recent.add(pair_key(pairing.interviewer.user_id, pairing.candidate.user_id))
        pairings.extend(found)
    return Plan(pairings=pairings, rounds=rounds)


def _round(
    problem: Problem, seekers: list[Seeker], recent: set[tuple[int, int]], solver: Solver
) -> list[Pairing]:
    size = problem.bucket_cells
    buckets = -(-problem.cells // size)
    live: dict[int, set[int]] = {}
    for low, high in recent:
        live.setdefault(low, set()).add(high)
        live.setdefault(high, set()).add(low)
    everyone = (1 << len(problem.questions)) - 1
    roles = [_effective_role(s, everyone) for s in seekers]
    active = [i for i, role in enumerate(roles) if role is not None]
    if len(active) < 2:
        return []
    people = [seekers[i] for i in active]
    s45, s90, near = bucket_words(problem, people, buckets)
    present = s45 != 0
    role = np.array([roles[i] for i in active])
    level = np.array([s.level for s in people])
    domains = np.array([s.domains for s in people], dtype=np.uint64)
    prio = np.array([s.priority for s in people])
    waited = np.array([s.waited for s in people])
    seen = masks([s.seen for s in people], len(problem.questions))
    taking = masks([s.taking for s in people], len(problem.questions))
    cap = np.array([s.max_per_week for s in people])
    # Only people with interviews near the horizon can be short of room under the cap.
    counted = [k for k, s in enumerate(people) if s.booked]
    matched = np.zeros(len(active), dtype=bool)
    found: list[Pairing] = []
    for b in range(buckets):
        # Starts anywhere in the bucket, and a swap's second half 45 minutes later.
        first, last = b * size, b * size + size - 1 + INTERVIEW_CELLS
        left = cap.copy()
        for k in counted:
            if present[k, b]:
                left[k] = people[k].left_over(first, last)
        members = np.flatnonzero(present[:, b] & ~matched & (left >= 1))
        if len(members) < 2:
            continue
        chosen = [people[m] for m in members]
        bucket = Bucket(
            problem=problem,
            members=chosen,
            role=role[members],
            level=level[members],
            domains=domains[members],
            s45=s45[members, b],
            s90=s90[members, b],
            near=near[members, b],
            prio=prio[members],
            cap1=np.ones(len(members), dtype=bool),
            cap2=left[members] >= 2,
            waited=waited[members],
            seen=seen[members],
            taking=taking[members],
            user_index={s.user_id: k for k, s in enumerate(chosen)},
            recent=live,
        )
        for i, j, weight in solver(bucket):
            pairing = _pairing(bucket, i, j, weight, b * size, problem)
            if pairing is not None:
                matched[members[i]] = matched[members[j]] = True
                found.append(pairing)
    return found


def _effective_role(seeker: Seeker, everyone: int) -> int | None:
    """A request whose owner has seen every question can still interview, never be a candidate."""
    if seeker.role == ROLE_INTERVIEWER:
        return ROLE_INTERVIEWER
    if everyone & ~seeker.seen:
        return seeker.role
    return ROLE_INTERVIEWER if seeker.role == ROLE_SWAP else None


def _pairing(
    bucket: Bucket, i: int, j: int, weight: float, first_cell: int, problem: Problem
) -> Pairing | None:
    a, b = bucket.members[i], bucket.members[j]
    is_swap = bool(bucket.role[i] == ROLE_SWAP and bucket.role[j] == ROLE_SWAP)
    if is_swap:
        common = int(bucket.s90[i] & bucket.s90[j])
        leader, follower = (a, b) if a.user_id < b.user_id else (b, a)
    else:
        common = int(bucket.s45[i] & bucket.s45[j])
        leader, follower = orient(a, b, int(bucket.role[i]), int(bucket.role[j]))
    first = choose_question(problem.questions, leader, follower)
    if first is None:
        return None
    question_ids: tuple[int, ...] = (problem.questions[first].id,)
    if is_swap:
        second = choose_question(problem.questions, follower, leader, exclude=first)
        if second is None:
            return None
        question_ids += (problem.questions[second].id,)
    return Pairing(
        interviewer=leader,
        candidate=follower,
        start_cell=first_cell + (common & -common).bit_length() - 1,
        swap=is_swap,
        question_ids=question_ids,
        weight=weight,
    )


def _apply(problem: Problem, pairing: Pairing) -> None:
    """Take a booked pairing out of what later rounds can use."""
    length = SWAP_CELLS if pairing.swap else INTERVIEW_CELLS
    used = ((1 << length) - 1) << pairing.start_cell
    starts = [pairing.start_cell]
    if pairing.swap:
        starts.append(pairing.start_cell + INTERVIEW_CELLS)
    index = {q.id: k for k, q in enumerate(problem.questions)}
    for person in (pairing.interviewer, pairing.candidate):
        person.free &= ~used
        person.booked.extend(starts)
    # What this run booked counts as seen for the later rounds of the same run, as it will
    # for the next run once it is in the database.
    halves = [(pairing.interviewer, pairing.candidate, pairing.question_ids[0])]
    if pairing.swap:
        halves.append((pairing.candidate, pairing.interviewer, pairing.question_ids[1]))
    for interviewer, candidate, question_id in halves:
        bit = 1 << index[question_id]
        interviewer.seen |= bit
        candidate.seen |= bit
        candidate.taking |= bit
