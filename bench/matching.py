"""Matching benchmark: the pairing service against a first-come greedy baseline, same run.

    .venv/bin/python bench/matching.py                  # 1k, 5k, 10k requests, 2-hour buckets
    .venv/bin/python bench/matching.py --sizes 1000 --buckets 60,120,240 --solvers

Requests get realistic availability: people in eight time zones, weekday evenings and lunch
breaks and weekend afternoons in their own zone, over the next two weeks; most want a swap, some
only to be a candidate or an interviewer; levels, domains, question history, reliability and the
reciprocity ledger vary as they do on a live site. Times are the process's CPU seconds on one
core (what the run costs, whatever else shares the machine); --wall reports wall clock instead.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

import numpy as np  # noqa: E402

from interviews.services import pairing  # noqa: E402
from interviews.services.pairing import solve  # noqa: E402

ORIGIN = datetime(2030, 3, 4, tzinfo=UTC)  # a Monday
DAYS = 14
CELLS_PER_HOUR = 4
# (UTC offset in hours, share of users)
ZONES = [(-8, 0.12), (-5, 0.18), (-3, 0.05), (0, 0.12), (1, 0.15), (5.5, 0.2), (8, 0.1), (11, 0.08)]
ROLES = [(pairing.ROLE_SWAP, 0.55), (pairing.ROLE_CANDIDATE, 0.3), (pairing.ROLE_INTERVIEWER, 0.15)]
LEVELS = [(0, 0.15), (1, 0.4), (2, 0.35), (3, 0.1)]
QUESTIONS = 15
T = TypeVar("T")


def pick(rng: random.Random, options: list[tuple[T, float]]) -> T:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def window_cells(day: int, local_hour: float, hours: float, offset: float) -> tuple[int, int]:
    start = round((day * 24 + local_hour - offset) * CELLS_PER_HOUR)
    return start, start + round(hours * CELLS_PER_HOUR)


def make_problem(n: int, *, seed: int = 7, bucket_cells: int = 8) -> pairing.Problem:
    """Build n open requests with realistic availability and history."""
    rng = random.Random(seed)
    cells = DAYS * 24 * CELLS_PER_HOUR
    questions = [
        pairing.QuestionRef(id=q + 1, domain=q % 8, level=rng.randrange(4))
        for q in range(QUESTIONS)
    ]
    seekers = []
    for index in range(n):
        offset = float(pick(rng, ZONES))
        free = 0
        for _ in range(rng.randint(2, 5)):
            day = rng.randrange(DAYS)
            weekend = (ORIGIN + timedelta(days=day)).weekday() >= 5
            if weekend:
                start, end = window_cells(
                    day, rng.choice([10, 11, 13, 14, 15]), rng.uniform(2, 4), offset
                )
            elif rng.random() < 0.2:
                start, end = window_cells(day, rng.choice([12, 12.5]), 1.5, offset)
            else:
                start, end = window_cells(
                    day, rng.choice([18, 18.5, 19, 19.5, 20]), rng.uniform(1.5, 3), offset
                )
            start, end = max(start, 0), min(end, cells)
            if end > start:
                free |= ((1 << (end - start)) - 1) << start
        # Questions met as a candidate (some still booked), and as an interviewer: both are
        # "seen", never to be had again as a candidate.
        had = sum(1 << q for q in rng.sample(range(QUESTIONS), rng.randint(0, 5)))
        done = sum(1 << q for q in range(QUESTIONS) if had >> q & 1 and rng.random() < 0.8)
        taking = had & ~done
        interviewed = sum(1 << q for q in rng.sample(range(QUESTIONS), rng.randint(0, 4)))
        given, received = rng.randint(0, 8), rng.randint(0, 8)
        seekers.append(
            pairing.Seeker(
                request_id=index + 1,
                user_id=index + 1,
                role=pick(rng, ROLES),
                level=pick(rng, LEVELS),
                domains=0
                if rng.random() < 0.2
                else sum(1 << d for d in rng.sample(range(8), rng.randint(1, 3))),
                free=free,
                priority=pairing.priority(
                    reliability=1.0 if rng.random() < 0.85 else rng.uniform(0.3, 0.9),
                    given=given,
                    received=received,
                    waited_days=rng.uniform(0, 14),
                    rematch=rng.random() < 0.02,
                ),
                max_per_week=rng.choice([1, 1, 2, 2, 3]),
                # One interview in the last few days for a tenth of them.
                booked=[-rng.randrange(1, 4 * 96)] if rng.random() < 0.1 else [],
                seen=had | interviewed,
                taking=taking,
                done=done,
                waited=rng.uniform(0, 14 * 86400),
            )
        )
    recent = {pairing.pair_key(rng.randint(1, n), rng.randint(1, n)) for _ in range(n // 2)}
    return pairing.Problem(
        seekers=seekers,
        questions=questions,
        origin=ORIGIN,
        cells=cells,
        recent_pairs=recent,
        bucket_cells=bucket_cells,
    )


CLOCK: Callable[[], float] = time.process_time


def timed(run: Callable[[], pairing.Plan]) -> tuple[pairing.Plan, float]:
    started = CLOCK()
    result = run()
    return result, CLOCK() - started


def networkx_matching(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray) -> list[int]:
    """The same exact matching with networkx's blossom algorithm, for the solver comparison."""
    import networkx as nx

    graph = nx.Graph()
    for edge, (a, b) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        graph.add_edge(a, b, weight=float(weight[edge]), edge=edge)
    return [graph[a][b]["edge"] for a, b in nx.max_weight_matching(graph)]


def highs_matching(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray) -> list[int]:
    """The matching integer programme solved by HiGHS (scipy.optimize.milp), for comparison."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix

    m = len(weight)
    if m == 0:
        return []
    incidence = csr_matrix(
        (np.ones(2 * m), (np.concatenate([left, right]), np.tile(np.arange(m), 2))), shape=(n, m)
    )
    result = milp(
        -weight,
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(incidence, 0, 1),
    )
    return [] if result.x is None else [int(e) for e in np.flatnonzero(result.x > 0.5)]


def served(plan: pairing.Plan) -> int:
    """Requests that got at least one booking."""
    return len(
        {p.interviewer.request_id for p in plan.pairings}
        | {p.candidate.request_id for p in plan.pairings}
    )


def violations(problem: pairing.Problem, plan: pairing.Plan) -> int:
    """Bookings that break the question rule, replayed in booking order (must be 0)."""
    bit = {q.id: 1 << k for k, q in enumerate(problem.questions)}
    seen = {s.user_id: s.seen for s in problem.seekers}
    taking = {s.user_id: s.taking for s in problem.seekers}
    broken = 0
    for p in plan.pairings:
        halves = [(p.interviewer.user_id, p.candidate.user_id, p.question_ids[0])]
        if p.swap:
            halves.append((p.candidate.user_id, p.interviewer.user_id, p.question_ids[1]))
        for interviewer, candidate, question in halves:
            broken += bool((seen[candidate] | taking[interviewer]) & bit[question])
            seen[interviewer] |= bit[question]
            seen[candidate] |= bit[question]
            taking[candidate] |= bit[question]
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--buckets", default="120", help="bucket lengths in minutes")
    parser.add_argument("--solvers", action="store_true", help="also time networkx's blossom")
    parser.add_argument("--wall", action="store_true", help="time by wall clock, not CPU")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(
        "| requests | bucket | optimal: time | served | interviews | objective "
        "| greedy: time | served | interviews | objective | objective gain |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in [int(s) for s in args.sizes.split(",")]:
        for minutes in [int(b) for b in args.buckets.split(",")]:
            problem = make_problem(n, bucket_cells=minutes // 15)
            best, best_s = timed(partial(pairing.plan, problem))
            greedy, greedy_s = timed(partial(pairing.plan, problem, method="greedy"))
            gain = (best.objective - greedy.objective) / greedy.objective * 100
            broken = violations(problem, best) + violations(problem, greedy)
            if broken:
                raise SystemExit(f"{broken} bookings break the question rule")
            print(
                f"| {n:,} | {minutes} min | {best_s:.2f} s | {served(best):,} "
                f"| {best.interviews:,} | {best.objective:,.0f} | {greedy_s:.2f} s "
                f"| {served(greedy):,} | {greedy.interviews:,} | {greedy.objective:,.0f} "
                f"| {gain:+.1f}% |"
            )
            if args.solvers:
                others = [("networkx blossom", networkx_matching)]
                if n <= 1000:
                    others.append(("HiGHS MILP", highs_matching))
                for label, solver in others:
                    # Swapped where the bucket solver looks it up.
                    original = solve.max_weight_matching
                    solve.max_weight_matching = solver
                    try:
                        alt, alt_s = timed(partial(pairing.plan, problem))
                    finally:
                        solve.max_weight_matching = original
                    print(
                        f"|  | {label} | {alt_s:.2f} s | {served(alt):,} "
                        f"| {alt.interviews:,} | {alt.objective:,.0f} |  |  |  |  |  |"
                    )


if __name__ == "__main__":
    main()
