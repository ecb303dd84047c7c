"""The pairing optimisation on plain data: the objective, the hard rules, exactness."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import networkx as nx
import numpy as np
import pytest

from interviews.services import pairing
from interviews.services.pairing import (
    ROLE_CANDIDATE,
    ROLE_INTERVIEWER,
    ROLE_SWAP,
    Problem,
    QuestionRef,
    Seeker,
)

ORIGIN = datetime(2030, 3, 4, tzinfo=UTC)
QUESTIONS = [QuestionRef(id=100 + q, domain=q % 8, level=q % 4) for q in range(6)]


def free(first: int, cells: int) -> int:
    return ((1 << cells) - 1) << first


def seeker(user_id: int, role: int, level: int = 1, **kwargs: object) -> Seeker:
    values: dict[str, object] = {
        "request_id": user_id,
        "user_id": user_id,
        "role": role,
        "level": level,
        "domains": 0,
        "free": free(0, 8),
        "priority": 0.0,
        "max_per_week": 1,
    }
    values.update(kwargs)
    return Seeker(**values)  # type: ignore[arg-type]


def problem(*seekers: Seeker, **kwargs: object) -> Problem:
    return Problem(
        seekers=list(seekers),
        questions=QUESTIONS,
        origin=ORIGIN,
        cells=96,
        **kwargs,  # type: ignore[arg-type]
    )


def pairs(plan: pairing.Plan) -> set[tuple[int, int]]:
    return {(p.interviewer.user_id, p.candidate.user_id) for p in plan.pairings}


def test_greedy_strands_a_candidate_that_the_optimal_matching_serves() -> None:
    # Ann waited longest, so first-come greedy gives her Bob, her closest match. Dan can only
    # work with Bob (Cleo is three levels away), so greedy leaves Dan and Cleo unpaired.
    ann = seeker(1, ROLE_CANDIDATE, level=1, waited=900.0)
    bob = seeker(2, ROLE_INTERVIEWER, level=0)
    cleo = seeker(3, ROLE_INTERVIEWER, level=3)
    dan = seeker(4, ROLE_CANDIDATE, level=0, waited=10.0)
    setup = problem(ann, bob, cleo, dan)
    greedy = pairing.plan(setup, method="greedy")
    best = pairing.plan(setup)
    assert pairs(greedy) == {(2, 1)}
    assert pairs(best) == {(3, 1), (2, 4)}
    assert best.interviews == 2 > greedy.interviews == 1
    assert best.objective > greedy.objective


def test_unreliable_people_lose_a_contested_interviewer() -> None:
    reliable = seeker(
        1,
        ROLE_CANDIDATE,
        priority=pairing.priority(reliability=1.0, given=0, received=0, waited_days=0),
    )
    flaky = seeker(
        2,
        ROLE_CANDIDATE,
        priority=pairing.priority(reliability=0.3, given=0, received=0, waited_days=0),
    )
    interviewer = seeker(3, ROLE_INTERVIEWER)
    assert pairs(pairing.plan(problem(flaky, reliable, interviewer))) == {(3, 1)}


def test_people_who_only_take_wait_behind_people_who_give() -> None:
    giver = seeker(
        1,
        ROLE_CANDIDATE,
        priority=pairing.priority(reliability=1.0, given=6, received=2, waited_days=0),
    )
    taker = seeker(
        2,
        ROLE_CANDIDATE,
        priority=pairing.priority(reliability=1.0, given=0, received=6, waited_days=0),
    )
    interviewer = seeker(3, ROLE_INTERVIEWER)
    assert pairs(pairing.plan(problem(taker, giver, interviewer))) == {(3, 1)}


def test_two_swap_seekers_get_a_swap_with_two_different_questions() -> None:
    plan = pairing.plan(
        problem(seeker(1, ROLE_SWAP, max_per_week=2), seeker(2, ROLE_SWAP, max_per_week=2))
    )
    (pair,) = plan.pairings
    assert pair.swap and plan.interviews == 2
    assert len(set(pair.question_ids)) == 2


def test_a_swap_needs_ninety_shared_minutes_and_room_for_two_in_the_week() -> None:
    short = problem(
        seeker(1, ROLE_SWAP, free=free(0, 5), max_per_week=2),
        seeker(2, ROLE_SWAP, free=free(0, 5), max_per_week=2),
    )
    assert pairing.plan(short).pairings == []
    one_left = problem(seeker(1, ROLE_SWAP, max_per_week=2), seeker(2, ROLE_SWAP))
    assert pairing.plan(one_left).pairings == []


def test_nobody_is_paired_without_shared_time() -> None:
    setup = problem(
        seeker(1, ROLE_CANDIDATE, free=free(0, 4)), seeker(2, ROLE_INTERVIEWER, free=free(4, 4))
    )
    assert pairing.plan(setup).pairings == []


def test_the_slot_lies_inside_both_availabilities() -> None:
    setup = problem(
        seeker(1, ROLE_CANDIDATE, free=free(10, 6)), seeker(2, ROLE_INTERVIEWER, free=free(13, 6))
    )
    (pair,) = pairing.plan(setup).pairings
    assert pair.start_cell == 13


def test_levels_more_than_two_apart_are_never_paired() -> None:
    setup = problem(seeker(1, ROLE_CANDIDATE, level=0), seeker(2, ROLE_INTERVIEWER, level=3))
    assert pairing.plan(setup).pairings == []


def test_recent_partners_are_not_paired_again() -> None:
    setup = problem(seeker(1, ROLE_CANDIDATE), seeker(2, ROLE_INTERVIEWER), recent_pairs={(1, 2)})
    assert pairing.plan(setup).pairings == []


def test_the_candidate_never_gets_a_question_they_had() -> None:
    had_all_but_last = (1 << (len(QUESTIONS) - 1)) - 1
    setup = problem(seeker(1, ROLE_CANDIDATE, seen=had_all_but_last), seeker(2, ROLE_INTERVIEWER))
    (pair,) = pairing.plan(setup).pairings
    assert pair.question_ids == (QUESTIONS[-1].id,)


def test_someone_who_had_every_question_is_never_a_candidate() -> None:
    everything = (1 << len(QUESTIONS)) - 1
    setup = problem(seeker(1, ROLE_CANDIDATE, seen=everything), seeker(2, ROLE_INTERVIEWER))
    assert pairing.plan(setup).pairings == []


def test_the_interviewer_gets_a_question_they_did_as_a_candidate_when_there_is_one() -> None:
    setup = problem(
        seeker(1, ROLE_CANDIDATE), seeker(2, ROLE_INTERVIEWER, done=1 << 4, seen=1 << 4)
    )
    (pair,) = pairing.plan(setup).pairings
    assert pair.question_ids == (QUESTIONS[4].id,)


def test_rounds_fill_the_weekly_cap_but_never_exceed_it() -> None:
    hub = seeker(1, ROLE_INTERVIEWER, max_per_week=2, free=free(0, 12))
    candidates = [seeker(n, ROLE_CANDIDATE, free=free(0, 12)) for n in (2, 3, 4)]
    plan = pairing.plan(problem(hub, *candidates))
    mine = [p for p in plan.pairings if p.interviewer.user_id == 1]
    assert len(mine) == 2
    assert plan.rounds == 2
    starts = sorted(p.start_cell for p in mine)
    assert starts[1] - starts[0] >= pairing.INTERVIEW_CELLS


def test_a_week_already_full_gets_nothing() -> None:
    # One interview booked the evening before counts against a cap of one.
    setup = problem(seeker(1, ROLE_CANDIDATE, booked=[-60]), seeker(2, ROLE_INTERVIEWER))
    assert pairing.plan(setup).pairings == []


def test_the_weekly_cap_holds_over_any_seven_days_not_per_calendar_week() -> None:
    # ORIGIN is a Monday: from Sunday evening, three swap-seekers free on Sunday and Monday
    # evening, each at most 2 interviews a week. Counted per calendar week, one of them got a
    # swap on Sunday and another on Monday: 4 interviews in 2 days.
    sunday = ORIGIN.replace(day=3, hour=18)
    evenings = free(0, 8) | free(96, 8)
    setup = Problem(
        seekers=[seeker(n, ROLE_SWAP, max_per_week=2, free=evenings) for n in (1, 2, 3)],
        questions=QUESTIONS,
        origin=sunday,
        cells=2 * 96,
    )
    plan = pairing.plan(setup)
    assert plan.interviews == 2
    for user_id in (1, 2, 3):
        assert sum(2 for p in plan.pairings if user_id in pairs_of(p)) <= 2


def pairs_of(p: pairing.Pairing) -> tuple[int, int]:
    return (p.interviewer.user_id, p.candidate.user_id)


def test_the_busiest_seven_days_around_a_start_decide_what_is_left() -> None:
    day = 96
    person = seeker(1, ROLE_CANDIDATE, max_per_week=2, booked=[0, 6 * day + 80])
    # Day 3 shares a 7-day window with both; day 7.5 only with the second (the first is
    # more than 7 days before it); day 14 with neither.
    assert person.left_over(3 * day, 3 * day) == 0
    assert person.left_over(7 * day + 48, 7 * day + 48) == 1
    assert person.left_over(14 * day, 14 * day) == 2
    # A span counts every window that could hold a start anywhere in it.
    assert person.left_over(7 * day - 10, 7 * day + 48) == 0


@pytest.mark.parametrize("seed", range(12))
def test_the_matching_is_exactly_the_maximum_weight_one(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(6, 40)
    edges = {
        pairing.pair_key(a, b): rng.randint(1, 1000)
        for a, b in ((rng.randrange(n), rng.randrange(n)) for _ in range(3 * n))
        if a != b
    }
    left = np.array([a for a, _ in edges])
    right = np.array([b for _, b in edges])
    weight = np.array(list(edges.values()), dtype=float)
    chosen = pairing.max_weight_matching(n, left, right, weight)
    used = [int(left[e]) for e in chosen] + [int(right[e]) for e in chosen]
    assert len(used) == len(set(used))
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in edges.items())
    reference = sum(graph[a][b]["weight"] for a, b in nx.max_weight_matching(graph))
    assert sum(weight[e] for e in chosen) == reference


def test_a_swap_seeker_who_had_every_question_still_interviews_another_swap_seeker() -> None:
    everything = (1 << len(QUESTIONS)) - 1
    veteran = seeker(1, ROLE_SWAP, seen=everything, done=everything, max_per_week=2)
    newcomer = seeker(2, ROLE_SWAP, max_per_week=2)
    (pair,) = pairing.plan(problem(newcomer, veteran)).pairings
    assert not pair.swap
    assert (pair.interviewer.user_id, pair.candidate.user_id) == (1, 2)


def test_a_candidate_the_bank_cannot_serve_with_one_interviewer_gets_another() -> None:
    everything_but_first = (1 << len(QUESTIONS)) - 2
    # Ian is the better partner on every soft term but is booked to take the one question the
    # candidate has not seen; the rule makes Ola the only partner she can have.
    setup = problem(
        seeker(1, ROLE_CANDIDATE, seen=everything_but_first),
        seeker(2, ROLE_INTERVIEWER, priority=5.0, taking=1),
        seeker(3, ROLE_INTERVIEWER),
    )
    (booked,) = pairing.plan(setup).pairings
    assert (booked.interviewer.user_id, booked.candidate.user_id) == (3, 1)
    assert booked.question_ids == (QUESTIONS[0].id,)


def test_a_swap_needs_two_different_fresh_questions() -> None:
    everything_but_first = (1 << len(QUESTIONS)) - 2
    setup = problem(
        seeker(1, ROLE_SWAP, seen=everything_but_first, max_per_week=2, free=free(0, 16)),
        seeker(2, ROLE_SWAP, seen=everything_but_first, max_per_week=2, free=free(0, 16)),
    )
    assert pairing.plan(setup).pairings == []


def test_a_run_counts_what_it_booked_in_earlier_rounds_as_seen() -> None:
    sunday, monday = free(0, 8), free(48, 8)
    setup = problem(
        seeker(1, ROLE_SWAP, free=sunday | monday, max_per_week=2),
        seeker(2, ROLE_CANDIDATE, free=sunday),
        seeker(3, ROLE_INTERVIEWER, free=monday),
    )
    plan = pairing.plan(setup)
    assert plan.rounds == 2
    as_interviewer = {p.question_ids[0] for p in plan.pairings if p.interviewer.user_id == 1}
    as_candidate = {p.question_ids[0] for p in plan.pairings if p.candidate.user_id == 1}
    assert as_interviewer and as_candidate and not as_interviewer & as_candidate
